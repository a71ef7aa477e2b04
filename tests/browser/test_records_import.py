"""An analyst uploads an Excel of buoni spesa with Italian headers, maps the columns, sees the row errors,
imports the valid rows in the background and finds them counted by comune and quartiere."""

import re
from datetime import date

import openpyxl
import pytest
from django.test import Client

from osservatorio.accounts.roles import Role
from osservatorio.records import codice_fiscale as cf

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def records_env(settings, tmp_path, monkeypatch):
    settings.VAR_DIR = tmp_path / "var"
    settings.MEDIA_ROOT = tmp_path / "var" / "uploads"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    monkeypatch.setenv("OSSERVATORIO_PSEUDONYM_KEY", "browser-test-key-" + "z" * 32)
    from osservatorio.territory.services import load_territory

    load_territory(regioni=["03"])
    return tmp_path


def login(page, live_server, django_user_model, role=Role.ANALISTA):
    user = django_user_model.objects.create_user(username="analista", password="x" * 16, role=role)
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    return user


def workbook(path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Buoni spesa"
    ws.append(["Comune di Cremona - Buoni spesa COVID-19 (aprile 2020)"])
    ws.append([])
    ws.append(
        [
            "Cognome",
            "Nome",
            "Codice fiscale",
            "Data di nascita",
            "Comune di residenza",
            "Indirizzo",
            "Importo (€)",
            "Data domanda",
        ]
    )
    people = [
        ("RSS", "MRA", date(1980, 1, 1), "M", "Cremona", "Via Ghinaglia 3", 300),
        ("BNC", "LGU", date(1950, 3, 15), "F", "019036", "Via Milano 10", 150),
        ("VRD", "GPP", date(1990, 7, 2), "M", "Crema", "Via Mazzini 1", 250),
        ("NRE", "NNA", date(1971, 5, 20), "F", "Cremona", "Corso Garibaldi 5", 450),
    ]
    for s, n, born, sex, comune, address, amount in people:
        ws.append(
            [
                s.title(),
                n.title(),
                cf.encode(s, n, born, sex, "D150"),
                born,
                comune,
                address,
                amount,
                date(2020, 4, 15),
            ]
        )
    wrong = cf.encode("GLL", "PLA", date(1985, 2, 2), "F", "D150")
    ws.append(
        [
            "Gialli",
            "Paola",
            wrong[:-1] + ("A" if wrong[-1] != "A" else "B"),
            date(1985, 2, 2),
            "Cremona",
            "",
            200,
            date(2020, 4, 16),
        ]
    )
    ws.append(
        [
            "Blu",
            "Ugo",
            cf.encode("BLU", "GUO", date(1960, 1, 1), "M", "D150"),
            date(1960, 1, 1),
            "Atlantide",
            "",
            200,
            date(2020, 4, 16),
        ]
    )
    wb.save(path)
    return path


def test_upload_map_errors_import_and_counts(
    live_server, page, assert_accessible, records_env, django_user_model
):
    from osservatorio.records.models import ServiceRecord, StreetQuartiere

    StreetQuartiere.objects.create(
        comune_code="019036",
        street_key="via ghinaglia",
        street_name="Via Ghinaglia",
        quartiere_code="019036-Q02",
    )
    login(page, live_server, django_user_model)
    xlsx = workbook(records_env / "buoni_spesa_aprile_2020.xlsx")

    page.goto(live_server.url + "/dati-servizi/")
    assert_accessible(page)
    with page.expect_navigation():
        page.get_by_role("link", name="Carica un file").click()
    assert page.locator("main h1").inner_text() == "Carica un file di dati dei servizi"
    assert_accessible(page)
    page.get_by_label("File dei dati (CSV o foglio di calcolo)").set_input_files(str(xlsx))
    page.get_by_label("Nome della fonte").fill("Buoni spesa 2020 - Servizi sociali")
    page.get_by_role("button", name="Carica e prosegui").click()

    page.wait_for_url(re.compile(r"/mappatura/$"))
    assert "intestazione alla riga 3" in page.content()
    assert page.get_by_label("Codice fiscale (obbligatorio)", exact=True).input_value() == "Codice fiscale"
    assert (
        page.get_by_label(
            "Data (della domanda, erogazione o presa in carico) (obbligatorio)", exact=True
        ).input_value()
        == "Data domanda"
    )
    assert page.get_by_label("Indirizzo (via)", exact=True).input_value() == "Indirizzo"
    assert_accessible(page)
    page.get_by_label("Tipo di dato: valore per tutte le righe").select_option("buono_spesa")
    page.get_by_label("Prestazione o servizio: valore per tutte le righe").fill("Buoni spesa COVID-19 2020")
    page.get_by_role("button", name="Verifica tutte le righe").click()

    page.wait_for_url(re.compile(r"/verifica/$"))
    assert page.locator("#errori tbody tr", has_text="via_non_trovata").count() == 2  # warnings: no quartiere
    errors = page.locator("#errori tbody tr", has_text="errore")
    assert errors.count() == 2
    assert (
        "cf_carattere_controllo" in errors.nth(0).inner_text()
        and errors.nth(0).locator("th").inner_text() == "8"
    )
    assert "comune_sconosciuto" in errors.nth(1).inner_text() and "Atlantide" in errors.nth(1).inner_text()
    assert_accessible(page)
    page.locator("label[for=id_valid_only]").click()  # Bootstrap Italia draws the box on the label
    assert page.get_by_label("Importa solo le righe valide e scarta quelle con errori").is_checked()
    page.get_by_role("button", name="Importa solo le righe valide").click()

    page.wait_for_url(re.compile(r"/importazioni/\d+/$"))
    assert page.locator("#stato-importazione").inner_text() == "Importato"
    assert "Importate 4 righe" in page.locator("#avanzamento").inner_text()
    assert ServiceRecord.objects.count() == 4
    assert_accessible(page)

    with page.expect_navigation():
        page.get_by_role("link", name="Vedi i conteggi per comune e quartiere").click()
    table = page.locator("table").first
    assert "Cremona" in table.inner_text() and "Crema" in table.inner_text()
    q2 = page.locator("tr", has_text="019036-Q02")
    assert q2.locator("td").nth(1).inner_text() == "<3"
    assert_accessible(page)
