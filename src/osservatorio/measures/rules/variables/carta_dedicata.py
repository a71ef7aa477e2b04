"""Carta "Dedicata a te" (misure.md §4.2): lists by INPS, validation by the comune, ranking by class and ISEE."""

import numpy as np
from openfisca_core.periods import MONTH
from openfisca_core.variables import Variable

from .. import tristate as ts
from ..entities import Nucleo
from .common import members_fact_none


class carta_dedicata_req_anagrafe(Variable):
    value_type = int
    entity = Nucleo
    definition_period = MONTH
    label = "Carta Dedicata a te: componenti iscritti all'anagrafe del comune"

    def formula(nucleo, period):
        noto = nucleo("comune_noto", period)
        return ts.test(noto, noto)


class carta_dedicata_req_isee(Variable):
    value_type = int
    entity = Nucleo
    definition_period = MONTH
    label = "Carta Dedicata a te: ISEE ordinario fino a 15.000 €"

    def formula(nucleo, period, parameters):
        return ts.le(nucleo("isee", period), parameters(period).carta_dedicata.soglia_isee)


class carta_dedicata_req_componenti(Variable):
    value_type = int
    entity = Nucleo
    definition_period = MONTH
    label = "Carta Dedicata a te: almeno 3 componenti"

    def formula(nucleo, period, parameters):
        return ts.test(
            nucleo("componenti", period) >= parameters(period).carta_dedicata.componenti_min,
            np.ones(nucleo.count, dtype=bool),
        )


class carta_dedicata_req_nessun_sostegno(Variable):
    value_type = int
    entity = Nucleo
    definition_period = MONTH
    label = "Carta Dedicata a te: nessun ADI, RdC, Carta acquisti o altro sostegno al reddito"

    def formula(nucleo, period):
        return ts.all_of(
            ts.negate(ts.fact(nucleo("percepisce_adi", period))),
            ts.negate(ts.fact(nucleo("percepisce_rdc", period))),
            ts.negate(ts.fact(nucleo("altri_sostegni_pubblici", period))),
            members_fact_none(nucleo, period, "percepisce_naspi"),
        )


class carta_dedicata_esito(Variable):
    value_type = int
    entity = Nucleo
    definition_period = MONTH
    label = "Carta Dedicata a te: esito (soggetto a graduatoria e al numero di carte del comune)"

    def formula(nucleo, period, parameters):
        return ts.outcome(
            parameters(period).carta_dedicata.attiva,
            nucleo("carta_dedicata_req_anagrafe", period),
            nucleo("carta_dedicata_req_isee", period),
            nucleo("carta_dedicata_req_componenti", period),
            nucleo("carta_dedicata_req_nessun_sostegno", period),
        )


class carta_dedicata_importo(Variable):
    value_type = float
    entity = Nucleo
    definition_period = MONTH
    label = "Carta Dedicata a te: importo una tantum (€)"

    def formula(nucleo, period, parameters):
        return np.full(nucleo.count, float(parameters(period).carta_dedicata.importo))


class carta_dedicata_classe(Variable):
    value_type = int
    entity = Nucleo
    definition_period = MONTH
    label = "Carta Dedicata a te: classe di priorità (1 figlio sotto 14 anni, 2 minore, 3 altri)"

    def formula(nucleo, period, parameters):
        p = parameters(period).carta_dedicata
        eta = nucleo("eta_minima", period)
        return np.select([eta < p.eta_classe_a, eta < p.eta_classe_b], [1, 2], 3)
