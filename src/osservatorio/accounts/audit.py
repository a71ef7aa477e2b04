"""The read log of personal data. Writes are logged by django-auditlog (see apps.py)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from .models import AccessLog


def client_ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def record_read(request: HttpRequest, response: HttpResponse, view_kwargs: dict) -> AccessLog:
    match = getattr(request, "resolver_match", None)
    ref = ",".join(f"{k}={v}" for k, v in sorted(view_kwargs.items()))[:200]
    return AccessLog.objects.create(
        user=request.user,
        username=request.user.get_username(),
        role=request.user.effective_role,
        method=request.method or "",
        path=request.path[:500],
        view_name=(match.view_name if match else "")[:200],
        object_ref=ref,
        comune_code=str(view_kwargs.get("comune_code") or view_kwargs.get("code") or "")[:6],
        ip_address=client_ip(request),
        status_code=response.status_code,
    )
