"""Assegno ai nuclei con almeno tre figli minori (L. 448/1998 art. 65; misure.md §3.9), until February 2022."""

import numpy as np
from openfisca_core.periods import MONTH
from openfisca_core.variables import Variable

from .. import tristate as ts
from ..entities import Nucleo


class tre_figli_req_figli(Variable):
    value_type = int
    entity = Nucleo
    definition_period = MONTH
    label = "Assegno tre figli: almeno tre figli minori con un genitore"

    def formula(nucleo, period):
        return ts.test(nucleo("numero_figli_minori", period) >= 3, np.ones(nucleo.count, dtype=bool))


class tre_figli_req_isee(Variable):
    value_type = int
    entity = Nucleo
    definition_period = MONTH
    label = (
        "Assegno tre figli: ISEE entro la soglia per l'importo pieno (oltre, importo ridotto da calcolare)"
    )

    def formula(nucleo, period, parameters):
        req = ts.le(nucleo("isee", period), parameters(period).tre_figli.soglia_isee_pieno)
        # Above the threshold a reduced amount may still be due (ISE formula not collected): undecided.
        return np.where(req == ts.FAIL, ts.UNKNOWN, req).astype(np.int8)


class tre_figli_esito(Variable):
    value_type = int
    entity = Nucleo
    definition_period = MONTH
    label = "Assegno ai nuclei con tre figli minori: esito"

    def formula(nucleo, period, parameters):
        return ts.outcome(
            parameters(period).tre_figli.attiva,
            nucleo("tre_figli_req_figli", period),
            nucleo("tre_figli_req_isee", period),
        )


class tre_figli_importo(Variable):
    value_type = float
    entity = Nucleo
    definition_period = MONTH
    label = "Assegno tre figli: importo annuo pieno (13 mensilità) (€)"

    def formula(nucleo, period, parameters):
        p = parameters(period).tre_figli
        pieno = nucleo("tre_figli_req_isee", period) == ts.OK
        return np.where(pieno, np.round(p.importo_mensile * p.mensilita, 2), np.nan)
