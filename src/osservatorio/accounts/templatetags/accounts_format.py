"""Labels for values stored as codes: roles, durations."""

import datetime as dt

from django import template

from ..roles import Role

register = template.Library()


@register.filter
def role_label(code: str) -> str:
    try:
        return Role(code).label
    except ValueError:
        return code or ""


@register.filter
def minutes(value) -> int | str:
    if isinstance(value, dt.timedelta):
        return int(value.total_seconds() // 60)
    return ""
