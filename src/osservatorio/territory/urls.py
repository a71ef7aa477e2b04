from django.urls import path

from . import views

app_name = "territory"

urlpatterns = [
    path("", views.search, name="search"),
    path("<str:code>/", views.area, name="area"),
    path("<str:code>/confini.geojson", views.geojson, name="geojson"),
]
