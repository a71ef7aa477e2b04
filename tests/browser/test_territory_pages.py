import pytest

from osservatorio.territory.services import load_territory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_find_cremona_its_ambito_and_map(live_server, page, assert_accessible):
    load_territory(regioni=["03"])
    page.goto(live_server.url + "/territorio/")
    assert_accessible(page)
    page.get_by_label("Nome o codice dell'area").press_sequentially("Cremona", delay=20)
    first = page.locator("#territory-results li a").first
    first.wait_for()
    assert first.inner_text() == "Cremona"
    assert "Comune" in page.locator("#territory-results li").first.inner_text()
    assert "risultat" in page.locator("#territory-status").text_content()
    first.click()

    page.wait_for_url("**/territorio/019036/")
    page.locator("#territory-map[data-ready]").wait_for()
    assert page.locator("#territory-map .leaflet-overlay-pane path").count() > 1  # Cremona + other comuni
    breadcrumb = page.locator("nav.breadcrumb-container").inner_text()
    for name in ["Italia", "Regione Lombardia", "Provincia di Cremona", "Ambito Cremonese"]:
        assert name in breadcrumb
    assert_accessible(page)

    page.locator(".territory-hierarchy").get_by_role("link", name="Ambito Cremonese").click()
    page.wait_for_url("**/territorio/AMB-CREMONESE/")
    rows = page.locator("table.territory-members tbody tr")
    assert rows.count() == 47
    populations = page.locator("table.territory-members tbody tr td:nth-child(3)").all_inner_texts()
    assert all(p.strip() not in ("", "—") for p in populations)
    page.locator("#territory-map[data-ready]").wait_for()
    assert page.locator("#territory-map .leaflet-overlay-pane path").count() >= 1
    assert_accessible(page)

    page.get_by_role("link", name="Popolazione").click()
    page.wait_for_url("**ordina=-popolazione**")
    assert page.locator("table.territory-members tbody tr th").first.inner_text() == "Cremona"


def test_unknown_code_page_is_designed_and_accessible(live_server, page, assert_accessible):
    page.goto(live_server.url + "/territorio/019999/")
    assert "Nessuna area ha il codice 019999" in page.locator("main").inner_text()
    assert page.locator("main h1").count() == 1
    assert_accessible(page)
