"""MEF "Redditi e principali variabili IRPEF su base comunale": raw national files 2000–2023, 2024 summary.

The header changes across years (codes without leading zeros before 2008, "Ammontare" with or without
"in euro", "minore di zero" in 2014, "Bonus"/"Trattamento spettante", stray trailing separators). Instead of
one mapping table per year range, each header label is normalised and matched by the rules in
`HEADER_RULES`; a label no rule knows is reported, so a new layout cannot pass silently.

Empty cells are MEF's statistical confidentiality ("non pubblicato"): they stay null and are listed in
`non_pubblicati`, never read as 0.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import polars as pl

from .. import reading
from ..codes import check_comune_codes, reference
from ..validation import LoadError, ValidationReport
from .base import concat, fetch, with_lineage

VERSION = "1"

ID_RULES = [
    (r"^anno di imposta$", "tax_year"),
    (r"^codice catastale$", "codice_catastale"),
    (r"^codice istat( comune)?$", "comune_code"),
    (r"^denominazione comune$", "comune_name"),
    (r"^sigla provincia$", "sigla_provincia"),
    (r"^regione$", "regione_name"),
    (r"^codice istat regione$", "regione_code"),
    (r"^numero contribuenti$", "n_contribuenti"),
]
# (pattern on the part before " - Frequenza/Ammontare", variable name)
VARIABLE_RULES = [
    (r"^reddito da fabbricati$", "reddito_fabbricati"),
    (r"^reddito da lavoro dipendente( e assimilati)?$", "lavoro_dipendente"),
    (r"^reddito da pensione$", "pensione"),
    (r"^reddito da lavoro autonomo( compre(nsivo dei valori|si) nulli)?$", "lavoro_autonomo"),
    (r"^reddito (di )?spettanza (dell )?imprenditore (in contabilita )?ordinaria", "imprenditore_ordinaria"),
    (
        r"^reddito (di )?spettanza (dell )?imprenditore (in contabilita )?semplificata",
        "imprenditore_semplificata",
    ),
    (r"^reddito da partecipazione", "partecipazione"),
    (r"^reddito imponibile$", "reddito_imponibile"),
    (r"^imposta netta$", "imposta_netta"),
    (r"^(bonus|trattamento) spettante$", "trattamento_spettante"),
    (r"^reddito imponibile addizionale( irpef)?$", "reddito_imponibile_addizionale"),
    (r"^addizionale regionale dovuta$", "addizionale_regionale"),
    (r"^addizionale comunale dovuta$", "addizionale_comunale"),
    (r"^reddito complessivo$", "reddito_complessivo"),
    (r"^reddito complessivo minore (o uguale a |di )?zero euro$", "redditi_fascia_le0"),
    (r"^reddito complessivo da 0 a 10000 euro$", "redditi_fascia_0_10000"),
    (r"^reddito complessivo da 10000 a 15000 euro$", "redditi_fascia_10000_15000"),
    (r"^reddito complessivo da 15000 a 26000 euro$", "redditi_fascia_15000_26000"),
    (r"^reddito complessivo da 26000 a 55000 euro$", "redditi_fascia_26000_55000"),
    (r"^reddito complessivo da 55000 a 75000 euro$", "redditi_fascia_55000_75000"),
    (r"^reddito complessivo da 75000 a 120000 euro$", "redditi_fascia_75000_120000"),
    (r"^reddito complessivo oltre 120000 euro$", "redditi_fascia_oltre_120000"),
]
# Columns some years have and we deliberately do not keep (split self-employment sections 2000–2007,
# "lavoro dipendente e pensione" 2000–2001): recognised so that they are not reported as unknown.
IGNORED_RULES = [r"^reddito da lavoro autonomo sez", r"^reddito da lavoro dipendente e pensione$"]
VARIABLES = [v for _, v in VARIABLE_RULES]
VALUE_COLUMNS = ["n_contribuenti"] + [c for v in VARIABLES for c in (f"n_{v}", f"{v}_ammontare")]
ID_COLUMNS = [
    "tax_year",
    "comune_code",
    "codice_catastale",
    "comune_name",
    "sigla_provincia",
    "regione_name",
    "regione_code",
]
OUTPUT_COLUMNS = [*ID_COLUMNS, *VALUE_COLUMNS, "published", "non_pubblicati", "comune_code_attuale"]


def download(url: str, dest: Path) -> Path:
    """The MEF publishes one ZIP per tax year with one CSV inside: keep the CSV."""
    archive = fetch(url, Path(dest).with_suffix(".zip"))
    reading.check_workbook(archive)  # same zip-bomb guard as for workbooks
    with zipfile.ZipFile(archive) as z:
        member = next(n for n in z.namelist() if n.lower().endswith(".csv"))
        Path(dest).write_bytes(z.read(member))
    archive.unlink()
    return Path(dest)


def with_unpublished(frame: pl.DataFrame, columns: list[str]) -> pl.DataFrame:
    """Add `non_pubblicati` (the columns that are null in the row) and `published`.

    The null pattern of a row is packed into an integer (one bit per column, cheap vectorised arithmetic);
    the few distinct patterns are turned into lists once and mapped back, instead of building a list for
    every one of ~200,000 rows.
    """
    if not columns:
        return frame.with_columns(
            pl.lit([], dtype=pl.List(pl.Utf8)).alias("non_pubblicati"), pl.lit(True).alias("published")
        )
    chunks = [columns[i : i + 62] for i in range(0, len(columns), 62)]  # 62 bits fit in an Int64
    masks = [
        pl.sum_horizontal([pl.col(c).is_null().cast(pl.Int64) * (1 << i) for i, c in enumerate(chunk)])
        for chunk in chunks
    ]
    keyed = frame.with_columns(pl.concat_str([m.cast(pl.Utf8) for m in masks], separator=":").alias("_mask"))
    patterns = {}
    for key in keyed.get_column("_mask").unique().to_list():
        names = []
        for chunk, part in zip(chunks, key.split(":"), strict=True):
            bits = int(part)
            names.extend(c for i, c in enumerate(chunk) if bits >> i & 1)
        patterns[key] = names
    return keyed.with_columns(
        pl.col("_mask").replace_strict(patterns, return_dtype=pl.List(pl.Utf8)).alias("non_pubblicati"),
        (pl.col("_mask").str.contains(r"^0(:0)*$")).alias("published"),
    ).drop("_mask")


def canonical(label: str) -> str | None:
    """Our column name for a MEF header label; "" for a known column we drop; None if unknown."""
    norm = reading.normalise_label(label)
    if not norm or label.startswith("_duplicated_"):
        return ""
    for pattern, name in ID_RULES:
        if re.search(pattern, norm):
            return name
    m = re.match(r"^(.*?) (frequenza|ammontare( in euro)?)$", norm)
    if m:
        base, kind = m.group(1).strip(), m.group(2)
        if any(re.search(p, base) for p in IGNORED_RULES):
            return ""
        for pattern, name in VARIABLE_RULES:
            if re.search(pattern, base):
                return f"n_{name}" if kind == "frequenza" else f"{name}_ammontare"
    return None


def _read_one(path: Path) -> tuple[pl.DataFrame, ValidationReport]:
    """One year's file → our columns, typed; vectorised (one pass per step over the whole file)."""
    report = ValidationReport()
    file = path.name
    data = reading.read_bytes(path)
    encoding = reading.detect_encoding(data[: reading.SNIFF_BYTES])
    if encoding != "utf-8":
        data = data.decode(encoding, errors="replace").encode("utf-8")
    head = data[:20000].decode("utf-8", errors="replace")
    separator = reading.sniff_separator(head)
    header = next(csv.reader([head.split("\n", 1)[0].rstrip("\r")], delimiter=separator), [])
    numeric = {label: pl.Int64 for label in header if canonical(label) in (*VALUE_COLUMNS, "tax_year")}
    options = {
        "separator": separator,
        "infer_schema": False,
        "truncate_ragged_lines": True,
        "has_header": True,
    }
    try:
        # Fast path: the CSV reader parses the numbers itself. A cell that is not a number makes it fail,
        # and the slow path below reads text and names every such cell.
        raw = pl.read_csv(io.BytesIO(data), schema_overrides=numeric, **options)
        fast = True
    except pl.exceptions.PolarsError:
        try:
            raw = pl.read_csv(io.BytesIO(data), **options)
        except pl.exceptions.PolarsError as exc:
            raise LoadError(f"il CSV non è leggibile ({exc}).", file=file, rule="csv") from exc
        fast = False
    if raw.height == 0:
        raise LoadError(
            "il file ha l'intestazione ma nessuna riga di dati.", file=file, rule="file_non_vuoto"
        )
    report.stats.setdefault("files", {})[file] = {"encoding": encoding, "separator": separator}
    rename: dict[str, str] = {}
    for label in raw.columns:
        name = canonical(label)
        if name is None:
            report.error(
                "intestazione_sconosciuta",
                f"colonna «{label.strip()}» non riconosciuta: il tracciato MEF è cambiato? Aggiorna le regole "
                "HEADER in sources/loaders/mef_irpef.py.",
                file=file,
                row=1,
                column=label.strip(),
            )
        elif name and name not in rename.values():
            rename[label] = name
    missing = [c for c in ("tax_year", "comune_code", "n_contribuenti") if c not in rename.values()]
    if missing:
        first_line = head.split("\n", 1)[0]
        raise LoadError(
            [
                reading.Issue(
                    "errore",
                    "colonna_obbligatoria",
                    f"manca la colonna «{c}» (intestazione trovata: {first_line[:200]}…).",
                    file=file,
                    row=1,
                    column=c,
                )
                for c in missing
            ]
        )
    present = [c for c in VALUE_COLUMNS if c in rename.values()]
    absent = [
        c
        for c in OUTPUT_COLUMNS
        if c not in rename.values() and c not in ("published", "non_pubblicati", "comune_code_attuale")
    ]
    text = raw.select([pl.col(k).alias(v) for k, v in rename.items()])
    # Empty cells are read as null (= not published); any other cell must be an integer.
    typed = text.with_columns(
        *([] if fast else [pl.col(c).cast(pl.Int64, strict=False) for c in present]),
        pl.col("tax_year").cast(pl.Int64, strict=False),
        pl.int_range(2, pl.len() + 2, dtype=pl.Int64).alias("source_row"),
        *[pl.lit(None, dtype=pl.Int64 if c in VALUE_COLUMNS else pl.Utf8).alias(c) for c in absent],
    )
    report.checked("valori numerici interi (euro e frequenze); celle vuote = non pubblicate")
    if not fast:
        before = text.select([pl.col(c).is_not_null().sum() for c in present]).row(0)
        after = typed.select([pl.col(c).is_not_null().sum() for c in present]).row(0)
        for c in [c for c, b, a in zip(present, before, after, strict=True) if b != a]:
            bad = text.with_columns(typed.get_column("source_row")).filter(
                pl.col(c).str.strip_chars().str.len_chars().fill_null(0) > 0, typed.get_column(c).is_null()
            )
            for row, value in bad.select("source_row", c).iter_rows():
                report.error(
                    "numero_intero",
                    f"valore «{value}» non valido: serve un numero intero.",
                    file=file,
                    row=row,
                    column=c,
                    value=value,
                )
    frame = typed.with_columns(
        reading.to_istat_code(typed, "comune_code", width=6, report=report, file=file, required=False)
    )
    # MEF adds rows for taxpayers with no comune ("COMUNE ASSENTE", code 0): not a comune, kept out.
    is_orphan = pl.col("comune_code").is_null() | pl.col("comune_code").str.contains(r"^0+$")
    for row, name, n in (
        frame.filter(is_orphan).select("source_row", "comune_name", "n_contribuenti").iter_rows()
    ):
        report.warning(
            "riga_senza_comune",
            f"riga senza codice di comune («{name}», {n} contribuenti): esclusa.",
            file=file,
            row=row,
            column="comune_code",
        )
    frame = frame.filter(~is_orphan)
    if "regione_code" in rename.values():
        frame = frame.with_columns(
            reading.to_istat_code(frame, "regione_code", width=2, report=report, file=file)
        )
    frame = with_unpublished(frame, present)
    return frame, report


def parse_raw(paths) -> tuple[pl.DataFrame, ValidationReport]:
    report = ValidationReport()
    ref = reference()
    files = sorted(reading.iter_paths(paths))
    # Files are independent: read them on two threads (polars and zlib release the GIL while parsing).
    with ThreadPoolExecutor(max_workers=2) as pool:
        parsed = list(pool.map(_read_one, files))
    frames = []
    for path, (frame, file_report) in zip(files, parsed, strict=True):
        report.merge(file_report)
        file = path.name
        years = frame.get_column("tax_year").drop_nulls().unique().to_list()
        report.checked("un solo anno d'imposta per file")
        if len(years) != 1:
            report.error(
                "anno_unico", f"il file contiene più anni d'imposta ({years}).", file=file, column="tax_year"
            )
        report.checked("una sola riga per comune")
        unique = frame.get_column("comune_code").n_unique() == frame.height
        dup = frame.head(0) if unique else frame.filter(pl.col("comune_code").is_duplicated())
        for row, code in dup.select("source_row", "comune_code").iter_rows():
            report.error(
                "chiave_duplicata",
                f"il comune {code} compare più volte nello stesso anno.",
                file=file,
                row=row,
                column="comune_code",
            )
        report.checked("contribuenti ≥ contribuenti con reddito imponibile")
        over = frame.filter(pl.col("n_reddito_imponibile") > pl.col("n_contribuenti"))
        for row, code in over.select("source_row", "comune_code").iter_rows():
            report.warning(
                "coerenza_contribuenti",
                f"per il comune {code} i contribuenti con reddito imponibile superano i contribuenti.",
                file=file,
                row=row,
                column="n_reddito_imponibile",
            )
        # Codes of comuni that existed in that year but were suppressed later are valid here: only map them.
        year = years[0] if years else None
        frame = check_comune_codes(
            frame,
            "comune_code",
            report=report,
            file=file,
            ref=ref,
            on=dt.date(year + 1, 12, 31) if year else None,
        )
        report.stats.setdefault("non_pubblicati", {})[str(year)] = frame.filter(~pl.col("published")).height
        frames.append(with_lineage(frame.select([*OUTPUT_COLUMNS, "source_row"]), file))
    report.checked("celle vuote conservate come «non pubblicato» (mai 0)")
    return pl.concat(frames, how="vertical_relaxed") if frames else concat(frames), report


SINTESI_VARIABLES = [
    "reddito_complessivo",
    "reddito_imponibile",
    "imposta_netta",
    "addizionale_regionale",
    "addizionale_comunale",
]


def parse_sintesi(paths) -> tuple[pl.DataFrame, ValidationReport]:
    report = ValidationReport()
    frames = []
    cols = [
        reading.Column("anno", ("tax_year", "anno di imposta")),
        reading.Column("codice_istat", ("comune_code",)),
        reading.Column("codice_catastale", required=False),
        reading.Column("comune", required=False),
        reading.Column("sigla_provincia", required=False),
        reading.Column("numero_contribuenti"),
    ]
    for v in SINTESI_VARIABLES:
        cols += [reading.Column(f"{v}_freq", required=False), reading.Column(f"{v}_amm", required=False)]
    for path in reading.iter_paths(paths):
        file = path.name
        raw = reading.read_table(path, cols, report=report)
        data = {
            "tax_year": reading.to_int(raw, "anno", report=report, file=file, required=True),
            "comune_code": reading.to_istat_code(raw, "codice_istat", width=6, report=report, file=file),
            "codice_catastale": raw.get_column("codice_catastale"),
            "comune_name": raw.get_column("comune"),
            "sigla_provincia": raw.get_column("sigla_provincia"),
            "n_contribuenti": reading.to_int(raw, "numero_contribuenti", report=report, file=file),
        }
        for v in SINTESI_VARIABLES:
            data[f"n_{v}"] = reading.to_int(raw, f"{v}_freq", report=report, file=file)
            data[f"{v}_ammontare"] = reading.to_float(raw, f"{v}_amm", report=report, file=file)
        frame = pl.DataFrame({**data, "source_row": raw.get_column("source_row")})
        values = [c for c in frame.columns if c.startswith("n_") or c.endswith("_ammontare")]
        frame = with_unpublished(frame, values)
        frame = check_comune_codes(frame, "comune_code", report=report, file=file)
        frames.append(with_lineage(frame, file))
    return concat(frames), report
