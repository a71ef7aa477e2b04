"""PNRR urban-regeneration call (decree 30/12/2021): applications, ranking, beneficiaries, with ISTAT IVSM."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from .. import reading
from ..codes import check_comune_codes
from ..reading import Column
from ..validation import ValidationReport
from .base import concat, fetch, with_lineage

VERSION = "1"
ALLEGATI = {
    "all1": "istanze",
    "all-1": "istanze",
    "all2": "graduatoria",
    "all-2": "graduatoria",
    "all3": "beneficiari",
    "all-3": "beneficiari",
}
YEARS = range(2021, 2027)


def download(url: str, dest: Path) -> Path:
    return fetch(url, dest)


def _allegato(path: Path) -> str:
    name = path.name.lower()
    for key, value in ALLEGATI.items():
        if key in name:
            return value
    return "istanze"


def parse_allegati(paths) -> tuple[pl.DataFrame, ValidationReport]:
    report = ValidationReport()
    frames = []
    for path in reading.iter_paths(paths):
        file = path.name
        raw = reading.read_table(
            path,
            [
                Column("codice_istat_comune", ("codice istat comune",)),
                Column("ente"),
                Column("provincia", required=False),
                Column("codice bdap", required=False),
                Column("codice ministero interno", required=False),
                Column("cup"),
                Column("target (mq rigenerati)", ("target mq rigenerati",), required=False),
                Column("finanziamento parziale", ("finanziam ento parziale",), required=False),
                Column("costo complessivo", required=False),
                Column("quota co- finanziata", ("quota co finanziata", "quota cofinanziata"), required=False),
                Column(
                    "richiesta contributo", ("richiesta contributo di cui progettazione",), required=False
                ),
                Column("di cui progettazione", required=False),
                Column("tipologia intervento (lettera)", ("tipologia intervento lettera",), required=False),
                Column("datatramissionedomanda", ("data trasmissione domanda",), required=False),
                Column("ammesso/non ammesso", ("ammesso non ammesso",), required=False),
                Column("motivazione", required=False),
                Column("ivsm (2018)", ("ivsm 2018", "ivsm")),
                *[Column(f"assegnazione {y}", required=False) for y in YEARS],
                Column("opencup", required=False),
            ],
            report=report,
        )
        kw = {"report": report, "file": file}
        data = {
            "allegato": [_allegato(path)] * raw.height,
            "comune_code": reading.to_istat_code(raw, "codice_istat_comune", width=6, **kw),
            "ente": raw.get_column("ente"),
            "provincia_name": raw.get_column("provincia"),
            "codice_bdap": raw.get_column("codice bdap"),
            "codice_ministero_interno": raw.get_column("codice ministero interno"),
            "cup": raw.get_column("cup"),
            "target_mq": reading.to_int(raw, "target (mq rigenerati)", **kw),
            "finanziamento_parziale": reading.to_bool(raw, "finanziamento parziale", **kw),
            "costo_complessivo": reading.to_float(raw, "costo complessivo", **kw),
            "quota_cofinanziata": reading.to_float(raw, "quota co- finanziata", **kw),
            "richiesta_contributo": reading.to_float(raw, "richiesta contributo", **kw),
            "di_cui_progettazione": reading.to_float(raw, "di cui progettazione", **kw),
            "tipologia_intervento": raw.get_column("tipologia intervento (lettera)"),
            "data_trasmissione": reading.to_date(raw, "datatramissionedomanda", **kw),
            # "Sì, con riserva" is an admission: the exact wording is kept in `esito`.
            "ammesso": raw.get_column("ammesso/non ammesso")
            .str.to_lowercase()
            .str.strip_chars()
            .str.replace("^si", "sì")
            .str.starts_with("sì"),
            "esito": raw.get_column("ammesso/non ammesso"),
            "motivazione": raw.get_column("motivazione"),
            "ivsm_2018": reading.to_float(raw, "ivsm (2018)", **kw),
            **{f"assegnazione_{y}": reading.to_float(raw, f"assegnazione {y}", **kw) for y in YEARS},
            "opencup_url": raw.get_column("opencup"),
            "source_row": raw.get_column("source_row"),
        }
        frame = pl.DataFrame(data)
        report.checked("IVSM tra 90 e 110 (indice con media nazionale 100)")
        for row, v in (
            frame.filter(~pl.col("ivsm_2018").is_between(90, 110))
            .select("source_row", "ivsm_2018")
            .iter_rows()
        ):
            report.warning(
                "ivsm_intervallo",
                f"IVSM {v} fuori dall'intervallo atteso 90–110.",
                file=file,
                row=row,
                column="IVSM (2018)",
            )
        frame = check_comune_codes(frame, "comune_code", report=report, file=file)
        frames.append(with_lineage(frame, file))
    report.warning("conversione_terzi", "allegati pubblicati in PDF: i CSV sono la conversione di onData.")
    return concat(frames), report
