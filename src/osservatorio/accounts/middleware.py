"""Idle timeout: a session left unused for too long is closed, whatever its absolute age.

SESSION_COOKIE_AGE bounds a session's total life (8 hours); this bounds the time between two requests
(OSSERVATORIO_IDLE_TIMEOUT seconds, 30 minutes by default), so a desk left unattended does not stay open
on records of people. Put it right after AuthenticationMiddleware and MessageMiddleware.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.utils.translation import gettext as _

SESSION_KEY = "osservatorio_last_seen"
DEFAULT_IDLE_SECONDS = 30 * 60
# Writing the session on every request would turn each page view into a database write; a minute of
# slack in the idle clock is harmless.
TOUCH_EVERY_SECONDS = 60


def idle_timeout_seconds() -> int:
    return int(getattr(settings, "OSSERVATORIO_IDLE_TIMEOUT", DEFAULT_IDLE_SECONDS))


class IdleTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            last_seen = request.session.get(SESSION_KEY)
            limit = idle_timeout_seconds()
            if last_seen is not None and limit > 0 and now - int(last_seen) > limit:
                logout(request)
                minutes = max(1, limit // 60)
                messages.warning(
                    request,
                    _("La sessione è scaduta dopo %(minutes)d minuti di inattività: acceda di nuovo.")
                    % {"minutes": minutes},
                )
                return redirect_to_login(request.get_full_path())
            if last_seen is None or now - int(last_seen) >= TOUCH_EVERY_SECONDS:
                request.session[SESSION_KEY] = now
        return self.get_response(request)
