"""A cache of rendered public pages, shared by every server worker, for anonymous visitors.

A view opts in with `@cacheable_public_page` (under `@public`). The `PublicPageCacheMiddleware`, placed right
after the security and static-file middleware, then answers an anonymous GET from the cache without going
through sessions, authentication, CSRF, django-axes or the audit log; on a miss it lets the request through
and keeps the response only if it is safe to share:

- the request is a plain anonymous GET: no cookie but the language choice and the CSRF cookie (a session, a
  login or a pending message bypasses the cache both ways), not an htmx request;
- the response is a 200 from an opted-in view, not streamed, sets no cookie (so it holds no CSRF token and
  no session) and is not marked private/no-store.

The key is the path, the query string, the language and a version string read from the database on every
request (`OSSERVATORIO_PAGE_CACHE_VERSION`, by default the id of the newest published indicator release):
publishing a release changes every key, so no stale number is ever served. Entries also expire after
`OSSERVATORIO_PAGE_CACHE_SECONDS` (data that is not part of a release, such as the measures catalogue, shows
up after that delay). The cache is off unless `OSSERVATORIO_PAGE_CACHE` is true (on by default in
production); its store is the `pages` cache alias (files under OSSERVATORIO_VAR_DIR, shared by workers).

Two things make a hit cost about as little as a static file: each worker keeps the most recent pages in
memory too (`OSSERVATORIO_PAGE_CACHE_LOCAL_ENTRIES`, same keys and expiry, so the shared store is read once
per worker and page), and the version is read from the database at most once every
`OSSERVATORIO_PAGE_CACHE_VERSION_SECONDS` per worker (1 s by default: a new release is served everywhere
within a second of its publication; 0 reads it on every request).
"""

from __future__ import annotations

import hashlib
import pickle
import threading
import time
from collections import OrderedDict
from functools import wraps

from django.conf import settings
from django.core.cache import caches
from django.utils.module_loading import import_string

ALIAS = "pages"
REQUEST_FLAG = "_osservatorio_cacheable_page"
HEADER = "X-Osservatorio-Cache"


def cacheable_public_page(view):
    """Let the page cache keep this view's responses to anonymous visitors (public, non-personal pages only)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        setattr(request, REQUEST_FLAG, True)
        return view(request, *args, **kwargs)

    wrapped.cacheable_public_page = True
    return wrapped


def enabled() -> bool:
    return bool(getattr(settings, "OSSERVATORIO_PAGE_CACHE", False)) and ALIAS in settings.CACHES


def _allowed_cookies() -> frozenset[str]:
    return frozenset({settings.LANGUAGE_COOKIE_NAME, settings.CSRF_COOKIE_NAME})


def language_of(request) -> str:
    """The language the page will be rendered in (as ItalianFirstLocaleMiddleware decides it)."""
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    supported = {code for code, _ in settings.LANGUAGES}
    return chosen if chosen in supported else settings.LANGUAGE_CODE


def eligible_request(request) -> bool:
    if request.method != "GET":
        return False
    if request.META.get("HTTP_HX_REQUEST"):
        return False
    return set(request.COOKIES) <= _allowed_cookies()


_version_fn = None
_version_seen: tuple[float, str] = (0.0, "")
_local: OrderedDict[str, tuple[float, bytes]] = OrderedDict()
_local_lock = threading.Lock()


def version() -> str:
    global _version_fn, _version_seen
    ttl = float(getattr(settings, "OSSERVATORIO_PAGE_CACHE_VERSION_SECONDS", 1))
    now = time.monotonic()
    if ttl > 0 and now - _version_seen[0] < ttl:
        return _version_seen[1]
    if _version_fn is None:
        _version_fn = import_string(
            getattr(settings, "OSSERVATORIO_PAGE_CACHE_VERSION", "osservatorio.atlas.selectors.release_key")
        )
    value = str(_version_fn())
    _version_seen = (now, value)
    return value


def key_for(request) -> str:
    raw = "\n".join(
        [
            request.get_host(),
            request.path,
            request.META.get("QUERY_STRING", ""),
            language_of(request),
            version(),
        ]
    )
    return "page:" + hashlib.sha256(raw.encode("utf-8", "surrogateescape")).hexdigest()


def storable(request, response) -> bool:
    if not getattr(request, REQUEST_FLAG, False):
        return False
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return False
    cache_control = response.get("Cache-Control", "").lower()
    return "private" not in cache_control and "no-store" not in cache_control


def _timeout() -> int:
    return int(getattr(settings, "OSSERVATORIO_PAGE_CACHE_SECONDS", 300))


def _remember(key: str, expires: float, data: bytes) -> None:
    size = int(getattr(settings, "OSSERVATORIO_PAGE_CACHE_LOCAL_ENTRIES", 256))
    if size <= 0:
        return
    with _local_lock:
        _local[key] = (expires, data)
        _local.move_to_end(key)
        while len(_local) > size:
            _local.popitem(last=False)


def store(key: str, response) -> None:
    timeout = _timeout()
    # The shared store keeps the expiry next to the page, so a worker that reads it later forgets it in time.
    data = pickle.dumps(response, pickle.HIGHEST_PROTOCOL)
    expires = time.time() + timeout
    caches[ALIAS].set(key, (expires, data), timeout)
    _remember(key, expires, data)


def lookup(key: str):
    """A fresh copy of the kept response (never an object shared between requests), or None."""
    now = time.time()
    with _local_lock:
        entry = _local.get(key)
    if entry is None or entry[0] <= now:
        entry = caches[ALIAS].get(key)
        if not entry or entry[0] <= now:
            return None
        _remember(key, *entry)
    return pickle.loads(entry[1])  # noqa: S301 - our own pickled HttpResponse from our own cache


def clear() -> None:
    global _version_seen
    with _local_lock:
        _local.clear()
    _version_seen = (0.0, "")
    if ALIAS in settings.CACHES:
        caches[ALIAS].clear()
