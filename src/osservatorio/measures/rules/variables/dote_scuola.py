"""Lombardy Dote Scuola: materiale didattico and buono scuola (misure.md §5.3)."""

import numpy as np
from openfisca_core.periods import MONTH
from openfisca_core.variables import Variable

from .. import tristate as ts
from ..entities import Nucleo, Persona
from .common import members_where
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


class dote_scuola_fascia(Variable):
    value_type = int
    entity = Nucleo
    definition_period = MONTH
    label = "Dote Scuola buono scuola: fascia ISEE (1-4; 0 oltre l'ultima soglia o ISEE non noto)"

    def formula(nucleo, period, parameters):
        b = parameters(period).dote_scuola.buono_scuola
        soglie = np.array([b.soglia_1, b.soglia_2, b.soglia_3, b.soglia_4], dtype=float)
        fascia = np.searchsorted(soglie, nucleo("isee", period), side="left") + 1  # NaN sorts last
        return np.where(fascia > 4, 0, fascia)


class dote_scuola_buono_persona(Variable):
    value_type = float
    entity = Persona
    definition_period = MONTH
    label = "Dote Scuola buono scuola: importo per lo studente di scuola paritaria (€)"

    def formula(persona, period, parameters):
        p = parameters(period).dote_scuola
        b = p.buono_scuola
        out = np.zeros(persona.count)
        ok = persona("scuola_paritaria", period) * (persona("eta", period) < p.eta_max)
        idx, hh, nucleo = members_where(persona, ok)
        if idx.size == 0:
            return out
        # One table lookup per pupil: rows are the school levels (in the Scuola enum's order), columns the
        # bands (0: above the last threshold or no ISEE).
        tabella = np.zeros((len(Scuola), 5))
        for livello in ("primaria", "secondaria_primo_grado", "secondaria_secondo_grado"):
            t = getattr(b, livello)
            row = list(Scuola).index(Scuola[livello])
            tabella[row, 1:] = [t.fascia_1, t.fascia_2, t.fascia_3, t.fascia_4]
        scuola = np.asarray(persona("scuola", period).view(np.ndarray))[idx]
        importo = tabella[scuola, nucleo("dote_scuola_fascia", period)[hh]]
        out[idx] = np.where(np.isnan(nucleo("isee", period)[hh]), np.nan, importo)
        return out


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
