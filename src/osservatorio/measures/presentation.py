"""Formatting helpers shared by views and templates: Italian money and percentages, rule parameters, and
the translated words for the engine's outcome codes (the rules engine and the screening core import no
Django: they return codes such as "si" or "da_verificare", translated here)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from openfisca_core.parameters import Parameter

from .rules.system import EARLIEST, tax_benefit_system

# Where the parameters of each screening rule live in the parameter tree.
RULE_PARAMETERS = {
    "adi": "adi", "sfl": "sfl", "auu": "auu", "rdc": "rdc", "rem": "rem", "bonus_nido": "bonus_nido",
    "nidi_gratis": "nidi_gratis", "maternita": "maternita", "carta_acquisti": "carta_acquisti", "tre_figli": "tre_figli",
    "misura_unica": "misura_unica", "dote_scuola": "dote_scuola", "bonus_sociali": "bonus_sociali",
    "carta_dedicata": "carta_dedicata", "contributo_bollette": "bonus_sociali.contributo_straordinario",
}  # fmt: skip


# Outcome of a measure for a household (screening.engine.STATUS values).
STATUS_LABELS = {
    "si": _("probabilmente sì"),
    "da_verificare": _("da verificare"),
    "no": _("probabilmente no"),
    "non_attiva": _("non attiva in quella data"),
}
# State of one requirement (screening.engine.Reason.state).
REASON_LABELS = {"ok": _("soddisfatto"), "no": _("non soddisfatto"), "?": _("da verificare")}


def problem_text(problem) -> str:
    """A screening problem (screening.household.Problem) in the user's language."""
    from django.utils.translation import gettext

    if not problem.template:
        return problem.message
    params = {k: gettext(v) if k == "label" else v for k, v in problem.params.items()}
    return gettext(problem.template) % params


def rule_text(text: str) -> str:
    """A requirement's text (an OpenFisca variable label, listed in screening/texts.py) translated."""
    from django.utils.translation import gettext

    return gettext(text)


def unit_text(unit: str) -> str:
    """A measure's unit translated, without its leading currency sign (the amount carries it)."""
    from django.utils.translation import gettext

    return gettext(unit or "").removeprefix("€ ")


def status_label(status: str) -> str:
    return str(STATUS_LABELS.get(status, status))


def reason_label(state: str) -> str:
    return str(REASON_LABELS.get(state, state))


def euro(value) -> str:
    if value is None:
        return "—"
    q = Decimal(str(value)).quantize(Decimal("0.01"))
    whole, cents = f"{q:,.2f}".split(".")
    return f"{whole.replace(',', '.')},{cents} €"


def number(value) -> str:
    if isinstance(value, float) and value != value:
        return str(_("non verificato"))
    if isinstance(value, float) and value == float("inf"):
        return str(_("nessun limite"))
    if isinstance(value, (int, float)):
        text = f"{value:,.2f}".rstrip("0").rstrip(".") if isinstance(value, float) else f"{value:,}"
        return text.replace(",", "X").replace(".", ",").replace("X", ".")
    return str(value)


def rule_parameter_node_name(rule_key: str, comune_code: str = "") -> str | None:
    if rule_key in RULE_PARAMETERS:
        return RULE_PARAMETERS[rule_key]
    comuni = tax_benefit_system().parameters.comuni.children
    file = {"buoni_spesa": "buoni_spesa_covid", "contributo_comunale": "contributo_economico"}.get(rule_key)
    if file is None:
        return None
    for code in (comune_code, "_predefinito"):
        if code and code in comuni and file in comuni[code].children:
            return f"comuni.{code}.{file}"
    return None


def parameter_rows(node_name: str) -> list[dict]:
    """The dated values of every parameter under a node, for the measure page."""
    node = tax_benefit_system().parameters
    for part in node_name.split("."):
        node = node.children[part]
    rows = []

    def walk(n, prefix):
        for key, child in n.children.items():
            name = f"{prefix}{key}"
            if isinstance(child, Parameter):
                values = []
                for v in reversed(child.values_list):
                    if v.instant_str == EARLIEST:
                        continue
                    values.append({"from": date.fromisoformat(v.instant_str), "value": number(v.value)})
                rows.append({"name": name, "description": child.description or "", "values": values,
                             "reliability": (child.metadata or {}).get("affidabilita", "")})  # fmt: skip
            else:
                walk(child, f"{name}.")

    walk(node, "")
    return rows
