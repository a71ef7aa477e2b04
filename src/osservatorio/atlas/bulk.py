"""Bulk download of a published release: one CSV of every public value, zipped, built once and kept.

Written to a temporary file and renamed into place, so a visitor never downloads a half-written archive.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
import zipfile
from pathlib import Path

from django.conf import settings

from . import selectors

COLUMNS = [
    "indicatore",
    "codice_area",
    "livello",
    "inizio_periodo",
    "fine_periodo",
    "granularita",
    "disaggregazione",
    "valore",
    "ic95_inferiore",
    "ic95_superiore",
    "numeratore",
    "denominatore",
    "riservato",
    "provvisorio",
    "stimato",
    "interruzione_serie",
    "non_ufficiale",
    "nota",
]
README = """Osservatorio — rilascio {pk} dei valori degli indicatori

valori.csv: un valore per indicatore, area, periodo e disaggregazione (UTF-8, separatore virgola).
I valori con riservato=True sono stati soppressi dal controllo della riservatezza e non hanno numeri.
Gli intervalli di confidenza sono al 95%. Confini al {vintage}.
Fonti e licenze: catalogo DCAT-AP_IT dell'atlante (atlante/catalogo.jsonld).
{synthetic}"""


def archive_path(release) -> Path:
    # The creation time is in the name: two databases (tests, demo) may both have a release number 1.
    stamp = release.created_at.strftime("%Y%m%d%H%M%S%f")
    return Path(settings.VAR_DIR) / "atlas" / "rilasci" / f"rilascio-{release.pk}-{stamp}.zip"


def release_zip(release) -> Path:
    path = archive_path(release)
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".part")
    os.close(fd)
    try:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            with zf.open("valori.csv", "w") as raw:
                out = io.TextIOWrapper(raw, encoding="utf-8", newline="")
                w = csv.writer(out, lineterminator="\n")
                w.writerow(COLUMNS)
                for dp in selectors.release_rows(release):
                    v = selectors.public_values(dp)
                    w.writerow(
                        [
                            dp.indicator.code,
                            v["area_code"],
                            v["area_level"],
                            v["period_start"],
                            v["period_end"],
                            v["granularity"],
                            v["breakdown"],
                            *[
                                "" if v[k] is None else v[k]
                                for k in ("value", "ci95_low", "ci95_high", "numerator", "denominator")
                            ],
                            v["suppressed"],
                            v["provisional"],
                            v["estimated"],
                            v["break_before"],
                            v["non_ufficiale"],
                            v["note"],
                        ]
                    )
                out.flush()
                out.detach()
            zf.writestr(
                "LEGGIMI.txt",
                README.format(
                    pk=release.pk,
                    vintage=release.boundary_vintage.isoformat(),
                    synthetic="ATTENZIONE: contiene dati sintetici (dimostrativi).\n"
                    if release.synthetic
                    else "",
                ),
            )
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path
