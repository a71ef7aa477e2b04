"""The audit page: reads and writes in one timeline, filters, pagination, CSV export."""

import csv
import io

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from osservatorio.accounts import services
from osservatorio.accounts.audit import record_read
from osservatorio.accounts.auditcsv import HEADER
from osservatorio.accounts.models import AccessLog
from osservatorio.accounts.roles import Role
from osservatorio.accounts.selectors import AuditFilters, AuditTimeline

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(users):
    """Two reads by different people in different comuni and one write by the amministratore."""
    LogEntry.objects.all().delete()  # the creation of the fixture's users
    record_read(users[Role.OPERATORE_COMUNALE], object_ref="records.servicerecord:1", comune_code="019036")
    record_read(users[Role.ANALISTA], object_ref='=HYPERLINK("x")', comune_code="019035")
    services.update_user(
        users[Role.LETTORE],
        services.UserData(username="lettore", role=Role.LETTORE, first_name="Luca"),
        actor=users[Role.AMMINISTRATORE],
    )
    return users


@pytest.fixture
def admin(users, login):
    return login(users[Role.AMMINISTRATORE])


def test_timeline_merges_reads_and_writes_newest_first(history):
    events = list(AuditTimeline(AuditFilters()))
    kinds = [e.kind for e in events]
    assert kinds == ["scrittura", "lettura", "lettura"]
    assert events[0].username == "amministratore" and events[0].action == "modifica"
    assert "first_name" in events[0].detail
    assert AuditTimeline(AuditFilters()).count() == 3
    assert [e.kind for e in AuditTimeline(AuditFilters())[1:3]] == ["lettura", "lettura"]


@pytest.mark.parametrize(
    "filters, expected",
    [
        (AuditFilters(kind="lettura"), 2),
        (AuditFilters(kind="scrittura"), 1),
        (AuditFilters(username="analista"), 1),
        (AuditFilters(role=Role.OPERATORE_COMUNALE), 1),
        (AuditFilters(role=Role.AMMINISTRATORE), 1),
        (AuditFilters(comune_code="019036"), 1),
        (AuditFilters(text="servicerecord"), 1),
        (AuditFilters(text="accounts"), 1),
    ],
)
def test_filters(history, filters, expected):
    assert AuditTimeline(filters).count() == expected
    assert len(list(AuditTimeline(filters))) == expected


def test_date_range(history):
    from django.utils import timezone

    today = timezone.localdate()
    assert AuditTimeline(AuditFilters(date_from=today, date_to=today)).count() == 3
    assert AuditTimeline(AuditFilters(date_to=today.replace(year=today.year - 1))).count() == 0


def test_page_is_for_amministratore_only_and_its_reading_is_logged(history, login, client):
    assert login(history[Role.ANALISTA]).get(reverse("accounts:audit")).status_code == 403
    admin = login(history[Role.AMMINISTRATORE])
    before = AccessLog.objects.count()
    body = admin.get(reverse("accounts:audit"), {"kind": "lettura", "comune": "019036"}).content.decode()
    assert "records.servicerecord:1" in body
    assert "HYPERLINK" not in body
    assert AccessLog.objects.count() == before + 1
    assert AccessLog.objects.order_by("-pk").first().view_name == "accounts:audit"


def test_bad_filters_say_what_to_fix(admin):
    body = admin.get(
        reverse("accounts:audit"), {"comune": "19", "date_from": "2025-05-02", "date_to": "2025-05-01"}
    )
    text = body.content.decode()
    assert "6 cifre" in text
    assert "La data finale viene prima" in text


def test_pagination(admin, users):
    for i in range(120):
        record_read(users[Role.ANALISTA], object_ref=f"obj:{i}")
    first = admin.get(reverse("accounts:audit"), {"kind": "lettura"}).content.decode()
    assert "Pagina 1 di 3" in first
    third = admin.get(reverse("accounts:audit"), {"kind": "lettura", "pagina": 3}).content.decode()
    # Oldest reads are on the last page.
    assert "obj:0<" in third and "obj:119<" not in third


def test_csv_export(history, admin):
    response = admin.get(reverse("accounts:audit_export"), {"role": Role.ANALISTA})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert rows[0] == HEADER
    assert len(rows) == 2
    assert rows[1][3] == "analista" and rows[1][7] == "019035"
    # A logged value that looks like a formula is neutralised for spreadsheets.
    assert rows[1][6].startswith("'=")


def test_sign_ins_and_failed_attempts_are_in_the_timeline(users, client):
    for _ in range(5):
        client.post(
            reverse("accounts:login"), {"username": "analista", "password": "no"}, REMOTE_ADDR="192.0.2.7"
        )
    client.post(reverse("accounts:login"), {"username": "operatore", "password": PASSWORD})
    events = list(AuditTimeline(AuditFilters(kind="accesso")))
    by_user = {e.username: e for e in events}
    assert by_user["operatore"].action == "ingresso"
    failed = by_user["analista"]
    assert failed.action == "tentativi falliti"
    assert "5 tentativi falliti" in failed.detail and "bloccato" in failed.detail
    assert failed.ip_address == "192.0.2.7"
    assert AuditTimeline(AuditFilters(kind="accesso", role=Role.OPERATORE)).count() == 1
    assert AuditTimeline(AuditFilters(kind="accesso", comune_code="019036")).count() == 0
