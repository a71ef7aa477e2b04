"""Which measures reach the people of an area: the measures panel of the atlas profile."""

from datetime import date

import pytest
from django.urls import reverse

from osservatorio.measures.models import Measure
from osservatorio.measures.selectors import measures_for_area
from osservatorio.measures.services import load_catalogue
from osservatorio.territory.services import load_territory

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 25)


@pytest.fixture
def catalogue(db):
    load_territory(regioni=["03", "01"])  # Lombardia with the ambiti of Cremona, and Piemonte as "elsewhere"
    load_catalogue()


def slugs(code, on=TODAY):
    return [m.slug for m in measures_for_area(code, on)]


def test_municipal_measure_reaches_its_comune_and_the_areas_containing_it(catalogue):
    assert "contributi-economici-cremona" in slugs("019036")  # Cremona
    assert "contributi-economici-cremona" in slugs("019036-Q01")  # a quartiere of Cremona
    assert "contributi-economici-cremona" in slugs("AMB-CREMONESE")
    assert "contributi-economici-cremona" in slugs("019")  # Provincia di Cremona
    assert "contributi-economici-cremona" not in slugs("019035")  # Crema
    assert "contributi-economici-cremona" not in slugs("AMB-CREMASCO")


def test_regional_measure_only_in_its_regione(catalogue):
    assert "dote-scuola" in slugs("019035")
    assert "dote-scuola" in slugs("03")
    turin = slugs("001272")
    assert "dote-scuola" not in turin and "nidi-gratis" not in turin
    assert "auu" in turin  # national measures reach every area


def test_only_measures_in_force_on_the_day_nearest_level_first(catalogue):
    assert "buoni-spesa-cremona-2020" not in slugs("019036")
    assert "buoni-spesa-cremona-2020" in slugs("019036", date(2020, 4, 15))
    levels = [m.level for m in measures_for_area("019036", TODAY)]
    order = ["comune", "ambito", "regione", "stato", "ue", "terzo_settore"]
    assert levels == sorted(levels, key=order.index)
    assert levels[0] == "comune"


def test_profile_page_lists_the_measures_of_the_area(client, catalogue):
    page = client.get(reverse("atlas:area", args=["019036"])).content.decode()
    contributo = Measure.objects.get(slug="contributi-economici-cremona")
    assert "Misure di sostegno in vigore per chi vive qui" in page
    assert contributo.get_absolute_url() in page
    other = client.get(reverse("atlas:area", args=["019035"])).content.decode()
    assert contributo.get_absolute_url() not in other
