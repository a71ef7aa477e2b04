"""Choropleth classes."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from osservatorio.atlas import classes
from osservatorio.indicators.comparison import Estimate


def test_quantiles_put_the_same_number_of_areas_in_each_class():
    values = {f"{i:03d}": float(i) for i in range(100)}
    c = classes.quantiles(values, k=5)
    assert [k.count for k in c.classes] == [20, 20, 20, 20, 20]
    assert c.class_of("000").key == "c1" and c.class_of("099").key == "c5"
    assert c.classes[0].label.startswith("0,0 – ")


def test_equal_intervals_have_the_same_width_and_missing_values_get_no_class():
    values = {"a": 0.0, "b": 10.0, "c": 2.5, "d": None, "e": float("nan")}
    c = classes.equal_intervals(values, k=4)
    widths = {round(k.upper - k.lower, 9) for k in c.classes}
    assert widths == {2.5}
    assert c.assignment["d"] is None and c.assignment["e"] is None
    assert c.class_of("c").key == "c2"
    assert c.class_of("b").key == "c4"


def test_comparison_classes_follow_polarity_and_intervals():
    parent = Estimate(10.0, 9.5, 10.5)
    estimates = {
        "low": Estimate(5.0, 4.0, 6.0),
        "same": Estimate(10.2, 9.0, 11.0),
        "high": Estimate(20.0, 18.0, 22.0),
        "none": Estimate(None),
    }
    c = classes.comparison(estimates, parent, "lower_is_better", "Lombardia")
    assert c.class_of("low").key == "migliore"
    assert c.class_of("high").key == "peggiore"
    assert c.class_of("same").key == "simile"
    assert c.class_of("none").key == "non confrontabile"
    assert c.class_of("low").label == "Migliore di Lombardia"
    neutral = classes.comparison(estimates, parent, "neutral")
    assert neutral.class_of("high").key == "più alto"


def test_unknown_method_is_refused_with_a_message():
    with pytest.raises(ValueError, match="quantili"):
        classes.classify("jenks", {"a": 1.0})


# No deadline: the suite runs on busy CI machines, and the property does not depend on speed.
@settings(deadline=None)
@given(
    st.dictionaries(st.text(min_size=1, max_size=4), st.floats(-1e6, 1e6), min_size=1, max_size=60),
    st.integers(2, 7),
    st.sampled_from(["quantili", "intervalli"]),
)
def test_every_value_falls_in_a_class_whose_bounds_contain_it(values, k, method):
    c = classes.classify(method, values, k=k)
    assert len(c.classes) <= k
    assert sum(x.count for x in c.classes) == len(values)
    for code, v in values.items():
        cl = c.class_of(code)
        assert cl.lower <= v <= cl.upper
