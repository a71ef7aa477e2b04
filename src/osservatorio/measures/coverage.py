"""Actual recipients where known, to compare with estimated eligible households (coverage, take-up)."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

from django.conf import settings

RDC_COMUNI = Path("rdc-comuni-luglio2020") / "rdc_pdc_comuni_luglio2020_lombardia.csv"
RDC_DATE = date(2020, 7, 1)


def rdc_recipients_july_2020(comuni: list[str]) -> dict[str, int] | None:
    """RdC + PdC recipient households per comune in July 2020 (shared data; None when absent).

    Third-party extract of INPS figures, origin not documented (see its PROVENANCE.md): shown as
    test-quality data, labelled so on the page."""
    path = Path(settings.DATA_DIR) / RDC_COMUNI
    if not path.exists():
        return None
    wanted = set(comuni)
    out: dict[str, int] = {}
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            code = row["codice_istat"].zfill(6)
            if code in wanted:
                rdc = float(row["Nuclei_familiari_percettori_RDC_luglio_2020"] or 0)
                pdc = float(row["Nuclei_familiari_percettori_PDC_luglio_2020"] or 0)
                out[code] = int(round(rdc + pdc))
    return out
