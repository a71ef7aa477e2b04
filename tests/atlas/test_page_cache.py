"""The shared cache of public pages (core.pagecache): what it keeps, for whom, and when it lets go."""

import pytest
from django.urls import reverse

from osservatorio.core import pagecache

pytestmark = pytest.mark.django_db

PROFILE = "/atlante/aree/019036/"


@pytest.fixture
def page_cache(settings, tmp_path):
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
    yield
    pagecache.clear()


def test_anonymous_profile_is_served_from_the_cache(client, released, page_cache):
    first = client.get(PROFILE)
    assert first.status_code == 200 and first[pagecache.HEADER] == "miss"
    second = client.get(PROFILE)
    assert second.status_code == 200 and second[pagecache.HEADER] == "hit"
    assert second.content == first.content
    html = second.content.decode()
    # Nothing per visitor in a shared page: no CSRF token, no cookie, no account link.
    assert 'name="csrfmiddlewaretoken"' not in html
    assert not first.cookies and not second.cookies
    assert "Accedi" in html
    # Security headers still apply to a page served from the cache.
    assert second["X-Frame-Options"] == "DENY"
    assert second["X-Content-Type-Options"] == "nosniff"


def test_language_and_query_are_part_of_the_key(client, released, page_cache):
    assert client.get(PROFILE)[pagecache.HEADER] == "miss"
    client.cookies["django_language"] = "en"
    english = client.get(PROFILE)
    assert english[pagecache.HEADER] == "miss"
    assert '<html lang="en">' in english.content.decode()
    assert client.get(PROFILE)[pagecache.HEADER] == "hit"
    del client.cookies["django_language"]
    italian = client.get(PROFILE)
    assert italian[pagecache.HEADER] == "hit" and '<html lang="it">' in italian.content.decode()
    assert client.get(PROFILE + "?x=1")[pagecache.HEADER] == "miss"


def test_a_new_release_invalidates_every_page(client, released, page_cache):
    from osservatorio.indicators.models import Release

    assert client.get(PROFILE)[pagecache.HEADER] == "miss"
    assert client.get(PROFILE)[pagecache.HEADER] == "hit"
    fields = {
        f.attname: getattr(released, f.attname)
        for f in Release._meta.concrete_fields
        if f.attname not in ("id", "created_at", "previous_id", "created_by_id")
    }
    Release.objects.create(**fields)
    assert client.get(PROFILE)[pagecache.HEADER] == "miss"


def test_logged_in_visitors_never_share_pages(client, released, page_cache, django_user_model):
    from osservatorio.accounts.roles import Role

    assert client.get(PROFILE)[pagecache.HEADER] == "miss"
    user = django_user_model.objects.create_user(
        username="lettore-cache", password="x" * 20, role=Role.LETTORE
    )
    client.force_login(user)
    logged = client.get(PROFILE)
    assert logged.status_code == 200
    assert pagecache.HEADER not in logged
    html = logged.content.decode()
    assert "lettore-cache" in html and 'name="csrfmiddlewaretoken"' in html
    client.logout()
    client.cookies.clear()
    anon = client.get(PROFILE)
    assert anon[pagecache.HEADER] == "hit"
    assert "lettore-cache" not in anon.content.decode()


def test_htmx_errors_and_non_opted_in_pages_are_not_kept(client, released, page_cache):
    assert pagecache.HEADER not in client.get(PROFILE, HTTP_HX_REQUEST="true")
    assert client.get("/atlante/aree/ZZZ999/").status_code == 404
    assert pagecache.HEADER not in client.get("/atlante/aree/ZZZ999/")
    # Downloads are rate-limited per visitor: never answered from the shared cache.
    csv = client.get(reverse("atlas:area_data", args=["019036", "csv"]))
    assert csv.status_code == 200 and pagecache.HEADER not in csv
    assert pagecache.HEADER not in client.get(reverse("core:privacy"))


def test_cache_is_off_unless_configured(client, released, settings):
    settings.OSSERVATORIO_PAGE_CACHE = False
    assert pagecache.HEADER not in client.get(PROFILE)


def test_language_switch_needs_no_token(released, page_cache):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post(reverse("core:language"), {"language": "en", "next": PROFILE})
    assert response.status_code == 302 and response["Location"] == PROFILE
    assert strict.get(PROFILE).content.decode().count('<html lang="en">') == 1


def test_worker_memory_layer_gives_fresh_copies_and_expires(settings, page_cache, monkeypatch):
    from django.core.cache import caches
    from django.http import HttpResponse

    settings.OSSERVATORIO_PAGE_CACHE_SECONDS = 60
    pagecache.store("k", HttpResponse(b"pagina"))
    caches["pages"].clear()  # the shared store is gone: this worker still has the page in memory
    a, b = pagecache.lookup("k"), pagecache.lookup("k")
    assert a.content == b"pagina" and a is not b
    a["X-Test"] = "1"
    assert "X-Test" not in pagecache.lookup("k")
    now = pagecache.time.time()
    monkeypatch.setattr(pagecache.time, "time", lambda: now + 61)
    assert pagecache.lookup("k") is None


def test_version_is_read_at_most_once_per_interval(released, settings, page_cache, monkeypatch):
    from osservatorio.indicators.models import Release

    settings.OSSERVATORIO_PAGE_CACHE_VERSION_SECONDS = 30
    first = pagecache.version()
    fields = {
        f.attname: getattr(released, f.attname)
        for f in Release._meta.concrete_fields
        if f.attname not in ("id", "created_at", "previous_id", "created_by_id")
    }
    Release.objects.create(**fields)
    assert pagecache.version() == first
    now = pagecache.time.monotonic()
    monkeypatch.setattr(pagecache.time, "monotonic", lambda: now + 31)
    assert pagecache.version() != first
