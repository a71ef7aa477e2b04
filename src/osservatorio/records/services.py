"""Use cases of the records app: upload, map, validate, import, street tables, synthetic data.

Every write is atomic: a refused file leaves no batch behind it, a failed import writes no record, an
upload is stored by temp file + rename under MEDIA_ROOT/private and deleted once imported.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
import uuid
from collections.abc import Callable, Iterable
from datetime import date
from pathlib import Path

import polars as pl
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from . import fields, parsing, places, progress, pseudonym, reading, validation
from .models import BatchStatus, ImportBatch, ImportMapping, ServiceRecord, StreetQuartiere

log = logging.getLogger(__name__)
WRITE_CHUNK = 20_000


class ImportRefused(Exception):
    """A use case cannot go on; the message (Italian) tells the user what to do."""

    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


def pseudonym_key() -> bytes:
    return pseudonym.load_key(Path(settings.VAR_DIR) / "secrets" / "pseudonym.key")


def private_dir(*parts: str) -> Path:
    path = Path(settings.MEDIA_ROOT, "private", "records", *parts)
    path.mkdir(parents=True, exist_ok=True)
    return path


def max_upload_bytes() -> int:
    return int(getattr(settings, "OSSERVATORIO_UPLOAD_MAX_BYTES", 0) or 0)


def read_file(path: Path, file_name: str) -> reading.RawTable:
    return reading.read_table(path, file_name, fields.score_header, max_upload_bytes())


# --- upload --------------------------------------------------------------------------------------------


def store_upload(chunks: Iterable[bytes], file_name: str) -> tuple[Path, str]:
    """Write the upload under the private folder (temp file, then rename); return path and SHA-256."""
    folder = private_dir("uploads")
    limit = max_upload_bytes()
    digest, size = hashlib.sha256(), 0
    fd, tmp = tempfile.mkstemp(dir=folder, suffix=".part")
    try:
        with os.fdopen(fd, "wb") as fh:
            for chunk in chunks:
                size += len(chunk)
                if limit and size > limit:
                    raise reading.FileRejected(
                        file_name,
                        "dimensione",
                        f"il file supera il limite di {limit / 1e6:.0f} MB: dividerlo o usare "
                        "il comando `osservatorio records import`.",
                    )
                digest.update(chunk)
                fh.write(chunk)
        final = folder / f"{uuid.uuid4().hex}{Path(file_name).suffix.lower()}"
        os.replace(tmp, final)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return final, digest.hexdigest()


def file_chunks(path: Path, size: int = 1024 * 1024) -> Iterable[bytes]:
    with path.open("rb") as fh:
        while block := fh.read(size):
            yield block


def create_batch(*, chunks: Iterable[bytes], file_name: str, source_name: str, user=None) -> ImportBatch:
    """Store and check an upload. Raises FileRejected or ImportRefused and then keeps nothing."""
    file_name = Path(file_name).name[:255]
    path, checksum = store_upload(chunks, file_name)
    try:
        previous = ImportBatch.objects.filter(checksum=checksum, status=BatchStatus.COMPLETATO).first()
        if previous is not None:
            raise ImportRefused(
                f"Il file «{file_name}» è già stato importato il "
                f"{timezone.localtime(previous.finished_at or previous.created_at):%d/%m/%Y alle %H:%M} "
                f"(importazione n. {previous.pk}, fonte «{previous.source_name}»): non viene importato "
                "di nuovo. Se contiene dati nuovi, controllare di aver scelto il file giusto."
            )
        table = read_file(path, file_name)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    scope = user.comune_codes() if user is not None and user.is_authenticated else None
    return ImportBatch.objects.create(
        source_name=source_name.strip()[:120],
        file_name=file_name,
        checksum=checksum,
        stored_path=str(path),
        uploaded_by=user if user is not None and user.is_authenticated else None,
        comune_scope=sorted(scope) if scope is not None else None,
        rows_total=table.data_rows,
        read_notes=table.describe()[:300],
    )


def batch_table(batch: ImportBatch) -> reading.RawTable:
    if not batch.stored_path or not Path(batch.stored_path).exists():
        raise ImportRefused(
            f"Il file «{batch.file_name}» non è più disponibile (già importato o annullato): caricarlo di nuovo."
        )
    return read_file(Path(batch.stored_path), batch.file_name)


def proposed_mapping(batch: ImportBatch, headers: list[str]) -> tuple[validation.Mapping, bool]:
    """The saved mapping of this source if there is one (True), otherwise suggestions from the headers."""
    saved = ImportMapping.objects.filter(name=batch.source_name).first()
    if saved is not None:
        return validation.Mapping(columns=dict(saved.columns), fixed=dict(saved.fixed)), True
    return validation.Mapping(columns=fields.suggest(headers), fixed={}), False


# --- validation ----------------------------------------------------------------------------------------


def allowed_comuni(batch: ImportBatch) -> frozenset[str] | None:
    return None if batch.comune_scope is None else frozenset(batch.comune_scope)


def validate_batch(
    batch: ImportBatch,
    mapping: validation.Mapping,
    *,
    save_mapping: bool = True,
    user=None,
    pseudonymise=False,
):
    table = batch_table(batch)
    ctx = places.build_context(batch.file_name, pseudonym_key(), allowed_comuni(batch))
    try:
        result = validation.validate(table.frame, mapping, ctx, pseudonymise=pseudonymise)
    except reading.FileRejected as exc:
        batch.file_error = exc.message
        batch.save(update_fields=["file_error"])
        raise
    write_error_report(batch, result)
    batch.mapping_snapshot = {"columns": mapping.columns, "fixed": mapping.fixed}
    batch.rows_total = result.rows_total
    batch.rows_valid = result.rows_valid
    batch.rows_error = result.rows_with_errors
    batch.warnings = result.warnings
    batch.file_error = ""
    batch.status = BatchStatus.VERIFICATO
    batch.save()
    if save_mapping:
        saved, _ = ImportMapping.objects.update_or_create(
            name=batch.source_name,
            defaults={"columns": mapping.columns, "fixed": mapping.fixed, "created_by": user},
        )
        if batch.mapping_id != saved.pk:
            batch.mapping = saved
            batch.save(update_fields=["mapping"])
    return result


def error_report_path(batch: ImportBatch) -> Path:
    return private_dir("reports") / f"importazione-{batch.pk}-errori.csv"


def write_error_report(batch: ImportBatch, result: validation.Result) -> None:
    """CSV of every problem: row, column, rule, message. No cell of identifying columns is ever quoted."""
    target = error_report_path(batch)
    fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".part")
    os.close(fd)
    report = result.errors.select(pl.lit(batch.file_name).alias("file"), pl.all())
    report.write_csv(tmp, separator=";", include_bom=True)
    os.replace(tmp, target)


def error_rows(batch: ImportBatch, limit: int = 200) -> list[dict]:
    path = error_report_path(batch)
    if not path.exists():
        return []
    frame = pl.read_csv(path, separator=";", n_rows=limit, infer_schema=False, encoding="utf8-lossy")
    frame = frame.rename({c: c.lstrip("\ufeff") for c in frame.columns})
    return frame.to_dicts()


def rule_summary(batch: ImportBatch) -> list[dict]:
    path = error_report_path(batch)
    if not path.exists():
        return []
    frame = pl.read_csv(path, separator=";", infer_schema=False, encoding="utf8-lossy", columns=[2, 3, 4])
    frame.columns = ["colonna", "regola", "gravita"]
    counts = frame.group_by(["colonna", "regola", "gravita"]).len().sort("len", descending=True)
    return counts.to_dicts()


# --- import --------------------------------------------------------------------------------------------


def start_import(batch: ImportBatch, *, valid_only: bool) -> ImportBatch:
    """Queue the import as a background task (django-tasks)."""
    if batch.status != BatchStatus.VERIFICATO:
        raise ImportRefused("Questa importazione non è pronta: completare prima la mappatura e la verifica.")
    if batch.rows_error and not valid_only:
        raise ImportRefused(
            f"Il file ha {batch.rows_error} righe con errori: correggerle e ricaricare il file, oppure "
            "scegliere esplicitamente «Importa solo le righe valide»."
        )
    if batch.rows_valid == 0:
        raise ImportRefused("Nessuna riga del file è valida: non c'è niente da importare.")
    from .tasks import import_batch

    batch.valid_only = valid_only
    batch.status = BatchStatus.IN_CODA
    batch.save(update_fields=["valid_only", "status"])
    progress.write(batch.pk, "in coda")
    result = import_batch.enqueue(batch.pk)
    ImportBatch.objects.filter(pk=batch.pk).update(task_id=str(result.id)[:64])
    batch.refresh_from_db()
    return batch


def run_import(
    batch_id: int,
    on_chunk: Callable[[int, int], None] | None = None,
    validated: validation.Result | None = None,
) -> ImportBatch:
    """Validate again (the file and the territory may have changed since the preview) and write every
    valid row in one transaction. On any failure nothing is written and the batch says why.

    `validated`: a pseudonymised result computed moments ago in the same process (the CLI), reused."""
    batch = ImportBatch.objects.get(pk=batch_id)
    if batch.status not in (BatchStatus.IN_CODA, BatchStatus.VERIFICATO):
        return batch
    batch.status = BatchStatus.IN_CORSO
    batch.save(update_fields=["status"])
    try:
        key = pseudonym_key()
        if validated is not None:
            result = validated
        else:
            progress.write(batch.pk, "lettura del file")
            table = batch_table(batch)
            mapping = validation.Mapping(**batch.mapping_snapshot)
            ctx = places.build_context(batch.file_name, key, allowed_comuni(batch))
            result = validation.validate(
                table.frame,
                mapping,
                ctx,
                progress=lambda phase: progress.write(batch.pk, f"verifica: {phase}"),
            )
            del table
        if result.rows_with_errors and not batch.valid_only:
            raise ImportRefused(
                f"Alla nuova verifica il file ha {result.rows_with_errors} righe con errori: non è stato "
                "importato niente."
            )
        write_error_report(batch, result)
        total = result.records.height

        def chunk_done(done: int) -> None:
            progress.write(batch.pk, "scrittura", done, total)
            if on_chunk is not None:
                on_chunk(done, total)

        with transaction.atomic():
            written = write_records(batch, result.records, synthetic=batch.synthetic, chunk_done=chunk_done)
            batch.rows_imported = written
            batch.rows_valid = result.rows_valid
            batch.rows_error = result.rows_with_errors
            batch.warnings = result.warnings
            batch.key_fingerprint = pseudonym.fingerprint(key)
            batch.status = BatchStatus.COMPLETATO
            batch.finished_at = timezone.now()
            batch.file_error = ""
            batch.save()
    except (ImportRefused, reading.FileRejected) as exc:
        _fail(batch, getattr(exc, "message", str(exc)))
        return batch
    except Exception as exc:
        # The class name only: messages of database errors may quote values.
        log.error("records import %s failed: %s", batch.pk, type(exc).__name__)
        _fail(
            batch,
            "L'importazione si è interrotta per un errore interno: non è stato scritto niente. "
            "Riprovare; se il problema continua, segnalarlo all'amministratore indicando il numero "
            f"dell'importazione ({batch.pk}).",
        )
        raise
    _delete_upload(batch)
    progress.clear(batch.pk)
    return batch


def _fail(batch: ImportBatch, message: str) -> None:
    batch.status = BatchStatus.FALLITO
    batch.file_error = message
    batch.rows_imported = 0
    batch.finished_at = timezone.now()
    batch.save(update_fields=["status", "file_error", "rows_imported", "finished_at"])
    progress.write(batch.pk, "non riuscita")


def _delete_upload(batch: ImportBatch) -> None:
    if batch.stored_path:
        Path(batch.stored_path).unlink(missing_ok=True)
        ImportBatch.objects.filter(pk=batch.pk).update(stored_path="")
        batch.stored_path = ""


def cancel_batch(batch: ImportBatch) -> None:
    if batch.status in (BatchStatus.IN_CORSO, BatchStatus.COMPLETATO):
        raise ImportRefused("Un'importazione in corso o completata non si può annullare.")
    _delete_upload(batch)
    batch.status = BatchStatus.ANNULLATO
    batch.save(update_fields=["status"])


_RECORD_COLUMNS = [
    "batch", "row_number", "pseudonym", "kind", "record_date", "comune_code", "quartiere_code", "age",
    "age_band", "sex", "citizenship", "household_size", "amount", "measure", "synthetic",
]  # fmt: skip


def write_records(batch: ImportBatch, records: pl.DataFrame, *, synthetic: bool, chunk_done=None) -> int:
    """Bulk insert through the database cursor (COPY on PostgreSQL): model instances for a million rows
    would cost more than the whole validation."""
    frame = records.with_columns(
        pl.lit(batch.pk).alias("batch"),
        pl.lit(synthetic).alias("synthetic"),
        *[pl.col(c).fill_null("") for c in ("age_band", "sex", "citizenship", "measure")],
        # Text for dates and amounts: both databases parse it, and no Python adapter runs per value.
        pl.col("record_date").cast(pl.String),
        pl.col("amount").cast(pl.String),
    ).select(_RECORD_COLUMNS)
    # Inserting in pseudonym order keeps the pseudonym index appending instead of splitting pages at
    # random: about 40% faster on SQLite for a million rows. Chunks are gathered by index, so the
    # frame is never copied whole.
    order = frame["pseudonym"].arg_sort(nulls_last=True)
    meta = ServiceRecord._meta
    columns = [meta.get_field(c).column for c in _RECORD_COLUMNS]
    table = connection.ops.quote_name(meta.db_table)
    column_sql = ", ".join(connection.ops.quote_name(c) for c in columns)
    done = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({column_sql}) FROM STDIN") as copy:  # noqa: S608
                for start in range(0, frame.height, WRITE_CHUNK):
                    for row in frame[order.slice(start, WRITE_CHUNK)].iter_rows():
                        copy.write_row(row)
                    done = min(frame.height, start + WRITE_CHUNK)
                    if chunk_done:
                        chunk_done(done)
        else:
            cursor.execute("PRAGMA cache_size = -262144")  # 256 MB of page cache for this connection
            placeholders = ", ".join(["%s"] * len(columns))
            sql = f"INSERT INTO {table} ({column_sql}) VALUES ({placeholders})"  # noqa: S608
            for start in range(0, frame.height, WRITE_CHUNK):
                cursor.executemany(sql, frame[order.slice(start, WRITE_CHUNK)].rows())
                done = min(frame.height, start + WRITE_CHUNK)
                if chunk_done:
                    chunk_done(done)
    return done


# --- CLI entry -----------------------------------------------------------------------------------------


def import_file(path: Path, mapping_name: str, *, valid_only: bool, user=None, on_chunk=None):
    """`osservatorio records import`: same checks and same code path as the web upload."""
    saved = ImportMapping.objects.filter(name=mapping_name).first()
    if saved is None:
        names = ", ".join(f"«{n}»" for n in ImportMapping.objects.values_list("name", flat=True)) or "nessuna"
        raise ImportRefused(
            f"Non esiste una mappatura chiamata «{mapping_name}» (mappature salvate: {names}). Crearla dalla "
            "pagina di caricamento o con `osservatorio records mapping`."
        )
    batch = create_batch(chunks=file_chunks(path), file_name=path.name, source_name=saved.name, user=user)
    mapping = validation.Mapping(columns=dict(saved.columns), fixed=dict(saved.fixed))
    try:
        result = validate_batch(batch, mapping, save_mapping=False, pseudonymise=True)
    except reading.FileRejected:
        _delete_upload(batch)
        batch.status = BatchStatus.RIFIUTATO
        batch.save(update_fields=["status"])
        raise
    if result.rows_with_errors and not valid_only:
        _delete_upload(batch)
        batch.status = BatchStatus.RIFIUTATO
        batch.save(update_fields=["status"])
        return batch, result
    batch.valid_only = valid_only
    batch.save(update_fields=["valid_only"])
    batch.status = BatchStatus.IN_CODA
    batch.save(update_fields=["status"])
    return run_import(batch.pk, on_chunk=on_chunk, validated=result), result


# --- street tables -------------------------------------------------------------------------------------


def load_streets(path: Path, comune_code: str | None = None) -> int:
    """Street → quartiere CSV (columns comune_code, via, quartiere). Each comune in the file has its table
    replaced. Errors name file, row and column; nothing is saved if any row is wrong."""
    table = reading.read_table(path, path.name, lambda names: sum(norm_in(n) for n in names))
    frame = table.frame
    cols = {fields.norm(h): h for h in table.headers}
    needed = {"comune_code": ("comune code", "comune", "codice istat"), "via": ("via", "strada", "indirizzo", "street"),
              "quartiere": ("quartiere code", "quartiere", "quartiere codice")}  # fmt: skip
    found = {}
    for key, names in needed.items():
        match = next((cols[n] for n in names if n in cols), None)
        if match is None and not (key == "comune_code" and comune_code):
            raise reading.FileRejected(
                path.name,
                "colonna_mancante",
                f"manca la colonna «{key}» (servono: comune_code, via, quartiere).",
            )
        found[key] = match
    comuni = places.comuni_on(date.today())
    errors, rows = [], {}
    for record in frame.iter_rows(named=True):
        line = record["__riga"]
        comune = (record[found["comune_code"]] if found["comune_code"] else comune_code) or comune_code or ""
        comune = comune.zfill(6) if comune.isdigit() else comune
        street, quartiere = record[found["via"]] or "", record[found["quartiere"]] or ""
        if comune not in comuni:
            errors.append(
                f"riga {line}, colonna «comune_code»: «{comune}» non è il codice ISTAT di un comune"
            )
            continue
        if comune_code and comune != comune_code:
            continue
        key = parsing.street_key(street)
        if not key:
            errors.append(f"riga {line}, colonna «via»: la via è vuota")
            continue
        if not quartiere:
            errors.append(f"riga {line}, colonna «quartiere»: il quartiere è vuoto")
            continue
        if quartiere.isdigit():
            quartiere = f"{comune}-Q{int(quartiere):02d}"
        previous = rows.get((comune, key))
        if previous and previous[1] != quartiere:
            errors.append(
                f"riga {line}, colonna «via»: la via «{street}» è già assegnata a un altro quartiere"
            )
            continue
        rows[(comune, key)] = (street, quartiere)
    if errors:
        raise reading.FileRejected(
            path.name, "stradario", "; ".join(errors[:20]) + (" …" if len(errors) > 20 else "")
        )
    with transaction.atomic():
        StreetQuartiere.objects.filter(comune_code__in={c for c, _ in rows}).delete()
        StreetQuartiere.objects.bulk_create(
            [
                StreetQuartiere(comune_code=c, street_key=k, street_name=s[:200], quartiere_code=q)
                for (c, k), (s, q) in rows.items()
            ],
            batch_size=1000,
        )
    return len(rows)


def norm_in(header: str) -> int:
    return int(
        fields.norm(header) in {"comune code", "via", "quartiere", "quartiere code", "comune", "strada"}
    )


# --- synthetic data ------------------------------------------------------------------------------------


def load_synthetic(
    area_code: str, *, households: int, seed: int, records: int | None = None, say=None
) -> ImportBatch | None:
    """Generate synthetic records for an ambito (or a comune) and import them through the same validation
    as a real file, flagged as synthetic. Idempotent: the same parameters load once (returns None)."""
    from . import synthetic

    say = say or (lambda _m: None)
    comuni = places.ambito_comuni(area_code)
    if not comuni:
        raise ImportRefused(
            f"L'area «{area_code}» non esiste o non ha comuni: caricare prima il territorio "
            "(`osservatorio territory load`) e indicare il codice di un ambito o di un comune."
        )
    n_records = records or households
    checksum = hashlib.sha256(
        f"synthetic:v1:{area_code}:{households}:{seed}:{n_records}".encode()
    ).hexdigest()
    if ImportBatch.objects.filter(checksum=checksum, status=BatchStatus.COMPLETATO).exists():
        say(f"Dati sintetici per {area_code} (seme {seed}) già presenti: niente da fare.")
        return None
    population = synthetic.geopop_population(comuni)
    brackets = places.income_brackets(comuni)
    if brackets is None:
        say("Redditi MEF per comune non caricati nel magazzino dati: uso le quote nazionali 2023 per fascia.")
    people = synthetic.generate_households(population, households, seed=seed, income_brackets=brackets)
    generated = synthetic.generate_service_records(people, n_records, seed=seed)
    frame = (
        synthetic.to_source_frame(generated)
        .with_row_index("__riga", offset=2)
        .with_columns(pl.col("__riga").cast(pl.Int64))
    )
    columns, fixed = synthetic.source_mapping()
    ctx = places.build_context("dati sintetici", pseudonym_key(), None)
    result = validation.validate(frame, validation.Mapping(columns, fixed), ctx)
    valid = result.records
    quartieri = places.quartieri_of(comuni)
    if quartieri:
        # Synthetic people have no street: spread them evenly over the quartieri of their comune.
        import numpy as np

        rng = np.random.default_rng(seed + 7)
        codes = valid["comune_code"].to_numpy()
        assigned = np.array([None] * valid.height, dtype=object)
        for comune, options in quartieri.items():
            mask = codes == comune
            assigned[mask] = np.array(options, dtype=object)[rng.integers(0, len(options), int(mask.sum()))]
        valid = valid.with_columns(pl.Series("quartiere_code", assigned.tolist(), dtype=pl.String))
    with transaction.atomic():
        batch = ImportBatch.objects.create(
            source_name=f"Dati sintetici {area_code} (seme {seed})",
            file_name=f"sintetici-{area_code}-{seed}.csv",
            checksum=checksum,
            status=BatchStatus.IN_CORSO,
            synthetic=True,
            rows_total=result.rows_total,
            rows_valid=result.rows_valid,
            rows_error=result.rows_with_errors,
            mapping_snapshot={"columns": columns, "fixed": fixed},
            read_notes=f"{len(comuni)} comuni, {households} famiglie, seme {seed}",
        )
        batch.rows_imported = write_records(batch, valid, synthetic=True)
        batch.status = BatchStatus.COMPLETATO
        batch.finished_at = timezone.now()
        batch.key_fingerprint = pseudonym.fingerprint(ctx.key)
        batch.save()
    say(f"Dati sintetici: {batch.rows_imported} record di {len(comuni)} comuni ({area_code}, seme {seed}).")
    return batch
