import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", ["core:home", "core:accessibility", "core:privacy", "core:legal"])
def test_public_pages_render_in_italian(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 200
    body = response.content.decode()
    assert '<html lang="it">' in body
    assert "bootstrap-italia.min.css" in body


def test_accessibility_statement_follows_agid_model(client):
    body = client.get(reverse("core:accessibility")).content.decode()
    for heading in [
        "Stato di conformità",
        "Contenuti non accessibili",
        "Meccanismo di feedback",
        "Procedura di attuazione",
    ]:
        assert heading in body


def test_unknown_url_is_a_designed_404(client):
    response = client.get("/non-esiste/")
    assert response.status_code == 404
    assert "Pagina non trovata" in response.content.decode()


def test_english_is_available(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    body = client.get(reverse("core:home")).content.decode()
    assert '<html lang="en">' in body


def test_italian_even_when_the_browser_asks_for_english(client):
    body = client.get(reverse("core:home"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="it">' in body


def test_user_facing_404_is_designed_even_in_debug(client, settings):
    settings.DEBUG = True
    response = client.get("/territorio/ZZZ-NON-ESISTE/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "Pagina non trovata" in body
    assert "Traceback" not in body
