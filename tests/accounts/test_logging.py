"""Logs hold no personal data: no user name, no codice fiscale, at INFO and above."""

import logging

import pytest
from django.conf import settings
from django.urls import reverse

from osservatorio.accounts.audit import record_read
from osservatorio.accounts.logsafe import axes_client_str
from osservatorio.accounts.roles import Role

pytestmark = pytest.mark.django_db
CODICE_FISCALE = "RSSMRA80A01D150Y"


def failed_logins_and_a_read(client, users, login):
    for _ in range(6):
        client.post(
            reverse("accounts:login"),
            {"username": "analista", "password": CODICE_FISCALE},
            REMOTE_ADDR="192.0.2.44",
        )
    record_read(users[Role.ANALISTA], object_ref="records.servicerecord:9", comune_code="019036")
    admin = login(users[Role.AMMINISTRATORE])
    admin.get(reverse("accounts:audit"), {"username": "analista", "text": CODICE_FISCALE})


def leaks(caplog) -> list[str]:
    out = []
    for r in caplog.records:
        if r.levelno < logging.INFO:
            continue
        text = r.getMessage()
        if "analista" in text or CODICE_FISCALE in text or "192.0.2.44" in text:
            out.append(f"{r.name}: {text}")
    return out


def test_axes_client_string_names_nobody():
    text = axes_client_str("mario.rossi", "192.0.2.1", "Mozilla", "/account/accedi/", None)
    assert "mario" not in text and "192.0.2.1" not in text
    assert text == axes_client_str("mario.rossi", "192.0.2.1", "Firefox", ("/account/accedi/",), None)
    assert text != axes_client_str("mario.rossi", "192.0.2.2", "Mozilla", "/account/accedi/", None)


def test_no_personal_data_in_logs_with_the_safe_client_string(settings, client, users, login, caplog):
    settings.AXES_CLIENT_STR_CALLABLE = "osservatorio.accounts.logsafe.axes_client_str"
    caplog.set_level(logging.INFO)
    failed_logins_and_a_read(client, users, login)
    assert any(r.name.startswith("axes") for r in caplog.records)  # axes did log the failures
    assert leaks(caplog) == []


def test_project_settings_keep_personal_data_out_of_logs(client, users, login, caplog):
    assert settings.AXES_CLIENT_STR_CALLABLE == "osservatorio.accounts.logsafe.axes_client_str"
    caplog.set_level(logging.INFO)
    failed_logins_and_a_read(client, users, login)
    assert leaks(caplog) == []
