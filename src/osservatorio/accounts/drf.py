"""The access policy on Django REST framework views: a permission class and a read-audit hook.

`roles_required(...)` applied to an APIView or viewset class uses both; they can also be used alone on
a view that sets `access_policy` itself. An API answers an anonymous caller with 401/403 in JSON, not a
redirect to the login page.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission

from .access import AccessPolicy, user_role


class AccessPolicyPermission(BasePermission):
    """Allows the roles of the view's `access_policy`; a view without a policy is refused."""

    message = _("Il suo ruolo non consente di accedere a questi dati.")

    def has_permission(self, request, view) -> bool:
        policy: AccessPolicy | None = getattr(view, "access_policy", None)
        if policy is None:
            return False
        if policy.public:
            return True
        return request.user is not None and policy.allows_role(user_role(request.user))


class AuditedReadMixin:
    """Records in the AccessLog every successful response of a view whose policy holds personal data."""

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        policy: AccessPolicy | None = getattr(self, "access_policy", None)
        if (
            policy is not None
            and policy.personal_data
            and response.status_code < 400
            and request.user is not None
            and request.user.is_authenticated
        ):
            from .audit import record_view_read

            record_view_read(request, response, kwargs, channel="api")
        return response


def apply_policy_to_api_view(cls: type, policy: AccessPolicy) -> type:
    """A subclass of the view enforcing the policy and auditing reads, under the same name."""
    permissions = [AccessPolicyPermission, *getattr(cls, "permission_classes", ())]
    bases = (AuditedReadMixin, cls) if not issubclass(cls, AuditedReadMixin) else (cls,)
    return type(
        cls.__name__,
        bases,
        {
            "access_policy": policy,
            "permission_classes": permissions,
            "__module__": cls.__module__,
            "__qualname__": cls.__qualname__,
            "__doc__": cls.__doc__,
        },
    )
