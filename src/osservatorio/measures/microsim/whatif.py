"""What-if on municipal rules: a copy of the tax-benefit system with one parameter changed."""

from __future__ import annotations

from dataclasses import dataclass

from openfisca_core.parameters import Parameter

from ..rules.system import tax_benefit_system

# Parameters an analista may change, per municipal rule type, with their Italian label.
EDITABLE = {
    "contributo_economico": {
        "soglia_isee": "Soglia ISEE (€, inferiore a)",
        "importo_mensile_max": "Importo mensile massimo (€)",
        "mesi": "Mesi di erogazione",
        "punti_minori": "Punti per ogni minore",
        "punti_disabili": "Punti per ogni persona con disabilità",
        "punti_soglia": "Punti minimi per l'accesso",
    },
    "buoni_spesa_covid": {
        "importo_1": "Buono per 1 persona (€)",
        "importo_2": "Buono per 2 persone (€)",
        "importo_3": "Buono per 3 persone (€)",
        "importo_4": "Buono per 4 persone (€)",
        "per_figlio_oltre": "Aggiunta per figlio oltre i 4 componenti (€)",
        "maggiorazione_bambini": "Aggiunta con bambini 0-3 anni (€)",
        "soglia_isee": "Soglia ISEE (€; vuoto = nessuna)",
    },
}
RULE_MEASURE = {"contributo_economico": "contributo_comunale", "buoni_spesa_covid": "buoni_spesa"}


@dataclass(frozen=True)
class Change:
    comune: str  # a comune code with its own rule, or "_predefinito"
    rule: str
    parameter: str
    value: float


def rules_available() -> list[tuple[str, str]]:
    """(comune, rule) pairs present in parameters/comuni."""
    out = []
    for code, node in tax_benefit_system().parameters.comuni.children.items():
        for rule in getattr(node, "children", {}):
            if rule in EDITABLE:
                out.append((code, rule))
    return sorted(out)


def current_value(change_or_key: tuple[str, str, str], on: str) -> float:
    comune, rule, parameter = change_or_key
    return float(tax_benefit_system().parameters(on).comuni[comune][rule][parameter])


def apply(change: Change, start: str):
    """A cloned system where the parameter takes the new value from `start` on."""
    if change.rule not in EDITABLE or change.parameter not in EDITABLE[change.rule]:
        raise ValueError(f"parametro non modificabile: {change.rule}.{change.parameter}")
    tbs = tax_benefit_system().clone()
    node = tbs.parameters.comuni.children[change.comune].children[change.rule]
    parameter = node.children[change.parameter]
    assert isinstance(parameter, Parameter)
    parameter.update(start=start, value=float(change.value))
    tbs._parameters_at_instant_cache = {}
    return tbs
