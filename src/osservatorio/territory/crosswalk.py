"""Comune code changes (mergers, absorptions, splits): reading our CSV, deriving it from ISTAT's list of
suppressed comuni, and following an old code to today's code(s).

Plain Python (no Django). Our CSV format, one row per (old code, new code, date):

    old_code,old_name,new_code,new_name,date,kind,note
    019071,Piadena,019116,Piadena Drizzona,2019-01-01,fusione,

`date` is the day the old comune ceased (its last valid day is the day before). `kind`:
fusione (a new comune is established), incorporazione (absorbed by an existing comune, or a merger
older than the current numbering, when the two cannot be told apart), scorporo (the old comune was
split among several successors), cambio_codice (same comune, new code).
"""

from __future__ import annotations

import csv
import io
import re
import sys
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

KINDS = ("fusione", "incorporazione", "scorporo", "cambio_codice")
COLUMNS = ["old_code", "old_name", "new_code", "new_name", "date", "kind", "note"]
_COMUNE = re.compile(r"\d{6}")


@dataclass(frozen=True)
class Change:
    old_code: str
    old_name: str
    new_code: str
    new_name: str
    date: date
    kind: str
    note: str = ""


class CrosswalkError(ValueError):
    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__("\n".join(errors))


def read_changes(source: str | Path | io.TextIOBase, label: str | None = None) -> list[Change]:
    """Parse and check a crosswalk CSV; raise CrosswalkError naming file, row and column of each problem."""
    if isinstance(source, str | Path):
        label = label or Path(source).name
        with open(source, encoding="utf-8-sig", newline="") as fh:
            return read_changes(fh, label)
    label = label or "file"
    reader = csv.DictReader(source)
    missing = [c for c in COLUMNS[:6] if c not in (reader.fieldnames or [])]
    if missing:
        raise CrosswalkError(
            [f"{label}: mancano le colonne {', '.join(missing)} (servono: {', '.join(COLUMNS)})"]
        )
    changes, errors = [], []
    for n, row in enumerate(reader, start=2):
        where = f"{label}, riga {n}"
        old, new = (row.get("old_code") or "").strip(), (row.get("new_code") or "").strip()
        for col, value in (("old_code", old), ("new_code", new)):
            if not _COMUNE.fullmatch(value):
                errors.append(
                    f"{where}, colonna {col}: «{value}» non è un codice ISTAT di comune (6 cifre, es. 019036)"
                )
        try:
            when = date.fromisoformat((row.get("date") or "").strip())
        except ValueError:
            errors.append(f"{where}, colonna date: «{row.get('date')}» non è una data AAAA-MM-GG")
            continue
        kind = (row.get("kind") or "").strip()
        if kind not in KINDS:
            errors.append(f"{where}, colonna kind: «{kind}» non è tra {', '.join(KINDS)}")
        if old == new and kind != "cambio_codice":
            errors.append(f"{where}: il codice vecchio e il nuovo coincidono ({old})")
        changes.append(
            Change(
                old,
                (row.get("old_name") or "").strip(),
                new,
                (row.get("new_name") or "").strip(),
                when,
                kind,
                (row.get("note") or "").strip(),
            )
        )
    if errors:
        raise CrosswalkError(errors)
    return changes


def resolve(code: str, changes: list[Change], on: date | None = None) -> list[str]:
    """The code(s) of a comune code on day `on`, following the changes dated up to that day (all of them
    when `on` is None). A split gives several codes; a code never changed gives itself."""
    by_old: dict[str, list[Change]] = {}
    for c in changes:
        by_old.setdefault(c.old_code, []).append(c)
    result: list[str] = []
    seen: set[str] = set()

    def walk(current: str) -> None:
        if current in seen:
            return
        seen.add(current)
        moves = [c for c in by_old.get(current, []) if on is None or c.date <= on]
        if not moves:
            if current not in result:
                result.append(current)
            return
        for c in sorted(moves, key=lambda c: (c.date, c.new_code)):
            walk(c.new_code)

    walk(code)
    return result


def from_istat_soppressi(path: str | Path, known_codes: set[str], known_since: date) -> list[Change]:
    """Convert ISTAT's "Elenco comuni soppressi" (UTF-8 comma version, original headers) to our rows.

    ISTAT does not say whether the successor was new (fusione) or already existed (incorporazione). New
    comuni get the next free number of their province, so a successor is taken as new when every higher
    ordinary code of its province (below 800; 8xx/9xx were given to long-suppressed comuni) is itself a
    comune established no earlier. `known_codes` are codes known to exist or have existed (e.g. the
    package's comuni, existing on `known_since`).
    """
    with open(path, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    raw = []
    for r in rows:
        when = datetime.strptime(r["Data evento"].strip(), "%d/%m/%Y").date()
        raw.append(
            (
                r["Codice Comune"].strip(),
                r["Denominazione Comune"].strip(),
                r["Codice del Comune associato alla variazione"].strip(),
                r["Denominazione Comune associato alla variazione"].strip(),
                when,
                (r.get("Comune soppresso per scorporo") or "").strip() == "1",
            )
        )
    established: dict[str, date] = {}
    first_as_successor: dict[str, date] = {}
    for _, _, new, _, when, _ in raw:
        first_as_successor[new] = min(when, first_as_successor.get(new, when))
    # Numbers from before a province was redrawn (Mornago was 015412 in 1869) are not blockers: only
    # codes that exist (known_codes, as of `known_since`) or were given to a successor since then.
    recent = {c for c, d in first_as_successor.items() if d >= known_since}
    codes = set(known_codes) | recent
    for prov in sorted({c[:3] for c in codes}):
        ordinary = sorted((c for c in codes if c[:3] == prov and int(c[3:]) < 800), reverse=True)
        for c in ordinary:
            higher_ok = all(
                h in established and established[h] >= first_as_successor.get(c, date.max)
                for h in ordinary
                if h > c
            )
            if c in first_as_successor and higher_ok:
                established[c] = first_as_successor[c]
            else:
                break
    out = []
    for old, old_name, new, new_name, when, split in raw:
        if split:
            kind = "scorporo"
        elif established.get(new) == when:
            kind = "fusione"
        else:
            kind = "incorporazione"
        out.append(Change(old, old_name, new, new_name, when, kind))
    out.sort(key=lambda c: (c.date, c.old_code, c.new_code), reverse=True)
    return out


def write_changes(changes: list[Change], out: io.TextIOBase) -> None:
    w = csv.writer(out, lineterminator="\n")
    w.writerow(COLUMNS)
    for c in changes:
        w.writerow([c.old_code, c.old_name, c.new_code, c.new_name, c.date.isoformat(), c.kind, c.note])


if __name__ == "__main__":  # python -m osservatorio.territory.crosswalk SOPPRESSI.csv > comuni_variazioni.csv
    from .embedded import available_years, snapshot

    snap = snapshot()
    write_changes(
        from_istat_soppressi(
            sys.argv[1], set(snap.comuni) | set(snap.earlier_comuni), date(min(available_years()), 1, 1)
        ),
        sys.stdout,
    )
