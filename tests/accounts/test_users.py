"""User management by the amministratore: creation, role and comune scope, audited writes."""

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.urls import reverse

from osservatorio.accounts import services
from osservatorio.accounts.models import ComuneScope, User
from osservatorio.accounts.roles import Role

pytestmark = pytest.mark.django_db
NEW = {
    "username": "mario.bianchi",
    "first_name": "Mario",
    "last_name": "Bianchi",
    "email": "mario.bianchi@example.it",
    "role": Role.OPERATORE_COMUNALE,
    "comuni": "019036, 019035",
    "is_active": "on",
    "password1": "Servizi-Sociali-24",
    "password2": "Servizi-Sociali-24",
}


@pytest.fixture
def admin(users, login):
    return login(users[Role.AMMINISTRATORE])


def test_list_shows_role_and_comuni(admin, users):
    body = admin.get(reverse("accounts:users")).content.decode()
    assert "op.comunale" in body and "019036" in body and "Operatore comunale" in body
    filtered = admin.get(reverse("accounts:users"), {"ruolo": Role.ANALISTA}).content.decode()
    assert "analista" in filtered and "op.comunale" not in filtered


def test_create_operatore_comunale_with_comuni(admin, territory_cremona):
    response = admin.post(reverse("accounts:user_create"), NEW)
    assert response.status_code == 302, response.content.decode()
    user = User.objects.get(username="mario.bianchi")
    assert user.role == Role.OPERATORE_COMUNALE
    assert user.comune_codes() == frozenset({"019036", "019035"})
    assert user.check_password("Servizi-Sociali-24")


def test_unknown_comune_code_is_refused_with_the_code(admin, territory_cremona):
    response = admin.post(reverse("accounts:user_create"), {**NEW, "comuni": "019036 099999"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Comuni sconosciuti" in body and "099999" in body
    assert not User.objects.filter(username="mario.bianchi").exists()


def test_merged_comune_is_refused(territory_cremona):
    # Piadena (019071) merged into Piadena Drizzona in 2019.
    with pytest.raises(ValidationError) as e:
        services.validate_comune_codes(["019071"])
    assert "019071" in e.value.messages[0]


def test_malformed_code_is_refused(admin):
    response = admin.post(reverse("accounts:user_create"), {**NEW, "comuni": "19036"})
    body = response.content.decode()
    assert "6 cifre" in body and "19036" in body


def test_operatore_comunale_needs_a_comune_and_others_none(admin):
    body = admin.post(reverse("accounts:user_create"), {**NEW, "comuni": ""}).content.decode()
    assert "almeno un comune" in body
    body = admin.post(
        reverse("accounts:user_create"), {**NEW, "role": Role.ANALISTA, "comuni": "019036"}
    ).content.decode()
    assert "solo agli operatori comunali" in body
    assert not User.objects.filter(username="mario.bianchi").exists()


def test_weak_initial_password_is_refused(admin):
    body = admin.post(
        reverse("accounts:user_create"),
        {**NEW, "role": Role.LETTORE, "comuni": "", "password1": "abc", "password2": "abc"},
    ).content.decode()
    assert "almeno tre tra" in body
    assert not User.objects.filter(username="mario.bianchi").exists()


def test_duplicate_username_is_refused(admin, users):
    body = admin.post(
        reverse("accounts:user_create"), {**NEW, "username": "Analista", "role": Role.LETTORE, "comuni": ""}
    ).content.decode()
    assert "esiste già" in body


def test_edit_changes_role_and_scope_and_is_audited(admin, users, territory_cremona):
    op = users[Role.OPERATORE_COMUNALE]
    response = admin.post(
        reverse("accounts:user_edit", args=[op.pk]),
        {"role": Role.OPERATORE_COMUNALE, "comuni": "019035", "is_active": "on", "first_name": "Ada"},
    )
    assert response.status_code == 302
    assert op.comune_codes() == frozenset({"019035"})
    entries = LogEntry.objects.filter(actor=users[Role.AMMINISTRATORE])
    scope_ct = entries.filter(content_type__model="comunescope")
    assert {(e.action, e.object_repr) for e in scope_ct} == {
        (LogEntry.Action.DELETE, "019036"),
        (LogEntry.Action.CREATE, "019035"),
    }
    user_change = entries.get(content_type__model="user", object_pk=str(op.pk))
    assert "first_name" in user_change.changes
    assert user_change.remote_addr == "127.0.0.1"


def test_password_reset_is_logged_masked(admin, users):
    lettore = users[Role.LETTORE]
    admin.post(
        reverse("accounts:user_edit", args=[lettore.pk]),
        {
            "role": Role.LETTORE,
            "is_active": "on",
            "password1": "Ricomincia-Da-3!",
            "password2": "Ricomincia-Da-3!",
        },
    )
    lettore.refresh_from_db()
    assert lettore.check_password("Ricomincia-Da-3!")
    entry = LogEntry.objects.get(object_pk=str(lettore.pk), action=LogEntry.Action.UPDATE)
    assert entry.changes["password"] == ["********", "********"]


def test_last_amministratore_cannot_be_demoted(admin, users):
    me = users[Role.AMMINISTRATORE]
    body = admin.post(
        reverse("accounts:user_edit", args=[me.pk]), {"role": Role.LETTORE, "is_active": "on"}
    ).content.decode()
    assert "unico amministratore" in body
    me.refresh_from_db()
    assert me.role == Role.AMMINISTRATORE


def test_service_outside_a_request_names_the_actor(users):
    actor = users[Role.AMMINISTRATORE]
    services.create_user(
        services.UserData(username="da.cli", role=Role.LETTORE), "Riga-Di-Comando-1", actor=actor
    )
    entry = LogEntry.objects.get(
        content_type__model="user", action=LogEntry.Action.CREATE, object_repr="da.cli"
    )
    assert entry.actor == actor


def test_failed_service_leaves_nothing(users):
    with pytest.raises(ValidationError):
        services.create_user(
            services.UserData(username="metà", role=Role.OPERATORE_COMUNALE, comune_codes=["abc"]),
            "Xx-123456789",
        )
    assert not User.objects.filter(username="metà").exists()
    assert not ComuneScope.objects.filter(comune_code="abc").exists()


def test_parse_comune_codes():
    assert services.parse_comune_codes("019036, 019035;019036\n 019001") == ["019036", "019035", "019001"]
