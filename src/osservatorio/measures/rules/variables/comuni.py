"""Municipal rules as configuration: `parameters/comuni/<ISTAT code>/<rule>.yaml`.

A comune adds its own rule by adding a YAML directory, not code. `_predefinito` holds the rule applied to
comuni that have not entered their own (for the economic contribution an explicit working hypothesis,
labelled so on every page). Two rule types exist: `buoni_spesa_covid` (vouchers by household size,
first encoded for the Comune di Cremona, April 2020) and `contributo_economico` (ISEE threshold,
monthly amount, priority points).
"""

import numpy as np
from openfisca_core.periods import MONTH
from openfisca_core.variables import Variable

from .. import tristate as ts
from ..entities import Nucleo
from ..system import PARAMETERS_DIR

DEFAULT = "_predefinito"


def configured_comuni(node=None) -> list[str]:
    """Comuni with their own rules: from the loaded parameters (`parameters(period).comuni`) when given,
    which is what formulas use (no directory listing per calculation), else from the directory."""
    if node is not None:
        return sorted(code for code in node._children if code != DEFAULT and code.isdigit())
    return sorted(p.name for p in (PARAMETERS_DIR / "comuni").iterdir() if p.is_dir() and p.name != DEFAULT)


def _rule(node, code, rule):
    comune = node._children.get(code)
    if comune is None:
        return None
    return comune._children.get(rule)


def _comune_codes(nucleo, period):
    """ISTAT codes as integers (compare with `int(code)`): one conversion per simulation, not per rule."""
    return nucleo("comune_codice", period)


class buoni_spesa_req_nessun_sostegno(Variable):
    value_type = int
    entity = Nucleo
    definition_period = MONTH
    label = "Buoni spesa: il nucleo non riceve altri sostegni pubblici (RdC o altri)"

    def formula(nucleo, period):
        return ts.negate(
            ts.any_of(
                ts.fact(nucleo("altri_sostegni_pubblici", period)), ts.fact(nucleo("percepisce_rdc", period))
            )
        )


class buoni_spesa_esito(Variable):
    value_type = int
    entity = Nucleo
    definition_period = MONTH
    label = "Buoni spesa del comune di residenza: esito"

    def formula(nucleo, period, parameters):
        node = parameters(period).comuni
        codes = _comune_codes(nucleo, period)
        esito = np.full(nucleo.count, ts.NON_ATTIVA, dtype=np.int8)
        any_active = False
        altri = nucleo("buoni_spesa_req_nessun_sostegno", period)
        isee = nucleo("isee", period)
        for code in configured_comuni(node):
            rule = _rule(node, code, "buoni_spesa_covid")
            if rule is None or rule.attiva <= 0:
                continue
            any_active = True
            reqs = [np.where(rule.esclude_altri_sostegni > 0, altri, ts.OK).astype(np.int8)]
            if np.isfinite(rule.soglia_isee):
                reqs.append(ts.le(isee, rule.soglia_isee))
            esito = np.where(codes == int(code), ts.outcome(1, *reqs), esito)
        if any_active:
            esito = np.where(nucleo("comune_noto", period), esito, ts.DA_VERIFICARE)
        return esito.astype(np.int8)


class buoni_spesa_importo(Variable):
    value_type = float
    entity = Nucleo
    definition_period = MONTH
    label = "Buoni spesa del comune: valore dei buoni per il nucleo (€)"

    def formula(nucleo, period, parameters):
        node = parameters(period).comuni
        codes = _comune_codes(nucleo, period)
        importo = np.full(nucleo.count, np.nan)
        n = nucleo("componenti", period)
        figli = nucleo("numero_figli", period)
        eta = nucleo.members("eta", period)
        for code in configured_comuni(node):
            r = _rule(node, code, "buoni_spesa_covid")
            if r is None or r.attiva <= 0:
                continue
            base = np.select([n <= 1, n == 2, n == 3], [r.importo_1, r.importo_2, r.importo_3], r.importo_4)
            oltre = np.minimum(figli, np.maximum(n - r.componenti_base, 0)) * r.per_figlio_oltre
            bambini = np.where(nucleo.any(eta <= r.eta_bambini_max), r.maggiorazione_bambini, 0.0)
            importo = np.where(codes == int(code), base + oltre + bambini, importo)
        return importo


def _contributo_rules(node, codes):
    """(mask, rule) pairs: each configured comune with its own rule, the rest under the default rule."""
    default = _rule(node, DEFAULT, "contributo_economico")
    rest = np.ones(codes.shape, dtype=bool)
    pairs = []
    for code in configured_comuni(node):
        rule = _rule(node, code, "contributo_economico")
        if rule is not None:
            mask = codes == int(code)
            pairs.append((mask, rule))
            rest &= ~mask
    pairs.append((rest, default))
    return pairs


class contributo_comunale_punti(Variable):
    value_type = float
    entity = Nucleo
    definition_period = MONTH
    label = "Contributo economico comunale: punti di priorità"

    def formula(nucleo, period, parameters):
        codes = _comune_codes(nucleo, period)
        punti = np.zeros(nucleo.count)
        for mask, r in _contributo_rules(parameters(period).comuni, codes):
            valore = r.punti_minori * nucleo("numero_minori", period) + r.punti_disabili * nucleo(
                "numero_disabili", period
            )
            punti = np.where(mask, valore, punti)
        return punti


class contributo_comunale_req_residenza(Variable):
    value_type = int
    entity = Nucleo
    definition_period = MONTH
    label = "Contributo comunale: residente nel comune"

    def formula(nucleo, period):
        noto = nucleo("comune_noto", period)
        return ts.test(noto, noto)


class contributo_comunale_req_isee(Variable):
    value_type = int
    entity = Nucleo
    definition_period = MONTH
    label = "Contributo comunale: ISEE sotto la soglia del comune"

    def formula(nucleo, period, parameters):
        codes = _comune_codes(nucleo, period)
        isee = nucleo("isee", period)
        req = np.full(nucleo.count, ts.UNKNOWN, dtype=np.int8)
        for mask, r in _contributo_rules(parameters(period).comuni, codes):
            req = np.where(mask, ts.lt(isee, r.soglia_isee), req)
        return req.astype(np.int8)


class contributo_comunale_req_punti(Variable):
    value_type = int
    entity = Nucleo
    definition_period = MONTH
    label = "Contributo comunale: punteggio di priorità sufficiente"

    def formula(nucleo, period, parameters):
        codes = _comune_codes(nucleo, period)
        punti = nucleo("contributo_comunale_punti", period)
        req = np.full(nucleo.count, ts.OK, dtype=np.int8)
        for mask, r in _contributo_rules(parameters(period).comuni, codes):
            req = np.where(mask, np.where(punti >= r.punti_soglia, ts.OK, ts.FAIL), req)
        return req.astype(np.int8)


class contributo_comunale_esito(Variable):
    value_type = int
    entity = Nucleo
    definition_period = MONTH
    label = "Contributo economico comunale: esito"

    def formula(nucleo, period, parameters):
        codes = _comune_codes(nucleo, period)
        esito = np.full(nucleo.count, ts.NON_ATTIVA, dtype=np.int8)
        reqs = (
            nucleo("contributo_comunale_req_residenza", period),
            nucleo("contributo_comunale_req_isee", period),
            nucleo("contributo_comunale_req_punti", period),
        )
        for mask, r in _contributo_rules(parameters(period).comuni, codes):
            esito = np.where(mask, ts.outcome(r.attiva, *reqs), esito)
        return esito.astype(np.int8)


class contributo_comunale_importo(Variable):
    value_type = float
    entity = Nucleo
    definition_period = MONTH
    label = "Contributo economico comunale: importo mensile massimo (€)"

    def formula(nucleo, period, parameters):
        codes = _comune_codes(nucleo, period)
        importo = np.zeros(nucleo.count)
        for mask, r in _contributo_rules(parameters(period).comuni, codes):
            importo = np.where(mask, r.importo_mensile_max, importo)
        return importo


class contributo_comunale_regola_propria(Variable):
    value_type = bool
    entity = Nucleo
    definition_period = MONTH
    label = "Il comune di residenza ha inserito la propria regola per il contributo economico"

    def formula(nucleo, period, parameters):
        codes = _comune_codes(nucleo, period)
        own = np.zeros(nucleo.count, dtype=bool)
        for mask, _rule_node in _contributo_rules(parameters(period).comuni, codes)[:-1]:
            own |= mask
        return own
