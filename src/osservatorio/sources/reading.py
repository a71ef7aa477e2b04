"""Reading tabular files as people actually send them: any encoding, separator, header layout, CSV or Excel.

Shared by the official-source loaders and by the `records` app. The API below is stable:

- `read_table(path, columns, report=...)` → polars DataFrame with the canonical column names (cells as text,
  `None` when empty) plus `source_row` (the line or sheet row of each record, 1-based);
- `to_int`, `to_float`, `to_date`, `to_istat_code`, `to_bool` turn text columns into typed columns and report
  every cell they cannot read (file, row, column, rule) in the `ValidationReport`;
- `check_file(path)` (size, emptiness), `check_workbook(path)` (macros, external links, zip bombs),
  `detect_encoding`, `sniff_separator`, `sha256_file`.

Everything refused raises `LoadError` with an Italian message naming the file and saying how to fix it.
No Django import: the size limit is passed in, or read from settings when Django is configured.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
import unicodedata
import zipfile
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from .validation import ERROR, Issue, LoadError, ValidationReport

DEFAULT_MAX_BYTES = 250 * 1024 * 1024
EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"}
# A workbook whose parts inflate more than this is treated as a zip bomb (real xlsx stay below ~30:1).
MAX_COMPRESSION_RATIO = 100
SNIFF_BYTES = 256 * 1024
HEADER_SCAN_ROWS = 30


def default_max_bytes() -> int:
    try:
        from django.conf import settings

        return int(getattr(settings, "OSSERVATORIO_UPLOAD_MAX_BYTES", DEFAULT_MAX_BYTES) or DEFAULT_MAX_BYTES)
    except Exception:  # noqa: BLE001 - outside Django (notebooks, benchmarks) the default applies
        return DEFAULT_MAX_BYTES


def human_size(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / 1024 / 1024:.1f} MB".replace(".", ",")
    if n >= 1024:
        return f"{n / 1024:.0f} KB"
    return f"{n} byte"


def sha256_file(path: Path, chunk: int = 1024 * 1024) -> str:
    """Checksum streamed in fixed-size chunks: memory stays bounded whatever the file size."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(chunk):
            h.update(block)
    return h.hexdigest()


def check_file(path: Path, max_bytes: int | None = None) -> int:
    """Refuse missing, empty and oversized files before reading a byte of them."""
    path = Path(path)
    if not path.is_file():
        raise LoadError(
            f"il file non esiste: {path}. Controlla il percorso.", file=path.name, rule="file_esistente"
        )
    size = path.stat().st_size
    limit = max_bytes if max_bytes is not None else default_max_bytes()
    if size == 0:
        raise LoadError(
            "il file è vuoto (0 byte). Esporta di nuovo i dati dalla fonte e ricaricalo.",
            file=path.name,
            rule="file_non_vuoto",
        )
    if limit and size > limit:
        raise LoadError(
            f"il file è troppo grande ({human_size(size)}; il limite è {human_size(limit)}). "
            "Dividilo in parti più piccole o chiedi all'amministratore di alzare OSSERVATORIO_UPLOAD_MAX_BYTES.",
            file=path.name,
            rule="dimensione_massima",
        )
    return size


def check_workbook(
    path: Path, max_bytes: int | None = None, *, allow_external_links: bool = False
) -> list[str]:
    """Refuse workbooks with macros, external links or a suspicious compression before opening them.

    `allow_external_links=True` is for official workbooks known to carry stale links (INPS): the cached
    values are read, never refreshed; the names of the link parts are returned so the caller can warn.
    """
    path = Path(path)
    name = path.name
    if path.suffix.lower() == ".xlsm":
        raise LoadError(
            "le cartelle di lavoro con macro (.xlsm) non sono accettate. Salva il file come .xlsx senza macro.",
            file=name,
            rule="no_macro",
        )
    if not zipfile.is_zipfile(path):
        return []  # legacy .xls (BIFF): no zip container to inspect; calamine reads only the cell values
    limit = max_bytes if max_bytes is not None else default_max_bytes()
    with zipfile.ZipFile(path) as z:
        infos = z.infolist()
        total = sum(i.file_size for i in infos)
        packed = sum(i.compress_size for i in infos) or 1
        members = [i.filename for i in infos]
    if any(m.lower().endswith("vbaproject.bin") for m in members):
        raise LoadError(
            "il file contiene macro (vbaProject.bin). Salva il file come .xlsx senza macro e ricaricalo.",
            file=name,
            rule="no_macro",
        )
    links = [m for m in members if m.lower().startswith("xl/externallinks/") and m.lower().endswith(".xml")]
    if links and not allow_external_links:
        raise LoadError(
            "il file contiene collegamenti a cartelle di lavoro esterne. In Excel usa «Dati › Modifica "
            "collegamenti › Interrompi collegamento», salva e ricarica.",
            file=name,
            rule="no_collegamenti_esterni",
        )
    if (limit and total > limit) or (total > 10 * 1024 * 1024 and total / packed > MAX_COMPRESSION_RATIO):
        raise LoadError(
            f"il file compresso si espanderebbe a {human_size(total)} (rapporto {total / packed:.0f}:1): "
            "sembra una «zip bomb» o un file danneggiato. Esporta di nuovo i dati dalla fonte.",
            file=name,
            rule="zip_bomb",
        )
    return links


def read_bytes(path: Path, max_bytes: int | None = None) -> bytes:
    """The file's bytes; .gz is inflated in chunks and refused past the size limit (gzip bombs)."""
    path = Path(path)
    check_file(path, max_bytes)
    limit = max_bytes if max_bytes is not None else default_max_bytes()
    if path.suffix.lower() != ".gz":
        return path.read_bytes()
    # One C call, bounded: inflate at most limit+1 bytes, so a gzip bomb stops at the limit.
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = inflater.decompress(path.read_bytes(), (limit + 1) if limit else 0)
    except zlib.error as exc:
        raise LoadError(
            f"il file .gz è danneggiato o incompleto ({exc}). Scaricalo di nuovo.",
            file=path.name,
            rule="gzip",
        ) from exc
    if limit and (len(out) > limit or inflater.unconsumed_tail):
        raise LoadError(
            f"il file compresso supera {human_size(limit)} una volta decompresso: "
            "sembra una «zip bomb» o un file troppo grande.",
            file=path.name,
            rule="zip_bomb",
        )
    if not inflater.eof:
        raise LoadError(
            "il file .gz è incompleto (troncato). Scaricalo di nuovo.", file=path.name, rule="gzip"
        )
    return out


_NOT_C1 = bytes(range(0x80)) + bytes(range(0xA0, 0x100))


def detect_encoding(data: bytes) -> str:
    """utf-8-sig, utf-8, cp1252 or latin-1 (the four encodings Italian open data come in)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        # A sample cut in the middle of a multi-byte character is still UTF-8.
        if exc.start >= len(data) - 3 and exc.reason == "unexpected end of data":
            return "utf-8"
    # Bytes 0x80–0x9F are control characters in Latin-1 but letters and signs (€, ’, “) in Windows-1252.
    if data.translate(None, _NOT_C1):
        return "cp1252"
    return "latin-1"


def sniff_separator(text: str, candidates: Sequence[str] = (";", ",", "\t", "|")) -> str:
    """The separator that splits the first lines into the most columns, consistently."""
    lines = [line for line in text.splitlines()[:40] if line.strip()]
    if not lines:
        return ","
    best, best_score = ",", (-1, -1)
    for sep in candidates:
        counts = [len(r) for r in csv.reader(lines, delimiter=sep)]
        if not counts or max(counts) < 2:
            continue
        mode = max(set(counts), key=counts.count)
        # Title lines above the header have fewer fields: rank by how many lines share the widest layout.
        score = (counts.count(mode), mode)
        if score > best_score:
            best, best_score = sep, score
    return best


def normalise_label(label: object) -> str:
    text = "" if label is None else str(label)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return re.sub(r"[^a-z0-9%]+", " ", text).strip()


@dataclass(frozen=True)
class Column:
    """A column we want: canonical name, header labels accepted for it, whether it must be there."""

    name: str
    aliases: tuple[str, ...] = ()
    required: bool = True

    def labels(self) -> set[str]:
        return {normalise_label(a) for a in (self.name, *self.aliases)}


def _cell_text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        if value != value:  # NaN
            return None
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return str(value)
    text = str(value).strip()
    return text or None


def _match_header(cells: Sequence[str | None], columns: Sequence[Column]) -> dict[str, int]:
    found: dict[str, int] = {}
    normalised = [normalise_label(c) for c in cells]
    for col in columns:
        labels = col.labels()
        for idx, label in enumerate(normalised):
            if label and label in labels and idx not in found.values():
                found[col.name] = idx
                break
    return found


def _two_line_header(first: Sequence[str | None], second: Sequence[str | None]) -> list[str]:
    """Join a group header (merged cells, so blank to the right) with the sub-header under it."""
    width = max(len(first), len(second))
    merged, group = [], ""
    for i in range(width):
        top = first[i] if i < len(first) else None
        bottom = second[i] if i < len(second) else None
        if top:
            group = str(top)
        parts = [p for p in (group if (top or bottom) else "", bottom or "") if p]
        merged.append(" ".join(parts).strip())
    return merged


@dataclass
class HeaderLayout:
    row_index: int  # 0-based index of the (last) header row
    n_rows: int  # 1 or 2
    labels: list[str]
    mapping: dict[str, int]


def locate_header(rows: Sequence[Sequence[str | None]], columns: Sequence[Column], file: str) -> HeaderLayout:
    """Find the header among the first rows: after title lines, on one line or on two."""
    required = [c for c in columns if c.required]
    best: HeaderLayout | None = None
    for i, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        candidates = [(1, [c or "" for c in row])]
        if i + 1 < len(rows):
            candidates.append((2, _two_line_header(row, rows[i + 1])))
        for n_rows, labels in candidates:
            mapping = _match_header(labels, columns)
            score = sum(1 for c in required if c.name in mapping), len(mapping), -n_rows
            if best is None or score > (
                sum(1 for c in required if c.name in best.mapping),
                len(best.mapping),
                -best.n_rows,
            ):
                best = HeaderLayout(i + n_rows - 1, n_rows, labels, mapping)
    if best is None:
        raise LoadError(
            "il file non contiene righe di dati. Controlla di aver esportato il foglio giusto.",
            file=file,
            rule="file_non_vuoto",
        )
    missing = [c for c in required if c.name not in best.mapping]
    if missing:
        found = ", ".join(f"«{h}»" for h in best.labels if h) or "nessuna"
        issues = [
            Issue(
                ERROR,
                "colonna_obbligatoria",
                f"manca la colonna «{c.name}»"
                + (f" (accettati anche: {', '.join('«' + a + '»' for a in c.aliases)})" if c.aliases else "")
                + f". Intestazioni trovate alla riga {best.row_index + 1}: {found}. "
                "Aggiungi la colonna o rinomina l'intestazione.",
                file=file,
                row=best.row_index + 1,
                column=c.name,
            )
            for c in missing
        ]
        raise LoadError(issues)
    return best


def _decode(data: bytes, file: str) -> tuple[str, str]:
    if b"\x00" in data[:SNIFF_BYTES]:
        raise LoadError(
            "il file contiene caratteri binari (NUL): non è un CSV di testo. Se è un foglio Excel usa "
            "l'estensione .xlsx.",
            file=file,
            rule="file_testo",
        )
    encoding = detect_encoding(data[:SNIFF_BYTES] if len(data) > SNIFF_BYTES else data)
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        # A UTF-8 sample with Latin-1 bytes later on: fall back to Windows-1252, which decodes everything.
        text = data.decode("cp1252", errors="replace")
        encoding = f"cp1252 (da riga {line})"
    return text, encoding


def read_rows_csv(data: bytes, file: str) -> tuple[list[list[str | None]], dict]:
    text, encoding = _decode(data, file)
    separator = sniff_separator(text[:SNIFF_BYTES])
    rows = [[(c.strip() or None) for c in r] for r in csv.reader(io.StringIO(text), delimiter=separator)]
    return rows, {"encoding": encoding, "separator": separator}


def read_rows_excel(
    path: Path, sheet: str | int | None, file: str, max_bytes: int | None
) -> tuple[list, dict]:
    from python_calamine import CalamineWorkbook

    check_workbook(path, max_bytes)
    try:
        wb = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # noqa: BLE001 - calamine raises its own error types for broken workbooks
        raise LoadError(
            f"il foglio di calcolo non si apre ({exc}). Salvalo di nuovo in formato .xlsx.",
            file=file,
            rule="excel",
        ) from exc
    names = wb.sheet_names
    if sheet is None:
        sheet_name = names[0]
    elif isinstance(sheet, int):
        sheet_name = names[sheet]
    elif sheet in names:
        sheet_name = sheet
    else:
        raise LoadError(
            f"il foglio «{sheet}» non esiste; fogli presenti: {', '.join(names)}.", file=file, rule="foglio"
        )
    return sheet_rows(wb.get_sheet_by_name(sheet_name)), {"sheet": sheet_name}


def sheet_rows(sheet, max_blank_run: int = 200) -> list[list[str | None]]:
    """A calamine sheet's rows as text, stopping after a long run of blank rows.

    Workbooks often declare hundreds of thousands of formatted but empty rows: reading them all would take
    seconds and memory for nothing. Row numbers stay those of the sheet (row 1 = first row).
    """
    rows: list[list[str | None]] = []
    blank = 0
    for raw in sheet.iter_rows():
        if not any(v not in (None, "") for v in raw):
            blank += 1
            if blank >= max_blank_run:
                break
            rows.append([])
            continue
        blank = 0
        rows.append([_cell_text(v) for v in raw])
    while rows and not rows[-1]:
        rows.pop()
    return rows


def read_rows(
    path: Path, *, sheet: str | int | None = None, max_bytes: int | None = None
) -> tuple[list, dict]:
    """All rows of a CSV (any encoding/separator, optionally .gz) or of one sheet of a workbook, as text."""
    path = Path(path)
    check_file(path, max_bytes)
    suffix = path.suffix.lower()
    if suffix in EXCEL_SUFFIXES:
        return read_rows_excel(path, sheet, path.name, max_bytes)
    return read_rows_csv(read_bytes(path, max_bytes), path.name)


def read_table(
    path: Path,
    columns: Sequence[Column],
    *,
    report: ValidationReport,
    sheet: str | int | None = None,
    max_bytes: int | None = None,
) -> pl.DataFrame:
    """The wanted columns of a table, located by header label wherever the header is.

    Returns text cells (None when empty) under the canonical names, plus `source_row`. Blank lines are
    skipped; exact duplicate records are reported as warnings (the loader decides whether they matter).
    """
    path = Path(path)
    file = path.name
    rows, dialect = read_rows(path, sheet=sheet, max_bytes=max_bytes)
    if not any(any(c for c in r) for r in rows):
        raise LoadError(
            "il file non contiene dati (solo righe vuote). Esporta di nuovo i dati dalla fonte.",
            file=file,
            rule="file_non_vuoto",
        )
    layout = locate_header(rows, columns, file)
    report.checked("intestazione individuata e colonne obbligatorie presenti")
    report.stats.setdefault("files", {})[file] = {
        **dialect,
        "header_row": layout.row_index + 1,
        "header_lines": layout.n_rows,
    }
    data: dict[str, list] = {c.name: [] for c in columns if c.name in layout.mapping}
    source_rows: list[int] = []
    for offset, row in enumerate(rows[layout.row_index + 1 :], start=layout.row_index + 2):
        if not any(row):
            continue
        source_rows.append(offset)
        for name, idx in layout.mapping.items():
            data[name].append(row[idx] if idx < len(row) else None)
    for c in columns:
        if c.name not in data:
            data[c.name] = [None] * len(source_rows)
    frame = pl.DataFrame(
        {**data, "source_row": source_rows}, schema={**dict.fromkeys(data, pl.Utf8), "source_row": pl.Int64}
    )
    if frame.height == 0:
        raise LoadError(
            f"il file ha l'intestazione (riga {layout.row_index + 1}) ma nessuna riga di dati.",
            file=file,
            rule="file_non_vuoto",
        )
    report_duplicates(frame, [c.name for c in columns], report, file)
    return frame


def report_duplicates(
    frame: pl.DataFrame, cols: list[str], report: ValidationReport, file: str, *, as_error=False
):
    """Report rows identical to an earlier one on `cols` (file rows named)."""
    report.checked("righe duplicate")
    dup = frame.with_columns(pl.struct(cols).is_first_distinct().alias("_first")).filter(~pl.col("_first"))
    for r in dup.select("source_row").to_series().to_list():
        msg = "riga duplicata: identica a una riga precedente. Elimina il duplicato."
        (report.error if as_error else report.warning)("righe_duplicate", msg, file=file, row=r)
    return dup.height


# --- typed conversions ---------------------------------------------------------------------------------

_THOUSANDS = r"^[+-]?\d{1,3}(\.\d{3})+$"
_MANY_DOTS = r"^[+-]?\d{1,3}(\.\d{3}){2,}$"


def _bad_cells(frame: pl.DataFrame, column: str, parsed: pl.Series) -> pl.DataFrame:
    original = frame.get_column(column)
    mask = original.is_not_null() & parsed.is_null()
    return frame.filter(mask).select("source_row", column)


def _report_bad(bad: pl.DataFrame, column: str, report, file, rule, hint, level=ERROR):
    for row, value in bad.iter_rows():
        msg = f"valore «{value}» non valido: {hint}"
        (report.error if level == ERROR else report.warning)(
            rule, msg, file=file, row=row, column=column, value=value
        )


def number_text(series: pl.Series, *, integer: bool = False) -> pl.Series:
    """Normalise number text, deciding the style per column (a file uses one convention throughout).

    A column with any decimal comma is Italian style: dots are thousands separators ("1.234,5").
    Otherwise a dot is a decimal point ("441.542"), except in integer columns, where "70.841" can only be
    seventy thousand, and in "1.234.567", which can only be thousands.
    """
    s = series.str.strip_chars().str.replace_all(r"[\s\u00a0'€]", "").str.replace(r"^\+", "")
    if s.str.contains(",").any():
        return s.str.replace_all(r"\.", "").str.replace(",", ".")
    thousands = s.str.contains(_THOUSANDS if integer else _MANY_DOTS)
    return pl.select(
        pl.when(thousands).then(s.str.replace_all(r"\.", "")).otherwise(s).alias(series.name)
    ).to_series()


def to_float(frame: pl.DataFrame, column: str, *, report, file, required=False) -> pl.Series:
    parsed = number_text(frame.get_column(column)).cast(pl.Float64, strict=False)
    report.checked(f"«{column}»: numero (anche con virgola decimale e punto delle migliaia)")
    _report_bad(
        _bad_cells(frame, column, parsed),
        column,
        report,
        file,
        "numero",
        "serve un numero (es. 1234,5 o 1234.5).",
    )
    if required:
        _report_missing(frame, column, report, file)
    return parsed


def to_int(frame: pl.DataFrame, column: str, *, report, file, required=False, min_value=None) -> pl.Series:
    as_float = number_text(frame.get_column(column), integer=True).cast(pl.Float64, strict=False)
    whole = as_float.is_null() | (as_float == as_float.round(0))
    parsed = pl.select(pl.when(whole).then(as_float).otherwise(None)).to_series().cast(pl.Int64, strict=False)
    report.checked(f"«{column}»: numero intero")
    _report_bad(
        _bad_cells(frame, column, parsed),
        column,
        report,
        file,
        "numero_intero",
        "serve un numero intero (es. 1234 o 1.234).",
    )
    if min_value is not None:
        low = frame.filter(parsed < min_value).select("source_row", column)
        _report_bad(low, column, report, file, "valore_minimo", f"non può essere minore di {min_value}.")
    if required:
        _report_missing(frame, column, report, file)
    return parsed.rename(column)


def _report_missing(frame, column, report, file):
    report.checked(f"«{column}»: obbligatorio")
    for row in frame.filter(pl.col(column).is_null()).get_column("source_row").to_list():
        report.error(
            "valore_obbligatorio", "valore mancante: la cella è vuota.", file=file, row=row, column=column
        )


_EXCEL_EPOCH = dt.date(1899, 12, 30)


def to_date(frame: pl.DataFrame, column: str, *, report, file, required=False) -> pl.Series:
    """ISO dates (also with a time), dd/mm/yyyy, dd-mm-yyyy and Excel serial day numbers."""
    s = frame.get_column(column).str.strip_chars()
    iso = s.str.slice(0, 10).str.strptime(pl.Date, "%Y-%m-%d", strict=False)
    dmy = s.str.strptime(pl.Date, "%d/%m/%Y", strict=False)
    dmy2 = s.str.strptime(pl.Date, "%d-%m-%Y", strict=False)
    serial = s.cast(pl.Float64, strict=False)
    serial_ok = serial.is_between(1, 80000)
    from_serial = pl.select(
        pl.when(serial_ok).then(pl.lit(_EXCEL_EPOCH) + pl.duration(days=serial.cast(pl.Int64, strict=False)))
    ).to_series()
    parsed = pl.select(pl.coalesce(iso, dmy, dmy2, from_serial.cast(pl.Date)).alias(column)).to_series()
    report.checked(f"«{column}»: data (AAAA-MM-GG, GG/MM/AAAA o data Excel)")
    _report_bad(
        _bad_cells(frame, column, parsed),
        column,
        report,
        file,
        "data",
        "serve una data nel formato AAAA-MM-GG o GG/MM/AAAA.",
    )
    if required:
        _report_missing(frame, column, report, file)
    return parsed


def to_istat_code(frame: pl.DataFrame, column: str, *, width: int, report, file, required=True) -> pl.Series:
    """ISTAT codes as zero-padded text: `19036`, `019036`, `"019036"` and `19036.0` all become `019036`."""
    s = frame.get_column(column).str.strip_chars().str.strip_chars("\"'").str.replace(r"\.0+$", "")
    valid = s.str.contains(rf"^\d{{1,{width}}}$")
    parsed = pl.select(pl.when(valid).then(s.str.zfill(width)).alias(column)).to_series()
    report.checked(f"«{column}»: codice ISTAT di {width} cifre")
    _report_bad(
        _bad_cells(frame, column, parsed),
        column,
        report,
        file,
        "codice_istat",
        f"serve un codice ISTAT numerico di {width} cifre (es. {'019036'[-width:] if width <= 6 else '0' * width}).",
    )
    if required:
        _report_missing(frame, column, report, file)
    return parsed


_TRUE = {"1", "si", "sì", "s", "true", "vero", "yes", "y", "x"}
_FALSE = {"0", "no", "n", "false", "falso"}


def to_bool(frame: pl.DataFrame, column: str, *, report, file) -> pl.Series:
    s = frame.get_column(column).str.strip_chars().str.to_lowercase().str.replace(r"\.0$", "")
    parsed = pl.select(
        pl.when(s.is_in(list(_TRUE)))
        .then(True)
        .when(s.is_in(list(_FALSE)))
        .then(False)
        .otherwise(None)
        .alias(column)
    ).to_series()
    report.checked(f"«{column}»: sì/no")
    _report_bad(_bad_cells(frame, column, parsed), column, report, file, "si_no", "serve «Sì» o «No».")
    return parsed


def iter_paths(paths: Path | Iterable[Path]) -> list[Path]:
    if isinstance(paths, (str, Path)):
        return [Path(paths)]
    return [Path(p) for p in paths]
