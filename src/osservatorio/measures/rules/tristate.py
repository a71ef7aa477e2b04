"""Three-valued logic for requirements: satisfied, not satisfied, cannot be judged.

The engine never turns "we do not know" into "no": an unknown input (NaN for numbers, -1 for facts)
makes the requirement -1, and a measure with an unknown requirement is "da verificare". Outcomes are
small integers so that a million households stay one int8 array per measure.
"""

import numpy as np

# Requirement states.
OK = 1
FAIL = 0
UNKNOWN = -1

# Measure outcomes (esito).
SI = 2
DA_VERIFICARE = 1
NO = 0
NON_ATTIVA = -1

ESITO_LABELS = {
    SI: "probabilmente sì",
    DA_VERIFICARE: "da verificare",
    NO: "probabilmente no",
    NON_ATTIVA: "non attiva in quella data",
}


def known(x):
    return ~np.isnan(x)


_I8 = np.int8
# esito from a combined requirement state, indexed by the state (-1 takes the last element).
_ESITO_FROM_STATE = np.array([NO, SI, DA_VERIFICARE], dtype=_I8)


def _bool(a):
    a = np.asarray(a)
    return a if a.dtype == bool else a.astype(bool)


def test(condition, is_known):
    """A requirement from a boolean condition and a mask of the households where it can be judged."""
    is_known = _bool(is_known)
    # int8 arithmetic on one-byte arrays: (condition and known) - (not known) is 1 / 0 / -1.
    yes = np.asarray(_bool(condition) & is_known)
    return np.asarray(yes.view(_I8) - np.asarray(~is_known).view(_I8), dtype=_I8)


def lt(x, threshold):
    """x < threshold, unknown where x is NaN (or the threshold is, for years not verified)."""
    with np.errstate(invalid="ignore"):
        return _compare(np.less, x, threshold)


def le(x, threshold):
    with np.errstate(invalid="ignore"):
        return _compare(np.less_equal, x, threshold)


def _compare(op, x, threshold):
    x = np.asarray(x)
    threshold = np.asarray(threshold, dtype=float)
    condition = op(x, threshold)  # False where either side is NaN
    if threshold.ndim == 0:
        if np.isnan(threshold):
            return np.full(np.shape(x), UNKNOWN, dtype=_I8)
        is_known = known(x) if x.dtype.kind == "f" else np.ones(np.shape(x), dtype=bool)
    else:
        is_known = known(x) & known(threshold)
    return test(condition, is_known)


def fact(value):
    """A yes/no input coded 1/0 with -1 for unknown is already a requirement state."""
    return np.asarray(value).astype(_I8)


def negate(req):
    req = np.asarray(req).astype(_I8, copy=False)
    # 1 -> 0, 0 -> 1, -1 -> -1
    return np.where(req == UNKNOWN, _I8(UNKNOWN), _I8(1) - req).astype(_I8, copy=False)


def _states(reqs):
    shape = np.broadcast_shapes(*(np.shape(r) for r in reqs))
    return [np.broadcast_to(np.asarray(r).astype(_I8, copy=False), shape) for r in reqs], shape


def all_of(*reqs):
    """Conjunction: any failure fails, otherwise any unknown is unknown."""
    states, shape = _states(reqs)
    # the smallest state is -1 when something is unknown, else 0 or 1; any 0 (failure) wins.
    low = states[0].copy() if len(states) == 1 else np.minimum.reduce(states)
    no_failure = np.logical_and.reduce([s != FAIL for s in states])
    return (low * no_failure.view(_I8)).astype(_I8, copy=False).reshape(shape)


def any_of(*reqs):
    """Disjunction: any success succeeds, otherwise any unknown is unknown."""
    states, shape = _states(reqs)
    if len(states) == 1:
        return states[0].copy()
    high = np.maximum.reduce(states)
    low = np.minimum.reduce(states)
    # a success anywhere -> 1; otherwise the states are 0/-1 and the smallest says if any is unknown.
    return np.where(high == OK, _I8(OK), low).astype(_I8, copy=False).reshape(shape)


def outcome(active, *reqs):
    """The esito of a measure from its validity and its requirements."""
    esito = _ESITO_FROM_STATE[all_of(*reqs)]
    active = np.asarray(active)
    if active.ndim == 0:
        return esito if active > 0 else np.full(esito.shape, NON_ATTIVA, dtype=_I8)
    return np.where(active > 0, esito, _I8(NON_ATTIVA)).astype(_I8, copy=False)
