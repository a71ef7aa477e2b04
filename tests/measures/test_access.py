"""Every measures URL as every role: the declared policy holds, and nothing answers 500 to GET or an empty
POST (the project-wide permission matrix checks the same across apps)."""

import pytest
from django.apps import apps
from django.urls import reverse

from osservatorio.accounts.roles import Role

pytestmark = pytest.mark.django_db

ROLES = [None, Role.LETTORE, Role.OPERATORE, Role.OPERATORE_COMUNALE, Role.ANALISTA, Role.AMMINISTRATORE]
PUBLIC = {"measures:catalogue", "measures:timeline", "measures:detail"}
OPERATORS = {"measures:screening", "measures:case_save", "measures:cases", "measures:case"}
ANALYSTS = {"measures:edit", "measures:microsim", "measures:whatif"}


def urls():
    samples = apps.get_app_config("measures").permission_matrix_samples()
    out = []
    for name in sorted(PUBLIC | OPERATORS | ANALYSTS):
        kwargs = {k: v for k, v in samples.get(name, {}).items() if not k.startswith("_")}
        out.append((name, reverse(name, kwargs=kwargs)))
    return out


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r or "anonimo")
def test_policy_and_no_server_error(client, django_user_model, role):
    if role is not None:
        user = django_user_model.objects.create_user(username=f"x-{role}", password="x", role=role)
        user.comune_scopes.create(comune_code="019036")
        client.force_login(user)
    for name, url in urls():
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            assert response.status_code < 500, (method, url, role)
        response = client.get(url)
        if name in PUBLIC:
            assert response.status_code == 200, (url, role)
        elif role is None:
            assert response.status_code == 302, (url, role)
        elif name in OPERATORS:
            allowed = role in (Role.OPERATORE, Role.OPERATORE_COMUNALE, Role.ANALISTA, Role.AMMINISTRATORE)
            scoped_out = name == "measures:case" and role == Role.OPERATORE_COMUNALE
            expected_denied = not allowed or scoped_out
            assert (response.status_code == 403) == expected_denied, (url, role, response.status_code)
        else:
            allowed = role in (Role.ANALISTA, Role.AMMINISTRATORE)
            assert (response.status_code == 403) == (not allowed), (url, role, response.status_code)
