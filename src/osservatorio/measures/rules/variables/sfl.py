"""Supporto per la formazione e il lavoro (DL 48/2023 art. 12; misure.md §3.4): a personal measure."""

import numpy as np
from openfisca_core.periods import MONTH
from openfisca_core.variables import Variable

from .. import tristate as ts
from ..entities import Nucleo, Persona
from .common import group_max


class sfl_req_eta(Variable):
    value_type = int
    entity = Persona
    definition_period = MONTH
    label = "SFL: età tra 18 e 59 anni"

    def formula(persona, period, parameters):
        p = parameters(period).sfl
        eta = persona("eta", period)
        return ts.test((eta >= p.eta_min) & (eta <= p.eta_max), np.ones(eta.shape, dtype=bool))


class sfl_req_isee(Variable):
    value_type = int
    entity = Persona
    definition_period = MONTH
    label = "SFL: ISEE del nucleo entro la soglia"

    def formula(persona, period, parameters):
        return ts.le(persona.nucleo("isee_prestazioni", period), parameters(period).sfl.soglia_isee)


class sfl_req_no_disoccupazione(Variable):
    value_type = int
    entity = Persona
    definition_period = MONTH
    label = "SFL: non percepisce NASpI, DIS-COLL o altri sostegni alla disoccupazione"

    def formula(persona, period):
        return ts.negate(ts.fact(persona("percepisce_naspi", period)))


class sfl_req_fuori_scala_adi(Variable):
    value_type = int
    entity = Persona
    definition_period = MONTH
    label = "SFL: non è già considerato nella scala di un nucleo con ADI"

    def formula(persona, period):
        categoria = persona.nucleo("adi_req_categoria", period)
        contato = persona("richiedente", period) + (persona("adi_incremento_scala", period) > 0)
        return np.where(
            (categoria == ts.OK) & contato, ts.FAIL, np.where(categoria == ts.UNKNOWN, ts.UNKNOWN, ts.OK)
        ).astype(np.int8)


class sfl_req_nucleo(Variable):
    value_type = int
    entity = Persona
    definition_period = MONTH
    label = "SFL: cittadinanza, residenza e patrimonio del nucleo come per l'ADI"

    def formula(persona, period):
        n = persona.nucleo
        return ts.all_of(
            n("adi_req_cittadinanza", period),
            n("adi_req_residenza", period),
            n("adi_req_patrimonio_immobiliare", period),
            n("adi_req_patrimonio_mobiliare", period),
        )


class sfl_esito_persona(Variable):
    value_type = int
    entity = Persona
    definition_period = MONTH
    label = "SFL: esito per la persona"

    def formula(persona, period, parameters):
        return ts.outcome(
            parameters(period).sfl.attiva,
            persona("sfl_req_eta", period),
            persona("sfl_req_isee", period),
            persona("sfl_req_no_disoccupazione", period),
            persona("sfl_req_fuori_scala_adi", period),
            persona("sfl_req_nucleo", period),
        )


class sfl_esito(Variable):
    value_type = int
    entity = Nucleo
    definition_period = MONTH
    label = "Supporto formazione e lavoro: esito (il migliore tra i componenti)"

    def formula(nucleo, period):
        return group_max(nucleo, nucleo.members("sfl_esito_persona", period)).astype(np.int8)


class sfl_beneficiari(Variable):
    value_type = int
    entity = Nucleo
    definition_period = MONTH
    label = "SFL: componenti che possono chiederlo"

    def formula(nucleo, period):
        return nucleo.sum(nucleo.members("sfl_esito_persona", period) >= ts.DA_VERIFICARE)


class sfl_importo_persona(Variable):
    value_type = float
    entity = Persona
    definition_period = MONTH
    label = "SFL: indennità mensile durante le attività (€)"

    def formula(persona, period, parameters):
        return np.full(persona.count, float(parameters(period).sfl.importo_mensile))


class sfl_importo(Variable):
    value_type = float
    entity = Nucleo
    definition_period = MONTH
    label = "SFL: indennità mensile per il nucleo, durante le attività (€)"

    def formula(nucleo, period, parameters):
        return parameters(period).sfl.importo_mensile * nucleo("sfl_beneficiari", period)
