"""The audit timeline as CSV for a spreadsheet: semicolons and a BOM, as Italian Excel expects."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator

from django.http import StreamingHttpResponse
from django.utils import timezone

from .selectors import AuditEvent

HEADER = [
    "quando",
    "tipo",
    "azione",
    "utente",
    "ruolo",
    "pagina_o_oggetto",
    "dettaglio",
    "comune",
    "indirizzo_ip",
    "canale",
]
# A cell starting with one of these is a formula to a spreadsheet: a logged path must never run as one.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _safe(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


class _Echo:
    def write(self, value):
        return value


def rows(events: Iterable[AuditEvent]) -> Iterator[list[str]]:
    yield HEADER
    for e in events:
        yield [
            timezone.localtime(e.at).isoformat(timespec="seconds"),
            e.kind,
            e.action,
            e.username,
            e.role,
            e.what,
            e.detail,
            e.comune_code,
            e.ip_address,
            e.channel,
        ]


def audit_csv_response(events: Iterable[AuditEvent]) -> StreamingHttpResponse:
    writer = csv.writer(_Echo(), delimiter=";")

    def stream():
        yield "\ufeff"
        for row in rows(events):
            yield writer.writerow([_safe(v) for v in row])

    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="registro-accessi-{stamp}.csv"'
    return response
