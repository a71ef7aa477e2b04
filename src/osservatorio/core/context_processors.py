from django.conf import settings


def ente(request):
    """The configured ente, for the header, footer and page titles."""
    return {"ente": settings.OSSERVATORIO}
