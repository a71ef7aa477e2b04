from django.apps import apps
from django.conf import settings
from django.urls import NoReverseMatch, reverse

from osservatorio.accounts.access import user_role


def ente(request):
    """The configured ente, for the header, footer and page titles."""
    return {"ente": settings.OSSERVATORIO}


def navigation(request):
    """Main menu entries declared by the apps (AppConfig.nav_items), filtered by the visitor's role.

    An entry is (label, url_name, roles): roles None means every visitor, otherwise the roles that see it.
    Public entries go in the menu bar, entries for some roles in the "Area di lavoro" drop-down.
    """
    role = user_role(request.user) if hasattr(request, "user") else None
    public, work = [], []
    for config in apps.get_app_configs():
        for label, url_name, roles in getattr(config, "nav_items", ()):
            if roles is not None and (role is None or (role not in roles and role != "amministratore")):
                continue
            try:
                item = {"label": label, "url": reverse(url_name)}
            except NoReverseMatch:
                continue
            (public if roles is None else work).append(item)
    return {"nav_extra": public, "nav_work": work}
