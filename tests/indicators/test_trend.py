import math

import pytest

from osservatorio.indicators.trend import (
    DECREASING,
    IMPROVING,
    INCREASING,
    NO_CHANGE,
    NOT_COMPUTABLE,
    WORSENING,
    trend,
)


def test_rising_proportion_is_detected_and_labelled_by_polarity():
    num = [100, 120, 140, 160, 180]
    den = [1000] * 5
    t = trend([n / d for n, d in zip(num, den)], num, den, kind="proportion", polarity="lower_is_better")
    assert t.direction == INCREASING and t.label == WORSENING
    assert t.p_value < 1e-6 and t.method == "chi2_trend"


def test_flat_noisy_proportion_is_not_a_trend():
    num = [101, 98, 103, 97, 100]
    den = [1000] * 5
    t = trend([n / d for n, d in zip(num, den)], num, den, kind="proportion")
    assert t.direction == NO_CHANGE and t.p_value > 0.05


def test_poisson_regression_recovers_exponential_growth():
    den = [50_000, 51_000, 52_000, 53_000, 54_000]
    num = [d * 0.01 * 1.1**i for i, d in enumerate(den)]
    t = trend([n / d for n, d in zip(num, den)], num, den, kind="rate", polarity="higher_is_better")
    assert t.slope == pytest.approx(math.log(1.1), rel=1e-6)
    assert t.label == IMPROVING


def test_ols_for_amounts():
    t = trend([30000, 29000, 28100, 27000, 26050], kind="other", polarity="higher_is_better")
    assert t.direction == DECREASING and t.label == WORSENING and t.method == "ols"


def test_too_few_or_missing_points_are_not_computable():
    assert trend([1, 2, 3, 4]).direction == NOT_COMPUTABLE
    assert trend([1, 2, None, 4, 5]).direction == NOT_COMPUTABLE
    assert trend([0.1] * 5, [1] * 5, [10, 10, 0, 10, 10], kind="proportion").direction == NOT_COMPUTABLE


def test_uses_only_last_five_points():
    values = [100, 1, 2, 3, 4, 5]
    assert trend(values).direction == INCREASING
