"""The Vega-Lite builders produce specifications that Vega-Lite compiles and renders (through vl-convert)."""

import json

import pytest
import vl_convert as vlc

from osservatorio.atlas import charts


def svg(spec: dict) -> str:
    return vlc.vegalite_to_svg(json.loads(json.dumps(spec)), vl_version="6.4")


def test_time_series_cuts_the_line_at_a_break_and_marks_events():
    rows = [
        {"series": "Cremona", "year": y, "value": 10 + y % 3, "low": 9, "high": 12} for y in range(2016, 2024)
    ]
    rows.append({"series": "Cremona", "year": 2024, "value": None})
    spec = charts.time_series(rows, breaks=[2020], events=[{"date": "2020-03-10", "label": "Lockdown"}])
    segments = {v["segment"] for v in spec["data"]["values"]}
    assert segments == {"Cremona#0", "Cremona#1"}
    missing = [v for v in spec["data"]["values"] if v["year"] == 2024]
    assert missing[0]["value"] is None
    out = svg(spec)
    # The event is tagged by its number (its text is in the tooltip and in the list under the chart).
    assert "<svg" in out and ">1</text>" in out and "interruzione di serie" in out
    event = [m for layer in spec["layer"] if "data" in layer for m in layer["data"]["values"]]
    assert {"tag": "1", "label": "1. Lockdown"}.items() <= event[-1].items()


def test_events_close_in_time_share_one_tag_and_tags_that_touch_change_row():
    rows = [{"series": "Cremona", "year": y, "value": 10.0} for y in range(2000, 2024)]
    dates = ["2020-02-23", "2020-03-08", "2020-03-10", "2020-03-29", "2020-05-19", "2020-11-23", "2021-01-22"]
    dates += ["2022-09-01", "2024-01-01"]
    events = [{"date": d, "label": f"evento {d}"} for d in dates]
    marks = charts.event_marks(events, [f"{r['year']}-07-01" for r in rows])
    # Every event keeps its own rule and numbered tooltip text.
    assert [m["label"].split(".")[0] for m in marks] == [str(n) for n in range(1, 10)]
    # 24 years of axis: events less than about seven months after the first of a group join its tag.
    assert [m["tag"] for m in marks if m["tag"]] == ["1–5", "6, 7", "8", "9"]
    tagged = [m for m in marks if m["tag"]]
    assert all(m["row_px"] > 0 for m in tagged)  # row 0 is for the "interruzione di serie" labels
    assert tagged[0]["row_px"] != tagged[1]["row_px"]  # "6, 7" starts before "1–5" has ended
    out = svg(charts.time_series(rows, events=events))
    assert all(f">{t}</text>" in out for t in ("1–5", "6, 7", "8", "9"))


def test_monthly_rows_are_drawn_month_by_month_and_joined():
    rows = [
        {"series": "Cremona", "year": 2020, "value": float(m), "date": f"2020-{m:02d}-15",
         "period": f"mese {m}", "monthly": True}
        for m in range(1, 13)
    ]  # fmt: skip
    spec = charts.time_series(rows)
    values = spec["data"]["values"]
    assert len({v["date"] for v in values}) == 12 and len({v["segment"] for v in values}) == 1
    assert spec["layer"][0]["mark"]["type"] == "area"  # the interval is a band, not one rule per point
    assert not any(layer["mark"]["type"] == "rule" for layer in spec["layer"])
    assert {"field": "period", "title": "Mese"} in spec["layer"][1]["encoding"]["tooltip"]
    assert "<svg" in svg(spec)


def test_time_series_draws_one_legend_for_several_series():
    rows = [
        {"series": name, "year": y, "value": base + y % 3, "low": base - 1, "high": base + 2}
        for name, base in (("Cremona", 10), ("Lombardia", 12))
        for y in range(2015, 2024)
    ]
    spec = charts.time_series(
        rows, unit="%", breaks=[2019], events=[{"date": "2020-03-10", "label": "Lockdown"}]
    )
    spec["width"] = 500
    out = svg(spec)
    # One legend (colour and shape merged), naming each series once.
    assert out.count('class="mark-group role-legend"') == 1
    assert out.count(">Cremona</text>") == 1 and out.count(">Lombardia</text>") == 1


def test_ranked_bars_orders_by_value_missing_last_and_marks_the_highlight_with_text():
    rows = [
        {"code": "A", "name": "Alfa", "value": 3.0, "low": 2.0, "high": 4.0},
        {"code": "B", "name": "Beta", "value": None},
        {"code": "C", "name": "Gamma", "value": 7.5},
    ]
    spec = charts.ranked_bars(rows, highlight=["A"], benchmark={"name": "Lombardia", "value": 5})
    names = [v["label"] for v in spec["data"]["values"]]
    assert names == ["Gamma", "▶ Alfa", "Beta"]
    out = svg(spec)
    assert "▶ Alfa" in out and "n.d." in out


def test_ranked_bars_draws_no_empty_layer_when_no_interval_or_missing_value():
    complete = charts.ranked_bars(
        [{"code": "A", "name": "Alfa", "value": 3.0}, {"code": "B", "name": "Beta", "value": 1.0}]
    )
    marks = [layer["mark"]["type"] for layer in complete["layer"]]
    assert marks == ["bar"]
    mixed = charts.ranked_bars(
        [{"code": "A", "value": 3.0, "low": 2.0, "high": 4.0}, {"code": "B", "value": None}]
    )
    assert [layer["mark"]["type"] for layer in mixed["layer"]] == ["bar", "rule", "text"]


def test_spine_rows_puts_best_on_the_right_whatever_the_polarity():
    low_good = charts.spine_rows("x", 1.0, [1.0, 5.0, 9.0], "lower_is_better")
    high_good = charts.spine_rows("x", 1.0, [1.0, 5.0, 9.0], "higher_is_better")
    assert low_good["area"] == 1.0
    assert high_good["area"] == 0.0
    centred = charts.spine_rows("x", 5.0, [1.0, 2.0, 9.0], "higher_is_better", benchmark_value=2.0)
    assert centred["benchmark"] == 0.5 and 0.5 < centred["area"] < 1.0
    empty = charts.spine_rows("x", None, [1.0], "neutral")
    assert empty["area"] is None
    spec = charts.spine([low_good, empty, centred], area_name="Cremona", benchmark_name="Lombardia")
    assert "non disponibile" in svg(spec)


def test_population_pyramid_puts_males_left_and_can_use_shares():
    rows = [
        {"age_band": "0-14", "sex": "M", "population": 100},
        {"age_band": "0-14", "sex": "F", "population": 90},
        {"age_band": "65+", "sex": "M", "population": 60},
        {"age_band": "65+", "sex": "F", "population": 150},
    ]
    spec = charts.population_pyramid(rows, as_share=True)
    males = [v for v in spec["data"]["values"] if v["sex"] == "Maschi"]
    assert all(v["signed"] < 0 for v in males)
    assert sum(v["amount"] for v in spec["data"]["values"]) == pytest.approx(1.0)
    assert "<svg" in svg(spec)


def test_covid_baseline_marks_years_outside_the_expected_band():
    observed = [
        {"year": y, "value": v} for y, v in [(2017, 10), (2018, 11), (2019, 12), (2020, 20), (2021, 13)]
    ]
    expected = [
        {"year": 2020, "expected": 13, "low": 12, "high": 14, "significant": True},
        {"year": 2021, "expected": 14, "low": 12.5, "high": 15.5, "significant": False},
    ]
    spec = charts.covid_baseline(observed, expected, events=[{"date": "2020-03-10", "label": "Lockdown"}])
    status = {v["year"]: v["status"] for v in spec["layer"][3]["data"]["values"]}
    assert status == {
        2017: "prima della pandemia",
        2018: "prima della pandemia",
        2019: "prima della pandemia",
        2020: "diverso dall'atteso",
        2021: "nell'atteso",
    }
    assert "<svg" in svg(spec)


def test_snapshot_series_tells_a_few_reference_periods_from_a_series():
    from datetime import date

    rdc = [
        (date(2019, 4, 1), date(2019, 8, 31), "data"),
        (date(2021, 12, 1), date(2021, 12, 31), "mese"),
        (date(2023, 6, 1), date(2023, 6, 30), "mese"),
    ]
    assert charts.snapshot_series(rdc)
    assert charts.snapshot_series(rdc[1:])  # two months of different years
    assert not charts.snapshot_series(rdc[:1])
    yearly = [(date(y, 1, 1), date(y, 12, 31), "anno") for y in range(2015, 2024)]
    assert not charts.snapshot_series(yearly) and not charts.snapshot_series(yearly + rdc)
    stocks = [(date(y, 1, 1), date(y, 1, 1), "data") for y in range(2020, 2024)]
    assert not charts.snapshot_series(stocks)
    months = [(date(2020, m, 1), date(2020, m, 28), "mese") for m in range(1, 13)]
    assert not charts.snapshot_series(months)
    assert charts.partial_year_breaks(yearly) == []
    partial = [
        (date(2019, 4, 1), date(2019, 12, 31), "anno"),
        *yearly[5:8],
        (date(2023, 1, 1), date(2023, 6, 30), "anno"),
    ]
    assert charts.partial_year_breaks(partial) == [2020, 2023]


def test_time_series_of_snapshots_names_periods_and_draws_intervals_as_rules():
    rows = [
        {"series": "Cremona", "year": y, "date": d, "period": p, "value": v, "low": v - 0.3, "high": v + 0.3}
        for y, d, p, v in ((2019, "2019-06-16", "apr–ago 2019", 7.7), (2021, "2021-12-16", "dic 2021", 9.7))
    ]
    spec = charts.time_series(rows, breaks=[2021])
    assert [v["date"] for v in spec["data"]["values"]] == ["2019-06-16", "2021-12-16"]
    assert {v["segment"] for v in spec["data"]["values"]} == {"Cremona#0", "Cremona#1"}
    rules = [la for la in spec["layer"] if la["mark"]["type"] == "rule" and "y2" in la["encoding"]]
    assert len(rules) == 1
    out = svg(spec)
    assert "Periodo di riferimento" in out
    yearly = charts.time_series([{k: r[k] for k in ("series", "year", "value", "low", "high")} for r in rows])
    assert not [la for la in yearly["layer"] if la["mark"]["type"] == "rule" and "y2" in la["encoding"]]
    assert yearly["layer"][1]["encoding"]["x"]["title"] == "Anno"
