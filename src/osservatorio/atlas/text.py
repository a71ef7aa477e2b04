"""Numbers and sentences in Italian (or English) for pages, tables and the text summaries of charts.

Values are shown with the indicator's decimals; percentages already carry the multiplier (12.5 → "12,5%").
Sentences are built from the same public rows the charts and the tables use.
"""

from __future__ import annotations

import math

from django.utils.translation import gettext as _


def _finite(x) -> bool:
    return x is not None and isinstance(x, (int, float)) and math.isfinite(x)


def number(x, decimals: int = 1) -> str:
    if not _finite(x):
        return "—"
    s = f"{x:,.{max(0, decimals)}f}"
    return s.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def unit_suffix(indicator) -> str:
    unit = indicator.unit_it or ""
    if unit == "%":
        return "%"
    return f" {unit}" if unit else ""


def value(row, indicator) -> str:
    if not row:
        return _("non disponibile")
    if row.get("suppressed"):
        return _("riservato")
    if row.get("value") is None:
        return _("non disponibile")
    return number(row["value"], indicator.decimals) + unit_suffix(indicator)


def interval(row, indicator) -> str:
    if not row or row.get("ci95_low") is None or row.get("ci95_high") is None:
        return ""
    return f"{number(row['ci95_low'], indicator.decimals)} – {number(row['ci95_high'], indicator.decimals)}"


def change(delta, indicator) -> str:
    if not _finite(delta):
        return "—"
    sign = "+" if delta > 0 else ("−" if delta < 0 else "±")
    unit = " punti" if indicator.unit_it == "%" else unit_suffix(indicator)
    return f"{sign}{number(abs(delta), indicator.decimals)}{unit}"


COMPARISON_TEXT = {
    "migliore": "migliore",
    "peggiore": "peggiore",
    "simile": "simile",
    "più alto": "più alto",
    "più basso": "più basso",
    "non confrontabile": "non confrontabile",
}


def comparison_label(label: str) -> str:
    return {
        "migliore": _("migliore"),
        "peggiore": _("peggiore"),
        "simile": _("simile"),
        "più alto": _("più alto"),
        "più basso": _("più basso"),
        "non confrontabile": _("non confrontabile"),
    }.get(label, label)


def trend_label(label: str) -> str:
    return {
        "in miglioramento": _("in miglioramento"),
        "in peggioramento": _("in peggioramento"),
        "in aumento": _("in aumento"),
        "in diminuzione": _("in diminuzione"),
        "nessun cambiamento significativo": _("nessun cambiamento significativo"),
        "non calcolabile": _("non calcolabile"),
        "serie non confrontabile": _("serie non confrontabile"),
    }.get(label, label)


def series_summary(indicator, name: str, rows: list[dict], labeller) -> str:
    """ "Cremona: da 227,2 (2022) a 230,9 (2023); massimo 230,9 nel 2023." — for a time-series chart."""
    usable = [r for r in rows if r.get("value") is not None]
    if not usable:
        return _("%(name)s: nessun valore pubblicato.") % {"name": name}
    first, last = usable[0], usable[-1]
    top = max(usable, key=lambda r: r["value"])
    low = min(usable, key=lambda r: r["value"])
    if first is last:
        return _("%(name)s: %(v)s (%(p)s), un solo periodo disponibile.") % {
            "name": name,
            "v": value(last, indicator),
            "p": labeller(last),
        }
    return _(
        "%(name)s: da %(a)s (%(pa)s) a %(b)s (%(pb)s); massimo %(max)s (%(pmax)s), minimo %(min)s (%(pmin)s)."
    ) % {
        "name": name,
        "a": value(first, indicator),
        "pa": labeller(first),
        "b": value(last, indicator),
        "pb": labeller(last),
        "max": value(top, indicator),
        "pmax": labeller(top),
        "min": value(low, indicator),
        "pmin": labeller(low),
    }


def ranking_summary(indicator, rows: list[dict], container: str, period: str) -> str:
    usable = [r for r in rows if (r.get("row") or {}).get("value") is not None]
    if not usable:
        return _("Nessun valore pubblicato per %(c)s.") % {"c": container}
    ordered = sorted(usable, key=lambda r: r["row"]["value"], reverse=True)
    hi, lo = ordered[0], ordered[-1]
    missing = len(rows) - len(usable)
    out = _(
        "%(n)s aree di %(c)s, periodo %(p)s: il valore più alto è di %(hi)s (%(hv)s), il più basso di %(lo)s (%(lv)s)."
    ) % {
        "n": len(usable),
        "c": container,
        "p": period,
        "hi": hi["name"],
        "hv": value(hi["row"], indicator),
        "lo": lo["name"],
        "lv": value(lo["row"], indicator),
    }
    if missing:
        out += " " + _("%(m)s aree senza valore pubblicato.") % {"m": missing}
    return out
