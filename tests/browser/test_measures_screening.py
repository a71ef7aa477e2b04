"""The front-desk journey in a real browser: log in, describe a household, read every measure with its
reasons and procedure, fix a wrong field, print and save the case; axe-core on each page."""

from pathlib import Path

import pytest

from osservatorio.accounts.models import User
from osservatorio.accounts.roles import Role
from osservatorio.measures.models import ScreeningCase
from osservatorio.measures.services import load_catalogue

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "Browser-Prova-2025"
ARTIFACTS = Path(__file__).resolve().parent.parent.parent / "test-artifacts"


def shot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"measures_{name}.png"), full_page=True)


def login(page, live_server, username):
    page.goto(live_server.url + "/account/accedi/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def fill_member(page, i, relazione, eta=None, nascita=None, scuola=None):
    page.select_option(f"#id_componenti-{i}-relazione", relazione)
    if eta is not None:
        page.fill(f"#id_componenti-{i}-eta", str(eta))
    if nascita:
        page.fill(f"#id_componenti-{i}-data_nascita", nascita)
    if scuola:
        page.select_option(f"#id_componenti-{i}-scuola", scuola)


def test_screening_journey(live_server, page, assert_accessible):
    load_catalogue()
    user = User.objects.create_user(
        username="sara.sportello", password=PASSWORD, role=Role.OPERATORE_COMUNALE
    )
    user.comune_scopes.create(comune_code="019036")
    login(page, live_server, "sara.sportello")

    page.goto(live_server.url + "/misure/screening/")
    assert page.locator("h1").inner_text() == "Screening di un nucleo familiare"
    assert_accessible(page)

    page.fill("#id_nucleo-data_riferimento", "2025-10-01")
    page.fill("#id_nucleo-comune_residenza", "019036")
    page.select_option("#id_nucleo-cittadinanza", "italiana_ue")
    page.fill("#id_nucleo-anni_residenza_italia", "12")
    page.select_option("#id_nucleo-residenza_continuativa", "1")
    fill_member(page, 0, "richiedente", eta=34)
    page.click("#add-member")
    fill_member(page, 1, "figlio", eta=40)  # impossible: older than the parent
    page.click("#add-member")
    fill_member(page, 2, "figlio", nascita="2024-11-15", scuola="nido")
    page.fill("#id_componenti-2-retta_nido_mensile", "450")
    page.fill("#id_nucleo-isee", "7200")
    page.fill("#id_nucleo-reddito_familiare", "4000")
    page.fill("#id_nucleo-patrimonio_mobiliare", "1500")
    page.fill("#id_nucleo-patrimonio_immobiliare", "0")
    page.select_option("#id_nucleo-alloggio", "affitto_libero")
    page.fill("#id_nucleo-canone_mensile", "520")
    with page.expect_navigation():
        page.click("button[name=valuta]")

    # The wrong age is reported on the member's own field, nothing is evaluated.
    error = page.locator("#id_componenti-1-eta-err")
    assert "non è possibile" in error.inner_text()
    shot(page, "screening_error")
    assert page.locator("#risultati").count() == 0
    assert_accessible(page)

    page.fill("#id_componenti-1-eta", "8")
    with page.expect_navigation():
        page.click("button[name=valuta]")
    results = page.locator("#risultati")
    assert results.is_visible()
    adi = page.locator("article", has=page.locator("#m-adi"))
    assert "probabilmente sì" in adi.inner_text()
    assert "€" in adi.inner_text() and "Motivi" in adi.inner_text()
    adi.locator("summary").click()
    assert "Patto di attivazione" in adi.inner_text()
    nidi = page.locator("article", has=page.locator("#m-nidi_gratis"))
    assert "da verificare" in nidi.inner_text() and "Per decidere serve sapere" in nidi.inner_text()
    assert (
        "Reddito / Pensione di cittadinanza" in page.locator("table", has_text="Misure esistite").inner_text()
    )
    assert_accessible(page)
    shot(page, "screening_results")

    page.emulate_media(media="print")
    assert not page.locator("#screening-form").is_visible()
    assert page.locator("#risultati").is_visible()
    page.emulate_media(media="screen")

    page.fill("#case-note", "Colloquio di primo accesso")
    with page.expect_navigation():
        page.get_by_role("button", name="Salva nel fascicolo").click()
    assert "Caso salvato" in page.locator("main").inner_text()
    assert ScreeningCase.objects.filter(comune_code="019036", created_by=user).count() == 1
    # The saved case shows the outcomes and the reasons in words, not the engine's codes.
    saved = page.locator("table", has_text="Esiti registrati").inner_text()
    assert (
        "probabilmente sì" in saved
        and "soddisfatto:" in saved
        and "Colloquio di primo accesso" in (page.locator("main").inner_text())
    )
    assert "da_verificare" not in saved and "non_attiva" not in saved
    assert_accessible(page)
    shot(page, "case")
    page.goto(live_server.url + "/misure/casi/")
    assert "019036" in page.locator("main").inner_text()
    assert_accessible(page)


def test_catalogue_and_timeline_pages(live_server, page, assert_accessible):
    load_catalogue()
    page.goto(live_server.url + "/misure/?livello=stato")
    assert "Assegno di inclusione" in page.locator("table").inner_text()
    assert_accessible(page)
    page.goto(live_server.url + "/misure/adi/")
    assert "Incertezze note" in page.locator("main").inner_text()
    assert_accessible(page)
    shot(page, "detail_adi")
    page.goto(live_server.url + "/misure/cronologia/")
    page.wait_for_selector("#timeline-chart svg")
    assert_accessible(page)
    shot(page, "timeline")


def test_microsimulation_and_whatif_pages(live_server, page, assert_accessible):
    from osservatorio.territory.services import load_territory

    load_territory(regioni=["03"])
    User.objects.create_user(username="anna.analista", password=PASSWORD, role=Role.ANALISTA)
    login(page, live_server, "anna.analista")
    query = "ambito=AMB-CREMONESE&mese=2024-06-01&estrazioni=2&famiglie=300"
    page.goto(f"{live_server.url}/misure/microsimulazione/?{query}", timeout=120000)
    table = page.locator("table", has_text="Nuclei aventi diritto stimati")
    assert "Cremona" in table.inner_text() and "Assegno di inclusione" in table.inner_text()
    assert_accessible(page)
    shot(page, "microsim")
    page.goto(
        f"{live_server.url}/misure/microsimulazione/cosa-succede-se/?{query}"
        "&regola=_predefinito/contributo_economico&parametro=contributo_economico.soglia_isee&valore=9000",
        timeout=120000,
    )
    assert "Nuclei dopo" in page.locator("main").inner_text()
    assert "Effetto della modifica" in page.locator("main").inner_text()
    assert "Differenza nuclei" in page.locator("table").inner_text()
    assert_accessible(page)
    shot(page, "whatif")
