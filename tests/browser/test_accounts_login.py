"""Login with the keyboard only, the lock-out page, and axe-core on the accounts pages."""

import pytest

from osservatorio.accounts.models import User
from osservatorio.accounts.roles import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "Browser-Prova-2025"


def make(username, role):
    return User.objects.create_user(username=username, password=PASSWORD, role=role)


def tab_to(page, element_id: str, limit: int = 60) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement && document.activeElement.id") == element_id:
            return
    raise AssertionError(f"#{element_id} non raggiungibile con il tasto Tab")


def test_keyboard_login_and_logout(live_server, page):
    make("anna.analista", Role.ANALISTA)
    page.goto(live_server.url + "/account/accedi/")
    tab_to(page, "id_username")
    page.keyboard.type("anna.analista")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "id_password"
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(live_server.url + "/")
    assert page.locator("header").get_by_text("anna.analista").is_visible()
    logout = page.locator("header").get_by_role("button", name="Esci")
    logout.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("header").get_by_role("link", name="Accedi").is_visible()
    assert page.locator("header").get_by_text("anna.analista").count() == 0


def test_lockout_after_five_wrong_passwords(live_server, page, assert_accessible):
    make("anna.analista", Role.ANALISTA)
    for i in range(5):
        page.goto(live_server.url + "/account/accedi/")
        page.fill("#id_username", "anna.analista")
        page.fill("#id_password", f"sbagliata-{i}")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        if i < 4:
            assert "Nome utente o password non corretti" in page.locator("main").inner_text()
    # The fifth failure locks; then even the right password is refused.
    assert page.locator("h1").inner_text() == "Accesso temporaneamente bloccato"
    page.goto(live_server.url + "/account/accedi/")
    page.fill("#id_username", "anna.analista")
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("h1").inner_text() == "Accesso temporaneamente bloccato"
    assert "15 minuti" in page.locator("main").inner_text()
    assert_accessible(page)


def test_login_page_with_error_is_accessible(live_server, page, assert_accessible):
    page.goto(live_server.url + "/account/accedi/")
    page.fill("#id_username", "nessuno")
    page.fill("#id_password", "sbagliata")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("#login-error").is_visible()
    assert page.locator("main h1").count() == 1
    assert_accessible(page)


@pytest.mark.parametrize(
    "path",
    [
        "/account/utenti/",
        "/account/utenti/nuovo/",
        "/account/registro-accessi/",
        "/account/profilo/",
        "/account/password/",
    ],
)
def test_admin_pages_are_accessible(live_server, page, assert_accessible, path):
    admin = make("amministratore", Role.AMMINISTRATORE)
    User.objects.create_user(username="op.comunale", password=PASSWORD, role=Role.OPERATORE_COMUNALE)
    admin.comune_scopes.model.objects.create(
        user=User.objects.get(username="op.comunale"), comune_code="019036"
    )
    page.goto(live_server.url + "/account/accedi/")
    page.fill("#id_username", "amministratore")
    page.fill("#id_password", PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(live_server.url + "/")
    page.goto(live_server.url + path)
    assert page.locator("main h1").count() == 1
    assert_accessible(page)


def test_user_form_errors_are_accessible(live_server, page, assert_accessible):
    make("amministratore", Role.AMMINISTRATORE)
    page.goto(live_server.url + "/account/accedi/")
    page.fill("#id_username", "amministratore")
    page.fill("#id_password", PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(live_server.url + "/")
    page.goto(live_server.url + "/account/utenti/nuovo/")
    page.fill("#id_username", "nuovo.utente")
    page.select_option("#id_role", Role.OPERATORE_COMUNALE)
    page.fill("#id_comuni", "19036")
    page.fill("#id_password1", "corta")
    page.fill("#id_password2", "diversa")
    with page.expect_navigation():
        page.get_by_role("button", name="Crea l'utente").click()
    errors = page.locator("#form-errors").inner_text()
    assert "6 cifre" in errors and "non coincidono" in errors
    assert page.locator("#id_comuni").get_attribute("aria-invalid") == "true"
    assert_accessible(page)
