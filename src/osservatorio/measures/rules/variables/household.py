"""Derived facts about people and the household used by many measures (age, counts, roles)."""

import numpy as np
from openfisca_core.periods import MONTH
from openfisca_core.variables import Variable

from ..entities import Nucleo, Persona
from .common import group_min
from .inputs import Alloggio, Disabilita


def _civil(days):
    """Year, month and day from days since 1970-01-01, in integer arithmetic (H. Hinnant's
    days_from_civil inverse): numpy's datetime64[D] -> [M] conversion is several times slower."""
    z = days.astype(np.int64) + 719468
    era = z // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    day = doy - (153 * mp + 2) // 5 + 1
    month = np.where(mp < 10, mp + 3, mp - 9)
    year = yoe + era * 400 + (month <= 2)
    return year, month, day


def _by_day(dates, function):
    """`function` of the (year, month, day) of each date, computed once per distinct day in the range
    (a population's birth dates span a few tens of thousands of days, not millions) then gathered."""
    days = np.asarray(dates, dtype="datetime64[D]").view(np.int64)
    if days.size == 0:
        return function(*_civil(days))
    low, high = int(days.min()), int(days.max())
    if high - low > days.size:
        return function(*_civil(days))
    table = function(*_civil(np.arange(low, high + 1, dtype=np.int64)))
    return table[days - low]


class eta_mesi(Variable):
    value_type = int
    entity = Persona
    definition_period = MONTH
    label = "Età in mesi compiuti"

    def formula(persona, period):
        ref = period.start
        return _by_day(
            persona("data_nascita", period),
            lambda year, month, day: ((ref.year - year) * 12 + (ref.month - month) - (ref.day < day)).astype(
                np.int32
            ),
        )


class eta(Variable):
    value_type = int
    entity = Persona
    definition_period = MONTH
    label = "Età in anni compiuti al primo giorno del mese"

    def formula(persona, period):
        return persona("eta_mesi", period) // 12


class anno_nascita(Variable):
    value_type = int
    entity = Persona
    definition_period = MONTH
    label = "Anno di nascita"

    def formula(persona, period):
        return _by_day(persona("data_nascita", period), lambda year, month, day: year.astype(np.int32))


class richiedente(Variable):
    value_type = bool
    entity = Persona
    definition_period = MONTH
    label = "Richiedente"

    def formula(persona, period):
        return persona.has_role(Nucleo.RICHIEDENTE)


class coniuge(Variable):
    value_type = bool
    entity = Persona
    definition_period = MONTH
    label = "Coniuge o convivente del richiedente"

    def formula(persona, period):
        return persona.has_role(Nucleo.CONIUGE)


class ha_coniuge(Variable):
    value_type = bool
    entity = Nucleo
    definition_period = MONTH
    label = "Il richiedente ha un coniuge o convivente nel nucleo"

    def formula(nucleo, period):
        return nucleo.any(nucleo.members("coniuge", period))


class richiedente_lavora(Variable):
    value_type = bool
    entity = Nucleo
    definition_period = MONTH
    label = "Il richiedente lavora"

    def formula(nucleo, period):
        return nucleo.any(nucleo.members("lavora", period) * nucleo.members("richiedente", period))


class coniuge_lavora(Variable):
    value_type = bool
    entity = Nucleo
    definition_period = MONTH
    label = "Il coniuge o convivente lavora"

    def formula(nucleo, period):
        return nucleo.any(nucleo.members("lavora", period) * nucleo.members("coniuge", period))


class comune_codice(Variable):
    value_type = int
    entity = Nucleo
    definition_period = MONTH
    label = "Codice ISTAT del comune di residenza come numero (-1 se non indicato o non valido)"

    def formula(nucleo, period):
        codes = np.asarray(nucleo("comune_residenza", period), dtype=str)
        valid = (np.char.str_len(codes) == 6) & np.char.isdigit(codes)
        return np.where(valid, codes, "-1").astype(np.int64)


class comune_noto(Variable):
    value_type = bool
    entity = Nucleo
    definition_period = MONTH
    label = "Comune di residenza indicato"

    def formula(nucleo, period):
        return nucleo("comune_codice", period) >= 0


class minore(Variable):
    value_type = bool
    entity = Persona
    definition_period = MONTH
    label = "Minorenne"

    def formula(persona, period):
        return persona("eta", period) < 18


class disabile(Variable):
    value_type = bool
    entity = Persona
    definition_period = MONTH
    label = "Disabilità media, grave o non autosufficienza"

    def formula(persona, period):
        return persona("disabilita", period) != Disabilita.nessuna


class disabile_grave(Variable):
    value_type = bool
    entity = Persona
    definition_period = MONTH
    label = "Disabilità grave o non autosufficienza"

    def formula(persona, period):
        d = persona("disabilita", period)
        return (d == Disabilita.grave) + (d == Disabilita.non_autosufficiente)


class figlio(Variable):
    value_type = bool
    entity = Persona
    definition_period = MONTH
    label = "Figlio o figlia del richiedente"

    def formula(persona, period):
        return persona.has_role(Nucleo.FIGLIO)  # computed once, then read from the cache


class componenti(Variable):
    value_type = int
    entity = Nucleo
    definition_period = MONTH
    label = "Numero di componenti del nucleo"

    def formula(nucleo, period):
        return nucleo.nb_persons()


class numero_figli(Variable):
    value_type = int
    entity = Nucleo
    definition_period = MONTH
    label = "Numero di figli nel nucleo"

    def formula(nucleo, period):
        return nucleo.nb_persons(Nucleo.FIGLIO)


class numero_figli_minori(Variable):
    value_type = int
    entity = Nucleo
    definition_period = MONTH
    label = "Figli minorenni"

    def formula(nucleo, period):
        return nucleo.sum(nucleo.members("minore", period), role=Nucleo.FIGLIO)


class numero_figli_sotto_3(Variable):
    value_type = int
    entity = Nucleo
    definition_period = MONTH
    label = "Figli sotto i 3 anni"

    def formula(nucleo, period):
        return nucleo.sum(nucleo.members("eta", period) < 3, role=Nucleo.FIGLIO)


class numero_figli_sotto_10(Variable):
    value_type = int
    entity = Nucleo
    definition_period = MONTH
    label = "Figli sotto i 10 anni"

    def formula(nucleo, period):
        return nucleo.sum(nucleo.members("eta", period) < 10, role=Nucleo.FIGLIO)


class numero_altri(Variable):
    value_type = int
    entity = Nucleo
    definition_period = MONTH
    label = "Componenti diversi da richiedente, coniuge e figli"

    def formula(nucleo, period):
        return nucleo.nb_persons(Nucleo.ALTRO)


class numero_minori(Variable):
    value_type = int
    entity = Nucleo
    definition_period = MONTH
    label = "Componenti minorenni"

    def formula(nucleo, period):
        return nucleo.sum(nucleo.members("minore", period))


class numero_adulti(Variable):
    value_type = int
    entity = Nucleo
    definition_period = MONTH
    label = "Componenti maggiorenni"

    def formula(nucleo, period):
        return nucleo("componenti", period) - nucleo("numero_minori", period)


class numero_disabili(Variable):
    value_type = int
    entity = Nucleo
    definition_period = MONTH
    label = "Componenti con disabilità"

    def formula(nucleo, period):
        return nucleo.sum(nucleo.members("disabile", period))


class ha_disabile_grave(Variable):
    value_type = bool
    entity = Nucleo
    definition_period = MONTH
    label = "Almeno un componente con disabilità grave o non autosufficiente"

    def formula(nucleo, period):
        return nucleo.any(nucleo.members("disabile_grave", period))


class eta_minima(Variable):
    value_type = int
    entity = Nucleo
    definition_period = MONTH
    label = "Età del componente più giovane"

    def formula(nucleo, period):
        return group_min(nucleo, nucleo.members("eta", period))


class eta_minima_mesi(Variable):
    value_type = int
    entity = Nucleo
    definition_period = MONTH
    label = "Età in mesi del componente più giovane"

    def formula(nucleo, period):
        return group_min(nucleo, nucleo.members("eta_mesi", period), empty=1_000_000)


class in_affitto(Variable):
    value_type = int
    entity = Nucleo
    definition_period = MONTH
    label = "Vive in affitto (1 sì, 0 no, -1 non noto)"

    def formula(nucleo, period):
        a = nucleo("alloggio", period)
        renting = (a == Alloggio.affitto_libero) + (a == Alloggio.affitto_sas) + (a == Alloggio.affitto_sap)
        return np.where(a == Alloggio.non_noto, -1, renting.astype(int))


# ISTAT province codes (the first three digits of a comune's code).
LOMBARDIA_PROVINCE = (12, 13, 14, 15, 16, 17, 18, 19, 20, 97, 98, 108)


class residente_lombardia(Variable):
    value_type = int
    entity = Nucleo
    definition_period = MONTH
    label = "Residente in Lombardia (dal codice ISTAT del comune)"

    def formula(nucleo, period):
        inside = np.isin(nucleo("comune_codice", period) // 1000, LOMBARDIA_PROVINCE)
        return np.where(nucleo("comune_noto", period), inside.astype(int), -1)
