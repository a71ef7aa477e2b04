import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("path", ["/", "/accessibilita/", "/privacy/", "/note-legali/", "/account/accedi/"])
def test_page_passes_axe(live_server, page, assert_accessible, path):
    page.goto(live_server.url + path)
    assert page.locator("main h1").count() == 1
    assert_accessible(page)


def test_skip_link_reaches_main_content(live_server, page):
    page.goto(live_server.url + "/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.getAttribute('href')")
    assert focused == "#main-content"


def test_work_menu_for_an_administrator(live_server, page, assert_accessible, django_user_model):
    django_user_model.objects.create_user("capo", password="Un-Segreto-Lungo-42", role="amministratore")
    page.goto(live_server.url + "/account/accedi/")
    page.fill("#id_username", "capo")
    page.fill("#id_password", "Un-Segreto-Lungo-42")
    page.keyboard.press("Enter")
    page.wait_for_url(live_server.url + "/**")
    page.click("#nav-work")
    audit = page.get_by_role("link", name="Registro accessi")
    assert audit.is_visible()
    page.wait_for_timeout(400)  # the menu fades in; contrast is measured once it is opaque
    page.screenshot(path="test-artifacts/nav-work-open.png")
    assert_accessible(page)
    with page.expect_navigation():
        audit.click()
    assert page.locator("main h1").inner_text().startswith("Registro")
