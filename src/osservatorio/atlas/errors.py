"""Bad requests shown in the design system (pages) with a message that says what to fix."""

from __future__ import annotations

from functools import wraps

from django.shortcuts import render

from osservatorio.core.http import UserFacing404


class UserFacing400(Exception):
    """A malformed request (impossible year, unknown parameter value): the message is for the visitor."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def friendly(view):
    """Render UserFacing404/400 as our pages even with DEBUG on (the demo runs with DEBUG)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        from osservatorio.core.views import page_not_found

        try:
            return view(request, *args, **kwargs)
        except UserFacing404 as exc:
            return page_not_found(request, exc)
        except UserFacing400 as exc:
            return render(request, "atlas/400.html", {"message": exc.message}, status=400)

    return wrapped
