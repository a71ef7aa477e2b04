"""Login page, lock-out after repeated failures, password rules and change, idle timeout."""

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from osservatorio.accounts.middleware import SESSION_KEY
from osservatorio.accounts.passwords import CharacterClassValidator, MinimumLengthValidator
from osservatorio.accounts.roles import Role

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db
LOGIN = "/account/accedi/"


def attempt(client, username, password):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR="192.0.2.10")


def test_login_page_in_italian_with_labelled_fields(client):
    body = client.get(LOGIN).content.decode()
    assert "Accedi all&#x27;Osservatorio" in body or "Accedi all'Osservatorio" in body
    assert '<label for="id_username"' in body and '<label for="id_password"' in body


def test_successful_login_lands_on_next(client, users):
    response = attempt(client, "analista", PASSWORD)
    assert response.status_code == 302
    assert client.get(reverse("accounts:profile")).status_code == 200


def test_wrong_password_gives_an_italian_message(client, users):
    response = attempt(client, "analista", "sbagliata")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Nome utente o password non corretti" in body
    assert "5 tentativi" in body


def test_sixth_attempt_is_refused_even_with_the_right_password(client, users):
    for _ in range(5):
        attempt(client, "analista", "sbagliata")
    locked = attempt(client, "analista", PASSWORD)
    assert locked.status_code == 429
    body = locked.content.decode()
    assert "Accesso temporaneamente bloccato" in body
    assert "15 minuti" in body
    assert client.get(reverse("accounts:profile")).status_code == 302  # not logged in
    record = AccessAttempt.objects.get(username="analista")
    assert record.failures_since_start >= 5
    assert record.ip_address == "192.0.2.10"


def test_lockout_is_per_user_name(client, users):
    for _ in range(5):
        attempt(client, "analista", "sbagliata")
    assert attempt(client, "operatore", PASSWORD).status_code == 302


def test_amministratore_can_unlock(client, users, login):
    for _ in range(5):
        attempt(client, "analista", "sbagliata")
    admin = login(users[Role.AMMINISTRATORE])
    edit = admin.get(reverse("accounts:user_edit", args=[users[Role.ANALISTA].pk])).content.decode()
    assert "Sblocca ora" in edit
    admin.post(reverse("accounts:user_unlock", args=[users[Role.ANALISTA].pk]))
    admin.logout()
    assert attempt(client, "analista", PASSWORD).status_code == 302


def test_inactive_user_cannot_log_in(client, users):
    user = users[Role.ANALISTA]
    user.is_active = False
    user.save()
    assert attempt(client, "analista", PASSWORD).status_code == 200


@pytest.mark.parametrize(
    "password, fragment",
    [
        ("Breve-1!", "almeno 12 caratteri"),
        ("tuttominuscoleelunghe", "almeno tre tra"),
        ("password12345", "troppo comune"),
        ("123456789012345", "interamente numerica"),
    ],
)
def test_weak_passwords_are_refused_in_italian(password, fragment):
    with translation.override("it"), pytest.raises(ValidationError) as e:
        validate_password(password)
    assert any(fragment in m for m in e.value.messages), e.value.messages


def test_minimum_length_message_is_italian():
    validator = MinimumLengthValidator(min_length=12)
    with translation.override("it"), pytest.raises(ValidationError) as e:
        validator.validate("Breve-1!")
    assert e.value.messages == ["La password è troppo corta: deve avere almeno 12 caratteri."]
    validator.validate("Abbastanza-Lunga-1")


def test_character_classes():
    validator = CharacterClassValidator()
    for weak in ("soloparoleminuscole", "MAIUSCOLEeminuscole", "1234567890ab"):
        with pytest.raises(ValidationError):
            validator.validate(weak)
    for strong in ("minuscole-e-cifre-123", "Maiuscole minuscole 9", "Misto!tutto"):
        validator.validate(strong)


def test_strong_password_is_accepted():
    validate_password("Orto-Botanico-2025")


def test_password_change(users, login):
    client = login(users[Role.LETTORE])
    bad = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": "semplice", "new_password2": "semplice"},
    )
    assert bad.status_code == 200
    assert "almeno tre tra" in bad.content.decode()
    good = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "Nuova-Password-77",
            "new_password2": "Nuova-Password-77",
        },
    )
    assert good.status_code == 302
    users[Role.LETTORE].refresh_from_db()
    assert users[Role.LETTORE].check_password("Nuova-Password-77")
    # Still logged in after the change.
    assert client.get(reverse("accounts:profile")).status_code == 200


def test_logout_only_by_post(users, login):
    client = login(users[Role.LETTORE])
    assert client.get(reverse("accounts:logout")).status_code == 405
    client.post(reverse("accounts:logout"))
    assert client.get(reverse("accounts:profile")).status_code == 302


def test_session_settings_expire():
    from django.conf import settings

    assert settings.SESSION_COOKIE_AGE <= 8 * 3600
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE


IDLE = "osservatorio.accounts.middleware.IdleTimeoutMiddleware"


def test_idle_timeout_is_installed(settings):
    assert IDLE in settings.MIDDLEWARE
    auth = settings.MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware")
    messages = settings.MIDDLEWARE.index("django.contrib.messages.middleware.MessageMiddleware")
    assert settings.MIDDLEWARE.index(IDLE) > max(auth, messages)


def test_idle_session_is_closed(settings, users, login):
    settings.OSSERVATORIO_IDLE_TIMEOUT = 600
    client = login(users[Role.LETTORE])
    assert client.get(reverse("accounts:profile")).status_code == 200
    session = client.session
    assert SESSION_KEY in session
    session[SESSION_KEY] -= 601
    session.save()
    response = client.get(reverse("accounts:profile"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    follow = client.get(response["Location"])
    assert "inattività" in follow.content.decode()
    assert client.get(reverse("accounts:profile")).status_code == 302


def test_active_session_stays_open(settings, users, login):
    settings.OSSERVATORIO_IDLE_TIMEOUT = 600
    client = login(users[Role.LETTORE])
    client.get(reverse("accounts:profile"))
    session = client.session
    session[SESSION_KEY] -= 500
    session.save()
    assert client.get(reverse("accounts:profile")).status_code == 200
