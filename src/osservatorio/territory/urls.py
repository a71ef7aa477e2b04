from django.urls import path

from . import views

app_name = "territory"

urlpatterns = [
    path("", views.search, name="search"),
]
