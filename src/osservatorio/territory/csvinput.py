"""Reading user CSV files (path, text or binary upload) with Italian messages for what goes wrong."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from .errors import TerritoryInputError


def read_rows(source, required: list[str]) -> tuple[str, list[tuple[int, dict[str, str]]]]:
    """(label, [(line number, row)]) from a CSV with a header; comma or semicolon separated."""
    if isinstance(source, str | Path):
        label = Path(source).name
        try:
            raw = Path(source).read_bytes()
        except OSError as exc:
            raise TerritoryInputError([f"{label}: impossibile leggere il file ({exc.strerror})"]) from exc
    else:
        label = getattr(source, "name", None) or "file"
        label = Path(str(label)).name
        raw = source.read()
    if isinstance(raw, bytes):
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise TerritoryInputError(
                [
                    f"{label}: il file non è in UTF-8 (byte non valido in posizione {exc.start}); salvalo come CSV UTF-8"
                ]
            ) from exc
    else:
        text = raw.lstrip("\ufeff")
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    fields = [f.strip() for f in (reader.fieldnames or [])]
    missing = [c for c in required if c not in fields]
    if missing:
        raise TerritoryInputError(
            [
                f"{label}, riga 1: mancano le colonne {', '.join(missing)} (l'intestazione deve contenere: {', '.join(required)})"
            ]
        )
    rows = []
    for n, row in enumerate(reader, start=2):
        clean = {(k or "").strip(): (v or "").strip() for k, v in row.items() if k is not None}
        if any(clean.values()):
            rows.append((n, clean))
    if not rows:
        raise TerritoryInputError([f"{label}: il file non contiene righe di dati"])
    return label, rows
