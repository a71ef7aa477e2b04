import numpy as np
import pytest

from osservatorio.indicators.composite import Component, compute, methodological_note, sensitivity

AREAS = ["A", "B", "C", "D", "E"]
# Columns: poverty share (+), income per taxpayer (−), old-age index (+)
VALUES = np.array(
    [
        [0.30, 18000, 250],
        [0.20, 22000, 180],
        [0.10, 30000, 150],
        [0.25, 20000, 300],
        [0.15, np.nan, 200],
    ]
)
COMPONENTS = [
    Component("poveri", "Contribuenti sotto 10.000 €", +1, 2.0),
    Component("reddito", "Reddito per contribuente", -1, 1.0),
    Component("vecchiaia", "Indice di vecchiaia", +1, 1.0),
]


def test_minmax_by_hand():
    res = compute(AREAS, VALUES, COMPONENTS, "minmax")
    # Area A: poveri (0.30−0.10)/0.20 = 100; reddito reversed (30000−18000)/12000 = 100;
    # vecchiaia (250−150)/150 = 66.67 → weighted (2·100 + 100 + 66.67)/4
    assert res.scores[0] == pytest.approx((200 + 100 + 100 * 100 / 150) / 4)
    assert res.excluded == ["E"] and np.isnan(res.scores[4]) and res.ranks[4] == 0
    assert res.ranks[0] == 1 and res.ranks[2] == 4


def test_ampi_reference_area_scores_100_and_penalises_unbalance():
    values = np.array([[1.0, 1.0], [3.0, 3.0], [2.0, 2.0], [1.0, 3.0], [3.0, 1.0]])  # means 2, 2
    comps = [Component("a", "a", +1), Component("b", "b", +1)]
    res = compute(["lo", "hi", "mid", "mixed", "mixed2"], values, comps, "ampi", negative_phenomenon=True)
    assert res.scores[2] == pytest.approx(100.0)
    # Same mean as "mid", but unbalanced: AMPI+ puts it above, AMPI− below.
    assert res.scores[3] > res.scores[2]
    pos = compute(["lo", "hi", "mid", "mixed", "mixed2"], values, comps, "ampi", negative_phenomenon=False)
    assert pos.scores[3] < pos.scores[2]
    assert res.normalised[0, 0] == pytest.approx(70) and res.normalised[1, 0] == pytest.approx(130)


def test_zscore_is_centred():
    res = compute(AREAS[:4], VALUES[:4], COMPONENTS, "zscore")
    assert np.mean(res.normalised, axis=0) == pytest.approx([0, 0, 0])


def test_sensitivity_and_note():
    sens = sensitivity(AREAS, VALUES, COMPONENTS, "ampi")
    names = [s["scenario"] for s in sens["scenarios"]]
    assert "pesi uguali" in names and any(n.startswith("senza") for n in names)
    assert set(sens["areas"]) == {"A", "B", "C", "D"}
    for v in sens["areas"].values():
        assert v["min"] <= v["base"] <= v["max"]
    res = compute(AREAS, VALUES, COMPONENTS, "ampi")
    note = methodological_note("Fragilità", 2023, AREAS, {"E": "Comune E"}, COMPONENTS, res, sens, True)
    assert "Mazziotta–Pareto" in note and "AMPI+" in note and "Comune E" in note
    assert "50,0%" in note  # the weight 2 of 4 shown Italian-style


def test_bad_inputs_are_refused_in_italian():
    with pytest.raises(ValueError, match="almeno due indicatori"):
        compute(AREAS, VALUES[:, :1], COMPONENTS[:1])
    with pytest.raises(ValueError, match="pesi"):
        compute(AREAS, VALUES, [Component(c.code, c.title, c.direction, 0) for c in COMPONENTS])
    with pytest.raises(ValueError, match="normalizzazione sconosciuta"):
        compute(AREAS, VALUES, COMPONENTS, "rank")
