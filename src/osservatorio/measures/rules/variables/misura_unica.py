"""Lombardy Misura Unica per l'affitto (misure.md §5.1), editions 2020-2022 (bandi until end 2023)."""

import numpy as np
from openfisca_core.periods import MONTH
from openfisca_core.variables import Variable

from .. import tristate as ts
from ..entities import Nucleo
from .inputs import Alloggio


class misura_unica_req_alloggio(Variable):
    value_type = int
    entity = Nucleo
    definition_period = MONTH
    label = "Misura Unica: affitto sul mercato libero, concordato o SAS (esclusi SAP e SAT)"

    def formula(nucleo, period):
        a = nucleo("alloggio", period)
        ok = (a == Alloggio.affitto_libero) + (a == Alloggio.affitto_sas)
        return np.where(ok, ts.OK, np.where(a == Alloggio.non_noto, ts.UNKNOWN, ts.FAIL)).astype(np.int8)


class misura_unica_req_contratto(Variable):
    value_type = int
    entity = Nucleo
    definition_period = MONTH
    label = "Misura Unica: residenza nell'alloggio con contratto registrato da almeno 6 mesi"

    def formula(nucleo, period, parameters):
        return ts.le(
            parameters(period).misura_unica.mesi_contratto_min, nucleo("mesi_contratto_affitto", period)
        )


class misura_unica_req_isee(Variable):
    value_type = int
    entity = Nucleo
    definition_period = MONTH
    label = (
        "Misura Unica: ISEE fino a 26.000 € (dal 2022 fino a 35.000 € con perdita di reddito oltre il 25%)"
    )

    def formula(nucleo, period, parameters):
        p = parameters(period).misura_unica
        isee = nucleo("isee", period)
        perdita = np.where(
            np.isnan(p.soglia_isee_perdita_reddito),
            ts.FAIL,
            ts.all_of(
                ts.le(isee, np.nan_to_num(p.soglia_isee_perdita_reddito)),
                ts.fact(nucleo("perdita_reddito_25", period)),
            ),
        ).astype(np.int8)
        return ts.any_of(ts.le(isee, p.soglia_isee), perdita)


class misura_unica_req_condizioni(Variable):
    value_type = int
    entity = Nucleo
    definition_period = MONTH
    label = "Misura Unica: nessuno sfratto in corso e nessun alloggio adeguato di proprietà in Lombardia"

    def formula(nucleo, period):
        return ts.all_of(
            ts.negate(ts.fact(nucleo("sfratto_in_corso", period))),
            ts.negate(ts.fact(nucleo("casa_adeguata_lombardia", period))),
        )


class misura_unica_esito(Variable):
    value_type = int
    entity = Nucleo
    definition_period = MONTH
    label = "Misura Unica affitto: esito (soggetto al bando dell'ambito e ai fondi)"

    def formula(nucleo, period, parameters):
        return ts.outcome(
            parameters(period).misura_unica.attiva,
            nucleo("residente_lombardia", period),
            nucleo("misura_unica_req_alloggio", period),
            nucleo("misura_unica_req_contratto", period),
            nucleo("misura_unica_req_isee", period),
            nucleo("misura_unica_req_condizioni", period),
        )


class misura_unica_importo(Variable):
    value_type = float
    entity = Nucleo
    definition_period = MONTH
    label = "Misura Unica: contributo massimo una tantum, pagato al proprietario (€)"

    def formula(nucleo, period, parameters):
        p = parameters(period).misura_unica
        return np.round(np.minimum(nucleo("canone_annuo", period) / 12 * p.mesi_canone, p.importo_max), 2)
