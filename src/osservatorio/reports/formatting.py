"""Numbers written the Italian way, as they appear in every report, table and chart label."""

from __future__ import annotations

import math
from datetime import date

MONTHS = [
    "gennaio",
    "febbraio",
    "marzo",
    "aprile",
    "maggio",
    "giugno",
    "luglio",
    "agosto",
    "settembre",
    "ottobre",
    "novembre",
    "dicembre",
]


def number(x: float | int | None, decimals: int = 1) -> str:
    """12345.678 → "12.345,7"; None or NaN → "—" (never a silent zero)."""
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "—"
    text = f"{x:,.{decimals}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def with_unit(x: float | None, decimals: int, unit: str) -> str:
    """The value followed by its unit: "12,5%", "172,3 ogni 100 giovani", "21.345 euro"."""
    text = number(x, decimals)
    if text == "—" or not unit:
        return text
    if unit == "%":
        return text + "%"
    return f"{text} {unit}"


def period(start: date, end: date, granularity: str) -> str:
    """How a DataPoint's period is named in a table header or a sentence."""
    if granularity == "anno":
        return str(start.year)
    if granularity == "mese":
        return f"{MONTHS[start.month - 1]} {start.year}"
    if start == end:
        return long_date(start)
    return f"{start.isoformat()} – {end.isoformat()}"


def long_date(d: date) -> str:
    day = "1°" if d.day == 1 else str(d.day)
    return f"{day} {MONTHS[d.month - 1]} {d.year}"
