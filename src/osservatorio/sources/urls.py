from django.urls import path

from . import views

app_name = "sources"

urlpatterns = [
    path("", views.index, name="index"),
    path("release/<int:pk>/", views.release, name="release"),
    path("carica/", views.upload, name="upload"),
    path("carica/<int:pk>/", views.job, name="job"),
    path("<slug:key>/", views.detail, name="detail"),
]
