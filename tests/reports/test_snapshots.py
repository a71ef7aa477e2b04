"""Series published only for a few reference periods, and years of only a few months, in a report.

INPS publishes RdC/PdC recipients for April–August 2019, December 2021 and June 2023 only: a report shows
all three, named by their period, not joined by a line and without a trend; the applications, yearly but
with 2019 from April and 2023 to June, are cut next to those two years. Yearly series stay as they were.
"""

from __future__ import annotations

from datetime import date

import pytest

from osservatorio.atlas import charts as atlas_charts
from osservatorio.indicators import trend as trend_core
from osservatorio.reports import sections
from osservatorio.reports.selectors import ReleasedData

pytestmark = pytest.mark.django_db


def _builder() -> sections.Builder:
    data = ReleasedData()
    return sections.Builder(data, data.area("019036"))


def _segments(spec: dict) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for v in spec["data"]["values"]:
        out.setdefault(v["series"], set()).add(v["segment"])
    return out


def test_every_rdc_snapshot_of_the_province_with_its_period_and_no_line_between(released):
    b = _builder()
    ind = b.indicator("rdc-nuclei-per-1000")
    province = b.resolve_area("$provincia")
    pts = b.yearly(ind, province)
    assert [(p.start, p.granularity) for p in pts] == [
        (date(2019, 4, 1), "data"),
        (date(2021, 12, 1), "mese"),
        (date(2023, 6, 1), "mese"),
    ]
    areas = b.resolve_areas(["$provincia", "$regione", "$italia"])
    fig = b.trend_figure(ind, areas, None)
    assert [r[0].text for r in fig.table.rows] == ["apr–ago 2019", "dic 2021", "giu 2023"]
    assert fig.table.columns[0] == "Periodo"
    assert "apr–ago 2019, dic 2021, giu 2023" in fig.table.notes[0]
    # Each snapshot is its own segment of the line: three points, never joined.
    assert all(len(s) == 3 for s in _segments(fig.spec).values())
    periods = {v["period"] for v in fig.spec["data"]["values"]}
    assert periods == {"apr–ago 2019", "dic 2021", "giu 2023"}
    assert "2019-06-16" in {v["date"] for v in fig.spec["data"]["values"]}  # middle of April–August
    assert "Grafico a punti" in fig.alt and "(apr–ago 2019)" in fig.alt
    # The values are the released ones, period by period.
    assert [r[1].text for r in fig.table.rows] == [b.cell(ind, p).text for p in pts]


def test_no_trend_on_snapshots_and_the_latest_is_june_2023(released):
    b = _builder()
    ind = b.indicator("rdc-nuclei-per-1000")
    province = b.resolve_area("$provincia")
    tr = b.trend(ind, province)
    assert tr.label == atlas_charts.SNAPSHOT_TREND and tr.p_value is None
    latest = b.point(ind, province, None)
    assert (latest.start, latest.end) == (date(2023, 6, 1), date(2023, 6, 30))
    cfg = {"indicators": ["rdc-nuclei-per-1000"], "compare": ["$regione"]}
    sec = sections.RenderedSection(1, "fatti", "Fatti", 1, "key_facts")
    sections.build_key_facts(b, cfg, sec)
    fact = sec.blocks[0].facts[0]
    assert "giugno 2023" in fact and "Andamento" not in fact
    cfg = {"indicators": ["rdc-nuclei-per-1000"], "benchmarks": ["$regione"]}
    b.area = province
    sec = sections.RenderedSection(2, "confronto", "Confronto", 1, "comparison_table")
    sections.build_comparison_table(b, cfg, sec)
    row = sec.blocks[0].table.rows[0]
    assert row[1].text == "giu 2023" and row[-1].text == atlas_charts.SNAPSHOT_TREND


def test_years_of_a_few_months_are_named_and_cut_from_whole_years(released):
    b = _builder()
    ind = b.indicator("rdc-domande-per-1000")
    areas = b.resolve_areas(["$provincia", "$regione"])
    fig = b.trend_figure(ind, areas, None)
    labels = [r[0].text for r in fig.table.rows]
    assert labels == ["apr–dic 2019", "2020", "2021", "2022", "gen–giu 2023"]
    # 2019 alone, 2020–2022 joined, 2023 alone.
    assert all(len(s) == 3 for s in _segments(fig.spec).values())
    by_year = {v["year"]: v["segment"] for v in fig.spec["data"]["values"] if v["series"] == areas[0].short}
    assert by_year[2020] == by_year[2022] != by_year[2019] and by_year[2023] != by_year[2022]
    assert "apr–dic 2019, gen–giu 2023" in fig.table.notes[0]
    assert b.trend(ind, areas[0]).label == trend_core.NOT_COMPUTABLE


def test_a_yearly_series_is_drawn_as_before(released):
    b = _builder()
    ind = b.indicator("reddito-imponibile-per-contribuente")
    areas = b.resolve_areas(["$area", "$provincia"])
    fig = b.trend_figure(ind, areas, 2015)
    years = [p.year for p in b.yearly(ind, b.area) if p.year >= 2015]
    assert [r[0].text for r in fig.table.rows] == [str(y) for y in years]
    assert fig.table.columns[0] == "Anno" and fig.table.notes == b.table_notes(ind)
    values = fig.spec["data"]["values"]
    assert all("period" not in v and v["date"] == f"{v['year']}-07-01" for v in values)
    assert all(len(s) == 1 for s in _segments(fig.spec).values())
    assert fig.alt.startswith("Grafico a linee")
    assert b.trend(ind, b.area).label != atlas_charts.SNAPSHOT_TREND


def test_indicator_table_names_the_period_of_snapshots_and_of_years_of_a_few_months(released):
    b = _builder()
    cfg = {
        "indicators": ["rdc-nuclei-per-1000", "rdc-domande-per-1000", "reddito-imponibile-per-contribuente"],
        "areas": ["$area", "$provincia"],
    }
    sec = sections.RenderedSection(1, "tabella", "Tabella", 1, "indicator_table")
    sections.build_indicator_table(b, cfg, sec)
    rows = sec.blocks[0].table.rows
    # The comune has no RdC value (INPS publishes by province): the period is the province's.
    assert [r[2].text for r in rows] == ["giu 2023", "gen–giu 2023", "2023"]
    assert rows[0][3].text == "—" and rows[0][4].text != "—"
