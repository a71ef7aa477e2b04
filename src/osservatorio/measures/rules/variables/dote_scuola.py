"""Lombardy Dote Scuola: materiale didattico and buono scuola (misure.md §5.3)."""

import numpy as np
from openfisca_core.periods import MONTH
from openfisca_core.variables import Variable

from .. import tristate as ts
from ..entities import Nucleo, Persona
from .inputs import Scuola


class dote_scuola_materiale_persona(Variable):
    value_type = int
    entity = Persona
    definition_period = MONTH
    label = "Dote Scuola materiale didattico: studente sotto i 21 anni di secondaria o IeFP"

    def formula(persona, period, parameters):
        s = persona("scuola", period)
        scuola = (
            (s == Scuola.secondaria_primo_grado) + (s == Scuola.secondaria_secondo_grado) + (s == Scuola.iefp)
        )
        ok = scuola * (persona("eta", period) < parameters(period).dote_scuola.eta_max)
        return np.where(ok, ts.OK, ts.FAIL).astype(np.int8)


class dote_scuola_buono_persona(Variable):
    value_type = float
    entity = Persona
    definition_period = MONTH
    label = "Dote Scuola buono scuola: importo per lo studente di scuola paritaria (€)"

    def formula(persona, period, parameters):
        p = parameters(period).dote_scuola
        b = p.buono_scuola
        s = persona("scuola", period)
        isee = persona.nucleo("isee", period)
        fascia = np.select(
            [isee <= b.soglia_1, isee <= b.soglia_2, isee <= b.soglia_3, isee <= b.soglia_4], [1, 2, 3, 4], 0
        )
        importo = np.zeros(persona.count)
        for livello in ("primaria", "secondaria_primo_grado", "secondaria_secondo_grado"):
            tabella = getattr(b, livello)
            valori = np.select(
                [fascia == i for i in (1, 2, 3, 4)],
                [getattr(tabella, f"fascia_{i}") for i in (1, 2, 3, 4)],
                0.0,
            )
            importo = np.where(s == getattr(Scuola, livello), valori, importo)
        ok = persona("scuola_paritaria", period) * (persona("eta", period) < p.eta_max)
        return np.where(ok, np.where(np.isnan(isee), np.nan, importo), 0.0)


class dote_scuola_req_studente(Variable):
    value_type = int
    entity = Nucleo
    definition_period = MONTH
    label = "Dote Scuola: uno studente sotto i 21 anni di secondaria, IeFP o scuola paritaria"

    def formula(nucleo, period):
        materiale = nucleo.any(nucleo.members("dote_scuola_materiale_persona", period) == ts.OK)
        paritaria = nucleo.any(
            nucleo.members("scuola_paritaria", period) * (nucleo.members("eta", period) < 21)
        )
        return ts.test(materiale + paritaria, np.ones(nucleo.count, dtype=bool))


class dote_scuola_req_isee(Variable):
    value_type = int
    entity = Nucleo
    definition_period = MONTH
    label = "Dote Scuola: ISEE fino a 15.748,78 € (materiale) o 40.000 € (buono scuola)"

    def formula(nucleo, period, parameters):
        p = parameters(period).dote_scuola
        isee = nucleo("isee", period)
        materiale = nucleo.any(nucleo.members("dote_scuola_materiale_persona", period) == ts.OK)
        paritaria = nucleo.any(nucleo.members("scuola_paritaria", period))
        return ts.any_of(
            np.where(materiale, ts.le(isee, p.materiale.soglia_isee), ts.FAIL).astype(np.int8),
            np.where(paritaria, ts.le(isee, p.buono_scuola.soglia_4), ts.FAIL).astype(np.int8),
        )


class dote_scuola_esito(Variable):
    value_type = int
    entity = Nucleo
    definition_period = MONTH
    label = "Dote Scuola: esito"

    def formula(nucleo, period, parameters):
        return ts.outcome(
            parameters(period).dote_scuola.attiva,
            nucleo("residente_lombardia", period),
            nucleo("dote_scuola_req_studente", period),
            nucleo("dote_scuola_req_isee", period),
        )


class dote_scuola_importo(Variable):
    value_type = float
    entity = Nucleo
    definition_period = MONTH
    label = "Dote Scuola: importo annuo per il nucleo (materiale didattico e buono scuola) (€)"

    def formula(nucleo, period, parameters):
        p = parameters(period).dote_scuola
        isee = nucleo("isee", period)
        studenti = nucleo.sum(nucleo.members("dote_scuola_materiale_persona", period) == ts.OK)
        materiale = np.where(isee <= p.materiale.soglia_isee, studenti * p.materiale.importo, 0.0)
        materiale = np.where(studenti == 0, 0.0, materiale)
        return np.round(materiale + nucleo.sum(nucleo.members("dote_scuola_buono_persona", period)), 2)
