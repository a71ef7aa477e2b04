from django.urls import path

from . import api

app_name = "api"

urlpatterns = [
    path("", api.docs, name="docs"),
    path("schema/", api.Schema.as_view(), name="schema"),
    path("aree/", api.AreaList.as_view(), name="areas"),
    path("aree/<str:code>/", api.AreaDetail.as_view(), name="area"),
    path("indicatori/", api.IndicatorList.as_view(), name="indicators"),
    path("indicatori/<slug:code>/", api.IndicatorDetail.as_view(), name="indicator"),
    path("valori/", api.DataPointList.as_view(), name="datapoints"),
    path("dcat/", api.Catalogue.as_view(), name="dcat"),
]
