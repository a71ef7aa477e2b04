"""Validation and pseudonymisation of a table of service records, in one pass over whole columns.

Plain Python over polars (no Django). Input: the strings read from the file (`reading.RawTable.frame`),
the column mapping and a `Context` (comuni, streets, scope, key). Output: the valid rows in the shape of
a `ServiceRecord` (pseudonym instead of codice fiscale; age, age band and comune/quartiere codes instead of
birth date and address) and an error table naming row, column and rule for everything else.

Speed comes from two habits: columns with few distinct values (dates, comuni, amounts, sex…) are parsed
once per distinct value by the exact scalar parsers and joined back, and the codice fiscale check is
numpy arithmetic over a byte matrix. One million rows take seconds, not minutes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import polars as pl

from . import codice_fiscale as cf_math
from . import parsing
from .fields import FIELD_BY_NAME, FIELDS, KINDS, norm
from .pseudonym import pseudonyms
from .reading import FileRejected

ERROR = "errore"
WARNING = "avviso"
ERROR_COLUMNS = {
    "riga": pl.Int64,
    "colonna": pl.String,
    "regola": pl.String,
    "gravita": pl.String,
    "messaggio": pl.String,
}
VALUE_TYPES = {
    "data": pl.Date, "data_nascita": pl.Date, "sesso": pl.String, "comune": pl.String, "importo": pl.Decimal(14, 2),
    "cittadinanza": pl.String, "componenti": pl.Int16, "tipo": pl.String,
}  # fmt: skip
RECORD_COLUMNS = [
    "row_number", "pseudonym", "kind", "record_date", "comune_code", "quartiere_code", "age", "age_band",
    "sex", "citizenship", "household_size", "amount", "measure",
]  # fmt: skip


@dataclass(frozen=True)
class Mapping:
    """Which column holds each field (header as in the file), and fields fixed for the whole file."""

    columns: dict[str, str]
    fixed: dict[str, str] = field(default_factory=dict)

    def source_label(self, name: str) -> str:
        if name in self.columns:
            return self.columns[name]
        return f"{FIELD_BY_NAME[name].label} (valore fisso)"


@dataclass
class Context:
    file_name: str
    key: bytes
    comuni: dict[str, str]  # current ISTAT code → name
    names: dict[str, str | None]  # normalised name → code; None when two comuni share the name
    suppressed: dict[str, tuple[str, str, str]] = field(default_factory=dict)  # old → (new, date, old name)
    allowed_comuni: frozenset[str] | None = None  # None = every comune
    streets: dict[str, dict[str, str]] = field(default_factory=dict)  # comune → street key → quartiere
    today: date = field(default_factory=date.today)


@dataclass
class Result:
    records: pl.DataFrame  # RECORD_COLUMNS, valid rows only
    errors: pl.DataFrame  # ERROR_COLUMNS, sorted by row
    rows_total: int

    @property
    def rows_with_errors(self) -> int:
        return self.errors.filter(pl.col("gravita") == ERROR)["riga"].n_unique()

    @property
    def rows_valid(self) -> int:
        return self.records.height

    @property
    def warnings(self) -> int:
        return self.errors.filter(pl.col("gravita") == WARNING).height

    def rule_counts(self) -> list[tuple[str, str, int]]:
        counts = self.errors.group_by(["regola", "gravita"]).len().sort("len", descending=True)
        return [(r["regola"], r["gravita"], r["len"]) for r in counts.iter_rows(named=True)]


def check_mapping(headers: list[str], mapping: Mapping, file_name: str) -> None:
    """File-level: every mapped column exists and every required field has a source."""
    missing = [h for h in mapping.columns.values() if h not in headers]
    if missing:
        from .fields import suggest

        hints = suggest(headers)
        names = ", ".join(f"«{h}»" for h in missing)
        wanted = [f for f, h in mapping.columns.items() if h in missing]
        alt = [f"«{hints[f]}» per {FIELD_BY_NAME[f].label}" for f in wanted if f in hints]
        raise FileRejected(
            file_name,
            "colonna_mancante",
            f"manca la colonna {names} prevista dalla mappatura (colonne del file: "
            + ", ".join(f"«{h}»" for h in headers)
            + "). "
            + (f"Forse è stata rinominata: {'; '.join(alt)}. " if alt else "")
            + "Aggiornare la mappatura o rinominare la colonna nel file.",
        )
    for f in FIELDS:
        if f.required and f.name not in mapping.columns and not mapping.fixed.get(f.name):
            how = " o indicare un valore fisso per tutto il file" if f.fixable else ""
            raise FileRejected(
                file_name,
                "campo_obbligatorio",
                f"nessuna colonna è associata a «{f.label}», che è obbligatorio: sceglierla nella mappatura{how}.",
            )
    if "tipo" not in mapping.columns and mapping.fixed.get("tipo") not in KINDS:
        raise FileRejected(
            file_name,
            "campo_obbligatorio",
            "indicare il tipo di dato (ad es. «Buoni spesa») nella mappatura.",
        )


def validate(
    frame: pl.DataFrame,
    mapping: Mapping,
    ctx: Context,
    progress: Callable[[str], None] | None = None,
    pseudonymise: bool = True,
) -> Result:
    """Check every row; with pseudonymise=False (the preview) the pseudonym column stays empty."""
    headers = [c for c in frame.columns if c != "__riga"]
    check_mapping(headers, mapping, ctx.file_name)
    step = progress or (lambda _msg: None)
    raw = {}
    for f in FIELDS:
        if f.name in mapping.columns:
            raw[f.name] = pl.col(mapping.columns[f.name])
        elif mapping.fixed.get(f.name):
            raw[f.name] = pl.lit(mapping.fixed[f.name], dtype=pl.String)
    w = frame.select(pl.col("__riga"), *[expr.alias(f"raw_{name}") for name, expr in raw.items()])
    errors: list[pl.DataFrame] = []
    step("righe duplicate")
    duplicates = _duplicates(w, [f"raw_{n}" for n in raw])

    def report(
        w: pl.DataFrame, mask: pl.Expr, name: str, rule: str, message: pl.Expr | str, severity: str = ERROR
    ) -> None:
        msg = pl.lit(message) if isinstance(message, str) else message
        found = w.filter(mask).select(
            riga=pl.col("__riga"),
            colonna=pl.lit(mapping.source_label(name)),
            regola=pl.lit(rule),
            gravita=pl.lit(severity),
            messaggio=msg,
        )
        if found.height:
            errors.append(found)

    # Required values present (the kind too, when it comes from a column).
    for f in FIELDS:
        if (f.required or f.name == "tipo") and f.name in raw:
            report(
                w, pl.col(f"raw_{f.name}").is_null(), f.name, "obbligatorio", f"il campo «{f.label}» è vuoto"
            )

    step("codice fiscale")
    w = _codice_fiscale(w, report)
    step("date, comuni e altri campi")
    w = _by_distinct_value(w, "data", lambda v: parsing.parse_date(v), report, quote=True)
    report(w, pl.col("data") > ctx.today, "data", "data_futura", "la data è nel futuro: controllare l'anno")
    if "data_nascita" in raw:
        w = _by_distinct_value(w, "data_nascita", parsing.parse_date, report, quote=False)
    w = w.with_columns(cf_birth=_cf_birth_date(pl.col("data").fill_null(ctx.today)))
    if "data_nascita" in raw:
        report(
            w,
            pl.col("cf_ok")
            & pl.col("data_nascita").is_not_null()
            # The code holds two digits of the year: a centenarian's 1924 and 2024 look the same.
            & (
                (pl.col("data_nascita").dt.year().cast(pl.Int32) % 100 != pl.col("cf_yy"))
                | (pl.col("data_nascita").dt.month().cast(pl.Int32) != pl.col("cf_month"))
                | (pl.col("data_nascita").dt.day().cast(pl.Int32) != pl.col("cf_day"))
            ),
            "data_nascita",
            "cf_data_incoerente",
            "la data di nascita non corrisponde a quella contenuta nel codice fiscale",
        )
    w = w.with_columns(
        birth=pl.coalesce(pl.col("data_nascita") if "data_nascita" in raw else None, pl.col("cf_birth"))
    )
    age = _age(pl.col("birth"), pl.col("data"))
    w = w.with_columns(age=age)
    report(
        w,
        pl.col("age").is_not_null() & (pl.col("age") < 0),
        "data_nascita" if "data_nascita" in raw else "codice_fiscale",
        "nascita_dopo_data",
        "la data di nascita è successiva alla data del record",
    )
    report(
        w,
        pl.col("age") > 120,
        "data_nascita" if "data_nascita" in raw else "codice_fiscale",
        "eta_implausibile",
        "l'età risulta superiore a 120 anni",
    )

    if "sesso" in raw:
        w = _by_distinct_value(w, "sesso", parsing.parse_sex, report, quote=True)
        report(
            w,
            pl.col("cf_ok") & pl.col("sesso").is_not_null() & (pl.col("sesso") != pl.col("cf_sex")),
            "sesso",
            "cf_sesso_incoerente",
            "il sesso non corrisponde a quello contenuto nel codice fiscale",
        )
        w = w.with_columns(sex=pl.coalesce("sesso", "cf_sex"))
    else:
        w = w.with_columns(sex=pl.col("cf_sex"))

    w = _comune(w, ctx, report, mapping)
    w = _quartiere(w, ctx, report, "indirizzo" in raw)
    for name, parser, quote in (
        ("importo", parsing.parse_amount, True),
        ("cittadinanza", parsing.parse_citizenship, True),
        ("componenti", parsing.parse_household_size, True),
        ("tipo", parsing.parse_kind, True),
    ):
        if name in raw:
            w = _by_distinct_value(w, name, parser, report, quote=quote)
        else:
            w = w.with_columns(pl.lit(None, dtype=VALUE_TYPES[name]).alias(name))
    w = w.with_columns(
        prestazione=pl.col("raw_prestazione").str.slice(0, 200)
        if "raw_prestazione" in raw
        else pl.lit(None, dtype=pl.String)
    )

    if duplicates is not None and duplicates.height:
        w = w.join(duplicates, on="__riga", how="left", maintain_order="left")
        report(
            w,
            pl.col("_first").is_not_null(),
            "codice_fiscale",
            "riga_duplicata",
            pl.format(
                "la riga è identica alla riga {}: tolta per non contare due volte la stessa persona",
                pl.col("_first"),
            ),
        )

    error_table = pl.concat(errors) if errors else pl.DataFrame(schema=ERROR_COLUMNS)
    error_table = error_table.cast(ERROR_COLUMNS).sort(["riga", "colonna", "regola"], maintain_order=True)
    bad_rows = error_table.filter(pl.col("gravita") == ERROR)["riga"].unique()

    step("pseudonimi")
    # Lazy select-then-filter: only the output columns are copied, never the whole working frame.
    records = (
        w.lazy()
        .filter(~pl.col("__riga").is_in(bad_rows.implode()))
        .select(
            row_number=pl.col("__riga"),
            cf=pl.col("cf"),
            kind=pl.col("tipo") if "tipo" in raw else pl.lit(None, dtype=pl.String),
            record_date=pl.col("data"),
            comune_code=pl.col("comune_code"),
            quartiere_code=pl.col("quartiere_code"),
            age=pl.col("age").cast(pl.Int16),
            age_band=_age_band(pl.col("age")),
            sex=pl.col("sex"),
            citizenship=pl.col("cittadinanza"),
            household_size=pl.col("componenti").cast(pl.Int16),
            amount=pl.col("importo"),
            measure=pl.col("prestazione"),
        )
        .collect()
    )
    del w
    pseudonym = _pseudonyms(ctx.key, records["cf"]) if pseudonymise else pl.lit(None, dtype=pl.String)
    records = records.with_columns(pseudonym=pseudonym).select(RECORD_COLUMNS)
    return Result(records=records, errors=error_table, rows_total=frame.height)


# --- pieces ------------------------------------------------------------------------------------------


def _duplicates(w: pl.DataFrame, cols: list[str]) -> pl.DataFrame | None:
    """(__riga, _first) for each row identical to an earlier one. A 64-bit hash of the row finds the
    candidates cheaply; an exact join on the cells confirms them, so a hash collision never drops a row."""
    hashes = w.select(pl.struct(cols).hash().alias("h"), "__riga")
    candidates = hashes.filter(~pl.col("h").is_first_distinct())
    if candidates.height == 0:
        return None
    seen = hashes.filter(pl.col("h").is_in(candidates["h"].implode()))
    rows = w.join(seen.select("__riga"), on="__riga", how="semi")
    firsts = rows.group_by(cols, maintain_order=True).agg(_first=pl.col("__riga").min())
    matched = rows.join(firsts, on=cols, how="left", nulls_equal=True)
    return matched.filter(pl.col("__riga") != pl.col("_first")).select("__riga", "_first")


def _pseudonyms(key: bytes, codes: pl.Series, chunk: int = 100_000) -> pl.Series:
    """In slices, so that at most `chunk` Python strings exist at once."""
    parts = [
        pl.Series(pseudonyms(key, codes.slice(i, chunk).to_list()), dtype=pl.String)
        for i in range(0, codes.len(), chunk)
    ]
    return pl.concat(parts) if parts else pl.Series([], dtype=pl.String)


def _codice_fiscale(w: pl.DataFrame, report) -> pl.DataFrame:
    w = w.with_columns(cf=pl.col("raw_codice_fiscale").str.replace_all(r"\s+", "").str.to_uppercase())
    w = w.with_columns(cf_format=pl.col("cf").str.contains(cf_math.PATTERN.pattern).fill_null(False))
    filler = "A" * 16
    codes = w.select(pl.when(pl.col("cf_format")).then(pl.col("cf")).otherwise(pl.lit(filler)))[:, 0]
    # One string joined in polars, then a byte matrix: no Python object per code.
    joined = codes.str.join("").item() if codes.len() else ""
    matrix = np.frombuffer(joined.encode("ascii"), dtype=np.uint8).reshape(-1, 16)
    check = cf_math.check_chars_ok(matrix) & w["cf_format"].to_numpy()
    yy, month, day, female = cf_math.decode_columns(matrix)
    w = w.with_columns(
        cf_check=pl.Series(check),
        cf_yy=pl.Series(yy, dtype=pl.Int32),
        cf_month=pl.Series(month, dtype=pl.Int32),
        cf_day=pl.Series(day, dtype=pl.Int32),
        cf_female=pl.Series(female),
    )
    w = w.with_columns(
        cf_sex=pl.when(~pl.col("cf_format"))
        .then(None)
        .when(pl.col("cf_female"))
        .then(pl.lit("F"))
        .otherwise(pl.lit("M")),
    )
    w = w.with_columns(cf_ok=pl.col("cf_check") & (pl.col("cf_day") > 0))
    report(
        w,
        pl.col("cf").is_not_null() & ~pl.col("cf_format"),
        "codice_fiscale",
        "cf_formato",
        "il codice fiscale non ha il formato previsto (16 caratteri: 6 lettere, 2 cifre, 1 lettera, 2 cifre, "
        "1 lettera, 3 cifre, 1 lettera)",
    )
    report(
        w,
        pl.col("cf_format") & ~pl.col("cf_check"),
        "codice_fiscale",
        "cf_carattere_controllo",
        "il carattere di controllo (l'ultimo) del codice fiscale non corrisponde agli altri: probabilmente "
        "un carattere è stato trascritto male",
    )
    report(
        w,
        pl.col("cf_check") & (pl.col("cf_day") == 0),
        "codice_fiscale",
        "cf_data_impossibile",
        "il giorno di nascita contenuto nel codice fiscale è impossibile",
    )
    return w


def _cf_birth_date(reference: pl.Expr) -> pl.Expr:
    """Birth date in the code, with the latest century that does not put it after the reference date."""
    century = (reference.dt.year() // 100) * 100
    year = century + pl.col("cf_yy")
    year = pl.when(year > reference.dt.year()).then(year - 100).otherwise(year)

    def make(y: pl.Expr) -> pl.Expr:
        return pl.format(
            "{}-{}-{}",
            y,
            pl.col("cf_month").cast(pl.String).str.zfill(2),
            pl.col("cf_day").cast(pl.String).str.zfill(2),
        ).str.to_date("%Y-%m-%d", strict=False)

    first = make(year)
    return (
        pl.when(~pl.col("cf_ok")).then(None).when(first > reference).then(make(year - 100)).otherwise(first)
    )


def _age(born: pl.Expr, on: pl.Expr) -> pl.Expr:
    # dt.month()/dt.day() are Int8: widen before arithmetic or 12 * 100 overflows.
    def month_day(d: pl.Expr) -> pl.Expr:
        return d.dt.month().cast(pl.Int32) * 100 + d.dt.day().cast(pl.Int32)

    before_birthday = month_day(on) < month_day(born)
    return on.dt.year().cast(pl.Int32) - born.dt.year().cast(pl.Int32) - before_birthday.cast(pl.Int32)


def _age_band(age: pl.Expr) -> pl.Expr:
    expr = pl.when(age.is_null()).then(None)
    for low, high, label in parsing.AGE_BANDS:
        expr = expr.when((age >= low) & (age <= high)).then(pl.lit(label))
    return expr.otherwise(None)


def _by_distinct_value(w: pl.DataFrame, name: str, parser, report, quote: bool) -> pl.DataFrame:
    """Parse each distinct value once; join the value and the reason back onto the rows."""
    source = f"raw_{name}"
    distinct = [v for v in w[source].unique().to_list() if v is not None]
    values, rules, reasons = [], [], []
    for v in distinct:
        try:
            values.append(parser(v))
            rules.append(None)
            reasons.append(None)
        except parsing.Invalid as exc:
            values.append(None)
            rules.append(exc.rule)
            reasons.append(f"«{v}»: {exc.reason}" if quote else exc.reason)
    # replace_strict adds three columns; a join would rebuild the whole frame for every field.
    keys = pl.Series(distinct, dtype=w.schema[source])
    w = w.with_columns(
        pl.col(source)
        .replace_strict(keys, pl.Series(values, dtype=VALUE_TYPES[name]), default=None)
        .alias(name),
        pl.col(source)
        .replace_strict(keys, pl.Series(rules, dtype=pl.String), default=None)
        .alias(f"{name}_rule"),
        pl.col(source)
        .replace_strict(keys, pl.Series(reasons, dtype=pl.String), default=None)
        .alias(f"{name}_reason"),
    )
    for rule in {r for r in rules if r}:
        report(w, pl.col(f"{name}_rule") == rule, name, rule, pl.col(f"{name}_reason"))
    return w


def _comune(w: pl.DataFrame, ctx: Context, report, mapping: Mapping) -> pl.DataFrame:
    def resolve(value: str) -> str:
        text = value.strip()
        if text.isdigit() and 4 <= len(text) <= 6:
            code = text.zfill(6)  # spreadsheets drop the leading zero of 019036
            if code in ctx.suppressed and code not in ctx.comuni:
                new, when, old_name = ctx.suppressed[code]
                new_name = ctx.comuni.get(new, "")
                raise parsing.Invalid(
                    "comune_soppresso",
                    f"il comune {code} ({old_name}) è stato soppresso il {when} e fa parte di {new} ({new_name}): "
                    "usare il codice attuale",
                )
            if code not in ctx.comuni:
                raise parsing.Invalid(
                    "comune_sconosciuto",
                    f"il codice ISTAT {code} non corrisponde a nessun comune: controllare il codice (6 cifre)",
                )
        else:
            key = norm(text)
            if key not in ctx.names:
                raise parsing.Invalid(
                    "comune_sconosciuto",
                    "nessun comune ha questo nome: scrivere il nome come nell'elenco ISTAT o il codice a 6 cifre",
                )
            code = ctx.names[key]
            if code is None:
                raise parsing.Invalid(
                    "comune_ambiguo", "più comuni hanno questo nome: indicare il codice ISTAT a 6 cifre"
                )
        if ctx.allowed_comuni is not None and code not in ctx.allowed_comuni:
            raise parsing.Invalid(
                "comune_non_autorizzato",
                f"il comune {code} ({ctx.comuni[code]}) non è tra i comuni assegnati al tuo utente: "
                "questi dati li può caricare solo chi ne ha la competenza",
            )
        return code

    w = _by_distinct_value(w, "comune", resolve, report, quote=True)
    return w.rename({"comune": "comune_code"})


def _quartiere(w: pl.DataFrame, ctx: Context, report, has_address: bool) -> pl.DataFrame:
    if not has_address or not ctx.streets:
        return w.with_columns(quartiere_code=pl.lit(None, dtype=pl.String))
    pairs = w.select("comune_code", "raw_indirizzo").unique().drop_nulls()
    found, missing = [], []
    for comune, address in pairs.iter_rows():
        table = ctx.streets.get(comune)
        if table is None:
            continue
        quartiere = table.get(parsing.street_key(address))
        (found if quartiere else missing).append((comune, address, quartiere))
    lookup = pl.DataFrame(
        found + missing,
        schema={"comune_code": pl.String, "raw_indirizzo": pl.String, "quartiere_code": pl.String},
        orient="row",
    )
    w = w.join(lookup, on=["comune_code", "raw_indirizzo"], how="left", maintain_order="left")
    with_table = pl.col("comune_code").is_in(list(ctx.streets))
    report(
        w,
        with_table & pl.col("raw_indirizzo").is_not_null() & pl.col("quartiere_code").is_null(),
        "indirizzo",
        "via_non_trovata",
        "la via non è nello stradario del comune: il record è importato senza quartiere",
        WARNING,
    )
    return w
