"""Reads: users for the management pages, comune codes for scopes, and the audit timeline."""

from __future__ import annotations

import datetime as dt
import heapq
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import AccessLog, ComuneScope
from .roles import Role


def users(*, q: str = "", role: str = "", active: bool | None = None) -> QuerySet:
    User = get_user_model()
    qs = User.objects.prefetch_related(
        Prefetch("comune_scopes", queryset=ComuneScope.objects.order_by("comune_code"))
    ).order_by("username")
    if q:
        qs = qs.filter(
            Q(username__icontains=q)
            | Q(first_name__icontains=q)
            | Q(last_name__icontains=q)
            | Q(email__icontains=q)
        )
    if role == Role.AMMINISTRATORE:
        qs = qs.filter(Q(role=role) | Q(is_superuser=True))
    elif role:
        qs = qs.filter(role=role, is_superuser=False)
    if active is not None:
        qs = qs.filter(is_active=active)
    return qs


def active_amministratori() -> QuerySet:
    User = get_user_model()
    return User.objects.filter(is_active=True).filter(Q(role=Role.AMMINISTRATORE) | Q(is_superuser=True))


# --- comuni ---------------------------------------------------------------------------------------


def _area_model():
    try:
        return apps.get_model("territory", "Area")
    except LookupError:
        return None


def known_comuni(codes: Iterable[str], on: dt.date | None = None) -> dict[str, str] | None:
    """Name of each of `codes` that is a comune in force on `on` (today), from the territory app.

    None when the territory has no comuni at all (app not migrated or not loaded): then a code can only
    be checked for its form.
    """
    Area = _area_model()
    if Area is None:
        return None
    field_names = {f.name for f in Area._meta.get_fields()}
    comuni = Area.objects.filter(level="comune")
    try:
        if not comuni.exists():
            return None
    except Exception:  # noqa: BLE001 - the territory tables may not exist yet in this database
        return None
    on = on or timezone.localdate()
    in_force = comuni.filter(code__in=list(codes))
    if "valid_to" in field_names:
        in_force = in_force.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))
    if "valid_from" in field_names:
        in_force = in_force.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=on))
    return dict(in_force.values_list("code", "name"))


def comune_names(codes: Iterable[str]) -> dict[str, str]:
    Area = _area_model()
    if Area is None:
        return {}
    try:
        return dict(Area.objects.filter(level="comune", code__in=list(codes)).values_list("code", "name"))
    except Exception:  # noqa: BLE001 - territory tables not migrated in this database
        return {}


# --- audit timeline -------------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditFilters:
    username: str = ""
    role: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    comune_code: str = ""
    text: str = ""
    kind: str = ""  # "", "lettura", "scrittura", "accesso"


@dataclass(frozen=True)
class AuditEvent:
    at: dt.datetime
    kind: str  # "lettura" / "scrittura" / "accesso"
    action: str
    username: str
    role: str
    what: str
    detail: str
    comune_code: str
    ip_address: str
    channel: str


WRITE_ACTIONS = {0: "creazione", 1: "modifica", 2: "eliminazione", 3: "accesso"}


def _action_label(action: str) -> str:
    return {
        "lettura": _("lettura"),
        "creazione": _("creazione"),
        "modifica": _("modifica"),
        "eliminazione": _("eliminazione"),
        "accesso": _("accesso"),
        "ingresso": _("ingresso"),
        "tentativi falliti": _("tentativi falliti"),
    }.get(action, action)


def _reads(f: AuditFilters) -> QuerySet:
    qs = AccessLog.objects.order_by("-at", "-pk")
    if f.username:
        qs = qs.filter(username__icontains=f.username)
    if f.role:
        qs = qs.filter(role=f.role)
    if f.date_from:
        qs = qs.filter(at__date__gte=f.date_from)
    if f.date_to:
        qs = qs.filter(at__date__lte=f.date_to)
    if f.comune_code:
        qs = qs.filter(comune_code=f.comune_code)
    if f.text:
        qs = qs.filter(
            Q(path__icontains=f.text) | Q(object_ref__icontains=f.text) | Q(view_name__icontains=f.text)
        )
    return qs


def _writes(f: AuditFilters) -> QuerySet:
    from auditlog.models import LogEntry

    qs = LogEntry.objects.select_related("actor", "content_type").order_by("-timestamp", "-pk")
    if f.username:
        qs = qs.filter(actor__username__icontains=f.username)
    if f.role == Role.AMMINISTRATORE:
        qs = qs.filter(Q(actor__role=f.role) | Q(actor__is_superuser=True))
    elif f.role:
        qs = qs.filter(actor__role=f.role, actor__is_superuser=False)
    if f.date_from:
        qs = qs.filter(timestamp__date__gte=f.date_from)
    if f.date_to:
        qs = qs.filter(timestamp__date__lte=f.date_to)
    if f.comune_code:
        # A write names its comune in the changed values or in the object itself (e.g. a scope).
        qs = qs.filter(Q(object_repr=f.comune_code) | Q(changes__icontains=f.comune_code))
    if f.text:
        qs = qs.filter(
            Q(object_repr__icontains=f.text)
            | Q(content_type__model__icontains=f.text)
            | Q(content_type__app_label__icontains=f.text)
            | Q(object_pk=f.text)
        )
    return qs


def _usernames_with_role(role: str):
    User = get_user_model()
    if role == Role.AMMINISTRATORE:
        qs = User.objects.filter(Q(role=role) | Q(is_superuser=True))
    else:
        qs = User.objects.filter(role=role, is_superuser=False)
    return qs.values("username")


def _sign_ins(f: AuditFilters) -> QuerySet:
    """Successful logins, recorded by django-axes."""
    from axes.models import AccessLog as AxesAccessLog

    qs = AxesAccessLog.objects.order_by("-attempt_time", "-pk")
    return _login_filters(qs, f)


def _failed_sign_ins(f: AuditFilters) -> QuerySet:
    """Failed logins, one row per user name, address and browser, with the count and the last time."""
    from axes.models import AccessAttempt

    qs = AccessAttempt.objects.order_by("-attempt_time", "-pk")
    return _login_filters(qs, f)


def _login_filters(qs: QuerySet, f: AuditFilters) -> QuerySet:
    if f.comune_code:
        return qs.none()  # a login concerns no comune
    if f.username:
        qs = qs.filter(username__icontains=f.username)
    if f.role:
        qs = qs.filter(username__in=_usernames_with_role(f.role))
    if f.date_from:
        qs = qs.filter(attempt_time__date__gte=f.date_from)
    if f.date_to:
        qs = qs.filter(attempt_time__date__lte=f.date_to)
    if f.text:
        qs = qs.filter(path_info__icontains=f.text)
    return qs


def _sign_in_event(e) -> AuditEvent:
    detail = ""
    if e.logout_time:
        detail = _("uscita alle %(t)s") % {"t": timezone.localtime(e.logout_time).strftime("%H:%M")}
    return AuditEvent(
        at=e.attempt_time,
        kind="accesso",
        action=_action_label("ingresso"),
        username=e.username or "",
        role="",
        what=e.path_info or "",
        detail=detail,
        comune_code="",
        ip_address=e.ip_address or "",
        channel="",
    )


def _failed_event(e) -> AuditEvent:
    from axes.conf import settings as axes_settings

    detail = _("%(n)d tentativi falliti") % {"n": e.failures_since_start}
    if e.failures_since_start >= axes_settings.AXES_FAILURE_LIMIT:
        detail += " — " + _("accesso bloccato")
    return AuditEvent(
        at=e.attempt_time,
        kind="accesso",
        action=_action_label("tentativi falliti"),
        username=e.username or "",
        role="",
        what=e.path_info or "",
        detail=detail,
        comune_code="",
        ip_address=e.ip_address or "",
        channel="",
    )


def _read_event(e: AccessLog) -> AuditEvent:
    what = e.path
    return AuditEvent(
        at=e.at,
        kind="lettura",
        action=_action_label("lettura"),
        username=e.username,
        role=e.role,
        what=what,
        detail=e.object_ref,
        comune_code=e.comune_code,
        ip_address=e.ip_address or "",
        channel=e.get_channel_display(),
    )


def _changed_fields(entry) -> str:
    changes = entry.changes
    if isinstance(changes, str):  # older auditlog stored JSON text
        import json

        try:
            changes = json.loads(changes)
        except ValueError:
            return ""
    if not isinstance(changes, dict):
        return ""
    return ", ".join(sorted(changes))


def _write_event(e) -> AuditEvent:
    actor = e.actor
    model = f"{e.content_type.app_label}.{e.content_type.model}" if e.content_type_id else ""
    return AuditEvent(
        at=e.timestamp,
        kind="scrittura",
        action=_action_label(WRITE_ACTIONS.get(e.action, str(e.action))),
        username=actor.get_username() if actor else _("(sistema)"),
        role=actor.effective_role if actor else "",
        what=f"{model}:{e.object_pk}",
        detail=_changed_fields(e),
        comune_code=e.object_repr if (e.object_repr or "").isdigit() and len(e.object_repr) == 6 else "",
        ip_address=e.remote_addr or "",
        channel="",
    )


class AuditTimeline:
    """Reads and writes merged newest first; sliceable and countable, so Django's Paginator can page it.

    A page is the merge of the first `stop` rows of each log: cheap for the pages people look at, and
    the CSV export streams both logs without loading them.
    """

    def __init__(self, filters: AuditFilters):
        self.filters = filters

    def _sources(self) -> list[tuple[QuerySet, callable]]:
        out = []
        if self.filters.kind in ("", "lettura"):
            out.append((_reads(self.filters), _read_event))
        if self.filters.kind in ("", "scrittura"):
            out.append((_writes(self.filters), _write_event))
        if self.filters.kind in ("", "accesso"):
            out.append((_sign_ins(self.filters), _sign_in_event))
            out.append((_failed_sign_ins(self.filters), _failed_event))
        return out

    def count(self) -> int:
        return sum(qs.count() for qs, _conv in self._sources())

    def __len__(self) -> int:
        return self.count()

    def _merged(self, iterables: list[Iterator[AuditEvent]]) -> Iterator[AuditEvent]:
        return heapq.merge(*iterables, key=lambda e: e.at, reverse=True)

    def __getitem__(self, item):
        if not isinstance(item, slice):
            raise TypeError("AuditTimeline supports slices only")
        start, stop = item.start or 0, item.stop
        iterables = [map(conv, qs[:stop] if stop is not None else qs) for qs, conv in self._sources()]
        merged = list(self._merged(iterables))
        return merged[start:stop]

    def __iter__(self) -> Iterator[AuditEvent]:
        iterables = [map(conv, qs.iterator(chunk_size=2000)) for qs, conv in self._sources()]
        return self._merged(iterables)


def is_locked_out(username: str) -> bool:
    """Whether django-axes currently refuses this user name (from any address)."""
    from axes.conf import settings as axes_settings
    from axes.models import AccessAttempt

    limit = axes_settings.AXES_FAILURE_LIMIT
    qs = AccessAttempt.objects.filter(username=username, failures_since_start__gte=limit)
    cooloff = axes_settings.AXES_COOLOFF_TIME
    if isinstance(cooloff, (int, float)):
        cooloff = dt.timedelta(hours=cooloff)
    if isinstance(cooloff, dt.timedelta):
        qs = qs.filter(attempt_time__gte=timezone.now() - cooloff)
    return qs.exists()
