"""Italian number formatting for released values ("12,5", "1.234", "12,5%")."""

from django import template

register = template.Library()


def italian(value, decimals: int = 1) -> str:
    # "" is what a template gets for a variable that is not there (e.g. a comparison area with no value
    # and no peer value): no number, not a server error.
    if value is None or value == "":
        return "—"
    text = f"{float(value):,.{int(decimals)}f}"
    return text.replace(",", "X").replace(".", ",").replace("X", ".")


@register.filter
def num(value, decimals=1):
    return italian(value, decimals)


@register.filter
def pct(value, decimals=1):
    return "—" if value is None else italian(float(value) * 100, decimals) + "%"


@register.filter
def pvalue(value):
    if value is None:
        return "—"
    return "< 0,001" if value < 0.001 else italian(value, 3)
