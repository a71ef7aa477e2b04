"""Reading an uploaded CSV or spreadsheet into a table of strings, safely.

Plain Python (no Django). Handles what offices actually send: UTF-8 with or without BOM, Windows-1252 and
Latin-1, `;` `,` tab or `|` separators, a title above the header, headers split over two rows, numbers and
dates typed as text, Excel date cells. Refuses what must not be opened: empty files, zip bombs, workbooks
with macros or external links. Every refusal is a `FileRejected` with an Italian message naming the file
and the rule.

Values stay strings here; typing (dates, amounts, codes) is the validator's job, so the error report can
quote the cell as the user typed it.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path

import polars as pl

CSV_EXTENSIONS = {".csv", ".txt", ".tsv"}
ZIP_SPREADSHEETS = {".xlsx", ".xlsm", ".ods"}
SPREADSHEETS = ZIP_SPREADSHEETS | {".xls"}
SEPARATORS = [";", ",", "\t", "|"]
SEPARATOR_NAMES = {";": "punto e virgola", ",": "virgola", "\t": "tabulazione", "|": "barra verticale"}
ENCODING_NAMES = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8 con BOM",
    "utf-16": "UTF-16",
    "cp1252": "Windows-1252",
    "latin-1": "Latin-1 (ISO-8859-1)",
}
HEADER_SEARCH_ROWS = 20
# Below this size the standard csv module parses the file (exact line numbers, quoted newlines); above
# it polars does, for speed and memory.
SMALL_CSV_BYTES = 16 * 1024 * 1024

# Zip-bomb limits: a real spreadsheet of service records compresses about 5-15 times.
MAX_UNCOMPRESSED_BYTES = 1024 * 1024 * 1024
MAX_COMPRESSION_RATIO = 200
MAX_ZIP_ENTRIES = 5000


class FileRejected(ValueError):
    """The whole file cannot be read; the message (Italian) says why and what to do."""

    def __init__(self, file_name: str, rule: str, message: str):
        self.file_name = file_name
        self.rule = rule
        self.message = message
        super().__init__(f"File «{file_name}»: {message}")


@dataclass
class RawTable:
    """The cells of one sheet or CSV below its header, as strings (None = empty)."""

    file_name: str
    headers: list[str]
    frame: pl.DataFrame  # one String column per header, plus "__riga" (row number as the user sees it)
    header_rows: tuple[int, int]  # first and last row (1-based) of the header
    encoding: str | None = None
    separator: str | None = None
    sheet: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def data_rows(self) -> int:
        return self.frame.height

    def describe(self) -> str:
        parts = []
        if self.encoding:
            parts.append(f"codifica {ENCODING_NAMES.get(self.encoding, self.encoding)}")
        if self.separator:
            parts.append(f"separatore {SEPARATOR_NAMES.get(self.separator, self.separator)}")
        if self.sheet:
            parts.append(f"foglio «{self.sheet}»")
        first, last = self.header_rows
        parts.append(
            f"intestazione alla riga {first}" if first == last else f"intestazione alle righe {first}-{last}"
        )
        return ", ".join(parts)


def check_file(path: Path, file_name: str, max_bytes: int) -> str:
    """Type, size and container checks before any parsing; returns the lower-case extension."""
    ext = Path(file_name).suffix.lower()
    if ext not in CSV_EXTENSIONS | SPREADSHEETS:
        raise FileRejected(
            file_name,
            "tipo_file",
            f"il tipo «{ext or 'senza estensione'}» non è accettato: caricare un file CSV (.csv, .txt) "
            "o un foglio di calcolo (.xlsx, .xls, .ods).",
        )
    size = path.stat().st_size
    if size == 0:
        raise FileRejected(file_name, "file_vuoto", "il file è vuoto (0 byte): ricaricare il file corretto.")
    if max_bytes and size > max_bytes:
        raise FileRejected(
            file_name,
            "dimensione",
            f"il file è di {size / 1e6:.1f} MB, oltre il limite di {max_bytes / 1e6:.0f} MB: dividerlo in "
            "più file o usare il comando `osservatorio records import`.",
        )
    if ext == ".xlsm":
        raise FileRejected(file_name, "macro", _MACRO_MESSAGE)
    if ext in ZIP_SPREADSHEETS:
        check_zip_container(path, file_name)
    if ext == ".xls":
        check_ole_container(path, file_name)
    return ext


_MACRO_MESSAGE = (
    "il foglio di calcolo contiene macro (VBA), che non vengono aperte per sicurezza: salvarlo come "
    "«Cartella di lavoro di Excel (.xlsx)» senza macro e ricaricarlo."
)


def check_zip_container(path: Path, file_name: str) -> None:
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise FileRejected(
            file_name,
            "file_danneggiato",
            "il file non è un foglio di calcolo valido (archivio danneggiato o estensione sbagliata): "
            "riaprirlo e salvarlo di nuovo come .xlsx.",
        ) from None
    with archive:
        infos = archive.infolist()
        if len(infos) > MAX_ZIP_ENTRIES:
            raise FileRejected(
                file_name, "zip_bomba", f"il file contiene {len(infos)} parti interne: rifiutato."
            )
        total = sum(i.file_size for i in infos)
        packed = max(1, sum(i.compress_size for i in infos))
        if total > MAX_UNCOMPRESSED_BYTES or total / packed > MAX_COMPRESSION_RATIO:
            raise FileRejected(
                file_name,
                "zip_bomba",
                f"il file si espanderebbe a {total / 1e6:.0f} MB (rapporto di compressione "
                f"{total / packed:.0f}:1): è rifiutato come possibile «zip bomb». Salvare di nuovo i dati "
                "in un file normale.",
            )
        names = {i.filename.lower() for i in infos}
        content_types = ""
        if "[content_types].xml" in names:
            content_types = archive.read("[Content_Types].xml").decode("utf-8", "replace").lower()
        if any(n.endswith("vbaproject.bin") for n in names) or "macroenabled" in content_types:
            raise FileRejected(file_name, "macro", _MACRO_MESSAGE)
        if any(n.startswith("xl/externallinks/") for n in names) or "externallink" in content_types:
            raise FileRejected(
                file_name,
                "collegamenti_esterni",
                "il foglio di calcolo contiene collegamenti ad altri file (collegamenti esterni): in Excel "
                "usare «Dati › Modifica collegamenti › Interrompi collegamento», salvare e ricaricare.",
            )
        if "xl/connections.xml" in names:
            raise FileRejected(
                file_name,
                "collegamenti_esterni",
                "il foglio di calcolo contiene connessioni a dati esterni: rimuoverle (Dati › Query e "
                "connessioni), salvare e ricaricare.",
            )


def check_ole_container(path: Path, file_name: str) -> None:
    """Old .xls files: refuse the VBA storage (its directory entry name is UTF-16)."""
    with path.open("rb") as fh:
        head = fh.read(8)
        if head != b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
            raise FileRejected(
                file_name,
                "file_danneggiato",
                "il file .xls non è un foglio di Excel valido: riaprirlo e salvarlo come .xlsx.",
            )
        data = fh.read()
    if "_VBA_PROJECT".encode("utf-16-le") in data:
        raise FileRejected(file_name, "macro", _MACRO_MESSAGE)


# --- text files --------------------------------------------------------------------------------------


def decode(data: bytes, file_name: str) -> tuple[str, str]:
    """(text, encoding). UTF-8 first; otherwise Windows-1252, which agrees with Latin-1 on every letter
    and adds € and typographic quotes; Latin-1 only for bytes Windows-1252 leaves undefined."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    if b"\x00" in data[:4096]:
        raise FileRejected(
            file_name,
            "codifica",
            "il file contiene caratteri nulli: non è un file di testo CSV. Se è un foglio di calcolo, "
            "caricarlo con la sua estensione (.xlsx).",
        )
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


def sniff_separator(sample_lines: list[str]) -> str:
    """The separator that splits most sample lines into the same number (> 1) of fields."""
    best, best_score = ";", (-1, -1)
    for sep in SEPARATORS:
        counts = [len(r) for r in csv.reader(sample_lines, delimiter=sep) if any(c.strip() for c in r)]
        if not counts:
            continue
        width, freq = Counter(counts).most_common(1)[0]
        score = (freq if width > 1 else 0, width)
        if score > best_score:
            best, best_score = sep, score
    return best


def _is_utf8(path: Path) -> bool:
    """Whole-file UTF-8 check in 1 MB steps, without holding the decoded text."""
    import codecs

    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with path.open("rb") as fh:
            while block := fh.read(1024 * 1024):
                decoder.decode(block)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def read_csv(path: Path, file_name: str, score_header: Callable[[list[str]], int]) -> RawTable:
    size = path.stat().st_size
    with path.open("rb") as fh:
        head = fh.read(256 * 1024)
    large = size > SMALL_CSV_BYTES
    if large and not head.startswith((b"\xff\xfe", b"\xfe\xff")) and _is_utf8(path):
        # Big UTF-8 files go to polars straight from disk: no copy of the text in Python.
        head_text, encoding = decode(head[: head.rfind(b"\n") + 1] or head, file_name)
        source: Path | bytes = path
    else:
        data = path.read_bytes()
        text, encoding = decode(data, file_name)
        head_text = text[:200_000]
        source = None
    if not head_text.strip():
        raise FileRejected(file_name, "file_vuoto", "il file non contiene dati: ricaricare il file corretto.")
    head_lines = head_text.splitlines()[:200]
    sep = sniff_separator(head_lines[:60])
    head_rows = list(csv.reader(head_lines[: HEADER_SEARCH_ROWS + 2], delimiter=sep))
    first, last, headers = find_header(head_rows, score_header, file_name)
    if large:
        if source is None:
            source = data if encoding == "utf-8" else text.encode("utf-8")
            del text, data
        frame = _large_csv(source, sep, last, len(headers))
    elif '"' in text:
        # The csv module handles quoted fields with line breaks exactly; polars is much faster and is
        # used whenever nothing is quoted.
        frame = _small_csv(text, sep, last, len(headers))
    else:
        frame = _large_csv(text.encode("utf-8"), sep, last, len(headers))
    return _finish(file_name, headers, frame, (first, last), encoding=encoding, separator=sep)


def _small_csv(text: str, sep: str, header_last: int, width: int) -> pl.DataFrame:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    rows, numbers = [], []
    line_before = 0
    for record in reader:
        start_line = line_before + 1
        line_before = reader.line_num
        if start_line <= header_last:
            continue
        record = (record + [""] * width)[:width]
        rows.append(record)
        numbers.append(start_line)
    columns = {f"c{i}": [r[i] for r in rows] for i in range(width)}
    frame = pl.DataFrame(columns, schema={f"c{i}": pl.String for i in range(width)})
    return frame.with_columns(pl.Series("__riga", numbers, dtype=pl.Int64))


def _large_csv(data: bytes | Path, sep: str, header_last: int, width: int) -> pl.DataFrame:
    frame = pl.read_csv(
        data if isinstance(data, Path) else io.BytesIO(data),
        has_header=False,
        skip_rows=header_last,
        separator=sep,
        schema={f"c{i}": pl.String for i in range(width)},
        truncate_ragged_lines=True,
    )
    return frame.with_row_index("__riga", offset=header_last + 1).with_columns(
        pl.col("__riga").cast(pl.Int64)
    )


# --- spreadsheets ------------------------------------------------------------------------------------


def cell_text(value) -> str:
    """A spreadsheet cell as the text a person would read (dates ISO, 12.0 → "12")."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "VERO" if value else "FALSO"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0, 0) else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value).strip()


def read_spreadsheet(path: Path, file_name: str, score_header: Callable[[list[str]], int]) -> RawTable:
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # noqa: BLE001 - calamine raises several types for unreadable files
        raise FileRejected(
            file_name,
            "file_danneggiato",
            f"il foglio di calcolo non si può leggere ({type(exc).__name__}): riaprirlo in Excel o "
            "LibreOffice e salvarlo di nuovo come .xlsx.",
        ) from None
    sheet_name, rows = None, []
    for name in workbook.sheet_names:
        candidate = workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
        if any(any(c not in (None, "") for c in r) for r in candidate):
            sheet_name, rows = name, candidate
            break
    if not rows:
        raise FileRejected(
            file_name, "file_vuoto", "il foglio di calcolo non contiene dati in nessun foglio."
        )
    text_rows = [[cell_text(c) for c in r] for r in rows]
    first, last, headers = find_header(text_rows[: HEADER_SEARCH_ROWS + 2], score_header, file_name)
    width = len(headers)
    body = [(r + [""] * width)[:width] for r in text_rows[last:]]
    columns = {f"c{i}": [r[i] for r in body] for i in range(width)}
    frame = pl.DataFrame(columns, schema={f"c{i}": pl.String for i in range(width)})
    frame = frame.with_columns(pl.Series("__riga", range(last + 1, last + 1 + len(body)), dtype=pl.Int64))
    return _finish(file_name, headers, frame, (first, last), sheet=sheet_name)


# --- header ------------------------------------------------------------------------------------------


def find_header(rows: list[list[str]], score_header, file_name: str) -> tuple[int, int, list[str]]:
    """(first row, last row, header names): the row, or pair of rows, whose cells best match known
    column names. A pair wins only if it recognises more columns than either row alone (a title or a
    group label above the real names, or names split as "Data" / "domanda")."""
    rows = [[c.strip() for c in r] for r in rows]
    best = None  # (score, -span, first_index, headers)
    for i, row in enumerate(rows):
        if sum(1 for c in row if c) < 2:
            continue
        candidates = [(i, i, row)]
        if i + 1 < len(rows):
            candidates.append((i, i + 1, _merge_rows(row, rows[i + 1])))
        for first, last, names in candidates:
            key = (score_header(names), -(last - first), -first)
            if best is None or key > best[0]:
                best = (key, first, last, names)
    if best is None:
        raise FileRejected(
            file_name,
            "intestazione_mancante",
            f"nelle prime {len(rows)} righe non c'è una riga di intestazione con almeno due colonne: "
            "la prima riga deve contenere i nomi delle colonne.",
        )
    _, first, last, names = best
    if best[0][0] == 0:
        # Nothing recognised: take the first row with two or more names; the user maps them by hand.
        first = last = next(i for i, r in enumerate(rows) if sum(1 for c in r if c) >= 2)
        names = rows[first]
    return first + 1, last + 1, _clean_headers(names)


def _merge_rows(top: list[str], bottom: list[str]) -> list[str]:
    width = max(len(top), len(bottom))
    top = top + [""] * (width - len(top))
    bottom = bottom + [""] * (width - len(bottom))
    merged, carry = [], ""
    for t, b in zip(top, bottom, strict=True):
        # A merged group label spans the empty cells to its right.
        carry = t or (carry if b else "")
        if t and b:
            merged.append(f"{t} {b}")
        elif b:
            merged.append(b if not carry else f"{carry} {b}")
        else:
            merged.append(t)
    return merged


def _clean_headers(names: list[str]) -> list[str]:
    while names and not names[-1]:
        names = names[:-1]
    seen: Counter = Counter()
    out = []
    for i, name in enumerate(names):
        name = " ".join(name.split()) or f"Colonna {i + 1}"
        seen[name] += 1
        out.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return out


def _finish(file_name, headers, frame, header_rows, **kw) -> RawTable:
    frame = frame.rename({f"c{i}": h for i, h in enumerate(headers)})
    strings = [pl.col(h).str.strip_chars() for h in headers]
    frame = frame.with_columns([s.replace("", None).alias(h) for s, h in zip(strings, headers, strict=True)])
    # Blank lines are dropped but keep their numbers out of the count; trailing empty rows are common.
    filled = frame.select(pl.any_horizontal([pl.col(h).is_not_null() for h in headers]))[:, 0]
    if not filled.all():  # filtering copies every column: only when there is something to drop
        frame = frame.filter(filled)
    if frame.height == 0:
        raise FileRejected(
            file_name,
            "nessuna_riga",
            f"dopo l'intestazione (riga {header_rows[1]}) non ci sono righe di dati: controllare di aver "
            "caricato il file giusto.",
        )
    return RawTable(file_name=file_name, headers=headers, frame=frame, header_rows=header_rows, **kw)


def read_table(
    path: Path, file_name: str, score_header: Callable[[list[str]], int], max_bytes: int = 0
) -> RawTable:
    ext = check_file(path, file_name, max_bytes)
    if ext in SPREADSHEETS:
        return read_spreadsheet(path, file_name, score_header)
    return read_csv(path, file_name, score_header)
