"""Snapshots and years of a few months in the atlas, on values computed by the real engine.

INPS publishes RdC/PdC recipients by province for April–August 2019, December 2021 and June 2023 only. The
atlas shows every one of them, named by its period, as points not joined by a line, with a note and no
trend; RdC applications (2019 from April, 2023 to June) are cut next to those two years. Yearly series
(MEF income, demography) are drawn exactly as before.
"""

import csv as csvlib
import io
import json
import re

import pytest
import vl_convert as vlc
from django.urls import reverse
from django.utils import translation

from osservatorio.atlas import charts, selectors
from osservatorio.indicators.models import DataPoint

pytestmark = pytest.mark.django_db

SNAPSHOTS = ["apr–ago 2019", "dic 2021", "giu 2023"]


@pytest.fixture(autouse=True)
def italian():
    """Labels are read in Italian (month names are translated; an earlier test may have left English on)."""
    with translation.override("it"):
        yield


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _segments(spec: dict) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for v in spec["data"]["values"]:
        out.setdefault(v["series"], set()).add(v["segment"])
    return out


def test_the_rdc_series_of_a_province_has_its_three_snapshots(released):
    ind = selectors.get_indicator("rdc-nuclei-per-1000")
    ser = selectors.series(ind, ["019", "03", "IT"])
    for code in ("019", "03", "IT"):
        assert [selectors.period_label(r) for r in ser[code]] == SNAPSHOTS, code
        assert [r["granularity"] for r in ser[code]] == ["data", "mese", "mese"]
    released_rows = DataPoint.objects.filter(release=released, indicator__code=ind.code, area_code="019")
    assert len(ser["019"]) == released_rows.filter(breakdown_key="").count()
    assert selectors.snapshot_labels(ser) == SNAPSHOTS
    rows, breaks = selectors.chart_rows(ser, {"019": "Cremona", "03": "Lombardia", "IT": "Italia"})
    assert breaks == [2021, 2023]
    assert [r["period"] for r in rows if r["series"] == "Cremona"] == SNAPSHOTS
    assert [r["date"] for r in rows if r["series"] == "Cremona"] == ["2019-06-16", "2021-12-16", "2023-06-15"]
    spec = charts.time_series(rows, breaks=breaks, unit="per 1.000 residenti")
    # No two snapshots on one segment: the line joins none of them.
    assert all(len(s) == 3 for s in _segments(spec).values())
    svg = vlc.vegalite_to_svg(json.loads(json.dumps(spec)), vl_version="6.4")
    assert "Periodo di riferimento" in svg and "interruzione di serie" in svg


def test_indicator_page_table_note_and_csv_show_every_snapshot(client, released):
    url = reverse("atlas:indicator", args=["rdc-nuclei-per-1000"])
    html = client.get(url, {"area": "019"}).content.decode()
    assert 'id="series-snapshots"' in html
    body = _text(html)
    assert "(apr–ago 2019, dic 2021, giu 2023)" in body
    for label in SNAPSHOTS:
        assert f"<td>{label}</td>" in html, label
    spec = json.loads(re.search(r'id="chart-series-spec"[^>]*>(.*?)</script>', html, re.S).group(1))
    assert {v.get("period") for v in spec["data"]["values"]} == set(SNAPSHOTS)
    csv = client.get(
        reverse("atlas:indicator_series_data", args=["rdc-nuclei-per-1000", "csv"]), {"area": "019"}
    )
    rows = [
        r
        for r in csvlib.DictReader(io.StringIO(csv.content.decode("utf-8-sig")))
        if r["codice_area"] == "019"
    ]
    assert [r["inizio_periodo"][:7] for r in rows] == ["2019-04", "2021-12", "2023-06"]


def test_profile_shows_the_latest_snapshot_and_no_trend(client, released):
    prof = selectors.profile(selectors.territory.get_area("019"))
    row = next(r for r in prof["rows"] if r["code"] == "rdc-nuclei-per-1000")
    assert row["period"] == "giu 2023" and len(row["series"]) == 3
    assert row["trend"].label == selectors.NOT_COMPARABLE and row["trend"].p_value is None
    html = client.get(reverse("atlas:area", args=["019"])).content.decode()
    assert selectors.NOT_COMPARABLE in html


def test_years_of_a_few_months_are_named_and_cut(client, released):
    ind = selectors.get_indicator("rdc-domande-per-1000")
    ser = selectors.series(ind, ["019"])
    labels = [selectors.period_label(r) for r in ser["019"]]
    assert labels == ["apr–dic 2019", "2020", "2021", "2022", "gen–giu 2023"]
    rows, breaks = selectors.chart_rows(ser, {"019": "Cremona"})
    assert breaks == [2020, 2023] and all("period" not in r for r in rows)
    assert selectors.trend_of(ind, ser["019"]).label == "non calcolabile"
    html = client.get(reverse("atlas:indicator", args=[ind.code]), {"area": "019"}).content.decode()
    assert "Interruzione di serie dal 2020, 2023" in _text(html)


def test_yearly_series_are_drawn_exactly_as_before(client, released):
    for code, area in (("contribuenti-fino-10mila", "019036"), ("indice-vecchiaia", "019036")):
        ind = selectors.get_indicator(code)
        ser = selectors.series(ind, [area, "019"])
        assert not selectors.is_snapshots(ser[area]) and selectors.snapshot_labels(ser) == []
        rows, breaks = selectors.chart_rows(ser, {area: "Comune", "019": "Provincia"})
        # The rows the pages built before snapshots existed: one per year, drawn on 1 July.
        before = [
            {
                "series": name,
                "year": selectors.period_year(r),
                "value": r["value"],
                "low": r["ci95_low"],
                "high": r["ci95_high"],
            }
            for c, name in ((area, "Comune"), ("019", "Provincia"))
            for r in ser[c]
        ]
        assert rows == before and breaks == []
        assert charts.time_series(rows) == charts.time_series(before)
        assert all(v["date"] == f"{v['year']}-07-01" for v in charts.time_series(rows)["data"]["values"])
    mef = selectors.series(selectors.get_indicator("contribuenti-fino-10mila"), ["019036"])["019036"]
    assert {r["granularity"] for r in mef} == {"anno"} and len(mef) == 24
    assert [selectors.period_label(r) for r in mef][:2] == ["2000", "2001"]
    html = client.get(reverse("atlas:indicator", args=["contribuenti-fino-10mila"]), {"area": "019036"})
    assert 'id="series-snapshots"' not in html.content.decode()


def test_compare_names_snapshots_and_years_of_a_few_months_by_their_period(client, released):
    url = reverse("atlas:compare")
    html = client.get(url, {"aree": ["019", "03"], "indicatori": "rdc-nuclei-per-1000"}).content.decode()
    heads = re.findall(r'<th scope="row">([^<]*)</th>', html)
    assert heads == SNAPSHOTS and '<th scope="col">Periodo</th>' in html
    html = client.get(url, {"aree": ["019", "03"], "indicatori": "rdc-domande-per-1000"}).content.decode()
    heads = re.findall(r'<th scope="row">([^<]*)</th>', html)
    assert heads == ["apr–dic 2019", "2020", "2021", "2022", "gen–giu 2023"]
    html = client.get(url, {"aree": ["019036"], "indicatori": "contribuenti-fino-10mila"}).content.decode()
    heads = re.findall(r'<th scope="row">([^<]*)</th>', html)
    assert heads == [str(y) for y in range(2000, 2024)]


def test_map_and_ranking_default_to_areas_that_have_values(client, released, settings):
    settings.OSSERVATORIO = {**settings.OSSERVATORIO, "HOME_AMBITO": "AMB-CREMONESE"}
    url = reverse("atlas:indicator", args=["rdc-nuclei-per-1000"])
    r = client.get(url, {"area": "019"})
    # Published by province only: not the comuni of the home ambito (all empty) but Lombardia's provinces.
    assert (r.context["container"].code, r.context["level"]) == ("03", "provincia")
    assert r.context["data"]["period"]["label"] == "giu 2023"
    assert len([x for x in r.context["data"]["rows"] if x["row"]]) == 12
    assert 'id="chart-rank-spec"' in r.content.decode()
    # Asked for the comuni of the ambito: the table says there is nothing, and no empty chart is drawn.
    r = client.get(url, {"area": "019", "entro": "AMB-CREMONESE"})
    assert r.context["container"].code == "AMB-CREMONESE" and not r.context["bars_any"]
    assert 'id="chart-rank-spec"' not in r.content.decode()
    r = client.get(reverse("atlas:indicator", args=["contribuenti-fino-10mila"]), {"area": "019036"})
    assert (r.context["container"].code, r.context["level"]) == ("AMB-CREMONESE", "comune")
