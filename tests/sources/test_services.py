"""Releases: idempotent reloads, supersession, failures that leave the previous release in force, lineage."""

from pathlib import Path

import pytest
from django.conf import settings

from osservatorio.sources import lake, services, warehouse
from osservatorio.sources.models import Release
from osservatorio.sources.validation import LoadError

from .conftest import POP_HEADER, write

pytestmark = pytest.mark.django_db


def pop_file(tmp_path, name="pop.csv", total=70845):
    return write(
        tmp_path / name,
        POP_HEADER
        + f"019036,Cremona,2023-01-01,,,{total},ISTAT\n019001,Acquanegra,2023-01-01,,,1100,ISTAT\n",
    )


def lake_files() -> list[Path]:
    return sorted(p for p in (Path(settings.VAR_DIR) / "lake").rglob("*") if p.is_file())


def test_load_creates_a_release_with_lineage_and_a_warehouse_view(tmp_path):
    result = services.load_dataset("istat_popolazione_comuni", [pop_file(tmp_path)])
    release = result.release
    assert result.created and release.status == Release.Status.IN_FORCE and release.rows == 2
    assert release.files[0]["name"] == "pop.csv" and len(release.checksum) == 64
    assert release.loader_version == "istat_popolazione@1"
    t = warehouse.table("istat_popolazione_comuni")
    row = t.filter(t.comune_code == "019036").execute().iloc[0]
    assert row["population"] == 70845
    assert (row["release_id"], row["source_file"], row["source_row"]) == (release.pk, "pop.csv", 2)
    assert sorted(p.name for p in Path(release.parquet_path).iterdir()) == ["part-000.parquet"]
    assert warehouse.warehouse_path().is_file()


def test_same_file_again_is_a_no_op(tmp_path):
    first = services.load_dataset("istat_popolazione_comuni", [pop_file(tmp_path)])
    files_before = lake_files()
    again = services.load_dataset("istat_popolazione_comuni", [pop_file(tmp_path, "copia.csv")])
    assert not again.created and again.release.pk == first.release.pk
    assert Release.objects.count() == 1 and lake_files() == files_before
    assert "nessuna modifica" in again.message


def test_new_file_supersedes_the_previous_release(tmp_path):
    first = services.load_dataset("istat_popolazione_comuni", [pop_file(tmp_path)]).release
    second = services.load_dataset(
        "istat_popolazione_comuni", [pop_file(tmp_path, "nuovo.csv", 70900)]
    ).release
    first.refresh_from_db()
    assert first.status == Release.Status.SUPERSEDED and first.superseded_by_id == second.pk
    t = warehouse.table("istat_popolazione_comuni")
    assert t.filter(t.comune_code == "019036").population.max().execute() == 70900


def test_invalid_file_is_refused_and_the_previous_release_stays(tmp_path):
    good = services.load_dataset("istat_popolazione_comuni", [pop_file(tmp_path)]).release
    files_before = lake_files()
    bad = write(tmp_path / "rotto.csv", POP_HEADER + "019036,Cremona,2023-01-01,,,settantamila,ISTAT\n")
    with pytest.raises(LoadError) as err:
        services.load_dataset("istat_popolazione_comuni", [bad])
    assert "rotto.csv" in str(err.value) and "riga 2" in str(err.value) and "«totale»" in str(err.value)
    good.refresh_from_db()
    assert good.status == Release.Status.IN_FORCE
    failed = Release.objects.get(status=Release.Status.FAILED)
    assert failed.validation_report["n_errors"] == 1 and "settantamila" in failed.error
    assert lake_files() == files_before
    t = warehouse.table("istat_popolazione_comuni")
    assert t.count().execute() == 2


def test_interrupted_write_leaves_no_partial_files(tmp_path, monkeypatch):
    good = services.load_dataset("istat_popolazione_comuni", [pop_file(tmp_path)]).release
    files_before = lake_files()

    def crash(frame, path, **kwargs):
        Path(path).write_bytes(b"PAR1 half written")
        raise OSError("disco pieno")

    monkeypatch.setattr("polars.DataFrame.write_parquet", crash)
    with pytest.raises(OSError, match="disco pieno"):
        services.load_dataset("istat_popolazione_comuni", [pop_file(tmp_path, "altro.csv", 1)])
    assert lake_files() == files_before  # no temporary folder, no half Parquet
    good.refresh_from_db()
    assert good.status == Release.Status.IN_FORCE
    assert Release.objects.filter(status=Release.Status.FAILED).count() == 1


def test_killed_load_is_cleaned_up_on_the_next_one(tmp_path):
    services.load_dataset("istat_popolazione_comuni", [pop_file(tmp_path)])
    # What a killed process leaves: a release "in caricamento" and a temporary folder.
    stale = Release.objects.create(
        dataset_id=Release.objects.get().dataset_id,
        status=Release.Status.LOADING,
        checksum="1" * 64,
        fetched_at="2025-01-01T00:00:00Z",
        loader_version="x",
    )
    leftover = lake.root() / "istat_popolazione" / "istat_popolazione_comuni" / f"{lake.TMP_PREFIX}99-dead"
    leftover.mkdir(parents=True)
    (leftover / "data.parquet").write_bytes(b"partial")
    services.load_dataset("istat_popolazione_comuni", [pop_file(tmp_path, "b.csv", 5)])
    stale.refresh_from_db()
    assert stale.status == Release.Status.FAILED and "interrotto" in stale.error
    assert not leftover.exists()


def test_missing_file_and_unknown_dataset_have_clear_messages(tmp_path):
    with pytest.raises(LoadError, match="non esiste"):
        services.load_dataset("istat_popolazione_comuni", [tmp_path / "manca.csv"])
    with pytest.raises(LoadError, match="dataset «boh» sconosciuto"):
        services.load_dataset("boh")


def test_table_of_a_dataset_never_loaded_says_how_to_load_it():
    with pytest.raises(warehouse.DatasetNotLoaded, match="osservatorio sources load dpc_covid_province"):
        warehouse.table("dpc_covid_province")


def test_default_files_from_the_data_dir_are_loaded_once(shared_data):
    first = services.load_dataset("dpc_covid_province")
    assert first.created and first.release.rows == 24812
    again = services.load_dataset("dpc_covid_province")
    assert not again.created
    t = warehouse.table("dpc_covid_province")
    cremona = t.filter((t.provincia_code == "019") & (t.date == "2025-01-08")).totale_casi.max().execute()
    assert cremona == 151723


def test_load_defaults_reports_missing_data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "assente"
    outcome = services.load_defaults()
    assert "non caricato: file assenti" in outcome["mef_irpef_comuni"]
    assert "in vigore" in outcome["geopop_popolazione_eta_sesso"]  # embedded: always there
