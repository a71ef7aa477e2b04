"""An analyst previews the annual report, edits a section (with a mistake first), generates the profile of a
comune as a PDF and downloads it; every page passes axe-core."""

import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Prova-Lunga-2025!"


@pytest.fixture
def released_data(shared_data, settings, tmp_path_factory):
    # The same pipeline as tests/reports (real sources → engine → published release), computed once per run;
    # tests/ on the path makes this the very module pytest imported as tests/reports' conftest.
    tests_dir = str(Path(__file__).resolve().parents[1])
    if tests_dir not in sys.path:
        sys.path.insert(0, tests_dir)
    from reports import conftest as data

    from osservatorio.territory.services import load_territory

    load_territory(regioni=["03"])
    if "var" not in data._SNAPSHOT:
        data._SNAPSHOT["var"] = tmp_path_factory.mktemp("reports-var")
    settings.VAR_DIR = data._SNAPSHOT["var"]
    return data._restore() if "rows" in data._SNAPSHOT else data._compute()


def test_analyst_edits_previews_generates_and_downloads(
    live_server, page, assert_accessible, released_data, settings
):
    from osservatorio.accounts.models import User
    from osservatorio.accounts.roles import Role
    from osservatorio.reports.services import load_builtin_definitions

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    load_builtin_definitions()
    User.objects.create_user(username="anna.analista", password=PASSWORD, role=Role.ANALISTA)
    page.goto(live_server.url + "/account/accedi/?next=/rapporti/")
    page.fill("#id_username", "anna.analista")
    page.fill("#id_password", PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(live_server.url + "/rapporti/")
    page.get_by_role("heading", name="Definizioni dei rapporti").wait_for()
    assert_accessible(page)

    page.get_by_role("link", name="Profilo del territorio").click()
    page.wait_for_url("**/rapporti/definizioni/profilo/**")
    page.fill("#id_area", "019036")
    page.get_by_role("button", name="Aggiorna l'anteprima").click()
    page.wait_for_url("**area=019036**")
    assert "Comune di Cremona" in page.locator(".report-cover").inner_text()
    assert page.locator(".report-figure img").count() >= 2
    assert page.locator("main h1").count() == 1
    assert_accessible(page)

    page.get_by_role("link", name="Modifica sezioni").click()
    page.get_by_role("link", name="Reddito imponibile dal 2015").click()
    page.fill(
        "#id_text", 'Il reddito di **{{ area.name }} è {{ value("reddito-imponibile-per-contribuente") }}.'
    )
    with page.expect_navigation():
        page.get_by_role("button", name="Salva e guarda l'anteprima").click()
    assert "riga 1, colonna 15: grassetto aperto" in page.locator(".alert-danger").inner_text()
    assert_accessible(page)
    page.fill(
        "#id_text", 'Il reddito di **{{ area.name }}** è {{ value("reddito-imponibile-per-contribuente") }}.'
    )
    with page.expect_navigation():
        page.get_by_role("button", name="Salva e guarda l'anteprima").click()
    page.wait_for_url("**/rapporti/definizioni/profilo/**")
    page.goto(live_server.url + "/rapporti/definizioni/profilo/?area=019036")
    assert "Il reddito di Cremona è" in page.locator(".report").inner_text()

    page.get_by_role("button", name="Genera PDF").click()
    page.wait_for_url("**/rapporti/generati/**", timeout=120000)
    link = page.get_by_role("link", name="Scarica il PDF")
    link.wait_for(timeout=120000)
    assert_accessible(page)
    with page.expect_download() as info:
        link.click()
    path = info.value.path()
    with open(path, "rb") as f:
        assert f.read(5) == b"%PDF-"
