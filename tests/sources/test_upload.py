"""The analista's upload page: the file is stored outside the web root and loaded as a background task."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from osservatorio.accounts.models import User
from osservatorio.accounts.roles import Role
from osservatorio.sources.models import LoadJob, Release

from .conftest import POP_HEADER

pytestmark = pytest.mark.django_db
GOOD = (POP_HEADER + "019036,Cremona,2023-01-01,,,70845,ISTAT\n").encode()


@pytest.fixture(autouse=True)
def _immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def login(client, role):
    user = User.objects.create_user(username=f"u-{role}", password="Prova-Lunga-2025!", role=role)
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return user


def post(client, content: bytes, name="pop.csv", dataset="istat_popolazione_comuni"):
    return client.post(
        reverse("sources:upload"),
        {"dataset": dataset, "file": SimpleUploadedFile(name, content)},
        follow=True,
    )


def test_analista_uploads_and_gets_a_release(client, settings):
    login(client, Role.ANALISTA)
    response = post(client, GOOD)
    job = LoadJob.objects.get()
    assert job.status == LoadJob.Status.DONE and job.release.status == Release.Status.IN_FORCE
    body = response.content.decode()
    assert "in vigore" in body and f"Apri la release n. {job.release.pk}" in body
    assert str(settings.VAR_DIR / "uploads" / "sources") in job.stored_path
    again = post(client, GOOD, name="copia.csv")
    assert "già caricato" in again.content.decode()


def test_refused_file_shows_the_italian_message(client):
    login(client, Role.ANALISTA)
    body = post(client, (POP_HEADER + "019036,Cremona,2023-01-01,,,tanti,\n").encode()).content.decode()
    job = LoadJob.objects.get()
    assert job.status == LoadJob.Status.FAILED
    assert "File rifiutato" in body and "riga 2" in body and "«tanti» non valido" in body
    assert not Release.objects.filter(status=Release.Status.IN_FORCE).exists()


def test_wrong_format_is_refused_by_the_form(client):
    login(client, Role.ANALISTA)
    body = post(client, b"MZ\x90\x00", name="programma.exe").content.decode()
    assert "Formato «.exe» non accettato" in body and not LoadJob.objects.exists()


def test_only_analisti_may_upload(client):
    assert client.get(reverse("sources:upload")).status_code == 302  # to the login page
    login(client, Role.LETTORE)
    assert client.get(reverse("sources:upload")).status_code == 403


def test_progress_partial_for_htmx(client):
    login(client, Role.ANALISTA)
    post(client, GOOD)
    job = LoadJob.objects.get()
    partial = client.get(reverse("sources:job", args=[job.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in partial and 'aria-valuenow="100"' in partial and "hx-trigger" not in partial
