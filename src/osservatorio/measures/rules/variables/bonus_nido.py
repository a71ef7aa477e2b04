"""Bonus asilo nido INPS (misure.md §3.6) and Lombardy Nidi Gratis (misure.md §5.2)."""

import numpy as np
from openfisca_core.periods import MONTH
from openfisca_core.variables import Variable

from .. import tristate as ts
from ..entities import Nucleo, Persona
from .common import members_where
from .inputs import Scuola


class al_nido(Variable):
    value_type = bool
    entity = Persona
    definition_period = MONTH
    label = "Bambino sotto i 3 anni iscritto a un nido autorizzato"

    def formula(persona, period, parameters):
        return (persona("scuola", period) == Scuola.nido) * (
            persona("eta_mesi", period) < parameters(period).bonus_nido.eta_max_mesi
        )


class bonus_nido_isee(Variable):
    value_type = float
    entity = Nucleo
    definition_period = MONTH
    label = "ISEE minorenni per il bonus nido (dal 2025 al netto dell'AUU)"

    def formula(nucleo, period, parameters):
        p = parameters(period).bonus_nido
        isee = nucleo("isee_minorenni", period)
        neutro = isee - nucleo("auu_annuo_percepito", period) / nucleo("isee_scala", period)
        return np.where(p.neutralizza_auu > 0, neutro, isee)


class bonus_nido_annuo_figlio(Variable):
    value_type = float
    entity = Persona
    definition_period = MONTH
    label = "Bonus nido: importo annuo massimo per il bambino (€)"

    def formula(persona, period, parameters):
        p = parameters(period).bonus_nido
        out = np.zeros(persona.count)
        idx, hh, nucleo = members_where(persona, persona("al_nido", period))
        if idx.size == 0:
            return out
        isee = nucleo("bonus_nido_isee", period)[hh]
        fasce = np.select([isee <= p.soglia_1, isee <= p.soglia_2], [p.importo_1, p.importo_2], p.importo_3)
        fasce = np.where(np.isnan(isee), p.importo_3, fasce)
        # The sibling check counts the child itself: it needs another child under 10.
        fratello = nucleo("numero_figli_sotto_10", period)[hh] >= 2
        maggiorato = (
            (p.maggiorato_attivo > 0)
            * (persona("anno_nascita", period)[idx] >= p.maggiorato_nati_dal_anno)
            * np.where(np.isnan(isee), False, isee <= p.soglia_2)
            * ((p.maggiorato_richiede_fratello_sotto_10 == 0) + fratello)
        )
        out[idx] = np.where(maggiorato, p.maggiorato_importo, fasce)
        return out


class bonus_nido_mensile_figlio(Variable):
    value_type = float
    entity = Persona
    definition_period = MONTH
    label = "Bonus nido: rimborso mensile massimo (€)"

    def formula(persona, period, parameters):
        return np.round(
            persona("bonus_nido_annuo_figlio", period) / parameters(period).bonus_nido.mensilita, 2
        )


class bonus_nido_importo(Variable):
    value_type = float
    entity = Nucleo
    definition_period = MONTH
    label = "Bonus nido: importo annuo massimo per il nucleo (€)"

    def formula(nucleo, period):
        return nucleo.sum(nucleo.members("bonus_nido_annuo_figlio", period))


class bonus_nido_req_bambino(Variable):
    value_type = int
    entity = Nucleo
    definition_period = MONTH
    label = "Bonus nido: un bambino sotto i 3 anni iscritto al nido"

    def formula(nucleo, period):
        return ts.test(nucleo.any(nucleo.members("al_nido", period)), np.ones(nucleo.count, dtype=bool))


class bonus_nido_esito(Variable):
    value_type = int
    entity = Nucleo
    definition_period = MONTH
    label = "Bonus nido: esito"

    def formula(nucleo, period, parameters):
        return ts.outcome(parameters(period).bonus_nido.attiva, nucleo("bonus_nido_req_bambino", period))


class nidi_gratis_quota_inps(Variable):
    value_type = float
    entity = Persona
    definition_period = MONTH
    label = "Nidi Gratis: quota mensile rimborsata dall'INPS (€)"

    def formula(persona, period):
        return np.minimum(persona("retta_nido_mensile", period), persona("bonus_nido_mensile_figlio", period))


class nidi_gratis_quota_regione(Variable):
    value_type = float
    entity = Persona
    definition_period = MONTH
    label = "Nidi Gratis: quota mensile pagata dalla Regione (€)"

    def formula(persona, period, parameters):
        p = parameters(period).nidi_gratis
        eccedenza = np.maximum(
            persona("retta_nido_mensile", period) - persona("nidi_gratis_quota_inps", period), 0
        )
        isee = persona.nucleo("isee_minorenni", period)
        quota = np.where(
            isee <= p.soglia_isee,
            eccedenza,
            np.where(isee <= p.soglia_isee_parziale, np.minimum(eccedenza, p.tetto_parziale), 0.0),
        )
        quota = np.where(np.isnan(isee) | np.isnan(eccedenza), np.nan, quota)
        ok = persona.nucleo("nidi_gratis_esito", period) >= ts.DA_VERIFICARE
        return np.where(persona("al_nido", period), np.where(ok, np.round(quota, 2), 0.0), 0.0)


class nidi_gratis_quota_famiglia(Variable):
    value_type = float
    entity = Persona
    definition_period = MONTH
    label = "Nidi Gratis: quota mensile che resta alla famiglia (€)"

    def formula(persona, period):
        retta = persona("retta_nido_mensile", period)
        resto = (
            retta - persona("nidi_gratis_quota_inps", period) - persona("nidi_gratis_quota_regione", period)
        )
        return np.where(persona("al_nido", period), np.round(resto, 2), 0.0)


class nidi_gratis_importo(Variable):
    value_type = float
    entity = Nucleo
    definition_period = MONTH
    label = "Nidi Gratis: quota mensile pagata dalla Regione per il nucleo (€)"

    def formula(nucleo, period):
        return nucleo.sum(nucleo.members("nidi_gratis_quota_regione", period))


class nidi_gratis_req_isee(Variable):
    value_type = int
    entity = Nucleo
    definition_period = MONTH
    label = "Nidi Gratis: ISEE minorenni entro la soglia"

    def formula(nucleo, period, parameters):
        return ts.le(nucleo("isee_minorenni", period), parameters(period).nidi_gratis.soglia_isee_parziale)


class nidi_gratis_req_retta(Variable):
    value_type = int
    entity = Nucleo
    definition_period = MONTH
    label = "Nidi Gratis: la retta mensile supera il rimborso INPS"

    def formula(nucleo, period):
        al_nido = nucleo.members("al_nido", period)
        eccedenza = nucleo.members("retta_nido_mensile", period) - nucleo.members(
            "nidi_gratis_quota_inps", period
        )
        known = ~nucleo.any(al_nido * np.isnan(eccedenza))
        return ts.test(nucleo.any(al_nido * (np.nan_to_num(eccedenza) > 0.005)), known)


class nidi_gratis_req_genitori_lavoratori(Variable):
    value_type = int
    entity = Nucleo
    definition_period = MONTH
    label = "Nidi Gratis 2019/20: genitori occupati"

    def formula(nucleo, period, parameters):
        r = nucleo("richiedente_lavora", period)
        partner = nucleo("ha_coniuge", period)
        p = nucleo("coniuge_lavora", period)
        ok = r * (~partner + p)
        return np.where(
            parameters(period).nidi_gratis.richiede_genitori_lavoratori > 0,
            np.where(ok, ts.OK, ts.FAIL),
            ts.OK,
        ).astype(np.int8)


class nidi_gratis_esito(Variable):
    value_type = int
    entity = Nucleo
    definition_period = MONTH
    label = "Nidi Gratis: esito"

    def formula(nucleo, period, parameters):
        return ts.outcome(
            parameters(period).nidi_gratis.attiva,
            nucleo("bonus_nido_req_bambino", period),
            nucleo("residente_lombardia", period),
            ts.fact(nucleo("comune_aderisce_nidi_gratis", period)),
            nucleo("nidi_gratis_req_isee", period),
            nucleo("nidi_gratis_req_retta", period),
            nucleo("nidi_gratis_req_genitori_lavoratori", period),
        )
