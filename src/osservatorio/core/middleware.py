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
