"""Numbers written the Italian way, as they appear in every report, table and chart label."""

from __future__ import annotations

import math
from datetime import date, timedelta

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


def _whole_year(start: date, end: date) -> bool:
    return start == date(start.year, 1, 1) and end == date(start.year, 12, 31)


def _whole_months(start: date, end: date) -> bool:
    return end > start and start.day == 1 and (end + timedelta(days=1)).day == 1


def period(start: date, end: date, granularity: str) -> str:
    """How a DataPoint's period is named in a sentence: "2023", "dicembre 2021", "aprile–agosto 2019" (also a
    year of only those months)."""
    if granularity == "anno" and _whole_year(start, end):
        return str(start.year)
    if granularity == "mese":
        return f"{MONTHS[start.month - 1]} {start.year}"
    if start == end:
        return long_date(start)
    if _whole_months(start, end):
        if start.year == end.year:
            return f"{MONTHS[start.month - 1]}–{MONTHS[end.month - 1]} {end.year}"
        return f"{MONTHS[start.month - 1]} {start.year}–{MONTHS[end.month - 1]} {end.year}"
    return f"{start.isoformat()} – {end.isoformat()}"


def short_period(start: date, end: date, granularity: str) -> str:
    """A period in a chart or a table column: "2023", "dic 2021", "apr–ago 2019", "01/01/2023"."""
    if granularity == "anno" and _whole_year(start, end):
        return str(start.year)
    if granularity == "mese":
        return f"{MONTHS[start.month - 1][:3]} {start.year}"
    if _whole_months(start, end):
        if start.year == end.year:
            return f"{MONTHS[start.month - 1][:3]}–{MONTHS[end.month - 1][:3]} {end.year}"
        return f"{MONTHS[start.month - 1][:3]} {start.year}–{MONTHS[end.month - 1][:3]} {end.year}"
    return end.strftime("%d/%m/%Y")


def long_date(d: date) -> str:
    day = "1°" if d.day == 1 else str(d.day)
    return f"{day} {MONTHS[d.month - 1]} {d.year}"
