"""A visitor without an account: find Cremona, read its profile against the ambito, the province, Lombardia and
Italy, open an indicator, switch the map, compare with two neighbouring comuni, download the data, call the
API — with axe-core checks on every page and screenshots for the review."""

import csv
import importlib.util
import io
from pathlib import Path

import pytest

from osservatorio.territory.services import load_territory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def _atlas_data():
    """The engine-computed release of the atlas tests (tests/atlas/conftest.py), shared by path."""
    path = Path(__file__).resolve().parents[1] / "atlas" / "conftest.py"
    spec = importlib.util.spec_from_file_location("atlas_released_data", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def atlas_site(shared_data, settings, tmp_path_factory):
    from django.core.cache import cache

    data = _atlas_data()
    settings.VAR_DIR = tmp_path_factory.mktemp("atlas-browser-var")
    settings.OSSERVATORIO = {**settings.OSSERVATORIO, "HOME_AMBITO": "AMB-CREMONESE"}
    cache.clear()
    load_territory(regioni=["03"])
    shared = data._shared_file(tmp_path_factory)
    if shared is not None and shared.exists():
        import pickle

        data._SNAPSHOT.update(pickle.loads(shared.read_bytes()))
        release = data._restore()
    else:
        release = data._compute(settings.VAR_DIR)
    for key in data.DATASETS:  # the pyramid reads the sources' warehouse
        from osservatorio.sources import services as src_services

        src_services.load_dataset(key, user="test")
    cache.clear()
    return release


def _shot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"atlas_{name}.png"), full_page=True)


def _ready(page):
    page.locator("body[data-atlas-ready]").wait_for(timeout=30000)


def test_done_when_journey(live_server, page, assert_accessible, atlas_site):
    page.set_default_timeout(30000)
    page.goto(live_server.url + "/")
    assert "Ambito Cremonese in cifre" in page.locator("main").inner_text()
    assert_accessible(page)
    page.get_by_label("Cerca un comune, un ambito, una provincia o un indicatore").press_sequentially(
        "Cremona", delay=20
    )
    first = page.locator("#atlas-search-results a").first
    first.wait_for()
    assert first.inner_text() == "Cremona"
    _shot(page, "01_home_search")
    first.click()

    # Profile against ambito, province, region and Italy.
    page.wait_for_url("**/atlante/aree/019036/")
    _ready(page)
    headers = page.locator("#profile-table thead th").all_inner_texts()
    for name in ("Ambito Cremonese", "Provincia di Cremona", "Regione Lombardia", "Italia"):
        assert name in headers
    row = page.locator("#profile-table tbody tr", has_text="Indice di vecchiaia")
    cells = row.locator("td").all_inner_texts()
    assert any(w in " ".join(cells) for w in ("migliore", "peggiore", "simile"))
    assert page.locator("#chart-spine svg").count() == 1
    assert page.locator("#chart-covid svg").count() == 1
    _shot(page, "02_profile")
    assert_accessible(page)

    # Indicator page; switch the map level and the classes.
    row.get_by_role("link", name="Indice di vecchiaia").click()
    page.wait_for_url("**/atlante/indicatori/indice-vecchiaia/**")
    _ready(page)
    assert page.locator("#chart-series svg").count() == 1
    paths = page.locator("#atlas-map .leaflet-overlay-pane path")
    assert paths.count() == 47  # comuni of the Ambito Cremonese
    _shot(page, "03_indicator_ambito")
    assert_accessible(page)
    page.get_by_label("Territorio").select_option("03")
    page.get_by_role("button", name="Aggiorna la mappa").click()
    page.wait_for_url("**entro=03**")
    _ready(page)
    page.locator("#atlas-map[data-ready]").wait_for()
    assert int(page.locator("#atlas-map").get_attribute("data-features")) > 1400  # drawn on a canvas
    page.get_by_label("Livello").select_option("provincia")
    page.get_by_role("button", name="Aggiorna la mappa").click()
    page.wait_for_url("**livello=provincia**")
    page.locator("#atlas-map[data-ready]").wait_for()
    assert page.locator("#atlas-map .leaflet-overlay-pane path").count() == 12
    page.locator("label[for=classi-confronto]").click()
    assert page.locator("#classi-confronto").is_checked()
    assert "Regione Lombardia" in page.locator("#map-legend").inner_text()
    assert page.locator("#atlas-map").get_attribute("data-method") == "confronto"
    _shot(page, "04_indicator_province_comparison")
    assert_accessible(page)

    # Download the map table as CSV.
    with page.expect_download() as dl:
        page.locator("a", has_text="CSV").nth(1).click()
    body = Path(dl.value.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(body)))
    assert len(rows) == 12 and {r["livello"] for r in rows} == {"provincia"}

    # Compare with two neighbouring comuni from the profile.
    page.goto(live_server.url + "/atlante/aree/019036/")
    page.get_by_label("Primo comune").select_option(label="Castelverde")
    page.get_by_label("Secondo comune").select_option(label="Gerre de' Caprioli")
    page.get_by_role("button", name="Confronta", exact=True).click()
    page.wait_for_url("**/atlante/confronta/**")
    _ready(page)
    head = page.locator("table.atlas-table").first.locator("thead").inner_text()
    for name in ("Cremona", "Castelverde", "Gerre de' Caprioli"):
        assert name in head
    _shot(page, "05_compare")
    assert_accessible(page)

    # The API gives the same numbers.
    api = page.request.get(live_server.url + "/api/valori/?indicatore=indice-vecchiaia&area=019036")
    assert api.ok
    values = [r["value"] for r in api.json()["results"]]
    from osservatorio.atlas import selectors

    ind = selectors.get_indicator("indice-vecchiaia")
    assert values == [r["value"] for r in selectors.series(ind, ["019036"])["019036"]]


PAGES = (
    "/atlante/",
    "/atlante/cerca/?q=vecchiaia",
    "/atlante/aree/AMB-CREMONESE/",
    "/atlante/aree/IT/",
    "/atlante/indicatori/contribuenti-fino-10mila/?area=019036&entro=019",
    "/atlante/dati/",
    "/api/",
    "/atlante/embed/indicatori/indice-vecchiaia/grafico/?area=019036",
    "/atlante/embed/indicatori/indice-vecchiaia/mappa/?entro=AMB-CREMONESE",
    "/atlante/aree/999999/",
    "/atlante/aree/019036-Q01/",  # a quartiere without released values: the explanation
    "/atlante/confronta/?dal=1066",
)


def test_every_atlas_page_passes_axe(live_server, page, assert_accessible, atlas_site):
    # One database setup for every page: loading the territory and the release is the slow part.
    page.set_default_timeout(30000)
    for path in PAGES:
        page.goto(live_server.url + path)
        if page.locator("[data-vega-spec], .atlas-map").count():
            _ready(page)
        assert page.locator("h1").count() == 1, path
        _shot(page, "axe_" + path.strip("/").replace("/", "_").replace("?", "_").replace("&", "_")[:80])
        assert_accessible(page)


def test_language_switch_and_shared_page_cache(live_server, page, atlas_site, settings, tmp_path):
    """The language switch works without a CSRF token (CSRF is enforced by the live server), and anonymous
    pages come from the shared page cache in each language."""
    from osservatorio.core import pagecache

    settings.OSSERVATORIO_PAGE_CACHE = True
    settings.OSSERVATORIO_PAGE_CACHE_VERSION_SECONDS = 0
    settings.CACHES = {
        **settings.CACHES,
        "pages": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path / "pages"),
        },
    }
    pagecache.clear()
    url = live_server.url + "/atlante/aree/019036/"
    assert page.goto(url).headers.get("x-osservatorio-cache") == "miss"
    assert page.goto(url).headers.get("x-osservatorio-cache") == "hit"
    assert page.locator("html").get_attribute("lang") == "it"
    page.locator(".lang-switch button", has_text="English").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert "Statistical profile" in page.locator("h1").inner_text()
    assert page.reload().headers.get("x-osservatorio-cache") == "hit"
    page.locator(".lang-switch button", has_text="Italiano").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "it"
    assert "Profilo statistico" in page.locator("h1").inner_text()
    pagecache.clear()
