"""Carta acquisti (DL 112/2008 art. 81 c. 32; misure.md §3.8)."""

import numpy as np
from openfisca_core.periods import MONTH
from openfisca_core.variables import Variable

from .. import tristate as ts
from ..entities import Nucleo, Persona
from .common import aggregate_best


class carta_acquisti_req_anziano(Variable):
    value_type = int
    entity = Persona
    definition_period = MONTH
    label = "Carta acquisti: persona con almeno 65 anni e reddito personale entro il limite"

    def formula(persona, period, parameters):
        p = parameters(period).carta_acquisti
        eta = persona("eta", period)
        limite = np.where(eta >= p.eta_over_70, p.soglia_reddito_over_70, p.soglia_isee)
        reddito = ts.le(persona("reddito_personale", period), limite)
        return np.where(eta >= p.eta_anziano, reddito, ts.FAIL).astype(np.int8)


class carta_acquisti_req_categoria(Variable):
    value_type = int
    entity = Nucleo
    definition_period = MONTH
    label = "Carta acquisti: over 65 con reddito entro il limite, o genitore di un bambino sotto i 3 anni"

    def formula(nucleo, period, parameters):
        p = parameters(period).carta_acquisti
        anziani = aggregate_best(nucleo, nucleo.members("carta_acquisti_req_anziano", period))
        bambino = np.where(
            nucleo.any(nucleo.members("eta", period) < p.eta_bambino_max), ts.OK, ts.FAIL
        ).astype(np.int8)
        return ts.any_of(anziani, bambino)


class carta_acquisti_req_isee(Variable):
    value_type = int
    entity = Nucleo
    definition_period = MONTH
    label = "Carta acquisti: ISEE entro la soglia dell'anno"

    def formula(nucleo, period, parameters):
        return ts.le(nucleo("isee", period), parameters(period).carta_acquisti.soglia_isee)


class carta_acquisti_esito(Variable):
    value_type = int
    entity = Nucleo
    definition_period = MONTH
    label = "Carta acquisti: esito"

    def formula(nucleo, period, parameters):
        return ts.outcome(
            parameters(period).carta_acquisti.attiva,
            nucleo("carta_acquisti_req_categoria", period),
            nucleo("carta_acquisti_req_isee", period),
        )


class carta_acquisti_importo(Variable):
    value_type = float
    entity = Nucleo
    definition_period = MONTH
    label = "Carta acquisti: accredito bimestrale (€)"

    def formula(nucleo, period, parameters):
        return np.full(nucleo.count, float(parameters(period).carta_acquisti.importo_bimestrale))
