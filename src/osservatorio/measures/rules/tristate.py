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


def test(condition, is_known):
    """A requirement from a boolean condition and a mask of the households where it can be judged."""
    return np.where(is_known, np.where(condition, OK, FAIL), UNKNOWN).astype(np.int8)


def lt(x, threshold):
    """x < threshold, unknown where x is NaN (or the threshold is, for years not verified)."""
    with np.errstate(invalid="ignore"):
        return test(x < threshold, known(x) & known(np.asarray(threshold, dtype=float)))


def le(x, threshold):
    with np.errstate(invalid="ignore"):
        return test(x <= threshold, known(x) & known(np.asarray(threshold, dtype=float)))


def fact(value):
    """A yes/no input coded 1/0 with -1 for unknown is already a requirement state."""
    return np.asarray(value).astype(np.int8)


def negate(req):
    return np.where(req == UNKNOWN, UNKNOWN, 1 - req).astype(np.int8)


def all_of(*reqs):
    """Conjunction: any failure fails, otherwise any unknown is unknown."""
    stacked = np.vstack([np.broadcast_to(r, np.shape(reqs[0])) for r in reqs])
    return np.where(
        (stacked == FAIL).any(axis=0), FAIL, np.where((stacked == UNKNOWN).any(axis=0), UNKNOWN, OK)
    ).astype(np.int8)


def any_of(*reqs):
    """Disjunction: any success succeeds, otherwise any unknown is unknown."""
    stacked = np.vstack([np.broadcast_to(r, np.shape(reqs[0])) for r in reqs])
    return np.where(
        (stacked == OK).any(axis=0), OK, np.where((stacked == UNKNOWN).any(axis=0), UNKNOWN, FAIL)
    ).astype(np.int8)


def outcome(active, *reqs):
    """The esito of a measure from its validity and its requirements."""
    combined = all_of(*reqs)
    esito = np.where(combined == OK, SI, np.where(combined == UNKNOWN, DA_VERIFICARE, NO))
    return np.where(np.asarray(active) > 0, esito, NON_ATTIVA).astype(np.int8)
