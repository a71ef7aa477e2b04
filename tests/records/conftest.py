"""Fixtures of the records tests: a pseudonymisation key in a temporary state directory, users of each
role, and files written the way offices write them."""

import pytest

from osservatorio.accounts.roles import Role

KEY = "chiave-di-prova-" + "k" * 32


@pytest.fixture(autouse=True)
def isolated_state(settings, tmp_path, monkeypatch):
    """Uploads, reports, progress files and the key file under a per-test directory."""
    settings.VAR_DIR = tmp_path / "var"
    settings.MEDIA_ROOT = tmp_path / "var" / "uploads"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    monkeypatch.setenv("OSSERVATORIO_PSEUDONYM_KEY", KEY)
    return tmp_path


def make_user(django_user_model, role, comuni=()):
    from osservatorio.accounts.models import ComuneScope

    user = django_user_model.objects.create_user(
        username=f"u-{role}-{len(comuni)}", password="x" * 16, role=role
    )
    for c in comuni:
        ComuneScope.objects.create(user=user, comune_code=c)
    return user


@pytest.fixture
def analista(django_user_model):
    return make_user(django_user_model, Role.ANALISTA)


@pytest.fixture
def operatore_cremona(django_user_model):
    return make_user(django_user_model, Role.OPERATORE_COMUNALE, comuni=["019036"])
