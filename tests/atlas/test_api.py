"""The read-only JSON API, the downloads and the DCAT-AP_IT catalogue: same numbers as the pages."""

import csv
import io
import json
import zipfile

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from osservatorio.atlas import selectors

pytestmark = pytest.mark.django_db


def test_datapoints_api_filters_and_matches_the_page_numbers(client, released):
    r = client.get(reverse("api:datapoints"), {"indicatore": "indice-vecchiaia", "area": "019036"})
    assert r.status_code == 200
    data = r.json()
    assert data["count"] == 2
    ind = selectors.get_indicator("indice-vecchiaia")
    page_rows = selectors.series(ind, ["019036"])["019036"]
    assert [d["value"] for d in data["results"]] == [p["value"] for p in page_rows]
    within = client.get(
        reverse("api:datapoints"),
        {"indicatore": "indice-vecchiaia", "entro": "AMB-CREMONESE", "livello": "comune", "anno": "2023"},
    ).json()
    assert within["count"] == 47


def test_areas_and_indicators_endpoints(client, released):
    areas = client.get(reverse("api:areas"), {"q": "Cremona"}).json()
    assert areas["results"][0]["codice"] == "019036"
    detail = client.get(reverse("api:area", args=["019036"])).json()
    assert {a["codice"] for a in detail["contenuta_in"]} >= {"AMB-CREMONESE", "019", "03", "IT"}
    inds = client.get(reverse("api:indicators")).json()
    # Every released indicator (those of conftest.INDICATORS), and only those.
    assert {i["code"] for i in inds["results"]} == {
        "indice-vecchiaia",
        "contribuenti-fino-10mila",
        "rdc-nuclei-per-1000",
        "rdc-domande-per-1000",
    }
    one = client.get(reverse("api:indicator", args=["indice-vecchiaia"])).json()
    assert one["polarity"] == "lower_is_better" and "comune" in one["levels_available"]


def test_suppressed_values_never_leave(client, released):
    from osservatorio.indicators.models import DataPoint

    dp = DataPoint.objects.filter(area_code="019036", breakdown_key="").order_by("-period_start").first()
    dp.suppressed = True
    dp.save()
    from django.core.cache import cache

    cache.clear()
    rows = client.get(
        reverse("api:datapoints"), {"indicatore": dp.indicator.code, "area": "019036", "limit": "1000"}
    ).json()["results"]
    hidden = [r for r in rows if r["period_start"] == dp.period_start.isoformat()]
    assert hidden[0]["suppressed"] is True
    assert hidden[0]["value"] is None and hidden[0]["numerator"] is None and hidden[0]["ci95_low"] is None
    csv_body = client.get(
        reverse("atlas:indicator_series_data", args=[dp.indicator.code, "csv"]), {"area": "019036"}
    ).content.decode("utf-8-sig")
    line = next(
        r
        for r in csv.DictReader(io.StringIO(csv_body))
        if r["codice_area"] == "019036" and r["inizio_periodo"] == dp.period_start.isoformat()
    )
    assert line["valore"] == "" and line["riservato"] == "True"


BAD_FILTERS = (
    ({}, "indicatore"),
    ({"indicatore": "indice-vecchiaia", "limit": "100000"}, "limit"),
    ({"indicatore": "indice-vecchiaia", "limit": "-3"}, "limit"),
    ({"indicatore": "indice-vecchiaia", "offset": "x"}, "offset"),
    ({"indicatore": "indice-vecchiaia", "anno": "20233"}, "anno"),
    ({"indicatore": "indice-vecchiaia", "livello": "pianeta"}, "livello"),
    ({"indicatore": "indice-vecchiaia", "colore": "blu"}, "parametri"),
    ({"indicatore": "indice-vecchiaia", "dal": "2023", "al": "2020"}, "dal"),
)


def test_bad_api_filters_answer_400_in_json(client, released):
    wrong = []
    for params, field in BAD_FILTERS:
        r = client.get(reverse("api:datapoints"), params)
        if r.status_code != 400 or field not in r.json():
            wrong.append((params, r.status_code, r.content[:200]))
    assert wrong == []


def test_unknown_codes_answer_404_in_json(client, released):
    r = client.get(reverse("api:datapoints"), {"indicatore": "nessuno"})
    assert r.status_code == 404 and "Nessun indicatore" in r.json()["detail"]
    r = client.get(reverse("api:area", args=["999999"]))
    assert r.status_code == 404 and "999999" in r.json()["detail"]


def test_openapi_schema_and_docs(client, released):
    schema = client.get(reverse("api:schema"), HTTP_ACCEPT="application/json")
    assert schema.status_code == 200
    text = schema.content.decode()
    assert "/api/valori/" in text and "indicatore" in text
    docs = client.get(reverse("api:docs")).content.decode()
    assert "/api/valori/" in docs and docs.count("<h1") == 1


def test_downloads_in_three_formats_have_the_same_rows(client, released):
    url = reverse("atlas:indicator_data", args=["indice-vecchiaia", "csv"])
    params = {"entro": "AMB-CREMONESE", "livello": "comune"}
    rows = list(csv.DictReader(io.StringIO(client.get(url, params).content.decode("utf-8-sig"))))
    assert len(rows) == 47
    js = client.get(reverse("atlas:indicator_data", args=["indice-vecchiaia", "json"]), params).json()
    assert [r["value"] for r in js["data"]] == [float(r["valore"]) for r in rows]
    xlsx = client.get(reverse("atlas:indicator_data", args=["indice-vecchiaia", "xlsx"]), params)
    ws = load_workbook(io.BytesIO(xlsx.content), read_only=True)["dati"]
    sheet = list(ws.values)
    assert len(sheet) == 48 and sheet[0][0] == "codice_area"
    geo = client.get(reverse("atlas:indicator_geojson", args=["indice-vecchiaia"]), params).json()
    by_code = {f["properties"]["code"]: f["properties"]["value"] for f in geo["features"]}
    assert by_code["019036"] == next(r["value"] for r in js["data"] if r["area_code"] == "019036")


def test_profile_download_and_bulk_release(client, released):
    body = client.get(reverse("atlas:area_data", args=["019036", "csv"])).content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(body)))
    assert {r["indicatore"] for r in rows} == {"indice-vecchiaia", "contribuenti-fino-10mila"}
    assert "confronto_ambito" in rows[0]
    r = client.get(reverse("atlas:release_bulk", args=[released.pk]))
    data = b"".join(r.streaming_content)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        lines = zf.read("valori.csv").decode().splitlines()
        assert "LEGGIMI.txt" in zf.namelist()
    from osservatorio.indicators.models import DataPoint

    assert len(lines) == DataPoint.objects.filter(release=released).count() + 1


def test_dcat_catalogue_lists_indicators_with_licences(client, released):
    r = client.get(reverse("atlas:catalogue"))
    assert r["Content-Type"].startswith("application/ld+json")
    cat = json.loads(r.content)
    assert "dcat" in cat["@context"] and "dcatapit:Catalog" in cat["@type"]
    ids = {d["dct:identifier"] for d in cat["dcat:dataset"]}
    assert {"osservatorio:indice-vecchiaia", "osservatorio:contribuenti-fino-10mila"} <= ids
    ind = next(d for d in cat["dcat:dataset"] if d["dct:identifier"] == "osservatorio:indice-vecchiaia")
    assert all(
        dist["dct:license"]["@id"].startswith("https://creativecommons.org/")
        for dist in ind["dcat:distribution"]
    )
    assert client.get(reverse("api:dcat")).status_code == 200
