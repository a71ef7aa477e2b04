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
