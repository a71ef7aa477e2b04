"""ISEE: equivalence scale, ISE and ISEE from ISR and ISP (DPCM 159/2013), ISEE minorenni, ISEE corrente,
and the 2026 "ISEE per le prestazioni nazionali" (misure.md §2)."""

import numpy as np
from openfisca_core.periods import MONTH
from openfisca_core.variables import Variable

from .. import tristate as ts
from ..entities import Nucleo
from .inputs import AltroGenitore


def _scale(nucleo, period, parameters, children_params):
    p = parameters(period).isee.scala
    n = nucleo("componenti", period)
    # Table lookups by household size and number of children (same values as the rules' cases).
    by_size = np.array(
        [p.componenti_1, p.componenti_1, p.componenti_2, p.componenti_3, p.componenti_4, p.componenti_5]
    )
    base = by_size[np.clip(n, 0, 5)] + p.per_componente_oltre_5 * np.maximum(n - 5, 0)
    figli = nucleo("numero_figli", period)
    by_children = np.array(
        [
            0.0,
            0.0,
            children_params.figli_2,
            children_params.figli_3,
            children_params.figli_4,
            children_params.figli_5_o_piu,
        ]
    )
    figli_bonus = by_children[np.clip(figli, 0, 5)]
    figli_minori = nucleo("numero_figli_minori", period)
    richiedente_lavora = nucleo("richiedente_lavora", period)
    ha_partner = nucleo("ha_coniuge", period)
    partner_lavora = nucleo("coniuge_lavora", period)
    genitori_lavorano = richiedente_lavora & (~ha_partner | partner_lavora)
    figlio_sotto_3 = nucleo("numero_figli_sotto_3", period) > 0
    lett_b = np.where(
        (figli_minori > 0) & genitori_lavorano,
        np.where(figlio_sotto_3, p.genitori_lavoratori_figlio_sotto_3, p.genitori_lavoratori),
        0.0,
    )
    solo_genitore_e_minori = (
        (figli_minori > 0)
        & ~ha_partner
        & ~richiedente_lavora
        & (nucleo("numero_altri", period) == 0)
        & (figli_minori == nucleo("numero_figli", period))
    )
    lett_c = np.where(solo_genitore_e_minori, p.genitore_solo_non_lavoratore, 0.0)
    disab = p.disabilita * nucleo("numero_disabili", period)
    return base + figli_bonus + lett_b + lett_c + disab


class isee_scala(Variable):
    value_type = float
    entity = Nucleo
    definition_period = MONTH
    label = "Parametro della scala di equivalenza ISEE"
    reference = "DPCM 159/2013 Allegato 1; misure.md §2.4"

    def formula(nucleo, period, parameters):
        return _scale(nucleo, period, parameters, parameters(period).isee.scala)


class isee_scala_prestazioni(Variable):
    value_type = float
    entity = Nucleo
    definition_period = MONTH
    label = "Scala di equivalenza per le prestazioni nazionali (maggiorazioni figli 2026)"
    reference = "L. 199/2025 c. 208-209; misure.md §2.6"

    def formula(nucleo, period, parameters):
        return _scale(nucleo, period, parameters, parameters(period).isee.prestazioni_nazionali)


def _isp_from_components(nucleo, period, parameters, franchigia, dal_figlio):
    p = parameters(period).isee
    figli = nucleo("numero_figli", period)
    franchigia_tot = franchigia + p.franchigia_casa_per_figlio * np.maximum(figli - (dal_figlio - 1), 0)
    casa_netta = nucleo("valore_casa", period) - nucleo("mutuo_residuo", period)
    casa = np.maximum(casa_netta - franchigia_tot, 0) * p.quota_casa_eccedente
    # A household without a home value declared owns no home: renting or guests.
    casa = np.where(np.isnan(casa_netta), 0.0, casa)
    return casa + nucleo("patrimonio_immobiliare", period) + nucleo("patrimonio_mobiliare", period)


class isp(Variable):
    value_type = float
    entity = Nucleo
    definition_period = MONTH
    label = "ISP - indicatore della situazione patrimoniale"
    reference = "misure.md §2.3 (patrimonio mobiliare inteso al netto della sua franchigia)"

    def formula(nucleo, period, parameters):
        p = parameters(period).isee
        return _isp_from_components(nucleo, period, parameters, p.franchigia_casa, 3)


class ise(Variable):
    value_type = float
    entity = Nucleo
    definition_period = MONTH
    label = "ISE = ISR + 20% ISP"

    def formula(nucleo, period, parameters):
        return nucleo("isr", period) + parameters(period).isee.quota_isp * nucleo("isp", period)


class isee_calcolato(Variable):
    value_type = float
    entity = Nucleo
    definition_period = MONTH
    label = "ISEE calcolato da ISR, ISP e scala"

    def formula(nucleo, period):
        return nucleo("ise", period) / nucleo("isee_scala", period)


class isee(Variable):
    value_type = float
    entity = Nucleo
    definition_period = MONTH
    label = "ISEE ordinario (dall'attestazione, o calcolato da ISR e ISP)"

    def formula(nucleo, period):
        return nucleo("isee_calcolato", period)


class isee_minorenni(Variable):
    value_type = float
    entity = Nucleo
    definition_period = MONTH
    label = "ISEE per prestazioni ai minorenni (art. 7 DPCM 159/2013)"

    def formula(nucleo, period):
        return nucleo("isee", period)


class isee_prestazioni(Variable):
    value_type = float
    entity = Nucleo
    definition_period = MONTH
    label = "ISEE per ADI, SFL, AUU, bonus nido (dal 2026 con regole più favorevoli)"
    reference = "L. 199/2025 c. 208-209; misure.md §2.6"

    def formula(nucleo, period, parameters):
        p = parameters(period).isee.prestazioni_nazionali
        ordinario = nucleo("isee", period)
        isp_prest = _isp_from_components(
            nucleo, period, parameters, p.franchigia_casa, p.franchigia_casa_dal_figlio_numero
        )
        calcolato = (nucleo("isr", period) + parameters(period).isee.quota_isp * isp_prest) / nucleo(
            "isee_scala_prestazioni", period
        )
        # Without the components, the ordinary ISEE is an upper bound of the benefit ISEE: using it can
        # only understate eligibility, never invent it.
        return np.where(np.isnan(calcolato), ordinario, calcolato)


class altro_genitore_nel_nucleo(Variable):
    value_type = bool
    entity = Nucleo
    definition_period = MONTH
    label = "Il genitore non convivente è attratto nel nucleo del figlio (ISEE minorenni)"
    reference = "DPCM 159/2013 art. 7; misure.md §2.5"

    def formula(nucleo, period):
        return nucleo("altro_genitore", period) == AltroGenitore.senza_vincoli


class isee_componente_aggiuntiva(Variable):
    value_type = bool
    entity = Nucleo
    definition_period = MONTH
    label = "L'ISEE minorenni si integra con la componente aggiuntiva del genitore non convivente"

    def formula(nucleo, period):
        g = nucleo("altro_genitore", period)
        return (g == AltroGenitore.coniugato_con_altri) + (g == AltroGenitore.figli_con_altri)


class isee_corrente_richiedibile(Variable):
    value_type = int
    entity = Nucleo
    definition_period = MONTH
    label = "Si può chiedere l'ISEE corrente (1 sì, 0 no, -1 da verificare)"
    reference = "DL 34/2019 art. 28-bis; misure.md §2.5"

    def formula(nucleo, period, parameters):
        p = parameters(period).isee.corrente
        isr = nucleo("isr", period)
        isr12 = nucleo("isr_ultimi_12_mesi", period)
        with np.errstate(invalid="ignore", divide="ignore"):
            variazione = ts.test(
                np.abs(isr12 - isr) / isr > p.variazione_isr, ts.known(isr) & ts.known(isr12)
            )
        lavoro = ts.fact(nucleo("variazione_lavoro", period))
        trattamenti = ts.fact(nucleo("interruzione_trattamenti", period))
        una = ts.any_of(variazione, lavoro, trattamenti)
        entrambe = ts.all_of(variazione, ts.any_of(lavoro, trattamenti))
        return np.where(p.basta_una_condizione > 0, una, entrambe)


class isee_corrente_validita_mesi(Variable):
    value_type = int
    entity = Nucleo
    definition_period = MONTH
    label = "Mesi di validità dell'ISEE corrente"

    def formula(nucleo, period, parameters):
        return np.full(nucleo.count, parameters(period).isee.corrente.validita_mesi)
