import json
import re

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

pytestmark = pytest.mark.django_db


def test_search_page_and_htmx_results(client, territory_cremona):
    page = client.get(reverse("territory:search"), {"q": "ca d andrea"}).content.decode()
    assert "<h1>" in page and "Ca&#x27; d&#x27;Andrea" in page
    partial = client.get(reverse("territory:search"), {"q": "sesto ed uniti"}, HTTP_HX_REQUEST="true")
    body = partial.content.decode()
    assert (
        "<html" not in body
        and "Sesto ed Uniti" in body
        and reverse("territory:area", args=["019095"]) in body
    )


def test_comune_page_shows_hierarchy_population_and_map(client, territory_cremona):
    body = client.get(reverse("territory:area", args=["019036"])).content.decode()
    assert body.count("<h1") == 1
    for expected in [
        "Ambito Cremonese",
        "Provincia di Cremona",
        "Regione Lombardia",
        "70.637",
        "2023",
        'id="territory-map"',
        "map-description",
        "Quartiere 8",
    ]:
        assert expected in body, expected
    # The map's text alternative gives the size: Cremona covers about 70 km².
    km2 = int(re.search(r"superficie di circa ([\d.]+) km²", body).group(1).replace(".", ""))
    assert 60 < km2 < 80


def test_ambito_page_lists_47_comuni_sortable(client, territory_cremona):
    response = client.get(reverse("territory:area", args=["AMB-CREMONESE"]), {"ordina": "-popolazione"})
    body = response.content.decode()
    assert "47 aree di Ambito Cremonese" in body
    assert body.count('<th scope="row"><a href="/territorio/019') == 47
    assert body.index(">Cremona</a>") < body.index(">Soresina</a>") < body.index(">Derovere</a>")
    assert 'aria-sort="descending"' in body


def test_suppressed_comune_page_points_to_today(client, territory_cremona):
    body = client.get(reverse("territory:area", args=["019071"])).content.decode()
    assert "Piadena Drizzona" in body and "/territorio/019116/" in body


def test_lower_case_code_redirects_to_canonical(client, territory_cremona):
    response = client.get("/territorio/amb-cremonese/")
    assert response.status_code == 301 and response["Location"] == "/territorio/AMB-CREMONESE/"


@pytest.mark.parametrize(
    "path, message",
    [
        ("/territorio/xx/", "non è un codice territoriale valido"),
        ("/territorio/019999/", "Nessuna area ha il codice 019999"),
        ("/territorio/019999/confini.geojson", "Nessuna area ha il codice 019999"),
        ("/territorio/019036-Q01/confini.geojson", "non è disponibile un confine"),
    ],
)
def test_bad_codes_give_the_designed_404(client, territory_cremona, path, message):
    response = client.get(path)
    assert response.status_code == 404
    body = response.content.decode()
    assert message in body and "Pagina non trovata" in body and "Traceback" not in body


def test_geojson_of_an_area_and_of_its_comuni(client, territory_cremona):
    one = client.get(reverse("territory:geojson", args=["AMB-CREMONESE"]))
    assert one["Content-Type"].startswith("application/geo+json")
    data = json.loads(one.content)
    assert data["features"][0]["properties"]["code"] == "AMB-CREMONESE"
    assert data["features"][0]["geometry"]["type"] in {"Polygon", "MultiPolygon"}
    many = json.loads(client.get(reverse("territory:geojson", args=["019"]), {"livello": "comune"}).content)
    assert len(many["features"]) == 113


def test_area_page_in_english(client, territory_cremona):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    try:
        body = client.get(reverse("territory:area", args=["019036"])).content.decode()
    finally:
        translation.activate(settings.LANGUAGE_CODE)  # the request left English active in this thread
    assert "Province of Cremona" in body and "Key facts" in body and "Where it is" in body
