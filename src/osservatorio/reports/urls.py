from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.report_list, name="list"),
    path("profilo/", views.profile, name="profile"),
    path("definizioni/<slug:slug>/", views.detail, name="detail"),
    path("definizioni/<slug:slug>/stampa/", views.preview_fragment, name="print"),
    path("definizioni/<slug:slug>/modifica/", views.edit, name="edit"),
    path("definizioni/<slug:slug>/sezioni/<int:pk>/", views.section_edit, name="section"),
    path("definizioni/<slug:slug>/genera/", views.generate, name="generate"),
    path("definizioni/<slug:slug>/ripristina/", views.restore, name="restore"),
    path("generati/<int:pk>/", views.generated, name="generated"),
    path("generati/<int:pk>/stato/", views.status, name="status"),
    path("generati/<int:pk>/pdf/", views.download, name="download"),
    path("generati/<int:pk>/rigenera/", views.reproduce, name="reproduce"),
]
