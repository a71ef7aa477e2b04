"""Quartiere profiles: the services' indicators where they are released per quartiere, otherwise a clear
explanation of why there is nothing (never an empty table)."""

import re

import pytest
from django.urls import reverse

from osservatorio.territory.models import Area

pytestmark = pytest.mark.django_db

SERVICE_INDICATOR = "servizi-prestazioni-per-1000"


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _quartiere():
    return Area.objects.filter(level="quartiere").order_by("code").first()


def test_quartiere_without_released_values_says_why(client, released):
    q = _quartiere()
    assert q is not None, "i quartieri di Cremona fanno parte del territorio di prova"
    html = client.get(reverse("atlas:area", args=[q.code])).content.decode()
    assert 'id="profile-table"' not in html
    body = _text(html)
    assert "Per questo quartiere non ci sono valori pubblicati" in body
    assert "pubblicano i dati per comune, non per quartiere" in body
    assert reverse("atlas:area", args=["019036"]) in html


@pytest.fixture
def services_release(shared_data, territory_cremona, atlas_var_dir):
    """Synthetic service records for the ambito of Cremona, released by the real engine down to quartieri."""
    from django.core.cache import cache

    from osservatorio.indicators import services as ind_services
    from osservatorio.records.services import load_synthetic
    from osservatorio.sources import services as src_services

    cache.clear()
    src_services.load_dataset("geopop_popolazione_eta_sesso", user="test")
    load_synthetic("AMB-CREMONESE", households=1500, seed=7, records=6000)
    ind_services.load_catalogue()
    release = ind_services.compute_release([SERVICE_INDICATOR], areas=["019"])
    assert sum(release.counts.values()) > 0, release.messages
    return release


def test_quartiere_shows_the_services_values_released_for_it(client, services_release):
    """Whatever disclosure control decided for the quartiere (a count, or «riservato»), the released row is
    in the profile table, and the quartiere is compared with its comune first."""
    from osservatorio.atlas.text import number
    from osservatorio.indicators.models import DataPoint

    points = DataPoint.objects.filter(
        release=services_release, area_level="quartiere", breakdown_key="", granularity="anno"
    )
    assert points.exists(), "il motore rilascia i valori dei servizi per quartiere"
    # A quartiere with a published count if there is one, else any released quartiere.
    chosen = (
        points.filter(suppressed=False, numerator__isnull=False).order_by("area_code").first()
        or points.order_by("area_code").first()
    )
    latest = points.filter(area_code=chosen.area_code).order_by("-period_start").first()
    html = client.get(reverse("atlas:area", args=[chosen.area_code])).content.decode()
    assert 'id="profile-table"' in html and 'id="profile-empty"' not in html
    row = re.search(r"<tr>\s*<th scope=\"row\"><a[^>]*>Prestazioni[^<]*</a>.*?</tr>", html, re.S)
    assert row is not None, "la riga dell'indicatore dei servizi"
    cells = _text(row.group(0))
    if latest.suppressed:
        assert "riservato" in cells
    else:
        assert f"{number(latest.numerator, 0)} (conteggio: manca la popolazione per il tasso)" in cells
    assert '<th scope="col">Cremona</th>' in html
