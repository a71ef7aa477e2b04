from django.urls import path, register_converter

from . import api, views


class FormatConverter:
    regex = "csv|xlsx|json"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(FormatConverter, "fmt")

app_name = "atlas"

urlpatterns = [
    path("", views.index, name="index"),
    path("cerca/", views.search, name="search"),
    path("aree/<str:code>/", views.area_profile, name="area"),
    path("aree/<str:code>/profilo.<fmt:fmt>", views.area_profile_data, name="area_data"),
    path("indicatori/", views.indicator_list, name="indicators"),
    path("indicatori/<slug:code>/", views.indicator_detail, name="indicator"),
    path("indicatori/<slug:code>/dati.<fmt:fmt>", views.indicator_data, name="indicator_data"),
    path("indicatori/<slug:code>/serie.<fmt:fmt>", views.indicator_series_data, name="indicator_series_data"),
    path("indicatori/<slug:code>/mappa.geojson", views.indicator_geojson, name="indicator_geojson"),
    path("confini/<str:code>/<slug:level>.geojson", views.geometry, name="geometry"),
    path("confronta/", views.compare, name="compare"),
    path("confronta/dati.<fmt:fmt>", views.compare_data, name="compare_data"),
    path("dati/", views.releases, name="releases"),
    path("dati/rilascio-<int:pk>.zip", views.release_bulk, name="release_bulk"),
    path("catalogo.jsonld", api.dcat_catalogue, name="catalogue"),
    path("embed/indicatori/<slug:code>/grafico/", views.embed_chart, name="embed_chart"),
    path("embed/indicatori/<slug:code>/mappa/", views.embed_map, name="embed_map"),
]
