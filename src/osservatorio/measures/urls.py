from django.urls import path

from . import views, views_microsim

app_name = "measures"

urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("cronologia/", views.timeline, name="timeline"),
    path("screening/", views.screening, name="screening"),
    path("screening/salva/", views.case_save, name="case_save"),
    path("casi/", views.cases, name="cases"),
    path("casi/<int:pk>/", views.case, name="case"),
    path("microsimulazione/", views_microsim.microsim, name="microsim"),
    path("microsimulazione/cosa-succede-se/", views_microsim.whatif_view, name="whatif"),
    path("<slug:slug>/", views.detail, name="detail"),
    path("<slug:slug>/modifica/", views.edit, name="edit"),
]
