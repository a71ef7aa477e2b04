"""Derived dataset: the microsimulation's estimate of eligible households per comune (measures app).

Not an external source: `osservatorio.measures.coverage.publish_rdc_eligible` runs the rules on the
synthetic population, writes one CSV row per comune and loads it through `load_dataset`, so the estimate
gets a release (checksum, rows, lineage) and a warehouse table the indicator engine reads like any other.
The lineage of the model (rule version, draws, seed, synthetic households per draw) is in the columns of
every row. `DERIVED` tells `load_defaults` (what `make demo` runs for the sources) not to look for it in
the data directory: the measures app produces it.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from .. import reading
from ..codes import check_comune_codes
from ..validation import LoadError, ValidationReport
from .base import concat, with_lineage

VERSION = "1"
DERIVED = True

# Column → polars type. The file is written by the measures app; a hand-made file must follow it too.
SCHEMA: dict[str, pl.DataType] = {
    "comune_code": pl.Utf8,
    "misura": pl.Utf8,
    "periodo": pl.Utf8,
    "nuclei_idonei": pl.Float64,
    "nuclei_idonei_p2_5": pl.Float64,
    "nuclei_idonei_p97_5": pl.Float64,
    "nuclei_da_verificare": pl.Float64,
    "famiglie_stimate": pl.Float64,
    "residenti": pl.Int64,
    "famiglie_sintetiche_comune": pl.Float64,
    "versione_regole": pl.Utf8,
    "estrazioni": pl.Int64,
    "seme": pl.Int64,
    "famiglie_per_estrazione": pl.Int64,
    "anno_popolazione": pl.Int64,
}


def download(url: str, dest: Path):  # pragma: no cover - produced by the measures app, never downloaded
    raise NotImplementedError("dataset derivato: lo produce «osservatorio misure stime-rdc».")


def parse_stime(paths) -> tuple[pl.DataFrame, ValidationReport]:
    report = ValidationReport()
    frames = []
    for path in reading.iter_paths(paths):
        file = path.name
        reading.check_file(path)
        try:
            frame = pl.read_csv(path, schema_overrides=SCHEMA, infer_schema_length=0)
        except (pl.exceptions.PolarsError, ValueError) as exc:
            raise LoadError(
                f"file non leggibile come CSV delle stime ({exc})", file=file, rule="formato"
            ) from exc
        missing = [c for c in SCHEMA if c not in frame.columns]
        if missing:
            report.error("colonne", f"colonne mancanti: {', '.join(missing)}", file=file)
            continue
        report.checked("colonne delle stime della microsimulazione")
        frame = frame.select(list(SCHEMA)).with_columns(pl.col("comune_code").str.zfill(6))
        report.checked("stime non negative e intervallo che contiene la media")
        bad = frame.filter(
            (pl.col("nuclei_idonei") < 0)
            | (pl.col("nuclei_idonei_p2_5") > pl.col("nuclei_idonei"))
            | (pl.col("nuclei_idonei_p97_5") < pl.col("nuclei_idonei"))
        )
        for row in bad.head(20).iter_rows(named=True):
            report.error(
                "stima_incoerente",
                f"comune {row['comune_code']}: media {row['nuclei_idonei']} fuori dall'intervallo o negativa",
                file=file,
            )
        frame = frame.with_columns(
            pl.int_range(2, frame.height + 2, dtype=pl.Int64).alias("source_row"),
            pl.lit(True).alias("non_ufficiale"),
        )
        frame = check_comune_codes(frame, "comune_code", report=report, file=file)
        frames.append(with_lineage(frame, file))
    report.warning(
        "stima_di_modello",
        "stime di un modello su una popolazione sintetica, non conteggi: non sono statistica ufficiale.",
    )
    return concat(frames), report
