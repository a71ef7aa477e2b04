"""Trend over the last five points of a series, with a test of whether it is real.

The test depends on what the indicator is, because the right noise model does:
- proportions (numerator out of denominator): chi-square test for trend in proportions
  (Cochran–Armitage, 1 degree of freedom, equally spaced scores);
- counts and rates: Poisson regression log E[count] = log(denominator) + a + b·t fitted by iteratively
  reweighted least squares, Wald test on b;
- anything else (means, ratios of amounts, indices): ordinary least squares on the values, t-test on the
  slope with n − 2 degrees of freedom.
A trend is reported when p < 0.05 (two-sided); otherwise "nessun cambiamento significativo". With fewer
than five usable consecutive points (missing, suppressed or across a break) no trend is computed.
Large denominators make tiny changes significant: the label says whether a change is statistically
detectable, not whether it matters.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats as _st

from .comparison import HIGHER_IS_BETTER, LOWER_IS_BETTER

POINTS = 5
ALPHA = 0.05

INCREASING = "in aumento"
DECREASING = "in diminuzione"
NO_CHANGE = "nessun cambiamento significativo"
NOT_COMPUTABLE = "non calcolabile"
IMPROVING = "in miglioramento"
WORSENING = "in peggioramento"


@dataclass(frozen=True)
class Trend:
    direction: str
    label: str
    p_value: float | None
    slope: float | None  # per period: change in value (OLS), log-rate (Poisson), proportion (CA)
    method: str
    points: int


def _not_computable(method: str, points: int) -> Trend:
    return Trend(NOT_COMPUTABLE, NOT_COMPUTABLE, None, None, method, points)


def cochran_armitage(num: np.ndarray, den: np.ndarray) -> tuple[float, float]:
    t = np.arange(len(num), dtype="float64")
    total = den.sum()
    p = num.sum() / total
    stat = float(np.sum(t * (num - den * p)))
    var = p * (1 - p) * (np.sum(den * t * t) - np.sum(den * t) ** 2 / total)
    if var <= 0:
        return 0.0, 1.0
    chi2 = stat * stat / var
    slope = float(np.polyfit(t, num / den, 1)[0])
    return slope, float(_st.chi2.sf(chi2, 1))


def poisson_regression(count: np.ndarray, exposure: np.ndarray) -> tuple[float, float]:
    t = np.arange(len(count), dtype="float64")
    x = np.column_stack([np.ones_like(t), t])
    offset = np.log(exposure)
    beta = np.array([math.log(max(count.sum(), 0.5) / exposure.sum()), 0.0])
    for _ in range(50):
        mu = np.exp(offset + x @ beta)
        w = mu
        z = x @ beta + (count - mu) / mu
        xtw = x.T * w
        new = np.linalg.solve(xtw @ x, xtw @ z)
        if np.max(np.abs(new - beta)) < 1e-10:
            beta = new
            break
        beta = new
    mu = np.exp(offset + x @ beta)
    cov = np.linalg.inv((x.T * mu) @ x)
    se = math.sqrt(cov[1, 1])
    if se == 0:
        return float(beta[1]), 1.0
    zstat = beta[1] / se
    return float(beta[1]), float(2 * _st.norm.sf(abs(zstat)))


def ols(values: np.ndarray) -> tuple[float, float]:
    t = np.arange(len(values), dtype="float64")
    res = _st.linregress(t, values)
    p = float(res.pvalue) if np.isfinite(res.pvalue) else 1.0
    return float(res.slope), p


def trend(
    values,
    numerators=None,
    denominators=None,
    kind: str = "other",
    polarity: str = "neutral",
) -> Trend:
    """`values` oldest first; the last POINTS entries are used. kind: proportion | rate | count | other."""
    method = {"proportion": "chi2_trend", "rate": "poisson", "count": "poisson"}.get(kind, "ols")
    vals = list(values)[-POINTS:]
    if len(vals) < POINTS or any(v is None or not math.isfinite(v) for v in vals):
        return _not_computable(method, len(vals))
    if method in {"chi2_trend", "poisson"}:
        if numerators is None:
            return _not_computable(method, len(vals))
        num = np.asarray(list(numerators)[-POINTS:], dtype="float64")
        den = (
            np.ones_like(num)
            if denominators is None
            else np.asarray(list(denominators)[-POINTS:], dtype="float64")
        )
        if np.any(~np.isfinite(num)) or np.any(~np.isfinite(den)) or np.any(den <= 0) or np.any(num < 0):
            return _not_computable(method, POINTS)
        if method == "chi2_trend":
            if np.any(num > den):
                return _not_computable(method, POINTS)
            slope, p = cochran_armitage(num, den)
        elif num.sum() == 0:
            return Trend(NO_CHANGE, NO_CHANGE, 1.0, 0.0, method, POINTS)
        else:
            slope, p = poisson_regression(num, den)
    else:
        slope, p = ols(np.asarray(vals, dtype="float64"))
    if p >= ALPHA or slope == 0:
        return Trend(NO_CHANGE, NO_CHANGE, p, slope, method, POINTS)
    direction = INCREASING if slope > 0 else DECREASING
    if polarity == HIGHER_IS_BETTER:
        label = IMPROVING if slope > 0 else WORSENING
    elif polarity == LOWER_IS_BETTER:
        label = WORSENING if slope > 0 else IMPROVING
    else:
        label = direction
    return Trend(direction, label, p, slope, method, POINTS)
