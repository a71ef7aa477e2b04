from django.contrib import admin
from django.urls import include, path

handler404 = "osservatorio.core.views.page_not_found"
handler500 = "osservatorio.core.views.server_error"
handler403 = "osservatorio.core.views.permission_denied"

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("account/", include("osservatorio.accounts.urls")),
    path("territorio/", include("osservatorio.territory.urls")),
    path("fonti/", include("osservatorio.sources.urls")),
    path("dati-servizi/", include("osservatorio.records.urls")),
    path("indicatori/", include("osservatorio.indicators.urls")),
    path("misure/", include("osservatorio.measures.urls")),
    path("atlante/", include("osservatorio.atlas.urls")),
    path("api/", include("osservatorio.atlas.api_urls")),
    path("rapporti/", include("osservatorio.reports.urls")),
    path("", include("osservatorio.core.urls")),
]
