"""Assegno unico e universale per i figli a carico (D.Lgs. 230/2021; misure.md §3.5)."""

import numpy as np
from openfisca_core.periods import MONTH
from openfisca_core.variables import Variable

from .. import tristate as ts
from ..entities import Nucleo, Persona
from .common import citizenship, members_where
from .inputs import Disabilita


def _taper(isee, low, high, top, bottom):
    """Linear decrease between the low and high ISEE thresholds (Tabella 1); no ISEE = minimum."""
    share = np.clip((isee - low) / (high - low), 0.0, 1.0)
    share = np.where(np.isnan(isee), 1.0, share)
    return top - share * (top - bottom)


class auu_figlio_a_carico(Variable):
    value_type = bool
    entity = Persona
    definition_period = MONTH
    label = "Figlio che dà diritto all'AUU"

    def formula(persona, period):
        eta = persona("eta", period)
        return persona("figlio", period) * (
            (eta < 18) + ((eta < 21) * persona("in_formazione", period)) + persona("disabile", period)
        )


class auu_importo_figlio(Variable):
    value_type = float
    entity = Persona
    definition_period = MONTH
    label = "AUU: importo mensile per il figlio (quota base e maggiorazioni individuali)"

    def formula(persona, period, parameters):
        p = parameters(period).auu
        out = np.zeros(persona.count)
        idx, hh, nucleo = members_where(persona, persona("auu_figlio_a_carico", period))
        if idx.size == 0:
            return out
        isee = nucleo("isee_prestazioni", period)[hh]
        eta = persona("eta", period)[idx]
        mesi = persona("eta_mesi", period)[idx]
        disab = persona("disabilita", period)[idx]
        disabile = persona("disabile", period)[idx]
        minor_like = (eta < 18) + disabile
        base = np.where(
            minor_like,
            _taper(isee, p.soglia_bassa, p.soglia_alta, p.minore_max, p.minore_min),
            _taper(isee, p.soglia_bassa, p.soglia_alta, p.figlio_18_21_max, p.figlio_18_21_min),
        )
        tre_figli = nucleo("auu_numero_figli", period)[hh] >= 3
        entro_soglia = np.where(np.isnan(isee), False, isee <= p.soglia_alta)
        aumento = np.where(
            mesi < 12,
            p.maggiorazione_sotto_1_anno,
            np.where((mesi < 36) * tre_figli * entro_soglia, p.maggiorazione_1_3_anni_tre_figli, 0.0),
        )
        disab_minore = np.select(
            [disab == Disabilita.non_autosufficiente, disab == Disabilita.grave, disab == Disabilita.media],
            [p.disabile_minore_non_autosufficiente, p.disabile_minore_grave, p.disabile_minore_media],
            0.0,
        )
        disab_extra = np.where(eta < 18, disab_minore, np.where(disabile * (eta < 21), p.disabile_18_21, 0.0))
        out[idx] = base * (1 + aumento) + disab_extra
        return out


class auu_numero_figli(Variable):
    value_type = int
    entity = Nucleo
    definition_period = MONTH
    label = "Figli a carico ai fini AUU"

    def formula(nucleo, period):
        return nucleo.sum(nucleo.members("auu_figlio_a_carico", period))


class auu_importo(Variable):
    value_type = float
    entity = Nucleo
    definition_period = MONTH
    label = "Assegno unico: importo mensile del nucleo (€)"
    reference = "D.Lgs. 230/2021 art. 4"

    def formula(nucleo, period, parameters):
        p = parameters(period).auu
        isee = nucleo("isee_prestazioni", period)
        figli = nucleo("auu_numero_figli", period)
        per_figlio = nucleo.sum(nucleo.members("auu_importo_figlio", period))
        terzo = np.maximum(figli - 2, 0) * _taper(
            isee, p.soglia_bassa, p.soglia_alta, p.terzo_figlio_max, p.terzo_figlio_min
        )
        doppio = nucleo("richiedente_lavora", period) * nucleo("coniuge_lavora", period)
        minori_a_carico = nucleo.sum(
            nucleo.members("auu_figlio_a_carico", period) * nucleo.members("minore", period)
        )
        doppio_reddito = (
            doppio * minori_a_carico * _taper(isee, p.soglia_bassa, p.soglia_alta, p.doppio_reddito_max, 0.0)
        )
        quattro = np.where(figli >= 4, p.quattro_figli, 0.0)
        return np.round(per_figlio + terzo + doppio_reddito + quattro, 2)


class auu_req_figli(Variable):
    value_type = int
    entity = Nucleo
    definition_period = MONTH
    label = "AUU: almeno un figlio minorenne, 18-21 in formazione o con disabilità"

    def formula(nucleo, period):
        return ts.test(nucleo("auu_numero_figli", period) > 0, np.ones(nucleo.count, dtype=bool))


class auu_req_cittadinanza(Variable):
    value_type = int
    entity = Nucleo
    definition_period = MONTH
    label = "AUU: cittadinanza o titolo di soggiorno"

    def formula(nucleo, period):
        return citizenship(
            nucleo,
            period,
            ok=("italiana_ue", "lungo_soggiornante", "permesso_lavoro"),
            unknown=("protezione_internazionale", "altro_permesso"),
        )


class auu_req_residenza(Variable):
    value_type = int
    entity = Nucleo
    definition_period = MONTH
    label = "AUU: residenza in Italia da almeno 2 anni oppure contratto di lavoro"

    def formula(nucleo, period, parameters):
        anni = nucleo("anni_residenza_italia", period)
        residenza = ts.test(anni >= parameters(period).auu.anni_residenza, ts.known(anni))
        lavoro = nucleo("richiedente_lavora", period)
        return ts.any_of(residenza, np.where(lavoro, ts.OK, ts.FAIL).astype(np.int8))


class auu_esito(Variable):
    value_type = int
    entity = Nucleo
    definition_period = MONTH
    label = "Assegno unico: esito"

    def formula(nucleo, period, parameters):
        return ts.outcome(
            parameters(period).auu.attiva,
            nucleo("auu_req_figli", period),
            nucleo("auu_req_cittadinanza", period),
            nucleo("auu_req_residenza", period),
        )


class auu_annuo_percepito(Variable):
    value_type = float
    entity = Nucleo
    definition_period = MONTH
    label = "AUU annuo percepito dal nucleo (per neutralizzarlo nell'ISEE del bonus nido)"

    def formula(nucleo, period):
        return np.nan_to_num(nucleo("auu_importo", period)) * 12
