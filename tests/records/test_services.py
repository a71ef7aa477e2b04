"""Import use cases: CLI path, valid-only, atomicity, duplicates of files, what is stored, street tables."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from osservatorio.records import pseudonym, services
from osservatorio.records.models import (
    BatchStatus,
    ImportBatch,
    ImportMapping,
    ServiceRecord,
    StreetQuartiere,
)

from .records_samples import BIANCHI, ROSSI, VERDI

pytestmark = pytest.mark.django_db

HEADER = "Cognome;Nome;Codice fiscale;Data di nascita;Comune di residenza;Indirizzo;Importo;Data domanda"
GOOD = [
    f"Rossi;Mario;{ROSSI};01/01/1980;Cremona;Via Ghinaglia 12/A;1.234,50;15/04/2020",
    f"Bianchi;Luigia;{BIANCHI};15/03/1950;019036;P.zza Roma, 3;300;16/04/2020",
    f"Verdi;Giuseppe;{VERDI};31/12/2001;Crema;Via Mazzini 1;50,5;17/04/2020",
]
BAD = f"Neri;Anna;{ROSSI[:-1]}A;01/01/1980;Cremona;;50;18/04/2020"


@pytest.fixture
def saved_mapping(db):
    return ImportMapping.objects.create(
        name="Buoni spesa 2020",
        columns={
            "codice_fiscale": "Codice fiscale",
            "data_nascita": "Data di nascita",
            "comune": "Comune di residenza",
            "indirizzo": "Indirizzo",
            "importo": "Importo",
            "data": "Data domanda",
        },  # fmt: skip
        fixed={"tipo": "buono_spesa", "prestazione": "Buoni spesa COVID-19"},
    )


def write_csv(tmp_path, rows, name="buoni.csv"):
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def test_cli_import_stores_only_pseudonymised_fields(tmp_path, territory_cremona, saved_mapping, settings):
    path = write_csv(tmp_path, GOOD)
    call_command("records", "import", str(path), "--mapping", "Buoni spesa 2020")
    batch = ImportBatch.objects.get()
    assert batch.status == BatchStatus.COMPLETATO and batch.rows_imported == 3
    key = services.pseudonym_key()
    assert batch.key_fingerprint == pseudonym.fingerprint(key)
    record = ServiceRecord.objects.get(row_number=2)
    assert record.pseudonym == pseudonym.pseudonym(key, ROSSI)
    assert (record.kind, str(record.record_date), record.comune_code) == (
        "buono_spesa",
        "2020-04-15",
        "019036",
    )
    assert (record.age, record.age_band, record.sex, str(record.amount)) == (40, "35-49", "M", "1234.50")
    # Nothing identifying anywhere in the table: inspect every stored value.
    with connection.cursor() as cur:
        cur.execute(f"SELECT * FROM {ServiceRecord._meta.db_table}")  # noqa: S608
        stored = " ".join(str(v) for row in cur.fetchall() for v in row)
    for secret in [
        ROSSI,
        BIANCHI,
        VERDI,
        "Rossi",
        "Mario",
        "Ghinaglia",
        "12/A",
        "1980-01-01",
        "01/01/1980",
        "Roma, 3",
    ]:
        assert secret not in stored
    # The upload is gone once imported.
    assert not list((tmp_path / "var" / "uploads" / "private" / "records" / "uploads").iterdir())


def test_cli_refuses_file_with_errors_unless_valid_only(tmp_path, saved_mapping, capsys):
    path = write_csv(tmp_path, [*GOOD, BAD])
    with pytest.raises(CommandError, match="1 righe con errori"):
        call_command("records", "import", str(path), "--mapping", "Buoni spesa 2020")
    assert "buoni.csv, riga 5, colonna «Codice fiscale» (cf_carattere_controllo)" in capsys.readouterr().err
    assert ServiceRecord.objects.count() == 0
    call_command("records", "import", str(path), "--mapping", "Buoni spesa 2020", "--valid-only")
    assert ServiceRecord.objects.count() == 3
    assert sorted(ServiceRecord.objects.values_list("row_number", flat=True)) == [2, 3, 4]


def test_unknown_mapping_lists_the_saved_ones(tmp_path, saved_mapping):
    with pytest.raises(CommandError, match="«Buoni spesa 2020»"):
        call_command("records", "import", str(write_csv(tmp_path, GOOD)), "--mapping", "Altro")


def test_same_file_twice_is_refused(tmp_path, saved_mapping):
    path = write_csv(tmp_path, GOOD)
    call_command("records", "import", str(path), "--mapping", "Buoni spesa 2020")
    with pytest.raises(CommandError, match="è già stato importato"):
        call_command("records", "import", str(path), "--mapping", "Buoni spesa 2020")
    assert ServiceRecord.objects.count() == 3
    assert ImportBatch.objects.count() == 1


def test_failed_import_writes_nothing(tmp_path, saved_mapping, monkeypatch):
    monkeypatch.setattr(services, "WRITE_CHUNK", 1)
    path = write_csv(tmp_path, GOOD)
    batch = services.create_batch(
        chunks=services.file_chunks(path), file_name=path.name, source_name="Buoni spesa 2020"
    )
    services.validate_batch(batch, services.validation.Mapping(saved_mapping.columns, saved_mapping.fixed))
    batch.status = BatchStatus.IN_CODA
    batch.save()

    def interrupt(done, total):
        if done == 2:  # two rows already sent to the database
            raise RuntimeError("worker interrotto")

    with pytest.raises(RuntimeError):
        services.run_import(batch.pk, on_chunk=interrupt)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.FALLITO and "non è stato scritto niente" in batch.file_error
    assert ServiceRecord.objects.count() == 0
    assert batch.stored_path  # the file is kept: the import can be retried


def test_import_through_the_task_backend(tmp_path, saved_mapping):
    path = write_csv(tmp_path, GOOD)
    batch = services.create_batch(
        chunks=services.file_chunks(path), file_name=path.name, source_name="Buoni spesa 2020"
    )
    services.validate_batch(batch, services.validation.Mapping(saved_mapping.columns, saved_mapping.fixed))
    batch = services.start_import(batch, valid_only=False)  # immediate backend in tests
    assert batch.status == BatchStatus.COMPLETATO and batch.task_id
    assert ServiceRecord.objects.count() == 3


def test_start_import_refuses_errors_without_explicit_choice(tmp_path, saved_mapping):
    path = write_csv(tmp_path, [*GOOD, BAD])
    batch = services.create_batch(
        chunks=services.file_chunks(path), file_name=path.name, source_name="Buoni spesa 2020"
    )
    services.validate_batch(batch, services.validation.Mapping(saved_mapping.columns, saved_mapping.fixed))
    with pytest.raises(services.ImportRefused, match="Importa solo le righe valide"):
        services.start_import(batch, valid_only=False)
    assert ServiceRecord.objects.count() == 0


def test_street_table_gives_the_quartiere(tmp_path, saved_mapping):
    streets = tmp_path / "stradario.csv"
    streets.write_text(
        "comune_code,via,quartiere\n019036,Via Ghinaglia,2\n019036,Piazza Roma,019036-Q05\n", encoding="utf-8"
    )
    call_command("records", "streets", str(streets))
    assert StreetQuartiere.objects.count() == 2
    rows = [*GOOD, f"Gialli;Ugo;{ROSSI};01/01/1980;Cremona;Via Inesistente 4;20;19/04/2020"]
    call_command("records", "import", str(write_csv(tmp_path, rows)), "--mapping", "Buoni spesa 2020")
    by_row = dict(ServiceRecord.objects.values_list("row_number", "quartiere_code"))
    assert by_row == {2: "019036-Q02", 3: "019036-Q05", 4: None, 5: None}
    batch = ImportBatch.objects.get()
    assert batch.warnings == 1
    assert services.error_rows(batch)[0]["regola"] == "via_non_trovata"


def test_street_table_errors_name_row_and_column(tmp_path):
    streets = tmp_path / "stradario.csv"
    streets.write_text("comune_code,via,quartiere\n999999,Via Roma,1\n019036,,2\n", encoding="utf-8")
    with pytest.raises(CommandError) as exc:
        call_command("records", "streets", str(streets))
    assert "riga 2, colonna «comune_code»" in str(exc.value) and "riga 3, colonna «via»" in str(exc.value)
    assert StreetQuartiere.objects.count() == 0


def test_synthetic_load_is_idempotent_and_flagged(territory_cremona):
    call_command(
        "records",
        "synth",
        "--ambito",
        "AMB-CREMONESE",
        "--households",
        "200",
        "--records",
        "300",
        "--seed",
        "3",
    )
    call_command(
        "records",
        "synth",
        "--ambito",
        "AMB-CREMONESE",
        "--households",
        "200",
        "--records",
        "300",
        "--seed",
        "3",
    )
    assert ImportBatch.objects.count() == 1
    assert ServiceRecord.objects.count() == 300
    assert not ServiceRecord.objects.filter(synthetic=False).exists()
    assert ServiceRecord.objects.filter(comune_code="019036").exclude(quartiere_code=None).exists()


def test_load_demo_uses_the_home_ambito(territory_cremona, settings):
    from io import StringIO

    from django.apps import apps

    settings.OSSERVATORIO = {**settings.OSSERVATORIO, "HOME_AMBITO": "AMB-CREMASCO"}
    out = StringIO()
    apps.get_app_config("records").load_demo(out)
    comuni = set(ServiceRecord.objects.values_list("comune_code", flat=True))
    assert "019035" in comuni and "019036" not in comuni  # Crema's ambito, not Cremona's
    assert "Dati sintetici" in out.getvalue()
