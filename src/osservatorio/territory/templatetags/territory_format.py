"""Italian number formatting for the territory pages, independent of the active locale's settings."""

from django import template

register = template.Library()


@register.filter
def migliaia(value):
    """351169 -> "351.169"; None -> "—"."""
    if value is None or value == "":
        return "—"
    return f"{int(value):,}".replace(",", ".")


@register.filter
def decimale(value, digits=1):
    if value is None:
        return "—"
    return f"{float(value):,.{int(digits)}f}".replace(",", " ").replace(".", ",").replace(" ", ".")
