"""Reddito e Pensione di cittadinanza (DL 4/2019; misure.md §3.1), April 2019 - December 2023."""

import numpy as np
from openfisca_core.periods import MONTH
from openfisca_core.variables import Variable

from .. import tristate as ts
from ..entities import Nucleo
from .common import citizenship, group_all, income_below, movable_assets_limit, residence


class rdc_scala(Variable):
    value_type = float
    entity = Nucleo
    definition_period = MONTH
    label = "Scala di equivalenza RdC"
    reference = "DL 4/2019 art. 2 c. 4; misure.md §3.1"

    def formula(nucleo, period, parameters):
        p = parameters(period).rdc.scala
        adulti = nucleo("numero_adulti", period)
        minori = nucleo("numero_minori", period)
        # The first member counts 1 whatever the age; the rest add by age.
        primo_adulto = adulti > 0
        scala = (
            1
            + p.adulto_aggiuntivo * np.maximum(adulti - 1, 0)
            + p.minore_aggiuntivo * (minori - (~primo_adulto))
        )
        massimo = np.where(nucleo("ha_disabile_grave", period), p.massimo_disabile_grave, p.massimo)
        return np.minimum(scala, massimo)


class rdc_pensione(Variable):
    value_type = bool
    entity = Nucleo
    definition_period = MONTH
    label = "Nucleo da Pensione di cittadinanza (tutti con 67 anni o più, o con disabilità grave)"

    def formula(nucleo, period, parameters):
        eta = nucleo.members("eta", period)
        soglia = parameters(period).rdc.eta_pdc
        anziano = eta >= soglia
        return group_all(nucleo, anziano + nucleo.members("disabile_grave", period)) * nucleo.any(anziano)


class rdc_req_cittadinanza(Variable):
    value_type = int
    entity = Nucleo
    definition_period = MONTH
    label = "RdC: cittadinanza italiana o UE, o permesso UE di lungo periodo"

    def formula(nucleo, period):
        return citizenship(
            nucleo, period, ok=("italiana_ue", "lungo_soggiornante"), unknown=("protezione_internazionale",)
        )


class rdc_req_residenza(Variable):
    value_type = int
    entity = Nucleo
    definition_period = MONTH
    label = "RdC: residenza in Italia da almeno 10 anni, gli ultimi 2 continuativi"

    def formula(nucleo, period, parameters):
        return residence(nucleo, period, parameters(period).rdc.anni_residenza)


class rdc_req_isee(Variable):
    value_type = int
    entity = Nucleo
    definition_period = MONTH
    label = "RdC: ISEE inferiore a 9.360 €"

    def formula(nucleo, period, parameters):
        return ts.lt(nucleo("isee", period), parameters(period).rdc.soglia_isee)


class rdc_req_patrimonio_immobiliare(Variable):
    value_type = int
    entity = Nucleo
    definition_period = MONTH
    label = "RdC: patrimonio immobiliare (esclusa la casa) fino a 30.000 €"

    def formula(nucleo, period, parameters):
        return ts.le(
            nucleo("patrimonio_immobiliare", period), parameters(period).rdc.soglia_patrimonio_immobiliare
        )


class rdc_req_patrimonio_mobiliare(Variable):
    value_type = int
    entity = Nucleo
    definition_period = MONTH
    label = "RdC: patrimonio mobiliare entro il limite per il nucleo"

    def formula(nucleo, period, parameters):
        limite = movable_assets_limit(nucleo, period, parameters(period).rdc)
        return ts.le(nucleo("patrimonio_mobiliare", period), limite)


class rdc_req_reddito(Variable):
    value_type = int
    entity = Nucleo
    definition_period = MONTH
    label = "RdC: reddito familiare sotto la soglia per la scala"

    def formula(nucleo, period, parameters):
        p = parameters(period).rdc
        scala = nucleo("rdc_scala", period)
        base = np.where(nucleo("rdc_pensione", period), p.integrazione_pdc, p.integrazione_base)
        return income_below(
            nucleo("reddito_familiare", period),
            base * scala,
            p.soglia_reddito_affitto * scala,
            nucleo("in_affitto", period),
        )


class rdc_esito(Variable):
    value_type = int
    entity = Nucleo
    definition_period = MONTH
    label = "Reddito/Pensione di cittadinanza: esito"

    def formula(nucleo, period, parameters):
        return ts.outcome(
            parameters(period).rdc.attiva,
            nucleo("rdc_req_cittadinanza", period),
            nucleo("rdc_req_residenza", period),
            nucleo("rdc_req_isee", period),
            nucleo("rdc_req_patrimonio_immobiliare", period),
            nucleo("rdc_req_patrimonio_mobiliare", period),
            nucleo("rdc_req_reddito", period),
        )


class rdc_importo(Variable):
    value_type = float
    entity = Nucleo
    definition_period = MONTH
    label = "Reddito/Pensione di cittadinanza: importo mensile (€)"
    reference = "DL 4/2019 art. 3"

    def formula(nucleo, period, parameters):
        p = parameters(period).rdc
        scala = nucleo("rdc_scala", period)
        reddito = nucleo("reddito_familiare", period)
        pdc = nucleo("rdc_pensione", period)
        quota_a = np.where(pdc, p.integrazione_pdc, p.integrazione_base) * scala - reddito
        affitto = nucleo("in_affitto", period)
        canone = np.minimum(nucleo("canone_annuo", period), np.where(pdc, p.affitto_max_pdc, p.affitto_max))
        mutuo = np.minimum(nucleo("rata_mutuo_annua", period), p.mutuo_max)
        quota_b = np.where(affitto == 1, canone, np.where(affitto == 0, mutuo, np.nan))
        totale = np.minimum(quota_a + quota_b, p.massimo_complessivo * scala - reddito)
        return np.round(np.maximum(totale, p.minimo_annuo) / 12, 2)
