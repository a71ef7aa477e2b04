"""Protezione Civile COVID-19 series: cases by province, regional bulletin."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from .. import reading
from ..reading import Column
from ..validation import ValidationReport
from .base import concat, fetch, with_lineage

VERSION = "1"
TECHNICAL_PROVINCES = {"888", "988"}  # "fuori regione" and "in fase di definizione": not provinces

REGIONE_COUNTS = [
    "ricoverati_con_sintomi",
    "terapia_intensiva",
    "totale_ospedalizzati",
    "isolamento_domiciliare",
    "totale_positivi",
    "variazione_totale_positivi",
    "nuovi_positivi",
    "dimessi_guariti",
    "deceduti",
    "casi_da_sospetto_diagnostico",
    "casi_da_screening",
    "totale_casi",
    "tamponi",
    "casi_testati",
    "ingressi_terapia_intensiva",
    "totale_positivi_test_molecolare",
    "totale_positivi_test_antigenico_rapido",
    "tamponi_test_molecolare",
    "tamponi_test_antigenico_rapido",
]


def download(url: str, dest: Path) -> Path:
    return fetch(url, dest)


def parse_province(paths) -> tuple[pl.DataFrame, ValidationReport]:
    report = ValidationReport()
    frames = []
    for path in reading.iter_paths(paths):
        file = path.name
        raw = reading.read_table(
            path,
            [
                Column("data"),
                Column("codice_regione"),
                Column("codice_provincia"),
                Column("denominazione_provincia"),
                Column("sigla_provincia", required=False),
                Column("totale_casi"),
                Column("note", required=False),
            ],
            report=report,
        )
        kw = {"report": report, "file": file}
        frame = pl.DataFrame(
            {
                "date": reading.to_date(raw, "data", required=True, **kw),
                "regione_code": reading.to_istat_code(raw, "codice_regione", width=2, **kw),
                "provincia_code": reading.to_istat_code(raw, "codice_provincia", width=3, **kw),
                "provincia_name": raw.get_column("denominazione_provincia"),
                "sigla_provincia": raw.get_column("sigla_provincia"),
                "totale_casi": reading.to_int(raw, "totale_casi", required=True, **kw),
                "note": raw.get_column("note"),
                "source_row": raw.get_column("source_row"),
            }
        )
        report.checked("una sola riga per provincia e giorno")
        dup = frame.filter(pl.struct("date", "provincia_code").is_duplicated())
        for row, code, date in dup.select("source_row", "provincia_code", "date").iter_rows():
            report.error(
                "chiave_duplicata",
                f"la provincia {code} compare più volte il {date}.",
                file=file,
                row=row,
                column="codice_provincia",
            )
        frame = frame.sort("provincia_code", "date").with_columns(
            (pl.col("totale_casi") - pl.col("totale_casi").shift(1).over("provincia_code")).alias(
                "nuovi_casi"
            ),
            pl.col("provincia_code").is_in(list(TECHNICAL_PROVINCES)).alias("technical_row"),
        )
        report.checked("casi cumulati: le diminuzioni sono revisioni")
        report.stats["giorni_con_revisione_negativa"] = frame.filter(
            (pl.col("nuovi_casi") < 0) & ~pl.col("technical_row")
        ).height
        frame = frame.select(
            "date",
            "regione_code",
            "provincia_code",
            "provincia_name",
            "sigla_provincia",
            "totale_casi",
            "nuovi_casi",
            "technical_row",
            "note",
            "source_row",
        )
        frames.append(with_lineage(frame, file))
    return concat(frames), report


def parse_regione(paths) -> tuple[pl.DataFrame, ValidationReport]:
    report = ValidationReport()
    frames = []
    for path in reading.iter_paths(paths):
        file = path.name
        raw = reading.read_table(
            path,
            [
                Column("data"),
                Column("codice_regione"),
                Column("denominazione_regione"),
                Column("deceduti"),
                Column("totale_casi"),
                *[Column(c, required=False) for c in REGIONE_COUNTS if c not in ("deceduti", "totale_casi")],
                Column("note", required=False),
            ],
            report=report,
        )
        kw = {"report": report, "file": file}
        data = {
            "date": reading.to_date(raw, "data", required=True, **kw),
            "regione_code": reading.to_istat_code(raw, "codice_regione", width=2, **kw),
            "regione_name": raw.get_column("denominazione_regione"),
        }
        for c in REGIONE_COUNTS:
            data[c] = reading.to_int(raw, c, **kw)
        frame = pl.DataFrame(
            {**data, "note": raw.get_column("note"), "source_row": raw.get_column("source_row")}
        )
        frame = frame.sort("regione_code", "date").with_columns(
            (pl.col("deceduti") - pl.col("deceduti").shift(1).over("regione_code")).alias("nuovi_decessi")
        )
        report.checked("una sola riga per regione e giorno")
        dup = frame.filter(pl.struct("date", "regione_code").is_duplicated())
        for row, date in dup.select("source_row", "date").iter_rows():
            report.error(
                "chiave_duplicata", f"il giorno {date} compare più volte.", file=file, row=row, column="data"
            )
        frames.append(with_lineage(frame, file))
    return concat(frames), report
