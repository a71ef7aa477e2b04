from datetime import date, timedelta

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from osservatorio.records import codice_fiscale as cf

# Published examples: the Agenzia delle Entrate's «Mario Rossi» and an omocodia variant of it.
KNOWN = "RSSMRA80A01H501U"


def test_known_code_is_valid_and_decodes():
    assert cf.is_valid(KNOWN)
    assert cf.is_valid("rssmra80a01h501u ")  # case and spaces are normalised
    decoded = cf.decode(KNOWN, date(2025, 1, 1))
    assert decoded == cf.Decoded("M", date(1980, 1, 1))


def test_wrong_check_character_is_refused():
    assert not cf.is_valid(KNOWN[:-1] + "A")


def test_wrong_format_is_refused():
    for bad in ["RSSMRA80A01H501", "RSSMRA80Z01H501U", "1SSMRA80A01H501U", "RSSMRA80A01H50AU", ""]:
        assert not cf.is_valid(bad)


def test_impossible_day_is_refused():
    first15 = "RSSMRA80A35H501"  # day 35: neither a man's (1-31) nor a woman's (41-71)
    assert not cf.is_valid(first15 + cf.check_char(first15))


def test_omocodia_letters_are_accepted_and_decoded():
    # 7th digit position (the last of H501) replaced by its letter, check recomputed.
    base = KNOWN[:15]
    omocode = base[:14] + cf.OMOCODIA[int(base[14])]
    code = omocode + cf.check_char(omocode)
    assert cf.is_valid(code)
    assert cf.remove_omocodia(code) == KNOWN
    assert cf.decode(code, date(2025, 1, 1)).birth_date == date(1980, 1, 1)


def test_century_is_the_latest_not_after_the_reference():
    code = cf.encode("BNC", "LGU", date(1925, 6, 2), "F", "D150")
    assert cf.decode(code, date(2024, 1, 1)).birth_date == date(1925, 6, 2)
    assert cf.decode(code, date(2025, 12, 31)).birth_date == date(2025, 6, 2)


births = st.dates(min_value=date(1901, 1, 1), max_value=date(2024, 12, 31))
letters = st.text(alphabet="BCDFGHJKLMNPQRSTVWXZ", min_size=6, max_size=6)
places = st.builds(lambda c, n: f"{c}{n:03d}", st.sampled_from("ABCDEFGHILMZ"), st.integers(0, 999))


@given(letters, births, st.sampled_from("MF"), places)
def test_encode_then_validate_and_decode(name, born, sex, place):
    code = cf.encode(name[:3], name[3:], born, sex, place)
    assert cf.is_valid(code)
    decoded = cf.decode(code, born + timedelta(days=365 * 50))
    assert decoded.sex == sex
    assert decoded.birth_date == born


@given(
    letters,
    births,
    st.sampled_from("MF"),
    places,
    st.integers(0, 15),
    st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"),
)
def test_any_single_substitution_breaks_the_check(name, born, sex, place, pos, new):
    code = cf.encode(name[:3], name[3:], born, sex, place)
    if code[pos] == new:
        return
    changed = code[:pos] + new + code[pos + 1 :]
    # The check character catches every single-character change (the tables are permutations mod 26).
    assert not cf.is_valid(changed)


@given(
    st.lists(
        st.tuples(letters, births, st.sampled_from("MF"), places, st.booleans()), min_size=1, max_size=30
    )
)
def test_vectorised_check_agrees_with_scalar(items):
    codes = []
    for name, born, sex, place, corrupt in items:
        code = cf.encode(name[:3], name[3:], born, sex, place)
        if corrupt:
            code = code[:-1] + ("A" if code[-1] != "A" else "B")
        codes.append(code)
    matrix = cf.as_bytes(codes)
    assert list(cf.check_chars_ok(matrix)) == [cf.is_valid(c) for c in codes]
    yy, month, day, female = cf.decode_columns(matrix)
    for i, (_name, born, sex, _place, _corrupt) in enumerate(items):
        assert (yy[i], month[i], day[i], bool(female[i])) == (
            born.year % 100,
            born.month,
            born.day,
            sex == "F",
        )
    assert isinstance(matrix, np.ndarray)


@pytest.mark.parametrize("day,sex", [(1, "M"), (31, "M"), (41, "F"), (71, "F")])
def test_day_and_sex(day, sex):
    first15 = f"RSSMRA80A{day:02d}H501"
    code = first15 + cf.check_char(first15)
    assert cf.decode_day(code) == (day - (40 if sex == "F" else 0), sex)
