from django.urls import path

from . import views
from .access import public

app_name = "accounts"

urlpatterns = [
    path("accedi/", public(views.LoginView.as_view()), name="login"),
    path("esci/", views.logout_view, name="logout"),
    path("registro-accessi/", views.audit_log, name="audit"),
]
