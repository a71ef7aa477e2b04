from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import get_user_model, logout, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordChangeForm
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import selectors, services
from .access import public, roles_required
from .auditcsv import audit_csv_response
from .forms import AuditFilterForm, LoginForm, UserForm
from .roles import ALL_ROLES, Role


@public
class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


@public
@require_POST
def logout_view(request):
    logout(request)
    messages.info(request, _("È uscito dall'Osservatorio."))
    return redirect("core:home")


@roles_required(ALL_ROLES)
@require_GET
def profile(request):
    codes = request.user.comune_codes()
    names = selectors.comune_names(codes or [])
    comuni = [{"code": c, "name": names.get(c, "")} for c in sorted(codes or [])]
    return render(
        request,
        "accounts/profile.html",
        {"comuni": comuni, "all_comuni": codes is None, "breadcrumbs": [{"label": _("Il mio account")}]},
    )


@roles_required(ALL_ROLES)
@require_http_methods(["GET", "POST"])
def password_change(request):
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        update_session_auth_hash(request, user)
        messages.success(request, _("Password cambiata."))
        return redirect("accounts:profile")
    crumbs = [
        {"label": _("Il mio account"), "url": reverse("accounts:profile")},
        {"label": _("Cambia password")},
    ]
    return render(request, "accounts/password_change.html", {"form": form, "breadcrumbs": crumbs})


# --- user management --------------------------------------------------------------------------------


def _users_crumbs(*extra):
    return [{"label": _("Utenti"), "url": reverse("accounts:users")}, *extra]


@roles_required(Role.AMMINISTRATORE)
@require_GET
def user_list(request):
    q = request.GET.get("q", "").strip()
    role = request.GET.get("ruolo", "")
    role = role if role in ALL_ROLES else ""
    state = request.GET.get("stato", "")
    active = {"attivi": True, "disattivati": False}.get(state)
    qs = selectors.users(q=q, role=role, active=active)
    page = Paginator(qs, 50).get_page(request.GET.get("pagina"))
    params = {k: v for k, v in {"q": q, "ruolo": role, "stato": state}.items() if v}
    return render(
        request,
        "accounts/user_list.html",
        {
            "page": page,
            "q": q,
            "role": role,
            "state": state,
            "roles": Role.choices,
            "query": urlencode(params),
            "breadcrumbs": [{"label": _("Utenti")}],
        },
    )


@roles_required(Role.AMMINISTRATORE)
@require_http_methods(["GET", "POST"])
def user_create(request):
    form = UserForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.create_user(form.user_data(), form.cleaned_data["password1"], actor=request.user)
        except ValidationError as e:
            form.add_service_errors(e)
        else:
            messages.success(request, _("Utente «%(u)s» creato.") % {"u": user.username})
            return redirect("accounts:users")
    return render(
        request,
        "accounts/user_form.html",
        {"form": form, "creating": True, "breadcrumbs": _users_crumbs({"label": _("Nuovo utente")})},
    )


@roles_required(Role.AMMINISTRATORE)
@require_http_methods(["GET", "POST"])
def user_edit(request, pk: int):
    user = get_object_or_404(get_user_model(), pk=pk)
    form = UserForm(request.POST or None, instance=user)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_user(user, form.user_data(), actor=request.user)
            if form.cleaned_data.get("password1"):
                services.set_password(user, form.cleaned_data["password1"], actor=request.user)
        except ValidationError as e:
            form.add_service_errors(e)
        else:
            messages.success(request, _("Utente «%(u)s» aggiornato.") % {"u": user.username})
            return redirect("accounts:users")
    return render(
        request,
        "accounts/user_form.html",
        {
            "form": form,
            "creating": False,
            "subject": user,
            "locked": selectors.is_locked_out(user.username),
            "breadcrumbs": _users_crumbs({"label": user.username}),
        },
    )


@roles_required(Role.AMMINISTRATORE)
@require_POST
def user_unlock(request, pk: int):
    user = get_object_or_404(get_user_model(), pk=pk)
    services.unlock(user.username)
    messages.success(request, _("Blocco dell'accesso tolto per «%(u)s».") % {"u": user.username})
    return redirect("accounts:user_edit", pk=user.pk)


# --- audit -----------------------------------------------------------------------------------------


def _audit_filters(request) -> tuple[AuditFilterForm, selectors.AuditFilters | None]:
    form = AuditFilterForm(request.GET or None)
    if not request.GET:
        return form, selectors.AuditFilters()
    if not form.is_valid():
        return form, None
    c = form.cleaned_data
    return form, selectors.AuditFilters(
        username=c.get("username") or "",
        role=c.get("role") or "",
        date_from=c.get("date_from"),
        date_to=c.get("date_to"),
        comune_code=c.get("comune") or "",
        text=c.get("text") or "",
        kind=c.get("kind") or "",
    )


# The audit log tells who looked at whose records: reading it is itself a read of personal data.
@roles_required(Role.AMMINISTRATORE, personal_data=True)
@require_GET
def audit_log(request):
    form, filters = _audit_filters(request)
    page = None
    if filters is not None:
        page = Paginator(selectors.AuditTimeline(filters), 50).get_page(request.GET.get("pagina"))
    params = request.GET.copy()
    params.pop("pagina", None)
    return render(
        request,
        "accounts/audit.html",
        {
            "form": form,
            "page": page,
            "query": params.urlencode(),
            "breadcrumbs": [{"label": _("Registro accessi")}],
        },
    )


@roles_required(Role.AMMINISTRATORE, personal_data=True)
@require_GET
def audit_export(request):
    form, filters = _audit_filters(request)
    if filters is None:
        messages.error(request, _("Filtri non validi: li corregga prima di esportare."))
        return redirect(reverse("accounts:audit") + "?" + request.GET.urlencode())
    return audit_csv_response(selectors.AuditTimeline(filters))
