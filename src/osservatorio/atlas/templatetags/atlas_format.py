"""Italian formatting of released values, comparison and trend labels that never rely on colour alone."""

from datetime import date

from django import template
from django.utils.html import format_html

from osservatorio.atlas import text

register = template.Library()


@register.filter
def valore(row, indicator):
    """A public row formatted with the indicator's decimals and unit: "12,5%", "21.345 euro", "—"."""
    return text.value(row, indicator)


@register.filter
def numero(value, decimals=1):
    return text.number(value, int(decimals))


@register.filter
def intervallo(row, indicator):
    return text.interval(row, indicator)


@register.filter
def variazione(value, indicator):
    return text.change(value, indicator)


COMPARISON_CLASS = {
    "migliore": ("atlas-better", "it-arrow-up-circle", "▲"),
    "peggiore": ("atlas-worse", "it-arrow-down-circle", "▼"),
    "simile": ("atlas-similar", "it-minus-circle", "●"),
    "più alto": ("atlas-neutral", "it-arrow-up", "↑"),
    "più basso": ("atlas-neutral", "it-arrow-down", "↓"),
    "non confrontabile": ("atlas-na", "", "–"),
}


@register.simple_tag
def confronto(label):
    css, _icon, symbol = COMPARISON_CLASS.get(label, ("atlas-na", "", "–"))
    return format_html(
        '<span class="atlas-cmp {}"><span aria-hidden="true">{}</span> {}</span>',
        css,
        symbol,
        text.comparison_label(label),
    )


TREND_SYMBOL = {
    "in miglioramento": ("atlas-better", "↗"),
    "in peggioramento": ("atlas-worse", "↘"),
    "in aumento": ("atlas-neutral", "↗"),
    "in diminuzione": ("atlas-neutral", "↘"),
    "nessun cambiamento significativo": ("atlas-similar", "→"),
    "non calcolabile": ("atlas-na", "–"),
    "serie non confrontabile": ("atlas-na", "–"),
}


@register.simple_tag
def tendenza(trend):
    label = getattr(trend, "label", "non calcolabile")
    direction = getattr(trend, "direction", "")
    css, symbol = TREND_SYMBOL.get(label, ("atlas-na", "–"))
    if label in ("in miglioramento", "in peggioramento"):
        symbol = "↗" if direction == "in aumento" else "↘"
    return format_html(
        '<span class="atlas-trend {}"><span aria-hidden="true">{}</span> {}</span>',
        css,
        symbol,
        text.trend_label(label),
    )


@register.filter
def get_item(mapping, key):
    return (mapping or {}).get(key)


@register.filter
def date_it(iso):
    """An ISO date string ("2020-03-09") as the Italian day/month/year ("09/03/2020"); anything else as is."""
    try:
        return date.fromisoformat(str(iso)[:10]).strftime("%d/%m/%Y")
    except ValueError:
        return iso
