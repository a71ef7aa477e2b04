from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("accedi/", views.LoginView.as_view(), name="login"),
    path("esci/", views.logout_view, name="logout"),
    path("profilo/", views.profile, name="profile"),
    path("password/", views.password_change, name="password_change"),
    path("utenti/", views.user_list, name="users"),
    path("utenti/nuovo/", views.user_create, name="user_create"),
    path("utenti/<int:pk>/", views.user_edit, name="user_edit"),
    path("utenti/<int:pk>/sblocca/", views.user_unlock, name="user_unlock"),
    path("registro-accessi/", views.audit_log, name="audit"),
    path("registro-accessi/registro.csv", views.audit_export, name="audit_export"),
]
