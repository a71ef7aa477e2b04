"""Writes on users: creation, changes of role, state and comune scope, password resets, unlocks.

Every write runs in one transaction and is logged by django-auditlog (User and ComuneScope are
registered in apps.py); outside a request the actor is set with `acting_as`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from . import selectors
from .audit import acting_as
from .models import ComuneScope
from .roles import ALL_ROLES, Role

COMUNE_CODE_RE = re.compile(r"^\d{6}$")
SPLIT_RE = re.compile(r"[\s,;]+")


def parse_comune_codes(text: str | Iterable[str]) -> list[str]:
    """Codes typed by a person: separated by commas, semicolons, spaces or new lines; order kept."""
    items = SPLIT_RE.split(text) if isinstance(text, str) else [str(c) for c in text]
    out: list[str] = []
    for item in items:
        item = item.strip()
        if item and item not in out:
            out.append(item)
    return out


def validate_comune_codes(codes: list[str]) -> None:
    """Each code must be six digits and, when the territory is loaded, a comune in force today."""
    malformed = [c for c in codes if not COMUNE_CODE_RE.match(c)]
    if malformed:
        raise ValidationError(
            _(
                "Codici non validi: %(codes)s. Un codice ISTAT di comune ha 6 cifre, "
                "con gli zeri iniziali (per esempio 019036)."
            )
            % {"codes": ", ".join(f"«{c}»" for c in malformed)},
            code="malformed_comune",
        )
    known = selectors.known_comuni(codes)
    if known is None:
        return
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise ValidationError(
            _(
                "Comuni sconosciuti: %(codes)s. Non risultano comuni in vigore oggi nel territorio caricato: "
                "controlli il codice (se il comune è stato fuso, usi il codice del nuovo comune) oppure "
                "carichi il territorio con «osservatorio territory load»."
            )
            % {"codes": ", ".join(f"«{c}»" for c in unknown)},
            code="unknown_comune",
        )


@dataclass
class UserData:
    username: str
    role: str
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    is_active: bool = True
    comune_codes: list[str] | None = None


def scope_errors(role: str, codes: list[str]) -> list[str]:
    """What is wrong with giving these comuni to a user of this role (empty when nothing)."""
    if role == Role.OPERATORE_COMUNALE and not codes:
        return [
            _("Un operatore comunale deve avere almeno un comune: indichi il codice ISTAT dei suoi comuni.")
        ]
    if role != Role.OPERATORE_COMUNALE and codes:
        return [
            _(
                "I comuni si assegnano solo agli operatori comunali: gli altri ruoli vedono già tutti i "
                "comuni. Svuoti il campo o scelga il ruolo «Operatore comunale»."
            )
        ]
    if codes:
        try:
            validate_comune_codes(codes)
        except ValidationError as e:
            return list(e.messages)
    return []


def _check(data: UserData, user=None) -> list[str]:
    errors: dict[str, list[str]] = {}
    if data.role not in ALL_ROLES:
        errors.setdefault("role", []).append(_("Ruolo sconosciuto: «%(role)s».") % {"role": data.role})
    codes = list(data.comune_codes or [])
    if problems := scope_errors(data.role, codes):
        errors["comuni"] = problems
    if user is not None and user.is_amministratore and user.is_active:
        losing_admin = data.role != Role.AMMINISTRATORE and not user.is_superuser
        if (losing_admin or not data.is_active) and not selectors.active_amministratori().exclude(
            pk=user.pk
        ).exists():
            field = "is_active" if not data.is_active else "role"
            errors.setdefault(field, []).append(
                _(
                    "È l'unico amministratore attivo: prima di cambiarne il ruolo o disattivarlo, "
                    "nomini un altro amministratore."
                )
            )
    if errors:
        raise ValidationError(errors)
    return codes


def _set_scope(user, codes: list[str]) -> None:
    current = set(user.comune_scopes.values_list("comune_code", flat=True))
    wanted = set(codes)
    # One by one, not in bulk, so that each grant and each removal is a line of the write log.
    for scope in user.comune_scopes.filter(comune_code__in=current - wanted):
        scope.delete()
    for code in sorted(wanted - current):
        ComuneScope.objects.create(user=user, comune_code=code)


def create_user(data: UserData, password: str, *, actor=None):
    User = get_user_model()
    codes = _check(data)
    if User.objects.filter(username__iexact=data.username).exists():
        raise ValidationError(
            {"username": [_("Il nome utente «%(u)s» esiste già: ne scelga un altro.") % {"u": data.username}]}
        )
    candidate = User(
        username=data.username, first_name=data.first_name, last_name=data.last_name, email=data.email
    )
    try:
        password_validation.validate_password(password, candidate)
    except ValidationError as e:
        raise ValidationError({"password1": e.messages}) from e
    with transaction.atomic(), acting_as(actor):
        user = User(
            username=data.username,
            first_name=data.first_name,
            last_name=data.last_name,
            email=data.email,
            role=data.role,
            is_active=data.is_active,
        )
        user.set_password(password)
        user.save()
        _set_scope(user, codes)
    return user


def update_user(user, data: UserData, *, actor=None):
    codes = _check(data, user)
    with transaction.atomic(), acting_as(actor):
        user.first_name = data.first_name
        user.last_name = data.last_name
        user.email = data.email
        user.role = data.role
        user.is_active = data.is_active
        user.save()
        _set_scope(user, codes)
    return user


def set_password(user, password: str, *, actor=None) -> None:
    try:
        password_validation.validate_password(password, user)
    except ValidationError as e:
        raise ValidationError({"password1": e.messages}) from e
    with transaction.atomic(), acting_as(actor):
        user.set_password(password)
        user.save(update_fields=["password"])


def unlock(username: str) -> int:
    """Lift a lock-out after repeated login failures (before the cool-off ends); returns attempts reset."""
    from axes.utils import reset

    return reset(username=username)
