from django.urls import path

from . import views

app_name = "sources"

urlpatterns = [
    path("", views.index, name="index"),
    path("release/<int:pk>/", views.release, name="release"),
    path("<slug:key>/", views.detail, name="detail"),
]
