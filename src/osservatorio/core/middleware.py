from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class ItalianFirstLocaleMiddleware(LocaleMiddleware):
    """Italian unless the visitor chose another language with the switch in the header.

    Django's LocaleMiddleware follows the browser's Accept-Language, which would show a municipal
    service in English to anyone whose browser is set to English; here only the explicit choice (the
    language cookie set by the switch) counts.
    """

    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        supported = {code for code, _ in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class UserFacing404Middleware:
    """Render our Italian 404 page for a UserFacing404 even with DEBUG on (the demo runs with DEBUG), where
    Django would otherwise show its technical page to the visitor."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from .http import UserFacing404
        from .views import page_not_found

        if isinstance(exception, UserFacing404):
            return page_not_found(request, exception)
        return None


class PublicPageCacheMiddleware:
    """Answer anonymous GETs of opted-in public pages from the shared page cache (see core.pagecache).

    Put it right after SecurityMiddleware and WhiteNoise: on a hit nothing else runs (no session, auth, CSRF,
    axes or audit work); on a miss the request goes through the whole stack and the response is kept only if
    `pagecache.storable` says it is safe to share."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from . import pagecache

        if not pagecache.enabled() or not pagecache.eligible_request(request):
            return self.get_response(request)
        key = pagecache.key_for(request)
        cached = pagecache.lookup(key)
        if cached is not None:
            cached[pagecache.HEADER] = "hit"
            return cached
        response = self.get_response(request)
        if pagecache.storable(request, response):
            pagecache.store(key, response)
            response[pagecache.HEADER] = "miss"
        return response
