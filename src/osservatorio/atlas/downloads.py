"""The same table as CSV, Excel or JSON: one function, so every download of the atlas has the same columns."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence

from django.http import HttpResponse, JsonResponse

FORMATS = ("csv", "xlsx", "json")
LICENCE_NOTE = (
    "Dati rilasciati dall'Osservatorio (valori con controllo della riservatezza); fonti e licenze nel catalogo "
    "dei dati (DCAT-AP_IT)."
)


def respond(
    rows: Iterable[dict],
    columns: Sequence[tuple[str, str]],
    fmt: str,
    filename: str,
    meta: dict | None = None,
) -> HttpResponse:
    """columns: (key, header) pairs; rows: dicts with those keys. fmt must be one of FORMATS."""
    rows = list(rows)
    if fmt == "json":
        body = {
            "meta": {**(meta or {}), "nota": LICENCE_NOTE},
            "columns": [k for k, _ in columns],
            "data": rows,
        }
        resp = JsonResponse(body, json_dumps_params={"ensure_ascii": False})
    elif fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow([h for _, h in columns])
        for r in rows:
            w.writerow(["" if r.get(k) is None else r.get(k) for k, _ in columns])
        # UTF-8 with BOM: Excel in Italian opens it with the right accents.
        resp = HttpResponse("\ufeff" + buf.getvalue(), content_type="text/csv; charset=utf-8")
    elif fmt == "xlsx":
        from openpyxl import Workbook

        wb = Workbook(write_only=True)
        ws = wb.create_sheet("dati")
        ws.append([h for _, h in columns])
        for r in rows:
            ws.append([r.get(k) for k, _ in columns])
        info = wb.create_sheet("note")
        info.append([LICENCE_NOTE])
        for k, v in (meta or {}).items():
            info.append([k, json.dumps(v, ensure_ascii=False) if isinstance(v, (dict, list)) else v])
        out = io.BytesIO()
        wb.save(out)
        resp = HttpResponse(
            out.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
    else:  # the URL pattern only lets the three formats through
        raise ValueError(fmt)
    if fmt != "json":
        resp["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return resp
