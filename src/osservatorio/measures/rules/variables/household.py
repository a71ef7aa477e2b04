"""Derived facts about people and the household used by many measures (age, counts, roles)."""

import numpy as np
from openfisca_core.periods import MONTH
from openfisca_core.variables import Variable

from ..entities import Nucleo, Persona
from .inputs import Alloggio, Disabilita


def _birth_parts(birth):
    years = birth.astype("datetime64[Y]").astype(int) + 1970
    months = birth.astype("datetime64[M]").astype(int) % 12 + 1
    days = (birth - birth.astype("datetime64[M]")).astype(int) + 1
    return years, months, days


class eta(Variable):
    value_type = int
    entity = Persona
    definition_period = MONTH
    label = "Età in anni compiuti al primo giorno del mese"

    def formula(persona, period):
        ref = period.start
        y, m, d = _birth_parts(persona("data_nascita", period))
        before_birthday = (ref.month < m) | ((ref.month == m) & (ref.day < d))
        return ref.year - y - before_birthday


class eta_mesi(Variable):
    value_type = int
    entity = Persona
    definition_period = MONTH
    label = "Età in mesi compiuti"

    def formula(persona, period):
        ref = period.start
        y, m, d = _birth_parts(persona("data_nascita", period))
        return (ref.year - y) * 12 + (ref.month - m) - (ref.day < d)


class anno_nascita(Variable):
    value_type = int
    entity = Persona
    definition_period = MONTH
    label = "Anno di nascita"

    def formula(persona, period):
        return _birth_parts(persona("data_nascita", period))[0]


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
        return persona.has_role(Nucleo.FIGLIO)


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
        return nucleo.min(nucleo.members("eta", period))


class eta_minima_mesi(Variable):
    value_type = int
    entity = Nucleo
    definition_period = MONTH
    label = "Età in mesi del componente più giovane"

    def formula(nucleo, period):
        return nucleo.min(nucleo.members("eta_mesi", period))


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
        code = np.asarray(nucleo("comune_residenza", period)).astype(str)
        prov = np.char.ljust(code, 6).astype("<U3")
        inside = np.isin(prov, LOMBARDIA_PROVINCE)
        return np.where(np.char.str_len(code) == 6, inside.astype(int), -1)
