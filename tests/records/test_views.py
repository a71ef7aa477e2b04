"""The web journey with the Django test client: upload → mapping → report → import → counts."""

import io

import openpyxl
import pytest
from django.urls import reverse

from osservatorio.accounts.models import AccessLog
from osservatorio.records.models import BatchStatus, ImportBatch, ImportMapping, ServiceRecord

from .records_samples import BIANCHI, ROSSI, VERDI

pytestmark = pytest.mark.django_db


def xlsx_bytes(rows) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


HEADER = [
    "Cognome",
    "Nome",
    "Codice fiscale",
    "Data di nascita",
    "Comune di residenza",
    "Importo (€)",
    "Data domanda",
]


def upload(client, content: bytes, name="buoni.xlsx", source="Buoni spesa 2020 - Ufficio casa"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(
        reverse("records:upload"), {"file": SimpleUploadedFile(name, content), "source_name": source}
    )


def mapping_post(client, batch, **extra):
    page = client.get(reverse("records:mapping", args=[batch.pk]))
    form = page.context["form"]
    data = {name: (form[name].value() or "") for name in form.fields}
    data = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in data.items()}
    data.update(extra)
    return client.post(reverse("records:mapping", args=[batch.pk]), data)


def test_upload_map_verify_import_and_count(client, analista, territory_cremona):
    client.force_login(analista)
    content = xlsx_bytes(
        [["Buoni spesa COVID-19 - aprile 2020"], [], HEADER,
         ["Rossi", "Mario", ROSSI, "01/01/1980", "Cremona", "300,00", "15/04/2020"],
         ["Bianchi", "Luigia", BIANCHI, "15/03/1950", "019036", 150, "16/04/2020"],
         ["Verdi", "Giuseppe", VERDI, "31/12/2001", "Crema", "1.234,50", "17/04/2020"],
         ["Neri", "Anna", ROSSI[:-1] + ("A" if ROSSI[-1] != "A" else "B"), "01/01/1980", "Cremona", "50", "18/04/2020"]]
    )  # fmt: skip
    response = upload(client, content)
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response.url == reverse("records:mapping", args=[batch.pk])

    page = client.get(reverse("records:mapping", args=[batch.pk]))
    body = page.content.decode()
    assert "intestazione alla riga 3" in body
    assert page.context["form"]["col_codice_fiscale"].value() == "Codice fiscale"
    assert page.context["form"]["col_data"].value() == "Data domanda"
    assert "non importata" in body  # Cognome, Nome

    response = mapping_post(
        client, batch, fix_tipo="buono_spesa", fix_prestazione="Buoni spesa COVID-19 2020"
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    batch.refresh_from_db()
    assert (batch.status, batch.rows_total, batch.rows_valid, batch.rows_error) == (
        BatchStatus.VERIFICATO,
        4,
        3,
        1,
    )
    assert (
        ImportMapping.objects.get(name="Buoni spesa 2020 - Ufficio casa").columns["codice_fiscale"]
        == "Codice fiscale"
    )

    report = client.get(reverse("records:report", args=[batch.pk])).content.decode()
    assert "cf_carattere_controllo" in report and ">7<" in report  # row 7 of the sheet
    csv = b"".join(client.get(reverse("records:error_report", args=[batch.pk])).streaming_content).decode(
        "utf-8-sig"
    )
    assert csv.splitlines()[0] == "file;riga;colonna;regola;gravita;messaggio"
    assert "buoni.xlsx;7;Codice fiscale;cf_carattere_controllo;errore;" in csv
    assert ROSSI[:10] not in csv and "Neri" not in csv

    # Importing everything is refused while errors exist; valid-only must be chosen explicitly.
    client.post(reverse("records:report", args=[batch.pk]), {})
    assert ServiceRecord.objects.count() == 0
    response = client.post(reverse("records:report", args=[batch.pk]), {"valid_only": "on"})
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == BatchStatus.COMPLETATO and batch.rows_imported == 3
    assert not batch.stored_path
    status = client.get(reverse("records:progress", args=[batch.pk])).content.decode()
    assert "Importate 3 righe" in status and "hx-trigger" not in status

    counts = client.get(reverse("records:counts")).content.decode()
    assert "Cremona" in counts and "Crema" in counts and "&lt;3" in counts
    assert AccessLog.objects.filter(view_name__contains="counts").exists()


def test_operatore_comunale_cannot_load_other_comuni(client, operatore_cremona, territory_cremona):
    client.force_login(operatore_cremona)
    content = xlsx_bytes(
        [HEADER, ["a", "b", ROSSI, "01/01/1980", "Cremona", "10", "01/05/2020"],
         ["a", "b", BIANCHI, "15/03/1950", "Crema", "10", "01/05/2020"]]
    )  # fmt: skip
    upload(client, content)
    batch = ImportBatch.objects.get()
    mapping_post(client, batch, fix_tipo="buono_spesa")
    batch.refresh_from_db()
    assert (batch.rows_valid, batch.rows_error) == (1, 1)
    report = client.get(reverse("records:report", args=[batch.pk])).content.decode()
    assert "comune_non_autorizzato" in report and "019035" in report
    client.post(reverse("records:report", args=[batch.pk]), {"valid_only": "on"})
    assert list(ServiceRecord.objects.values_list("comune_code", flat=True)) == ["019036"]


def test_operatore_comunale_sees_only_own_comuni_and_batches(
    client, operatore_cremona, analista, territory_cremona
):
    from osservatorio.records import services

    services.load_synthetic("AMB-CREMONESE", households=300, seed=1, records=400)
    client.force_login(operatore_cremona)
    counts = client.get(reverse("records:counts"))
    assert [c["code"] for c in counts.context["comuni"]] == ["019036"]
    assert "dati sintetici" in counts.content.decode()
    other = ImportBatch.objects.get()
    assert client.get(reverse("records:status", args=[other.pk])).status_code == 404
    client.force_login(analista)
    assert len(client.get(reverse("records:counts")).context["comuni"]) > 10


def test_lettore_cannot_open_records(client, django_user_model):
    from osservatorio.accounts.roles import Role

    user = django_user_model.objects.create_user(username="l", password="x" * 16, role=Role.LETTORE)
    client.force_login(user)
    assert client.get(reverse("records:upload")).status_code == 403
    assert client.get(reverse("records:counts")).status_code == 403


def test_refused_file_shows_italian_reason_and_keeps_nothing(client, analista, tmp_path):
    client.force_login(analista)
    response = upload(client, b"", name="vuoto.csv")
    body = response.content.decode()
    assert response.status_code == 200
    assert "File «vuoto.csv»: il file è vuoto" in body
    assert ImportBatch.objects.count() == 0
    assert not any((tmp_path / "var" / "uploads").rglob("*.csv"))
