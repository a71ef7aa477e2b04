"""An analyst opens the catalogue, an indicator for the comuni of a province, one comune with its
comparisons and trend, and builds a composite index with its methodological note; axe checks every page."""

from pathlib import Path

import pytest
from django.test import Client
from playwright.sync_api import expect

from osservatorio.accounts.roles import Role

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CODES = ["quota-75-piu", "quota-85-piu", "indice-vecchiaia", "quota-65-piu", "popolazione-residente"]


@pytest.fixture
def released(settings, tmp_path, shared_data):
    settings.VAR_DIR = tmp_path / "var"
    settings.VAR_DIR.mkdir()
    from osservatorio.indicators import services
    from osservatorio.sources.services import load_dataset
    from osservatorio.territory.services import load_territory

    load_territory(regioni=["03"])
    for key in ("geopop_popolazione_eta_sesso", "istat_popolazione_comuni"):
        load_dataset(key)
    return services.compute_release(CODES, areas=["019"])


def test_catalogue_indicator_area_and_composite(
    page, live_server, released, assert_accessible, django_user_model
):
    page.goto(f"{live_server.url}/indicatori/")
    assert page.locator("h1").inner_text() == "Catalogo degli indicatori"
    assert_accessible(page)
    page.get_by_role("link", name="Residenti di 75 anni e più").click()
    page.wait_for_url("**/indicatori/quota-75-piu/")
    page.select_option("#id_livello", "comune")
    with page.expect_navigation():
        page.get_by_role("button", name="Mostra").click()
    page.wait_for_url("**livello=comune**")
    expect(page.locator("tbody tr", has_text="Cremona").first).to_be_visible()
    assert_accessible(page)
    page.screenshot(path=str(ARTIFACTS / "indicators_detail.png"), full_page=True)
    page.get_by_role("link", name="Cremona", exact=True).click()
    page.wait_for_url("**/area/019036/")
    text = page.locator("main").inner_text() if page.locator("main").count() else page.inner_text("body")
    assert "Confronti" in text and "Provincia di Cremona" in text and "Tendenza" in text
    assert_accessible(page)
    page.screenshot(path=str(ARTIFACTS / "indicators_area.png"), full_page=True)

    user = django_user_model.objects.create_user(username="analista", password="x" * 16, role=Role.ANALISTA)
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page.goto(f"{live_server.url}/indicatori/indice-composito/")
    page.locator("label", has_text="Residenti di 75 anni e più").first.click()
    page.locator("label", has_text="Indice di vecchiaia").first.click()
    page.locator("label", has_text="Grandi anziani (85 anni e più)").first.click()
    page.get_by_role("button", name="Calcola l'indice").click()
    page.wait_for_selector("#note-title")
    assert "Mazziotta" in page.inner_text("body")
    # The ranking and the rank-shift charts are drawn (SVG), each next to its summary and table.
    page.wait_for_selector("#chart-composite svg")
    page.wait_for_selector("#chart-shifts svg")
    assert_accessible(page)
