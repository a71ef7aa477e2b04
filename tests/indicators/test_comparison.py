import pytest

from osservatorio.indicators.comparison import (
    BETTER,
    HIGHER,
    NOT_COMPARABLE,
    SIMILAR,
    WORSE,
    Estimate,
    compare,
    ranks,
)


def test_overlapping_intervals_are_similar():
    assert compare(Estimate(0.2, 0.15, 0.25), Estimate(0.22, 0.21, 0.23), "lower_is_better") == SIMILAR


@pytest.mark.parametrize(
    ("polarity", "expected"),
    [("lower_is_better", WORSE), ("higher_is_better", BETTER), ("neutral", HIGHER)],
)
def test_higher_area_is_labelled_by_polarity(polarity, expected):
    assert compare(Estimate(0.30, 0.28, 0.32), Estimate(0.20, 0.19, 0.21), polarity) == expected


def test_benchmark_without_interval_uses_its_value():
    assert compare(Estimate(0.30, 0.25, 0.35), Estimate(0.31), "lower_is_better") == SIMILAR
    assert compare(Estimate(0.30, 0.28, 0.32), Estimate(0.35), "lower_is_better") == BETTER


def test_missing_or_suppressed_values_are_not_comparable():
    assert compare(Estimate(None), Estimate(0.2, 0.1, 0.3), "neutral") == NOT_COMPARABLE
    assert compare(Estimate(float("nan")), Estimate(0.2), "neutral") == NOT_COMPARABLE
    assert compare(Estimate(0.2, 0.1, 0.3, comparable=False), Estimate(0.2), "neutral") == NOT_COMPARABLE
    with pytest.raises(ValueError):
        compare(Estimate(0.1), Estimate(0.2), "up")


def test_ranks_and_quintiles_follow_polarity_and_share_ties():
    values = {f"c{i}": float(i) for i in range(10)} | {"missing": None}
    best_low = ranks(values, "lower_is_better")
    assert best_low["c0"] == {"rank": 1, "of": 10, "quintile": 1}
    assert best_low["c9"]["quintile"] == 5
    assert "missing" not in best_low
    best_high = ranks({"a": 3.0, "b": 3.0, "c": 1.0}, "higher_is_better")
    assert best_high["a"]["rank"] == best_high["b"]["rank"] == 1
    assert best_high["c"]["rank"] == 3
