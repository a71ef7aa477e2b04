"""Who may open a view, declared on the view itself.

Every view of the project is decorated with `public` or `roles_required(...)`. The decorator enforces the
policy and attaches it to the view as `access_policy`, so the permission-matrix test can walk the URLconf
and check each URL against what it declares. Comune scope is a data rule: views holding records call
`check_comune()` or filter with `user_comune_codes()`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from .roles import ALL_ROLES, Role


@dataclass(frozen=True)
class AccessPolicy:
    public: bool
    roles: frozenset[str] = field(default_factory=frozenset)
    personal_data: bool = False
    comune_scoped: bool = False

    def allows_role(self, role: str | None) -> bool:
        if self.public:
            return True
        return role is not None and role in self.roles


def public(view: Callable) -> Callable:
    view.access_policy = AccessPolicy(public=True)
    return view


def user_role(user) -> str | None:
    if not user.is_authenticated:
        return None
    return user.effective_role


def roles_required(
    *roles: str | Iterable[str], personal_data: bool = False, comune_scoped: bool = False
) -> Callable[[Callable], Callable]:
    """Only these roles (the amministratore always) may open the view.

    personal_data=True records every successful response in the AccessLog.
    """
    wanted: set[str] = set()
    for r in roles:
        wanted.update([r] if isinstance(r, str) else r)
    wanted.add(Role.AMMINISTRATORE)
    unknown = wanted - ALL_ROLES
    if unknown:
        raise ValueError(f"unknown roles: {sorted(unknown)}")
    policy = AccessPolicy(
        public=False, roles=frozenset(wanted), personal_data=personal_data, comune_scoped=comune_scoped
    )

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if user_role(request.user) not in policy.roles:
                raise PermissionDenied
            response = view(request, *args, **kwargs)
            if policy.personal_data and response.status_code < 400:
                from .audit import record_read

                record_read(request, response, kwargs)
            return response

        wrapped.access_policy = policy
        return wrapped

    return decorator


def user_comune_codes(user) -> frozenset[str] | None:
    """Codes of the comuni whose records this user may see; None means all of them."""
    if not user.is_authenticated:
        return frozenset()
    return user.comune_codes()


def check_comune(user, comune_code: str) -> None:
    allowed = user_comune_codes(user)
    if allowed is not None and comune_code not in allowed:
        raise PermissionDenied
