"""ISTAT municipal classifications, inner-areas (SNAI) classes and the list of suppressed comuni."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl

from .. import reading
from ..codes import check_comune_codes
from ..reading import Column
from ..validation import ValidationReport
from .base import concat, fetch, with_lineage

VERSION = "1"


def download(url: str, dest: Path) -> Path:
    return fetch(url, dest)


def parse_classificazioni(paths) -> tuple[pl.DataFrame, ValidationReport]:
    report = ValidationReport()
    frames = []
    for path in reading.iter_paths(paths):
        file = path.name
        raw = reading.read_table(
            path,
            [
                Column("codice_regione", ("codice regione",)),
                Column("codice_istat", ("codice comune formato alfanumerico", "procom_t")),
                Column("denominazione", ("denominazione in italiano", "comune")),
                Column("superficie_kmq_2025", ("superficie territoriale kmq",), required=False),
                Column("popolazione_legale_2021", ("popolazione legale",), required=False),
                Column("popolazione_residente_2024_12_31", required=False),
                Column("zona_altimetrica", required=False),
                Column("altitudine_centro_m", ("altitudine del centro metri",), required=False),
                Column("comune_litoraneo", required=False),
                Column("comune_isolano", required=False),
                Column("zone_costiere_2021", required=False),
                Column("grado_urbanizzazione_2021", ("grado di urbanizzazione",), required=False),
            ],
            report=report,
        )
        kw = {"report": report, "file": file}
        frame = pl.DataFrame(
            {
                "comune_code": reading.to_istat_code(raw, "codice_istat", width=6, **kw),
                "comune_name": raw.get_column("denominazione"),
                "regione_code": reading.to_istat_code(raw, "codice_regione", width=2, **kw),
                "superficie_kmq": reading.to_float(raw, "superficie_kmq_2025", **kw),
                "popolazione_legale_2021": reading.to_int(raw, "popolazione_legale_2021", min_value=0, **kw),
                "popolazione_residente_2024_12_31": reading.to_int(
                    raw, "popolazione_residente_2024_12_31", min_value=0, **kw
                ),
                "zona_altimetrica": reading.to_int(raw, "zona_altimetrica", **kw),
                "altitudine_centro_m": reading.to_int(raw, "altitudine_centro_m", **kw),
                "comune_litoraneo": reading.to_bool(raw, "comune_litoraneo", **kw),
                "comune_isolano": reading.to_bool(raw, "comune_isolano", **kw),
                "zone_costiere_2021": reading.to_int(raw, "zone_costiere_2021", **kw),
                "grado_urbanizzazione_2021": reading.to_int(raw, "grado_urbanizzazione_2021", **kw),
                "reference_date": [dt.date(2026, 1, 1)] * raw.height,
                "source_row": raw.get_column("source_row"),
            }
        )
        report.checked("grado di urbanizzazione tra 1 e 3; zona altimetrica tra 1 e 5")
        for col, low, high in (("grado_urbanizzazione_2021", 1, 3), ("zona_altimetrica", 1, 5)):
            for row, v in (
                frame.filter(~pl.col(col).is_between(low, high)).select("source_row", col).iter_rows()
            ):
                report.error(
                    "valore_ammesso",
                    f"valore {v} fuori dai codici ammessi ({low}–{high}).",
                    file=file,
                    row=row,
                    column=col,
                )
        frame = check_comune_codes(frame, "comune_code", report=report, file=file).drop("comune_code_attuale")
        frames.append(with_lineage(frame, file))
    return concat(frames), report


def parse_aree_interne(paths) -> tuple[pl.DataFrame, ValidationReport]:
    report = ValidationReport()
    frames = []
    for path in reading.iter_paths(paths):
        file = path.name
        raw = reading.read_table(
            path,
            [
                Column("procom_t", ("codice comune",)),
                Column("denominazione_comune", ("comune",)),
                Column("codice catastale", required=False),
                Column("sigla autom", ("sigla automobilistica",), required=False),
                Column("codice_aree_interne 2014-2020"),
                Column("descrizione_aree_interne 2014-2020", required=False),
                Column("codice_aree_interne 2021-2027"),
                Column("descrizione_aree_interne 2021-2027", required=False),
                Column("procom_comune di destinazione prevalente (ai 2021-27)", required=False),
                Column("comune di destinazione prevalente (ai 2021-27)", required=False),
                Column("codice polo di destinazione prevalente (ai 2021-27)", required=False),
            ],
            report=report,
        )
        kw = {"report": report, "file": file}
        frame = pl.DataFrame(
            {
                "comune_code": reading.to_istat_code(raw, "procom_t", width=6, **kw),
                "comune_name": raw.get_column("denominazione_comune"),
                "codice_catastale": raw.get_column("codice catastale"),
                "sigla_provincia": raw.get_column("sigla autom"),
                "classe_2014_2020": raw.get_column("codice_aree_interne 2014-2020").str.strip_chars(),
                "descrizione_2014_2020": raw.get_column("descrizione_aree_interne 2014-2020"),
                "classe_2021_2027": raw.get_column("codice_aree_interne 2021-2027").str.strip_chars(),
                "descrizione_2021_2027": raw.get_column("descrizione_aree_interne 2021-2027"),
                "polo_comune_code": reading.to_istat_code(
                    raw,
                    "procom_comune di destinazione prevalente (ai 2021-27)",
                    width=6,
                    required=False,
                    **kw,
                ),
                "polo_comune_name": raw.get_column("comune di destinazione prevalente (ai 2021-27)"),
                "polo_code": raw.get_column("codice polo di destinazione prevalente (ai 2021-27)"),
                "source_row": raw.get_column("source_row"),
            }
        )
        report.checked("classe di area interna tra A e F")
        for col in ("classe_2014_2020", "classe_2021_2027"):
            bad = frame.filter(~pl.col(col).is_in(list("ABCDEF")))
            for row, v in bad.select("source_row", col).iter_rows():
                report.error(
                    "valore_ammesso",
                    f"classe «{v}» non valida: servono le lettere A–F.",
                    file=file,
                    row=row,
                    column=col,
                )
        frame = check_comune_codes(frame, "comune_code", report=report, file=file, on=dt.date(2020, 9, 30))
        frames.append(with_lineage(frame.drop("comune_code_attuale"), file))
    report.warning(
        "editore_non_indicato",
        "il file non indica chi lo pubblica: è la classificazione SNAI (aree interne) prodotta con ISTAT.",
    )
    return concat(frames), report


def parse_soppressi(paths) -> tuple[pl.DataFrame, ValidationReport]:
    report = ValidationReport()
    frames = []
    for path in reading.iter_paths(paths):
        file = path.name
        raw = reading.read_table(
            path,
            [
                Column("anno"),
                Column("sigla automobilistica", required=False),
                Column("codice comune"),
                Column("denominazione comune"),
                Column("comune soppresso per scorporo", required=False),
                Column("data evento"),
                Column("codice del comune associato alla variazione"),
                Column("denominazione comune associato alla variazione", required=False),
                Column("sigla automobilistica associata alla variazione", required=False),
            ],
            report=report,
        )
        kw = {"report": report, "file": file}
        frame = pl.DataFrame(
            {
                "year": reading.to_int(raw, "anno", required=True, **kw),
                "sigla_provincia": raw.get_column("sigla automobilistica"),
                "comune_code": reading.to_istat_code(raw, "codice comune", width=6, **kw),
                "comune_name": raw.get_column("denominazione comune"),
                "scorporo": raw.get_column("comune soppresso per scorporo").fill_null("0").str.strip_chars()
                == "1",
                "event_date": reading.to_date(raw, "data evento", required=True, **kw),
                "successor_code": reading.to_istat_code(
                    raw, "codice del comune associato alla variazione", width=6, **kw
                ),
                "successor_name": raw.get_column("denominazione comune associato alla variazione"),
                "successor_sigla_provincia": raw.get_column(
                    "sigla automobilistica associata alla variazione"
                ),
                "source_row": raw.get_column("source_row"),
            }
        )
        frames.append(with_lineage(frame, file))
    return concat(frames), report
