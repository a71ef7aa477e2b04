"""Page downloads are rate-limited per client address, with an Italian 429 page."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from osservatorio.atlas import ratelimit

pytestmark = pytest.mark.django_db


def test_parse_rate():
    assert ratelimit.parse_rate("60/minute") == (60, 60)
    assert ratelimit.parse_rate("5/hours") == (5, 3600)
    for bad in ("", "60", "x/minute", "0/minute", "10/fortnight"):
        with pytest.raises(ValueError):
            ratelimit.parse_rate(bad)


def test_csv_download_over_the_limit_gets_an_italian_429(client, released, settings):
    settings.OSSERVATORIO_DOWNLOAD_RATE = "3/hour"
    cache.clear()
    url = reverse("atlas:indicator_data", args=["indice-vecchiaia", "csv"])
    for _ in range(3):
        assert client.get(url).status_code == 200
    refused = client.get(url)
    assert refused.status_code == 429
    wait = int(refused["Retry-After"])
    assert 0 < wait <= 3600
    html = refused.content.decode()
    assert "Troppe richieste di scaricamento" in html and "Riprovi tra" in html
    assert '<html lang="it">' in html
    # Another address is not affected; the pages themselves are not limited.
    assert client.get(url, REMOTE_ADDR="10.0.0.9").status_code == 200
    assert client.get(reverse("atlas:area", args=["019036"])).status_code == 200
    # Every download format shares the budget of the address.
    assert client.get(reverse("atlas:area_data", args=["019036", "xlsx"])).status_code == 429


def test_bulk_zip_has_its_own_stricter_limit(client, released, settings):
    settings.OSSERVATORIO_BULK_RATE = "1/hour"
    cache.clear()
    url = reverse("atlas:release_bulk", args=[released.pk])
    assert client.get(url).status_code == 200
    assert client.get(url).status_code == 429
    assert client.get(reverse("atlas:indicator_data", args=["indice-vecchiaia", "json"])).status_code == 200


def test_proxy_address_is_used_only_when_configured(rf, settings):
    request = rf.get("/", HTTP_X_FORWARDED_FOR="203.0.113.7, 10.0.0.2", REMOTE_ADDR="127.0.0.1")
    settings.OSSERVATORIO_PROXY_COUNT = 0
    assert ratelimit.client_address(request) == "127.0.0.1"
    settings.OSSERVATORIO_PROXY_COUNT = 1
    assert ratelimit.client_address(request) == "10.0.0.2"
    settings.OSSERVATORIO_PROXY_COUNT = 2
    assert ratelimit.client_address(request) == "203.0.113.7"


def test_window_resets(settings):
    settings.OSSERVATORIO_DOWNLOAD_RATE = "2/minute"
    cache.clear()
    t = 1_000_020.0  # 0 s into a minute window
    assert ratelimit.hit("download", "a", t) == 0
    assert ratelimit.hit("download", "a", t + 1) == 0
    assert ratelimit.hit("download", "a", t + 2) == 58
    assert ratelimit.hit("download", "a", t + 60) == 0


def test_429_page_in_english_when_chosen(client, released, settings):
    settings.OSSERVATORIO_DOWNLOAD_RATE = "1/minute"
    cache.clear()
    client.cookies["django_language"] = "en"
    url = reverse("atlas:area_data", args=["019036", "csv"])
    assert client.get(url).status_code == 200
    refused = client.get(url)
    assert refused.status_code == 429
    assert "Too many download requests" in refused.content.decode()
