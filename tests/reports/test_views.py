"""Pages: list, preview, section editing with validation, generation with progress, download, profile."""

from __future__ import annotations

import pytest

from osservatorio.accounts.models import User
from osservatorio.accounts.roles import Role
from osservatorio.reports.models import GeneratedReport, GenerationStatus

from .conftest import released_value

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


@pytest.fixture
def analyst(db, settings, client):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    user = User.objects.create_user(username="analista", password="Prova-Lunga-2025!", role=Role.ANALISTA)
    client.force_login(user, backend=MODEL_BACKEND)
    return user


def test_list_is_public_definitions_are_not(client, definitions):
    page = client.get("/rapporti/").content.decode()
    assert "Rapporti pubblicati" in page and "Definizioni dei rapporti" not in page
    assert client.get("/rapporti/definizioni/profilo/").status_code == 302


def test_analyst_previews_edits_generates_and_downloads(
    client, analyst, released, definitions, settings, django_capture_on_commit_callbacks
):
    page = client.get("/rapporti/definizioni/profilo/?area=019036").content.decode()
    from osservatorio.reports.formatting import number

    assert number(released_value("indice-vecchiaia", "019036")["value"], 1) in page
    section = definitions["profilo"].sections.get(kind="chart")
    url = f"/rapporti/definizioni/profilo/sezioni/{section.pk}/"
    bad = client.post(
        url,
        {
            "title": "Redditi",
            "level": 1,
            "text": "Un **grassetto",
            "indicators": "non-esiste",
            "areas": "$area, 019999",
            "year": "duemila",
            "from_year": 2015,
            "config": "{rotto",
        },
    )
    body = bad.content.decode()
    assert bad.status_code == 200
    assert "riga 1, colonna 4: grassetto aperto" in body
    assert "Indicatori inesistenti o non attivi: non-esiste" in body
    assert "Aree inesistenti: 019999" in body
    assert "Anno «duemila» non valido" in body
    assert "JSON non valido alla riga 1" in body
    good = client.post(
        url,
        {
            "title": "Redditi dal 2016",
            "level": 1,
            "text": "Il reddito di {{ area.name }}.",
            "indicators": "reddito-imponibile-per-contribuente",
            "areas": "$area, $regione",
            "year": "",
            "from_year": 2016,
            "config": '{"chart": "trend"}',
        },
    )
    assert good.status_code == 302
    section.refresh_from_db()
    assert section.config == {
        "chart": "trend",
        "indicator": "reddito-imponibile-per-contribuente",
        "areas": ["$area", "$regione"],
        "from_year": 2016,
    }
    page = client.get("/rapporti/definizioni/profilo/?area=019036").content.decode()
    assert "Redditi dal 2016" in page and "Il reddito di Cremona." in page and "2016–2023" in page

    # Generation in the background (immediate backend in tests), progress, download.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post("/rapporti/definizioni/profilo/genera/", {"area": "019036"})
    report = GeneratedReport.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/rapporti/generati/{report.pk}/"
    assert report.status == GenerationStatus.DONE, report.message
    status = client.get(f"/rapporti/generati/{report.pk}/stato/", HTTP_HX_REQUEST="true")
    assert status["HX-Refresh"] == "true" and "Scarica il PDF" in status.content.decode()
    pdf = client.get(f"/rapporti/generati/{report.pk}/pdf/")
    assert pdf["Content-Type"] == "application/pdf" and b"".join(pdf.streaming_content).startswith(b"%PDF")
    # Public definition: its PDF is listed and downloadable without logging in.
    client.logout()
    assert f"/rapporti/generati/{report.pk}/pdf/" in client.get("/rapporti/").content.decode()


def test_reorder_and_add_sections(client, analyst, definitions):
    d = definitions["profilo"]
    first, second = list(d.sections.all())[:2]
    client.post(f"/rapporti/definizioni/{d.slug}/modifica/", {"action": "down", "section": first.pk})
    assert list(d.sections.all())[:2] == [second, first]
    r = client.post(
        f"/rapporti/definizioni/{d.slug}/modifica/", {"action": "add", "kind": "text", "title": "Nuova"}
    )
    assert r.status_code == 302 and d.sections.last().title == "Nuova"


def test_progress_profile_search_and_private_reports(client, definitions, territory_cremona):
    from osservatorio.reports import services

    report = services.request_generation(definitions["profilo"], "019036", enqueue=False)
    GeneratedReport.objects.filter(pk=report.pk).update(
        status=GenerationStatus.RUNNING, progress=40, step="sezione 2 di 6"
    )
    body = client.get(f"/rapporti/generati/{report.pk}/stato/", HTTP_HX_REQUEST="true").content.decode()
    assert 'aria-valuenow="40"' in body and "sezione 2 di 6" in body and 'hx-trigger="every 1s"' in body

    body = client.get("/rapporti/profilo/?q=cremona", HTTP_HX_REQUEST="true").content.decode()
    assert "Profilo di Cremona" in body and "019036" in body
    r = client.post("/rapporti/profilo/", {"area": "019036"})
    assert r.status_code == 302 and "/account/" in r["Location"]

    d = definitions["profilo"]
    d.public = False
    d.save()
    report = services.request_generation(d, "019036", enqueue=False)
    assert client.get(f"/rapporti/generati/{report.pk}/").status_code == 404
