"""Confidence intervals for indicator values, vectorised over numpy arrays.

Methods follow the Fingertips technical guidance (Public Health England, "Confidence intervals", 2018):
- proportions: Wilson score interval (well behaved at 0 and 1 and for small denominators);
- counts and rates: exact Poisson limits (chi-square form) for counts below 10, Byar's approximation
  from 10 upwards, where it is within 0.1% of the exact limits and much cheaper. The rate interval is the
  count interval divided by the denominator (the denominator, e.g. residents, is taken as known).

Every function takes arrays, returns arrays of the same shape, and yields NaN where the interval does
not exist (denominator zero or missing); callers turn NaN into an explicit flag, never into a number.
"""

from __future__ import annotations

import numpy as np
from scipy import stats as _st

# Two-sided normal quantiles for the levels used in the catalogue.
Z = {0.95: 1.959963984540054, 0.998: 3.090232306167813}
LEVELS = (0.95, 0.998)
BYAR_MIN_COUNT = 10


def z_value(level: float) -> float:
    if level in Z:
        return Z[level]
    return float(_st.norm.ppf(0.5 + level / 2))


def _arr(x) -> np.ndarray:
    return np.asarray(x, dtype="float64")


def wilson(numerator, denominator, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for the proportion numerator/denominator (both counts)."""
    x, n = np.broadcast_arrays(_arr(numerator), _arr(denominator))
    z = z_value(level)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = x / n
        z2n = z * z / n
        centre = (p + z2n / 2) / (1 + z2n)
        half = z * np.sqrt(p * (1 - p) / n + z2n / (4 * n)) / (1 + z2n)
        low = np.clip(centre - half, 0.0, 1.0)
        high = np.clip(centre + half, 0.0, 1.0)
    bad = ~(n > 0) | (x < 0) | (x > n) | np.isnan(x)
    low = np.where(bad, np.nan, low)
    high = np.where(bad, np.nan, high)
    return low, high


def poisson_exact(count, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Exact (Garwood) limits for a Poisson count, from the chi-square distribution."""
    o = _arr(count)
    alpha = 1 - level
    with np.errstate(invalid="ignore"):
        low = np.where(o > 0, _st.chi2.ppf(alpha / 2, 2 * o) / 2, 0.0)
        high = _st.chi2.ppf(1 - alpha / 2, 2 * (o + 1)) / 2
    bad = np.isnan(o) | (o < 0)
    return np.where(bad, np.nan, low), np.where(bad, np.nan, high)


def byar(count, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Byar's approximation to the exact Poisson limits."""
    o = _arr(count)
    z = z_value(level)
    with np.errstate(divide="ignore", invalid="ignore"):
        low = o * (1 - 1 / (9 * o) - z / (3 * np.sqrt(o))) ** 3
        o1 = o + 1
        high = o1 * (1 - 1 / (9 * o1) + z / (3 * np.sqrt(o1))) ** 3
    low = np.where(o > 0, np.maximum(low, 0.0), 0.0)
    bad = np.isnan(o) | (o < 0)
    return np.where(bad, np.nan, low), np.where(bad, np.nan, high)


def poisson_count(count, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Exact limits below BYAR_MIN_COUNT, Byar from there on (the Fingertips rule)."""
    o = _arr(count)
    low, high = byar(np.where(o >= BYAR_MIN_COUNT, o, BYAR_MIN_COUNT), level)
    small = o < BYAR_MIN_COUNT
    if small.any():  # the chi-square quantiles are costly: only for the few small counts
        el, eh = poisson_exact(o[small], level)
        low[small] = el
        high[small] = eh
    bad = np.isnan(o) | (o < 0)
    return np.where(bad, np.nan, low), np.where(bad, np.nan, high)


def poisson_rate(count, denominator, multiplier: float = 1.0, level: float = 0.95):
    """Interval for count / denominator × multiplier, treating the denominator as fixed."""
    n = _arr(denominator)
    low, high = poisson_count(count, level)
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.where(n > 0, multiplier / n, np.nan)
    return low * scale, high * scale


def interval(method: str, numerator, denominator, multiplier: float = 1.0, level: float = 0.95):
    """Dispatch on the catalogue's `interval_method`; 'none' gives NaN limits (no interval exists)."""
    if method == "wilson":
        low, high = wilson(numerator, denominator, level)
        return low * multiplier, high * multiplier
    if method in {"byar", "poisson"}:
        if denominator is None:
            return poisson_count(numerator, level)
        return poisson_rate(numerator, denominator, multiplier, level)
    if method == "poisson_exact":
        low, high = poisson_exact(numerator, level)
        if denominator is None:
            return low, high
        n = _arr(denominator)
        with np.errstate(divide="ignore", invalid="ignore"):
            scale = np.where(n > 0, multiplier / n, np.nan)
        return low * scale, high * scale
    if method == "none":
        shape = np.shape(
            np.broadcast_arrays(_arr(numerator), _arr(1.0 if denominator is None else denominator))[0]
        )
        nan = np.full(shape, np.nan)
        return nan, nan.copy()
    raise ValueError(
        f"metodo di intervallo sconosciuto: {method!r} (ammessi: wilson, byar, poisson_exact, none)"
    )
