"""Audit of personal data: reads in our own AccessLog, writes through django-auditlog.

Reads. Views declared with `roles_required(..., personal_data=True)` are recorded automatically (web and
API). Code that reads personal data outside such a view (an export, a report, a CLI command) calls

    record_read(user, obj)                                # a model instance
    record_read(user, object_ref="records.batch:12", comune_code="019036", request=request)

Writes. Models holding personal data or configuration are registered with django-auditlog, in the
AppConfig.ready() of their app:

    from osservatorio.accounts.audit import register_audited
    register_audited(MyModel)                  # every field
    register_audited(MyModel, exclude_fields=["cache"])

Within a request the actor is taken from the session (auditlog middleware); a service called from the CLI
or a task wraps its writes in `acting_as(user)`.
"""

from __future__ import annotations

import contextlib
import ipaddress
from collections.abc import Iterator

from django.conf import settings
from django.db import models
from django.http import HttpRequest, HttpResponse

from .models import AccessLog

# Not worth a line of the write log: changes at every login.
NEVER_AUDITED_FIELDS = ("last_login",)
# Logged as "changed", never with their value (not even a hash).
SECRET_FIELDS = ("password",)


def client_ip(request: HttpRequest | None) -> str | None:
    """The caller's address. Behind N trusted reverse proxies (OSSERVATORIO_PROXY_COUNT = N), the N-th
    address from the right of X-Forwarded-For: the ones further left are written by the client and
    cannot be trusted."""
    if request is None:
        return None
    proxies = int(getattr(settings, "OSSERVATORIO_PROXY_COUNT", 0) or 0)
    if proxies > 0:
        chain = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
        if len(chain) >= proxies:
            candidate = chain[-proxies]
            try:
                return str(ipaddress.ip_address(candidate))
            except ValueError:
                pass
    return request.META.get("REMOTE_ADDR") or None


def object_reference(obj: models.Model) -> str:
    """A stable, non-personal name of an object: `app_label.model:pk` (never its str())."""
    meta = obj._meta
    return f"{meta.app_label}.{meta.model_name}:{obj.pk}"


def _comune_of(obj: models.Model | None) -> str:
    if obj is None:
        return ""
    for attr in ("comune_code", "comune_istat", "comune"):
        value = getattr(obj, attr, None)
        if isinstance(value, str) and value:
            return value
    return ""


def record_read(
    user,
    obj: models.Model | None = None,
    *,
    object_ref: str = "",
    comune_code: str = "",
    request: HttpRequest | None = None,
    what: str = "",
) -> AccessLog:
    """Record that `user` read personal data: a model instance, or a reference given by the caller.

    `what` says in words what was read when there is no object (e.g. "esportazione CSV domande 2025").
    """
    if obj is not None:
        object_ref = object_ref or object_reference(obj)
        comune_code = comune_code or _comune_of(obj)
    match = getattr(request, "resolver_match", None) if request is not None else None
    return AccessLog.objects.create(
        user=user if getattr(user, "pk", None) else None,
        username=user.get_username() if user is not None else "",
        role=getattr(user, "effective_role", "") or "",
        method=(request.method or "") if request is not None else "",
        channel=AccessLog.Channel.WEB if request is not None else AccessLog.Channel.SERVICE,
        path=(request.path[:500] if request is not None else what[:500]),
        view_name=(match.view_name if match else "")[:200],
        object_ref=object_ref[:200],
        comune_code=str(comune_code or "")[:6],
        ip_address=client_ip(request),
        status_code=200,
    )


def record_view_read(
    request: HttpRequest, response: HttpResponse, view_kwargs: dict, channel: str = "web"
) -> AccessLog:
    """The automatic record of a view declared with personal_data=True."""
    match = getattr(request, "resolver_match", None)
    ref = ",".join(f"{k}={v}" for k, v in sorted(view_kwargs.items()))[:200]
    comune = view_kwargs.get("comune_code") or view_kwargs.get("comune") or view_kwargs.get("code") or ""
    comune = str(comune)
    return AccessLog.objects.create(
        user=request.user,
        username=request.user.get_username(),
        role=request.user.effective_role,
        method=request.method or "",
        channel=channel,
        path=request.get_full_path()[:500],
        view_name=(match.view_name if match else "")[:200],
        object_ref=ref,
        comune_code=comune[:6] if comune.isdigit() else "",
        ip_address=client_ip(request),
        status_code=response.status_code,
    )


def mask_secret(value) -> str:
    return "********"


def register_audited(model: type[models.Model], **kwargs) -> None:
    """Log every create, update and delete of `model` with django-auditlog.

    A password change is logged as a change, with the value masked.
    """
    from auditlog.registry import auditlog

    if auditlog.contains(model):
        return
    field_names = {f.name for f in model._meta.get_fields()}
    exclude = list(kwargs.pop("exclude_fields", None) or [])
    exclude += [f for f in NEVER_AUDITED_FIELDS if f in field_names and f not in exclude]
    mask = list(kwargs.pop("mask_fields", None) or [])
    mask += [f for f in SECRET_FIELDS if f in field_names and f not in mask]
    if mask:
        kwargs.setdefault("mask_callable", "osservatorio.accounts.audit.mask_secret")
    auditlog.register(model, exclude_fields=exclude, mask_fields=mask, **kwargs)


@contextlib.contextmanager
def acting_as(actor) -> Iterator[None]:
    """Attribute the writes in this block to `actor` (no-op for None).

    auditlog keeps its request context in a context variable that outlives the request; we set our own
    for the block and put the previous one back, so a call inside a request leaves the request's context
    as it was. The address is kept when the request's user is the actor.
    """
    from auditlog.context import auditlog_value, set_actor

    if actor is None:
        yield
        return
    previous = auditlog_value.get(None)
    remote_addr = None
    if previous and getattr(previous.get("actor"), "pk", None) == actor.pk:
        remote_addr = previous.get("remote_addr")
    try:
        with set_actor(actor, remote_addr=remote_addr):
            yield
    finally:
        if previous is not None:
            auditlog_value.set(previous)
