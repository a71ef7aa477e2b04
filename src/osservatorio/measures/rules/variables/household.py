"""Derived facts about people and the household used by many measures (age, counts, roles)."""

import numpy as np
from openfisca_core.periods import MONTH
from openfisca_core.variables import Variable

from ..entities import Nucleo, Persona
from .common import group_min
from .inputs import Alloggio, Disabilita


class eta_mesi(Variable):
    value_type = int
    entity = Persona
    definition_period = MONTH
    label = "Età in mesi compiuti"

    def formula(persona, period):
        ref = period.start
        birth = persona("data_nascita", period)
        month_start = birth.astype("datetime64[M]")
        months = month_start.astype(np.int64)
        day = (birth - month_start.astype("datetime64[D]")).astype(np.int64) + 1
        return (ref.year - 1970) * 12 + (ref.month - 1) - months - (ref.day < day)


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
        return persona("data_nascita", period).astype("datetime64[Y]").astype(np.int64) + 1970


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


class comune_noto(Variable):
    value_type = bool
    entity = Nucleo
    definition_period = MONTH
    label = "Comune di residenza indicato"

    def formula(nucleo, period):
        return np.char.str_len(np.asarray(nucleo("comune_residenza", period), dtype=str)) == 6


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


LOMBARDIA_PROVINCE = ("012", "013", "014", "015", "016", "017", "018", "019", "020", "097", "098", "108")


class residente_lombardia(Variable):
    value_type = int
    entity = Nucleo
    definition_period = MONTH
    label = "Residente in Lombardia (dal codice ISTAT del comune)"

    def formula(nucleo, period):
        code = np.asarray(nucleo("comune_residenza", period), dtype="<U6")
        inside = np.isin(code.astype("<U3"), LOMBARDIA_PROVINCE)
        return np.where(nucleo("comune_noto", period), inside.astype(int), -1)
