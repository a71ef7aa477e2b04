"""Assegno di inclusione (DL 48/2023; misure.md §3.3), from January 2024.

The ADI scale follows the reading in misure.md §3.3 (base 1 for the household; "other" members add
their increment; care-load and minors' increments not qualified by "other"): it must be checked
against INPS circ. 105/2023 and is marked uncertain in the tests and on the measure page.
"""

import numpy as np
from openfisca_core.periods import MONTH
from openfisca_core.variables import Variable

from .. import tristate as ts
from ..entities import Nucleo, Persona
from .common import citizenship, group_all, income_below, movable_assets_limit, residence
from .inputs import Alloggio


class adi_incremento_scala(Variable):
    value_type = float
    entity = Persona
    definition_period = MONTH
    label = "ADI: incremento di scala del componente (escluso il primo)"

    def formula(persona, period, parameters):
        p = parameters(period).adi
        s = p.scala
        eta = persona("eta", period)
        altro = ~persona("richiedente", period)
        svantaggio = (eta >= 18) * (persona("in_programma_cura", period) == 1)
        # The largest applicable increment (pairwise maxima: no stacked copy of three person arrays).
        inc = np.where(persona("disabile", period), s.disabile, 0.0)
        inc = np.maximum(inc, np.where(eta >= p.eta_anziano, s.anziano, 0.0))
        inc = np.maximum(inc, np.where(svantaggio, s.svantaggio, 0.0))
        return np.where(altro, inc, 0.0)


class adi_over_67(Variable):
    value_type = bool
    entity = Nucleo
    definition_period = MONTH
    label = "ADI: nucleo di soli over 67 (o over 67 con componenti gravemente disabili)"

    def formula(nucleo, period, parameters):
        anziano = nucleo.members("eta", period) >= parameters(period).adi.eta_over_67
        return group_all(nucleo, anziano + nucleo.members("disabile_grave", period)) * nucleo.any(anziano)


class adi_scala(Variable):
    value_type = float
    entity = Nucleo
    definition_period = MONTH
    label = "Scala di equivalenza ADI"
    reference = "DL 48/2023 art. 2 c. 4; misure.md §3.3 (lettura da verificare)"

    def formula(nucleo, period, parameters):
        s = parameters(period).adi.scala
        minori = nucleo("numero_minori", period)
        eta = nucleo.members("eta", period)
        disabili_minori = nucleo.sum(
            nucleo.members("disabile", period) * (eta < 18) * ~nucleo.members("richiedente", period)
        )
        incrementi = nucleo.sum(nucleo.members("adi_incremento_scala", period))
        # A disabled minor takes the larger of the two increments, not both.
        incrementi = incrementi - disabili_minori * s.minore_fino_al_secondo
        quota_minori = s.minore_fino_al_secondo * np.minimum(minori, 2) + s.minore_oltre_secondo * np.maximum(
            minori - 2, 0
        )
        carichi = (nucleo.any(eta < 3) + (minori >= 3) + (nucleo("numero_disabili", period) > 0)) * (
            nucleo("numero_adulti", period) > 0
        )
        scala = 1 + incrementi + quota_minori + np.where(carichi, s.carichi_cura, 0.0)
        massimo = np.where(nucleo("ha_disabile_grave", period), s.massimo_disabile_grave, s.massimo)
        return np.minimum(scala, massimo)


class adi_req_categoria(Variable):
    value_type = int
    entity = Nucleo
    definition_period = MONTH
    label = "ADI: nel nucleo un minore, un disabile, un over 60 o una persona svantaggiata in carico"

    def formula(nucleo, period, parameters):
        eta = nucleo.members("eta", period)
        categoria = nucleo.any(
            (eta < 18) + (eta >= parameters(period).adi.eta_anziano) + nucleo.members("disabile", period)
        )
        svantaggio = nucleo.members("in_programma_cura", period)
        return np.where(
            categoria | nucleo.any(svantaggio == 1),
            ts.OK,
            np.where(nucleo.any(svantaggio == -1), ts.UNKNOWN, ts.FAIL),
        ).astype(np.int8)


class adi_req_cittadinanza(Variable):
    value_type = int
    entity = Nucleo
    definition_period = MONTH
    label = "ADI: cittadinanza italiana o UE, permesso UE di lungo periodo o protezione internazionale"

    def formula(nucleo, period):
        return citizenship(
            nucleo, period, ok=("italiana_ue", "lungo_soggiornante", "protezione_internazionale")
        )


class adi_req_residenza(Variable):
    value_type = int
    entity = Nucleo
    definition_period = MONTH
    label = "ADI: residenza in Italia da almeno 5 anni, gli ultimi 2 continuativi"

    def formula(nucleo, period, parameters):
        return residence(nucleo, period, parameters(period).adi.anni_residenza)


class adi_req_isee(Variable):
    value_type = int
    entity = Nucleo
    definition_period = MONTH
    label = "ADI: ISEE non superiore alla soglia"

    def formula(nucleo, period, parameters):
        return ts.le(nucleo("isee_prestazioni", period), parameters(period).adi.soglia_isee)


class adi_soglia_reddito(Variable):
    value_type = float
    entity = Nucleo
    definition_period = MONTH
    label = "ADI: soglia di reddito familiare e integrazione annua (€)"

    def formula(nucleo, period, parameters):
        p = parameters(period).adi
        return np.where(nucleo("adi_over_67", period), p.integrazione_over_67, p.integrazione_base) * nucleo(
            "adi_scala", period
        )


class adi_req_reddito(Variable):
    value_type = int
    entity = Nucleo
    definition_period = MONTH
    label = "ADI: reddito familiare inferiore alla soglia per la scala"

    def formula(nucleo, period, parameters):
        p = parameters(period).adi
        soglia = nucleo("adi_soglia_reddito", period)
        affitto = np.nan_to_num(p.soglia_reddito_affitto, nan=0.0) * nucleo("adi_scala", period)
        return income_below(
            nucleo("reddito_familiare", period),
            soglia,
            np.maximum(soglia, affitto),
            nucleo("in_affitto", period),
        )


class adi_req_patrimonio_immobiliare(Variable):
    value_type = int
    entity = Nucleo
    definition_period = MONTH
    label = "ADI: patrimonio immobiliare fino a 30.000 € (casa esclusa fino a 150.000 € di valore IMU)"

    def formula(nucleo, period, parameters):
        p = parameters(period).adi
        casa = nucleo("valore_casa", period)
        proprietario = nucleo("alloggio", period) == Alloggio.proprieta
        eccedenza = np.where(
            np.isnan(casa), np.where(proprietario, np.nan, 0.0), np.maximum(casa - p.soglia_valore_casa, 0)
        )
        return ts.le(nucleo("patrimonio_immobiliare", period) + eccedenza, p.soglia_patrimonio_immobiliare)


class adi_req_patrimonio_mobiliare(Variable):
    value_type = int
    entity = Nucleo
    definition_period = MONTH
    label = "ADI: patrimonio mobiliare entro il limite per il nucleo"

    def formula(nucleo, period, parameters):
        limite = movable_assets_limit(
            nucleo, period, parameters(period).adi, per_child_after_second_of="numero_minori"
        )
        return ts.le(nucleo("patrimonio_mobiliare", period), limite)


class adi_esito(Variable):
    value_type = int
    entity = Nucleo
    definition_period = MONTH
    label = "Assegno di inclusione: esito"

    def formula(nucleo, period, parameters):
        return ts.outcome(
            parameters(period).adi.attiva,
            nucleo("adi_req_categoria", period),
            nucleo("adi_req_cittadinanza", period),
            nucleo("adi_req_residenza", period),
            nucleo("adi_req_isee", period),
            nucleo("adi_req_reddito", period),
            nucleo("adi_req_patrimonio_immobiliare", period),
            nucleo("adi_req_patrimonio_mobiliare", period),
        )


class adi_importo(Variable):
    value_type = float
    entity = Nucleo
    definition_period = MONTH
    label = "Assegno di inclusione: importo mensile (€)"
    reference = "DL 48/2023 art. 3"

    def formula(nucleo, period, parameters):
        p = parameters(period).adi
        integrazione = nucleo("adi_soglia_reddito", period) - nucleo("reddito_familiare", period)
        ridotto = nucleo("adi_over_67", period) + nucleo("ha_disabile_grave", period)
        affitto = nucleo("in_affitto", period)
        canone = np.minimum(
            nucleo("canone_annuo", period), np.where(ridotto, p.affitto_max_over_67, p.affitto_max)
        )
        quota_affitto = np.where(affitto == 1, canone, np.where(affitto == 0, 0.0, np.nan))
        annuo = np.maximum(integrazione + quota_affitto, p.minimo_annuo)
        return np.round(annuo / 12, 2)


class adi_prima_rata_rinnovo(Variable):
    value_type = float
    entity = Nucleo
    definition_period = MONTH
    label = "ADI: prima rata dopo il rinnovo (€)"
    reference = "INPS msg 640/2026; misure.md §3.3"

    def formula(nucleo, period, parameters):
        return np.round(
            nucleo("adi_importo_in_godimento", period) * parameters(period).adi.rinnovo.quota_prima_rata, 2
        )


class adi_mesi_sospensione_rinnovo(Variable):
    value_type = int
    entity = Nucleo
    definition_period = MONTH
    label = "ADI: mesi di sospensione prima del rinnovo"

    def formula(nucleo, period, parameters):
        return np.full(nucleo.count, int(parameters(period).adi.rinnovo.mesi_sospensione))
