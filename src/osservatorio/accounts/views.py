from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from .access import public, roles_required
from .models import AccessLog
from .roles import Role


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


@public
@require_POST
def logout_view(request):
    logout(request)
    return redirect("core:home")


@roles_required(Role.AMMINISTRATORE)
@require_GET
def audit_log(request):
    entries = AccessLog.objects.all()[:200]
    return render(request, "accounts/audit.html", {"entries": entries})
