from django.urls import path

from . import views

app_name = "indicators"

urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("indice-composito/", views.composite_builder, name="composite"),
    path("<slug:code>/", views.detail, name="detail"),
    path("<slug:code>/area/<str:area_code>/", views.area, name="area"),
]
