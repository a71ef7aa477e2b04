"""Assegno di maternità dei comuni (D.Lgs. 151/2001 art. 74; misure.md §3.7)."""

import numpy as np
from openfisca_core.periods import MONTH
from openfisca_core.variables import Variable

from .. import tristate as ts
from ..entities import Nucleo
from .common import citizenship, group_min


class maternita_req_nascita(Variable):
    value_type = int
    entity = Nucleo
    definition_period = MONTH
    label = "Assegno di maternità: nascita o ingresso in famiglia da meno di 6 mesi"

    def formula(nucleo, period, parameters):
        mesi = group_min(
            nucleo,
            nucleo.members("eta_mesi", period) + 10_000 * ~nucleo.members("figlio", period),
            empty=1_000_000,
        )
        return ts.test(
            mesi < parameters(period).maternita.mesi_per_domanda, np.ones(nucleo.count, dtype=bool)
        )


class maternita_req_isee(Variable):
    value_type = int
    entity = Nucleo
    definition_period = MONTH
    label = "Assegno di maternità: ISEE entro la soglia dell'anno"

    def formula(nucleo, period, parameters):
        return ts.le(nucleo("isee", period), parameters(period).maternita.soglia_isee)


class maternita_req_indennita(Variable):
    value_type = int
    entity = Nucleo
    definition_period = MONTH
    label = "Assegno di maternità: nessuna indennità di maternità o indennità inferiore all'assegno"

    def formula(nucleo, period, parameters):
        p = parameters(period).maternita
        return ts.lt(nucleo("indennita_maternita", period), p.importo_mensile * p.mensilita)


class maternita_req_residenza(Variable):
    value_type = int
    entity = Nucleo
    definition_period = MONTH
    label = "Assegno di maternità: madre residente nel comune, con cittadinanza o permesso valido"

    def formula(nucleo, period):
        noto = nucleo("comune_noto", period)
        residente = ts.test(noto, noto)
        c = citizenship(
            nucleo,
            period,
            ok=(
                "italiana_ue",
                "lungo_soggiornante",
                "protezione_internazionale",
                "permesso_lavoro",
                "altro_permesso",
            ),
        )
        return ts.all_of(residente, c)


class maternita_esito(Variable):
    value_type = int
    entity = Nucleo
    definition_period = MONTH
    label = "Assegno di maternità dei comuni: esito"

    def formula(nucleo, period, parameters):
        return ts.outcome(
            parameters(period).maternita.attiva,
            nucleo("maternita_req_nascita", period),
            nucleo("maternita_req_isee", period),
            nucleo("maternita_req_indennita", period),
            nucleo("maternita_req_residenza", period),
        )


class maternita_importo(Variable):
    value_type = float
    entity = Nucleo
    definition_period = MONTH
    label = "Assegno di maternità: importo complessivo (5 mensilità, meno l'indennità già percepita) (€)"

    def formula(nucleo, period, parameters):
        p = parameters(period).maternita
        return np.round(p.importo_mensile * p.mensilita - nucleo("indennita_maternita", period), 2)
