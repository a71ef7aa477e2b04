"""Who may open a view, declared on the view itself.

Every view of the project is decorated with `public` or `roles_required(...)`. The decorator enforces the
policy and attaches it to the view as `access_policy`, so the permission-matrix test can walk the URLconf
and check each URL against what it declares. Comune scope is a data rule: views holding records call
`check_comune()` or filter with `user_comune_codes()`.

Both decorators work on a function view, on a Django class-based view and on a Django REST framework
view or viewset (decorate the class; `as_view()` then carries the policy):

    @roles_required(Role.OPERATORE, Role.OPERATORE_COMUNALE, personal_data=True, comune_scoped=True)
    @require_GET
    def record_detail(request, pk): ...

    @roles_required(Role.ANALISTA, personal_data=True)
    class RecordViewSet(viewsets.ReadOnlyModelViewSet): ...

The policy decorator must be the outermost one, so that a forbidden visitor is refused before anything
else (method checks included) looks at the request.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.utils.translation import gettext as _

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


PUBLIC = AccessPolicy(public=True)


def _is_class(view) -> bool:
    return isinstance(view, type)


def _is_drf_view(cls: type) -> bool:
    try:
        from rest_framework.views import APIView
    except ImportError:  # pragma: no cover - DRF is a dependency of the project
        return False
    return issubclass(cls, APIView)


def public(view):
    """Anyone, anonymous visitors included, may open this view."""
    view.access_policy = PUBLIC
    return view


def user_role(user) -> str | None:
    if user is None or not user.is_authenticated:
        return None
    return user.effective_role


def roles_required(
    *roles: str | Iterable[str], personal_data: bool = False, comune_scoped: bool = False
) -> Callable:
    """Only these roles (the amministratore always) may open the view.

    personal_data=True records every successful response in the AccessLog (who, when, which object,
    from where). comune_scoped=True declares that the view shows records of one or more comuni and
    narrows them to the user's scope (`check_comune`/`user_comune_codes`); the permission matrix then
    checks that an operatore comunale is refused a record of another comune.
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

    def decorator(view):
        if _is_class(view):
            if _is_drf_view(view):
                from .drf import apply_policy_to_api_view

                return apply_policy_to_api_view(view, policy)
            view.dispatch = _enforced(view.dispatch, policy, bound=True)
            view.access_policy = policy
            return view
        wrapped = _enforced(view, policy)
        wrapped.access_policy = policy
        return wrapped

    return decorator


def is_api_view(view: Callable) -> bool:
    """A REST framework view (class-based or @api_view): it answers in JSON, never with a redirect."""
    cls = getattr(view, "cls", None)
    return isinstance(cls, type) and _is_drf_view(cls)


def _enforced(view: Callable, policy: AccessPolicy, bound: bool = False) -> Callable:
    api = not bound and is_api_view(view)

    @wraps(view)
    def wrapped(*args, **kwargs):
        # A bound dispatch receives (self, request, ...), a function view (request, ...).
        request = args[1] if bound else args[0]
        if not request.user.is_authenticated:
            if api:
                return JsonResponse({"detail": _("Autenticazione richiesta.")}, status=401)
            return redirect_to_login(request.get_full_path())
        if user_role(request.user) not in policy.roles:
            if api:
                return JsonResponse({"detail": _("Il suo ruolo non consente questi dati.")}, status=403)
            raise PermissionDenied
        response = view(*args, **kwargs)
        if policy.personal_data and response.status_code < 400:
            from .audit import record_view_read

            record_view_read(request, response, kwargs, channel="api" if api else "web")
        return response

    return wrapped


def get_access_policy(view: Callable) -> AccessPolicy | None:
    """The policy declared on a view function as resolved from the URLconf (function or `as_view()`)."""
    policy = getattr(view, "access_policy", None)
    if policy is not None:
        return policy
    for attr in ("view_class", "cls"):
        cls = getattr(view, attr, None)
        if cls is not None and getattr(cls, "access_policy", None) is not None:
            return cls.access_policy
    return None


def user_comune_codes(user) -> frozenset[str] | None:
    """Codes of the comuni whose records this user may see; None means all of them."""
    if user is None or not user.is_authenticated:
        return frozenset()
    return user.comune_codes()


def check_comune(user, comune_code: str) -> None:
    allowed = user_comune_codes(user)
    if allowed is not None and str(comune_code) not in allowed:
        raise PermissionDenied
