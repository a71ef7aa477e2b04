from django.http import Http404


class UserFacing404(Http404):
    """A 404 whose message is meant for the visitor (Italian, no internals) and is shown on the page."""

    user_message = True
