"""Users of every role, made through the real model (password hashing kept fast for tests)."""

import pytest

from osservatorio.accounts.models import ComuneScope, User
from osservatorio.accounts.roles import Role

PASSWORD = "Prova-Lunga-2025!"
SCOPED_COMUNE = "019036"
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


@pytest.fixture(autouse=True)
def _fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def make_user(username: str, role: str, comuni=(), **extra) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD, role=role, **extra)
    for code in comuni:
        ComuneScope.objects.create(user=user, comune_code=code)
    return user


@pytest.fixture
def users(db) -> dict[str, User]:
    return {
        Role.LETTORE: make_user("lettore", Role.LETTORE),
        Role.OPERATORE: make_user("operatore", Role.OPERATORE),
        Role.OPERATORE_COMUNALE: make_user("op.comunale", Role.OPERATORE_COMUNALE, [SCOPED_COMUNE]),
        Role.ANALISTA: make_user("analista", Role.ANALISTA, first_name="Anna", last_name="Lisi"),
        Role.AMMINISTRATORE: make_user("amministratore", Role.AMMINISTRATORE),
    }


@pytest.fixture
def login(client):
    def do(user):
        client.force_login(user, backend=MODEL_BACKEND)
        return client

    return do
