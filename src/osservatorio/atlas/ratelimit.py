"""Rate limits on the page downloads (CSV, Excel, JSON tables and the bulk ZIP of a release).

The API has DRF's throttle; the downloads behind the pages have this one: a fixed window per client address
(the address the proxy reports when OSSERVATORIO_PROXY_COUNT is set), counted in the default cache. Over the
limit the visitor gets a 429 page in Italian saying when to try again, with a Retry-After header.
Rates are "N/second|minute|hour|day" strings in the settings OSSERVATORIO_DOWNLOAD_RATE and
OSSERVATORIO_BULK_RATE.
"""

from __future__ import annotations

import math
import time
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render

PERIODS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}
DEFAULT_RATES = {"download": "120/minute", "bulk": "20/hour"}


def parse_rate(rate: str) -> tuple[int, int]:
    """'60/minute' → (60, 60). Raises ValueError on anything else."""
    count, _, period = rate.partition("/")
    seconds = PERIODS.get(period.strip().lower().rstrip("s") or "")
    if seconds is None or not count.strip().isdigit() or int(count) < 1:
        raise ValueError(f"limite non valido: {rate!r} (atteso per esempio '60/minute')")
    return int(count), seconds


def rate_for(scope: str) -> tuple[int, int]:
    setting = {"download": "OSSERVATORIO_DOWNLOAD_RATE", "bulk": "OSSERVATORIO_BULK_RATE"}[scope]
    return parse_rate(getattr(settings, setting, None) or DEFAULT_RATES[scope])


def client_address(request) -> str:
    proxies = int(getattr(settings, "OSSERVATORIO_PROXY_COUNT", 0) or 0)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        hops = [h.strip() for h in forwarded.split(",") if h.strip()]
        if hops:
            return hops[-min(proxies, len(hops))]
    return request.META.get("REMOTE_ADDR", "") or "sconosciuto"


def hit(scope: str, address: str, now: float | None = None) -> int:
    """Count one request; return 0 if allowed, else the seconds until the window ends."""
    limit, period = rate_for(scope)
    now = time.time() if now is None else now
    window = int(now // period)
    key = f"atlas:rate:{scope}:{address}:{window}"
    cache.add(key, 0, period + 5)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, period + 5)
        count = 1
    if count <= limit:
        return 0
    return max(1, math.ceil((window + 1) * period - now))


def rate_limited(scope: str = "download"):
    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            wait = hit(scope, client_address(request))
            if wait:
                limit, period = rate_for(scope)
                response = render(
                    request,
                    "atlas/429.html",
                    {
                        "wait_seconds": wait,
                        "wait_minutes": math.ceil(wait / 60),
                        "limit": limit,
                        "period": period,
                    },
                    status=429,
                )
                response["Retry-After"] = str(wait)
                return response
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
