"""Bonus sociali for electricity, gas and water (misure.md §4.1) and the 2025 extraordinary contribution."""

import numpy as np
from openfisca_core.periods import MONTH
from openfisca_core.variables import Variable

from .. import tristate as ts
from ..entities import Nucleo


class bonus_sociali_req_isee(Variable):
    value_type = int
    entity = Nucleo
    definition_period = MONTH
    label = "Bonus sociali: ISEE entro la soglia (più alta con 4 figli a carico) o nucleo con RdC/PdC"

    def formula(nucleo, period, parameters):
        p = parameters(period).bonus_sociali
        isee = nucleo("isee", period)
        generale = ts.le(isee, p.soglia_isee)
        quattro_figli = np.where(
            nucleo("numero_figli", period) >= 4, ts.le(isee, p.soglia_isee_4_figli), ts.FAIL
        )
        rdc = np.where(p.accesso_con_rdc > 0, ts.fact(nucleo("percepisce_rdc", period)), ts.FAIL)
        return ts.any_of(generale, quattro_figli.astype(np.int8), rdc.astype(np.int8))


class bonus_sociali_esito(Variable):
    value_type = int
    entity = Nucleo
    definition_period = MONTH
    label = "Bonus sociali: esito"

    def formula(nucleo, period, parameters):
        return ts.outcome(parameters(period).bonus_sociali.attiva, nucleo("bonus_sociali_req_isee", period))


class bonus_sociali_importo(Variable):
    value_type = float
    entity = Nucleo
    definition_period = MONTH
    label = "Bonus sociale elettrico: importo annuo (€), noto solo per alcuni anni"

    def formula(nucleo, period, parameters):
        p = parameters(period).bonus_sociali
        n = nucleo("componenti", period)
        return np.select([n <= 2, n <= 4], [p.elettrico_1_2, p.elettrico_3_4], p.elettrico_oltre_4)


class contributo_bollette_esito(Variable):
    value_type = int
    entity = Nucleo
    definition_period = MONTH
    label = "Contributo straordinario bollette 2025: esito"

    def formula(nucleo, period, parameters):
        p = parameters(period).bonus_sociali.contributo_straordinario
        return ts.outcome(p.attiva, ts.le(nucleo("isee", period), p.soglia_isee))


class contributo_bollette_importo(Variable):
    value_type = float
    entity = Nucleo
    definition_period = MONTH
    label = "Contributo straordinario bollette 2025: importo una tantum (€)"

    def formula(nucleo, period, parameters):
        return np.full(nucleo.count, float(parameters(period).bonus_sociali.contributo_straordinario.importo))
