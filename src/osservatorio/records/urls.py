from django.urls import path

from . import views

app_name = "records"

urlpatterns = [
    path("", views.index, name="index"),
    path("carica/", views.upload, name="upload"),
    path("conteggi/", views.counts, name="counts"),
    path("importazioni/<int:pk>/", views.batch_status, name="status"),
    path("importazioni/<int:pk>/avanzamento/", views.batch_progress, name="progress"),
    path("importazioni/<int:pk>/mappatura/", views.mapping, name="mapping"),
    path("importazioni/<int:pk>/verifica/", views.report, name="report"),
    path("importazioni/<int:pk>/errori.csv", views.error_report, name="error_report"),
    path("importazioni/<int:pk>/annulla/", views.cancel, name="cancel"),
]
