"""The Fonti pages in a real browser: content a visitor sees, keyboard path, axe-core (WCAG 2.1 AA)."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

POP = "codice_istat,comune,data_riferimento,maschi,femmine,totale,fonte\n019036,Cremona,2023-01-01,,,70845,ISTAT\n019999,X,2023-01-01,,,1,\n"


@pytest.fixture
def loaded(settings, tmp_path):
    from osservatorio.sources import registry, services

    settings.VAR_DIR = tmp_path / "var"
    settings.VAR_DIR.mkdir()
    registry.sync()  # transactional tests start from an empty database
    path = tmp_path / "pop.csv"
    path.write_text(POP, encoding="utf-8")
    return services.load_dataset("istat_popolazione_comuni", [path]).release


def test_fonti_index_is_accessible_and_shows_releases(live_server, page, assert_accessible, loaded):
    page.goto(live_server.url + "/fonti/")
    assert page.locator("main h1").inner_text() == "Fonti dei dati"
    row = page.locator("tr", has_text="istat_popolazione_comuni")
    assert loaded.checksum_short in row.inner_text() and "in vigore" in row.inner_text()
    assert page.get_by_text("non ufficiale").first.is_visible()
    assert_accessible(page)


def test_from_index_to_source_to_release_report(live_server, page, assert_accessible, loaded):
    page.goto(live_server.url + "/fonti/")
    with page.expect_navigation():
        page.get_by_role(
            "link", name="ISTAT — Popolazione residente, stranieri e bilancio demografico"
        ).click()
    assert page.locator("main h1").count() == 1
    assert "Regola di residenza" in page.content()
    assert_accessible(page)
    with page.expect_navigation():
        page.get_by_role("link", name=str(loaded.pk), exact=True).click()
    assert "codice_istat_sconosciuto" in page.content() and "019999" in page.content()
    assert_accessible(page)


def test_non_official_source_page_is_accessible(live_server, page, assert_accessible, loaded):
    page.goto(live_server.url + "/fonti/rdc_comuni_2020/")
    assert "non ufficiale" in page.locator("main h1").inner_text()
    assert page.get_by_role("note").first.is_visible()
    assert_accessible(page)
