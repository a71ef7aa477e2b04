import numpy as np
import pytest
from scipy import stats as st

from osservatorio.indicators import stats


def test_wilson_matches_published_example():
    # Newcombe (1998), table I: 81/263 → 0.2553 to 0.3662 (Wilson score, 95%).
    low, high = stats.wilson(81, 263)
    assert low == pytest.approx(0.2553, abs=5e-5)
    assert high == pytest.approx(0.3662, abs=5e-5)


def test_wilson_extremes_and_invalid_inputs():
    low, high = stats.wilson([0, 5, 3, 2], [5, 5, 0, 1])
    assert low[0] == 0 and 0 < high[0] < 1
    assert high[1] == 1 and 0 < low[1] < 1
    # Denominator zero and numerator above denominator: no interval, never a number.
    assert np.isnan(low[2]) and np.isnan(high[2])
    assert np.isnan(low[3]) and np.isnan(high[3])


def test_wider_level_gives_wider_interval():
    l95, h95 = stats.wilson(30, 120, 0.95)
    l998, h998 = stats.wilson(30, 120, 0.998)
    assert l998 < l95 < 0.25 < h95 < h998


def test_byar_matches_hand_computation_and_exact_limits():
    low, high = stats.byar(20)
    assert low == pytest.approx(12.2114, abs=1e-3)  # 20·(1 − 1/180 − 1.96/(3√20))³
    assert high == pytest.approx(30.889, abs=1e-3)
    counts = np.array([10, 50, 400, 10_000])
    bl, bh = stats.byar(counts)
    el = st.chi2.ppf(0.025, 2 * counts) / 2
    eh = st.chi2.ppf(0.975, 2 * counts + 2) / 2
    assert np.allclose(bl, el, rtol=2e-3) and np.allclose(bh, eh, rtol=2e-3)


def test_small_counts_use_exact_poisson():
    low, high = stats.poisson_count([0, 1, 9])
    assert low[0] == 0 and high[0] == pytest.approx(3.689, abs=1e-3)
    assert low[1] == pytest.approx(0.0253, abs=1e-4) and high[1] == pytest.approx(5.572, abs=1e-3)


def test_rate_interval_scales_and_flags_zero_denominator():
    low, high = stats.poisson_rate([40, 40], [10_000, 0], multiplier=1000)
    cl, ch = stats.poisson_count(40)
    assert low[0] == pytest.approx(cl / 10) and high[0] == pytest.approx(ch / 10)
    assert np.isnan(low[1]) and np.isnan(high[1])


def test_dispatch_rejects_unknown_method():
    with pytest.raises(ValueError, match="metodo di intervallo sconosciuto"):
        stats.interval("bootstrap", 1, 2)
    low, high = stats.interval("none", [1, 2], [3, 4])
    assert np.isnan(low).all() and np.isnan(high).all()
