from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET
from django.views.i18n import set_language as django_set_language

from osservatorio.accounts.access import public

from .pagecache import cacheable_public_page


@public
@cacheable_public_page
@require_GET
def home(request):
    # The home page is the atlas's front door (owned by the atlas app): headline figures of the ente's ambito.
    from osservatorio.atlas import home as atlas_home

    return render(request, "core/home.html", atlas_home.context())


@public
@require_GET
def accessibility(request):
    return render(request, "core/accessibility.html")


@public
@require_GET
def privacy(request):
    return render(request, "core/privacy.html")


@public
@require_GET
def legal(request):
    return render(request, "core/legal.html")


@public
@csrf_exempt
def set_language(request):
    """The language switch of the header, without a CSRF token: choosing a language only sets the language
    cookie, and a page without a per-visitor token can be served from the shared page cache."""
    return django_set_language(request)


def page_not_found(request, exception=None):
    message = ""
    if exception is not None and exception.args and isinstance(exception.args[0], str):
        # Only our own Http404 messages are shown: they are written for the user, in Italian.
        message = exception.args[0] if getattr(exception, "user_message", False) else ""
    return render(request, "core/404.html", {"message": message}, status=404)


def permission_denied(request, exception=None):
    return render(request, "core/403.html", status=403)


def server_error(request):
    return render(request, "core/500.html", status=500)
