"""Codice fiscale arithmetic: format, check character, omocodia, sex and birth date.

Plain Python (no Django): the import pipeline uses the vectorised `check_chars` on whole columns and the
scalar functions are the reference they are tested against. Rules from DM 23/12/1976 and the Agenzia
delle Entrate specification: positions 7-8, 10-11 and 13-15 may carry the omocodia letters LMNPQRSTUV
in place of the digits 0-9 when two people would otherwise share a code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import numpy as np

ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
MONTHS = "ABCDEHLMPRST"  # January … December
OMOCODIA = "LMNPQRSTUV"  # stand-ins for 0 … 9
# Positions (0-based) that hold digits, possibly replaced by omocodia letters.
DIGIT_POSITIONS = (6, 7, 9, 10, 12, 13, 14)

_D = "[0-9LMNPQRSTUV]"
PATTERN = re.compile(rf"^[A-Z]{{6}}{_D}{{2}}[{MONTHS}]{_D}{{2}}[A-Z]{_D}{{3}}[A-Z]$")

_ODD_VALUES = [1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23]
ODD = {**{str(d): _ODD_VALUES[d] for d in range(10)}, **{c: _ODD_VALUES[i] for i, c in enumerate(ALPHABET)}}
EVEN = {**{str(d): d for d in range(10)}, **{c: i for i, c in enumerate(ALPHABET)}}

# Byte lookup tables for the vectorised check: index = ASCII code.
_ODD_TABLE = np.zeros(256, dtype=np.int64)
_EVEN_TABLE = np.zeros(256, dtype=np.int64)
for _ch, _v in ODD.items():
    _ODD_TABLE[ord(_ch)] = _v
for _ch, _v in EVEN.items():
    _EVEN_TABLE[ord(_ch)] = _v
_DIGIT_TABLE = np.full(256, -1, dtype=np.int64)
for _d in range(10):
    _DIGIT_TABLE[ord(str(_d))] = _d
    _DIGIT_TABLE[ord(OMOCODIA[_d])] = _d
_MONTH_TABLE = np.zeros(256, dtype=np.int64)
for _i, _m in enumerate(MONTHS):
    _MONTH_TABLE[ord(_m)] = _i + 1


def normalise(value: str) -> str:
    """Upper case without spaces: the form that is validated and pseudonymised."""
    return "".join(value.split()).upper()


def check_char(first15: str) -> str:
    """The check character of the first 15 characters (positions counted from 1: odd, even)."""
    total = sum(ODD[c] if i % 2 == 0 else EVEN[c] for i, c in enumerate(first15))
    return ALPHABET[total % 26]


def format_ok(cf: str) -> bool:
    return PATTERN.match(cf) is not None


def is_valid(cf: str) -> bool:
    cf = normalise(cf)
    return format_ok(cf) and check_char(cf[:15]) == cf[15] and decode_day(cf) is not None


def decode_day(cf: str) -> tuple[int, str] | None:
    """(day of month, sex) from positions 10-11: women add 40 to the day."""
    day = int("".join(str(_DIGIT_TABLE[ord(c)]) for c in cf[9:11]))
    if 1 <= day <= 31:
        return day, "M"
    if 41 <= day <= 71:
        return day - 40, "F"
    return None


def remove_omocodia(cf: str) -> str:
    """The base code before omocodia substitutions (check character recomputed)."""
    chars = list(cf[:15])
    for pos in DIGIT_POSITIONS:
        if chars[pos] in OMOCODIA:
            chars[pos] = str(OMOCODIA.index(chars[pos]))
    base = "".join(chars)
    return base + check_char(base)


@dataclass(frozen=True)
class Decoded:
    sex: str
    birth_date: date | None  # None when the day does not exist in that month (e.g. 31 February)


def decode(cf: str, reference: date) -> Decoded:
    """Sex and birth date. The year has two digits: the century chosen is the latest that does not put
    the birth after `reference` (a person born in 1925 and one born in 2025 share "25")."""
    cf = normalise(cf)
    day_sex = decode_day(cf)
    if day_sex is None:
        raise ValueError("giorno di nascita non valido nel codice fiscale")
    day, sex = day_sex
    yy = int("".join(str(_DIGIT_TABLE[ord(c)]) for c in cf[6:8]))
    month = MONTHS.index(cf[8]) + 1
    year = (reference.year // 100) * 100 + yy
    if year > reference.year:
        year -= 100
    try:
        born = date(year, month, day)
    except ValueError:
        return Decoded(sex, None)
    if born > reference:
        try:
            born = date(year - 100, month, day)
        except ValueError:
            return Decoded(sex, None)
    return Decoded(sex, born)


def encode(surname3: str, name3: str, birth: date, sex: str, belfiore: str) -> str:
    """A valid code from its parts (used by the synthetic generator and by tests)."""
    day = birth.day + (40 if sex == "F" else 0)
    first15 = f"{surname3}{name3}{birth.year % 100:02d}{MONTHS[birth.month - 1]}{day:02d}{belfiore}"
    return first15 + check_char(first15)


# --- vectorised forms, for whole columns -------------------------------------------------------------


def as_bytes(codes: list[str] | np.ndarray) -> np.ndarray:
    """(n, 16) uint8 matrix of already normalised, format-checked codes."""
    arr = np.asarray(codes, dtype="S16")
    return arr.view(np.uint8).reshape(-1, 16)


def check_chars_ok(matrix: np.ndarray) -> np.ndarray:
    """Boolean vector: the 16th character equals the computed check character."""
    odd = _ODD_TABLE[matrix[:, 0:15:2]].sum(axis=1)
    even = _EVEN_TABLE[matrix[:, 1:15:2]].sum(axis=1)
    expected = (odd + even) % 26 + ord("A")
    return matrix[:, 15] == expected


def decode_columns(matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(two-digit year, month, day, is_female) for each row; day 0 marks an impossible day."""
    yy = _DIGIT_TABLE[matrix[:, 6]] * 10 + _DIGIT_TABLE[matrix[:, 7]]
    month = _MONTH_TABLE[matrix[:, 8]]
    raw_day = _DIGIT_TABLE[matrix[:, 9]] * 10 + _DIGIT_TABLE[matrix[:, 10]]
    female = raw_day > 40
    day = np.where(female, raw_day - 40, raw_day)
    day = np.where((day >= 1) & (day <= 31) & ((raw_day <= 31) | (raw_day >= 41)), day, 0)
    return yy, month, day, female
