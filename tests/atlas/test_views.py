"""Atlas pages with data computed by the real engine: what a visitor reads."""

import re

import pytest
from django.urls import reverse

from osservatorio.atlas import selectors
from osservatorio.atlas.text import value as fmt_value

pytestmark = pytest.mark.django_db


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_pipeline_produced_released_values(released):
    assert set(selectors.release_of_indicators()) >= {"indice-vecchiaia", "contribuenti-fino-10mila"}
    cremona = selectors.series(selectors.get_indicator("indice-vecchiaia"), ["019036"])["019036"]
    assert [r["period_start"][:4] for r in cremona] == ["2022", "2023"]


def test_profile_compares_cremona_with_ambito_province_region_and_italy(client, released):
    html = client.get(reverse("atlas:area", args=["019036"])).content.decode()
    assert html.count("<h1") == 1
    body = _text(html)
    for name in ("Ambito Cremonese", "Provincia di Cremona", "Regione Lombardia", "Italia"):
        assert f'<th scope="col">{name}</th>' in html, name
    ind = selectors.get_indicator("indice-vecchiaia")
    latest = selectors.series(ind, ["019036"])["019036"][-1]
    assert fmt_value(latest, ind) in body
    prof = selectors.profile(selectors.territory.get_area("019036"))
    row = next(r for r in prof["rows"] if r["code"] == "indice-vecchiaia")
    labels = [c["label"] for c in row["comparisons"]]
    assert len(labels) == 4 and all(
        lab in {"migliore", "peggiore", "simile", "non confrontabile"} for lab in labels
    )
    # Never colour alone: each label is written out in the table.
    assert body.count(labels[0]) >= 1
    assert row["rank"]["of"] == prof["siblings"] > 100
    assert 'id="chart-spine-spec"' in html and "<caption>" in html


def test_profile_trend_and_covid_panel_on_a_long_series(client, released):
    html = client.get(reverse("atlas:area", args=["019036"])).content.decode()
    prof = selectors.profile(selectors.territory.get_area("019036"))
    row = next(r for r in prof["rows"] if r["code"] == "contribuenti-fino-10mila")
    assert len(row["series"]) >= 20
    from osservatorio.indicators import trend

    last5 = row["series"][-5:]
    expected = trend.trend(
        [r["value"] for r in last5],
        [r["numerator"] for r in last5],
        [r["denominator"] for r in last5],
        "proportion",
        "lower_is_better",
    )
    assert row["trend"] == expected
    # MEF publishes no 2019 and 2023 values for Cremona here: no five consecutive points, no trend claimed.
    if any(r["value"] is None for r in last5):
        assert expected.label == "non calcolabile"
    assert "COVID-19: osservato e atteso" in html
    assert 'id="chart-covid-spec"' in html


def test_pyramid_from_published_population(client, warehouse_loaded):
    html = client.get(reverse("atlas:area", args=["AMB-CREMONESE"])).content.decode()
    pyr = selectors.pyramid(selectors.territory.get_area("AMB-CREMONESE"))
    assert pyr["year"] == 2023
    total = sum(r["population"] for r in pyr["rows"])
    members = selectors.territory.members(selectors.territory.get_area("AMB-CREMONESE"), "comune")
    assert total == pytest.approx(sum(m.population for m in members), rel=0.01)
    assert 'id="chart-pyramid-spec"' in html


def test_indicator_page_map_levels_classes_and_ranking(client, released):
    url = reverse("atlas:indicator", args=["indice-vecchiaia"])
    html = client.get(url, {"area": "019036", "entro": "019", "livello": "comune"}).content.decode()
    assert html.count("<h1") == 1
    rows = re.findall(r"<tr>\s*<td>(\d+|—)</td>", html)
    assert len(rows) == len(list(selectors.territory.members(selectors.territory.get_area("019"), "comune")))
    assert rows[0] == "1"
    for key in ("quantili", "intervalli", "confronto"):
        assert f'id="classi-{key}"' in html
    assert 'data-geometry="/atlante/confini/019/comune.geojson"' in html
    amb = client.get(url, {"entro": "AMB-CREMONESE"}).content.decode()
    assert len(re.findall(r"<tr>\s*<td>(\d+|—)</td>", amb)) == 47
    region = client.get(url, {"entro": "03", "livello": "provincia"})
    assert region.status_code == 200
    assert len(re.findall(r"<tr>\s*<td>(\d+|—)</td>", region.content.decode())) == 12


def test_map_geometry_is_simplified_and_cached(client, released):
    r = client.get(reverse("atlas:geometry", args=["019", "comune"]))
    assert r.status_code == 200 and r["Content-Type"].startswith("application/geo+json")
    data = r.json()
    assert len(data["features"]) == 113
    assert {"code", "name"} <= set(data["features"][0]["properties"])


def test_compare_two_neighbours(client, released):
    url = reverse("atlas:compare")
    html = client.get(
        url, {"aree": ["019036", "019024", "019040"], "indicatori": ["indice-vecchiaia"], "dal": "2022"}
    ).content.decode()
    assert html.count("<h1") == 1
    names = [a.name for a in selectors.territory.areas_by_code(["019036", "019024", "019040"])]
    for n in names:
        assert f'<th scope="col" class="num">{n}</th>' in html
    assert 'id="chart-indice-vecchiaia-spec"' in html


def test_search_finds_areas_and_indicators_with_htmx(client, released):
    r = client.get(reverse("atlas:search"), {"q": "vecchiaia"}, HTTP_HX_REQUEST="true")
    body = r.content.decode()
    assert "<html" not in body and reverse("atlas:indicator", args=["indice-vecchiaia"]) in body
    r = client.get(reverse("atlas:search"), {"q": "Cremona"})
    assert reverse("atlas:area", args=["019036"]) in r.content.decode()


def test_home_shows_the_ambito_headline_with_changes(client, released, settings):
    settings.OSSERVATORIO = {**settings.OSSERVATORIO, "HOME_AMBITO": "AMB-CREMONESE"}
    html = client.get("/").content.decode()
    assert "Ambito Cremonese in cifre" in html
    ind = selectors.get_indicator("contribuenti-fino-10mila")
    rows = [r for r in selectors.series(ind, ["AMB-CREMONESE"])["AMB-CREMONESE"] if r["value"] is not None]
    assert fmt_value(rows[-1], ind) in _text(html)
    assert "rispetto al 2019" in html


def test_embeds_may_be_framed_and_pages_may_not(client, released):
    embed = client.get(reverse("atlas:embed_chart", args=["indice-vecchiaia"]), {"area": "019036"})
    assert embed.status_code == 200 and "X-Frame-Options" not in embed
    assert "it-header-wrapper" not in embed.content.decode()
    page = client.get(reverse("atlas:indicator", args=["indice-vecchiaia"]))
    assert page["X-Frame-Options"] == "DENY"
    emap = client.get(reverse("atlas:embed_map", args=["indice-vecchiaia"]), {"entro": "AMB-CREMONESE"})
    assert emap.status_code == 200 and "X-Frame-Options" not in emap


BAD_INPUT = (
    ("/atlante/aree/999999/", {}, 404, "Nessuna area ha il codice"),
    ("/atlante/aree/ab%3Cc/", {}, 404, "non è un codice territoriale valido"),
    ("/atlante/indicatori/non-esiste/", {}, 404, "Nessun indicatore ha il codice"),
    ("/atlante/indicatori/indice-vecchiaia/", {"entro": "019036"}, 400, "La mappa si disegna dentro"),
    ("/atlante/indicatori/indice-vecchiaia/", {"livello": "galassia"}, 400, "non valido per «livello»"),
    ("/atlante/indicatori/indice-vecchiaia/", {"classi": "jenks"}, 400, "quantili"),
    ("/atlante/indicatori/indice-vecchiaia/", {"periodo": "ieri"}, 400, "non è un periodo valido"),
    ("/atlante/indicatori/indice-vecchiaia/", {"periodo": "1999-01-01"}, 400, "non ci sono valori"),
    ("/atlante/confronta/", {"dal": "20x9"}, 400, "non è un anno"),
    ("/atlante/confronta/", {"dal": "1066"}, 400, "impossibile"),
    ("/atlante/confronta/", {"dal": "2023", "al": "2019"}, 400, "invertirli"),
    ("/atlante/confronta/", {"aree": "019036,019024,019040,019001,019002,019003"}, 400, "al massimo 5"),
    ("/atlante/confronta/", {"aree": "019036", "indicatori": "boh"}, 404, "Nessun indicatore"),
    ("/atlante/confronta/dati.csv", {}, 400, "Indicare almeno"),
    ("/atlante/dati/rilascio-999999.zip", {}, 404, "Nessun rilascio"),
    ("/atlante/confini/019/quartiere.geojson", {}, 400, "non disponibile"),
)


def test_bad_input_gets_a_clear_message_never_a_500(client, released):
    # One database setup for all the cases (each would otherwise restore the release again).
    wrong = []
    for url, params, status, message in BAD_INPUT:
        r = client.get(url, params)
        if r.status_code != status or message not in r.content.decode():
            wrong.append((url, params, r.status_code))
    assert wrong == []
