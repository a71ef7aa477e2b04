"""RdC/PdC households per comune, July 2020: a third-party file of undocumented origin, loaded as non ufficiale."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from .. import reading
from ..codes import check_comune_codes
from ..reading import Column
from ..validation import ValidationReport
from .base import concat, with_lineage

VERSION = "1"

COLUMNS = {
    "nuclei_rdc": ("Nuclei_familiari_percettori_RDC_luglio_2020", "int"),
    "nuclei_pdc": ("Nuclei_familiari_percettori_PDC_luglio_2020", "int"),
    "persone_coinvolte": ("Individui_coinvolti_luglio_2020", "int"),
    "componenti_medi": ("Numero_componenti_per_famiglia", "float"),
    "donne_medie": ("Numero_donne_per_famiglia", "float"),
    "minori_medi": ("Numero_minori_<_18_anni_per_famiglia", "float"),
    "anziani_75_medi": ("Numero_anziani_>_75_anni_per_famiglia", "float"),
    "importo_medio_mensile": ("Importo_medio_mensile", "float"),
    "importo_dev_std": ("Dev.standard_importo_mensile", "float"),
    "residenti_maschi_2020": ("Uomini_residenti_al_1-1-2020", "int"),
    "residenti_femmine_2020": ("Donne_residenti_al_1-1-2020", "int"),
    "popolazione_2020": ("Popolazione_residente_al_1-1-2020", "int"),
    "takeup": ("Takeup", "float"),
    "takeup_donne": ("Takeup_donne", "float"),
}


def download(url: str, dest: Path):  # pragma: no cover - no official URL exists for this file
    raise NotImplementedError("fonte non ufficiale senza URL di pubblicazione: si carica solo da file.")


def parse_rdc_comuni(paths) -> tuple[pl.DataFrame, ValidationReport]:
    report = ValidationReport()
    frames = []
    for path in reading.iter_paths(paths):
        file = path.name
        raw = reading.read_table(
            path,
            [
                Column("codice_istat"),
                Column("codice_catastale", required=False),
                Column("comune_mef_2020", ("comune",), required=False),
                Column("sigla_provincia", required=False),
                *[Column(label) for label, _ in COLUMNS.values()],
            ],
            report=report,
        )
        kw = {"report": report, "file": file}
        data = {
            "comune_code": reading.to_istat_code(raw, "codice_istat", width=6, **kw),
            "codice_catastale": raw.get_column("codice_catastale"),
            "comune_name": raw.get_column("comune_mef_2020"),
            "sigla_provincia": raw.get_column("sigla_provincia"),
        }
        for name, (label, kind) in COLUMNS.items():
            data[name] = (reading.to_int if kind == "int" else reading.to_float)(raw, label, **kw)
        frame = pl.DataFrame({**data, "source_row": raw.get_column("source_row")})
        # Comuni with no household show an average amount: suppressed cells filled by the author, not data.
        no_households = (pl.col("nuclei_rdc").fill_null(0) + pl.col("nuclei_pdc").fill_null(0)) == 0
        filled = frame.filter(no_households & pl.col("importo_medio_mensile").is_not_null()).height
        report.checked("importi dei comuni senza nuclei trattati come mancanti")
        if filled:
            report.warning(
                "importi_senza_nuclei",
                f"{filled} comuni hanno 0 nuclei ma un importo medio: importo e deviazione standard posti a vuoto.",
                file=file,
                column="Importo_medio_mensile",
            )
        frame = frame.with_columns(
            pl.when(no_households).then(None).otherwise(pl.col(c)).alias(c)
            for c in ("importo_medio_mensile", "importo_dev_std")
        ).with_columns(pl.lit(True).alias("non_ufficiale"))
        frame = check_comune_codes(frame, "comune_code", report=report, file=file)
        frames.append(with_lineage(frame, file))
    report.warning(
        "fonte_non_ufficiale",
        "origine non documentata (nessun editore, URL o licenza): dati NON ufficiali, da non presentare come "
        "statistica ufficiale.",
    )
    return concat(frames), report
