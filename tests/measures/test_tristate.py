"""The three-valued helpers against their definition, written out case by case."""

import itertools

import numpy as np
import pytest

from osservatorio.measures.rules import tristate as ts

STATES = (ts.OK, ts.FAIL, ts.UNKNOWN)


def conjunction(states):
    if ts.FAIL in states:
        return ts.FAIL
    return ts.UNKNOWN if ts.UNKNOWN in states else ts.OK


def disjunction(states):
    if ts.OK in states:
        return ts.OK
    return ts.UNKNOWN if ts.UNKNOWN in states else ts.FAIL


@pytest.mark.parametrize("arity", [1, 2, 3, 4])
def test_all_of_and_any_of_every_combination(arity):
    combos = list(itertools.product(STATES, repeat=arity))
    columns = [np.array([c[i] for c in combos], dtype=np.int8) for i in range(arity)]
    assert ts.all_of(*columns).tolist() == [conjunction(c) for c in combos]
    assert ts.any_of(*columns).tolist() == [disjunction(c) for c in combos]
    assert ts.all_of(*columns).dtype == np.int8


def test_scalars_broadcast_against_arrays():
    column = np.array(STATES, dtype=np.int8)
    assert ts.all_of(column, ts.OK).tolist() == [ts.OK, ts.FAIL, ts.UNKNOWN]
    assert ts.all_of(column, ts.FAIL).tolist() == [ts.FAIL] * 3
    assert ts.any_of(column, ts.UNKNOWN).tolist() == [ts.OK, ts.UNKNOWN, ts.UNKNOWN]


def test_test_lt_le_negate_outcome():
    x = np.array([1.0, 5.0, np.nan, 3.0])
    assert ts.lt(x, 3.0).tolist() == [ts.OK, ts.FAIL, ts.UNKNOWN, ts.FAIL]
    assert ts.le(x, 3.0).tolist() == [ts.OK, ts.FAIL, ts.UNKNOWN, ts.OK]
    assert ts.le(x, np.nan).tolist() == [ts.UNKNOWN] * 4
    assert ts.le(x, np.array([0.0, 9.0, 1.0, np.nan])).tolist() == [ts.FAIL, ts.OK, ts.UNKNOWN, ts.UNKNOWN]
    assert ts.test(np.array([True, False, True]), np.array([True, True, False])).tolist() == [1, 0, -1]
    assert ts.negate(np.array(STATES, dtype=np.int8)).tolist() == [ts.FAIL, ts.OK, ts.UNKNOWN]
    reqs = np.array(STATES, dtype=np.int8)
    assert ts.outcome(1, reqs).tolist() == [ts.SI, ts.NO, ts.DA_VERIFICARE]
    assert ts.outcome(0, reqs).tolist() == [ts.NON_ATTIVA] * 3
    assert ts.outcome(np.array([1, 0, 1]), reqs).tolist() == [ts.SI, ts.NON_ATTIVA, ts.DA_VERIFICARE]


def test_civil_dates_match_numpy_calendar():
    from osservatorio.measures.rules.variables.household import _civil

    days = np.arange(np.datetime64("1890-01-01"), np.datetime64("2101-01-01")).astype(np.int64)
    year, month, day = _civil(days)
    dates = days.astype("datetime64[D]")
    assert (year == dates.astype("datetime64[Y]").astype(np.int64) + 1970).all()
    assert (month == dates.astype("datetime64[M]").astype(np.int64) % 12 + 1).all()
    assert (day == (dates - dates.astype("datetime64[M]")).astype(np.int64) + 1).all()
