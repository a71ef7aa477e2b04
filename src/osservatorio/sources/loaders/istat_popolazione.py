"""ISTAT resident population: by comune, foreign residents, demographic balance (P2/P3), regions by age."""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl

from .. import reading
from ..codes import check_comune_codes
from ..reading import Column
from ..validation import ValidationReport
from .base import concat, fetch, with_lineage

VERSION = "1"


def download(url: str, dest: Path) -> Path:
    return fetch(url, dest)


def parse_popolazione_comuni(paths) -> tuple[pl.DataFrame, ValidationReport]:
    report = ValidationReport()
    frames = []
    for path in reading.iter_paths(paths):
        file = path.name
        raw = reading.read_table(
            path,
            [
                Column("codice_istat", ("codice comune", "codice istat comune", "procom_t", "comune_code")),
                Column("comune", ("denominazione", "comune_name", "denominazione comune"), required=False),
                Column("data_riferimento", ("data", "date", "data riferimento")),
                Column("maschi", ("m", "males"), required=False),
                Column("femmine", ("f", "females"), required=False),
                Column("totale", ("popolazione", "population", "totale residenti")),
                Column("fonte", required=False),
            ],
            report=report,
        )
        frame = pl.DataFrame(
            {
                "comune_code": reading.to_istat_code(raw, "codice_istat", width=6, report=report, file=file),
                "comune_name": raw.get_column("comune"),
                "date": reading.to_date(raw, "data_riferimento", report=report, file=file, required=True),
                "T": reading.to_int(raw, "totale", report=report, file=file, required=True, min_value=0),
                "M": reading.to_int(raw, "maschi", report=report, file=file, min_value=0),
                "F": reading.to_int(raw, "femmine", report=report, file=file, min_value=0),
                "fonte": raw.get_column("fonte"),
                "source_row": raw.get_column("source_row"),
            }
        )
        _check_sex_sum(frame, report, file)
        frame = check_comune_codes(frame, "comune_code", report=report, file=file)
        report.checked("una sola riga per comune e data")
        dup = frame.filter(pl.struct("comune_code", "date").is_duplicated())
        for row, code, date in dup.select("source_row", "comune_code", "date").iter_rows():
            report.error(
                "chiave_duplicata",
                f"il comune {code} compare più volte alla data {date}: tieni una sola riga.",
                file=file,
                row=row,
                column="codice_istat",
            )
        long = frame.unpivot(
            on=["T", "M", "F"],
            index=["comune_code", "comune_code_attuale", "comune_name", "date", "fonte", "source_row"],
            variable_name="sex",
            value_name="population",
        ).filter(pl.col("population").is_not_null())
        long = long.with_columns(
            pl.col("fonte").fill_null("").str.contains("(?i)provvisori").alias("provisional")
        ).select(
            "comune_code",
            "comune_name",
            "date",
            "sex",
            "population",
            "fonte",
            "provisional",
            "comune_code_attuale",
            "source_row",
        )
        frames.append(
            with_lineage(long.sort("comune_code", "date", "sex", descending=[False, False, True]), file)
        )
    return concat(frames), report


def _check_sex_sum(frame: pl.DataFrame, report: ValidationReport, file: str) -> None:
    report.checked("maschi + femmine = totale")
    bad = frame.filter(
        pl.col("M").is_not_null() & pl.col("F").is_not_null() & (pl.col("M") + pl.col("F") != pl.col("T"))
    )
    for row, m, f, t in bad.select("source_row", "M", "F", "T").iter_rows():
        report.error(
            "somma_sessi",
            f"maschi ({m}) + femmine ({f}) ≠ totale ({t}). Correggi i valori.",
            file=file,
            row=row,
            column="totale",
        )


def parse_stranieri_comuni(paths) -> tuple[pl.DataFrame, ValidationReport]:
    report = ValidationReport()
    frames = []
    for path in reading.iter_paths(paths):
        file = path.name
        raw = reading.read_table(
            path,
            [
                Column("codice_istat", ("codice comune", "comune_code")),
                Column("comune", ("denominazione",), required=False),
                Column("data_riferimento", ("data", "date")),
                Column("stranieri_residenti", ("stranieri", "foreign_residents", "totale")),
            ],
            report=report,
        )
        frame = pl.DataFrame(
            {
                "comune_code": reading.to_istat_code(raw, "codice_istat", width=6, report=report, file=file),
                "comune_name": raw.get_column("comune"),
                "date": reading.to_date(raw, "data_riferimento", report=report, file=file, required=True),
                "sex": ["T"] * raw.height,
                "foreign_residents": reading.to_int(
                    raw, "stranieri_residenti", report=report, file=file, required=True, min_value=0
                ),
                "source_row": raw.get_column("source_row"),
            }
        )
        frame = check_comune_codes(frame, "comune_code", report=report, file=file)
        frames.append(with_lineage(frame, file))
    return concat(frames), report


# Column labels of the P2/P3 tables → our variable names (sex is the suffix " - Maschi/Femmine/Totale").
BILANCIO_VARIABLES = {
    "popolazione censita al 1 gennaio": "popolazione_inizio",
    "nati vivi": "nati_vivi",
    "morti": "morti",
    "saldo naturale": "saldo_naturale",
    "immigrati da altro comune": "iscritti_altro_comune",
    "emigrati per altro comune": "cancellati_altro_comune",
    "saldo migratorio interno": "saldo_migratorio_interno",
    "immigrati dall estero": "iscritti_estero",
    "emigrati per l estero": "cancellati_estero",
    "saldo migratorio con l estero": "saldo_migratorio_estero",
    "acquisizioni della cittadinanza italiana": "acquisizioni_cittadinanza",
    "unita in piu meno dovute a variazioni territoriali": "variazioni_territoriali",
    "popolazione al 31 dicembre": "popolazione_fine",
    "iscritti in anagrafe per altri motivi": "iscritti_altri_motivi",
    "cancellati dall anagrafe per altri motivi": "cancellati_altri_motivi",
}
SEXES = {"maschi": "M", "femmine": "F", "totale": "T"}


def _bilancio_label(label: str) -> tuple[str, str] | None:
    norm = reading.normalise_label(label).replace(" v ", " ").removesuffix(" v").strip()
    norm = re.sub(r"\s+", " ", norm.replace(" v ", " "))
    for sex_label, sex in SEXES.items():
        if norm.endswith(" " + sex_label):
            base = norm[: -len(sex_label) - 1].strip()
            base = re.sub(r"\s+v$", "", base)
            if base in BILANCIO_VARIABLES:
                return BILANCIO_VARIABLES[base], sex
    return None


def parse_bilancio(paths) -> tuple[pl.DataFrame, ValidationReport]:
    report = ValidationReport()
    frames = []
    for path in reading.iter_paths(paths):
        file = path.name
        rows, dialect = reading.read_rows(path)
        header = rows[0] if rows else []
        mapped = {i: _bilancio_label(h) for i, h in enumerate(header) if h}
        labels = [reading.normalise_label(h) for h in header]
        try:
            code_idx = labels.index("codice comune")
            name_idx = labels.index("comune")
        except ValueError:
            from ..validation import LoadError

            raise LoadError(
                "mancano le colonne «Codice comune» e «Comune» nella prima riga: serve la tavola P2 o P3 di "
                "demo.istat.it con le intestazioni originali.",
                file=file,
                rule="colonna_obbligatoria",
            ) from None
        info_idx = labels.index("informazioni") if "informazioni" in labels else None
        cittadinanza = (
            "straniera"
            if any(v and v[0] == "acquisizioni_cittadinanza" for v in mapped.values())
            else "totale"
        )
        if not any(mapped.values()):
            from ..validation import LoadError

            raise LoadError(
                "nessuna colonna del bilancio demografico riconosciuta.", file=file, rule="colonne"
            )
        year_match = re.search(r"(20\d\d)", path.name)
        year = int(year_match.group(1)) if year_match else None
        records = {
            k: []
            for k in ("comune_code", "comune_name", "variable", "sex", "value", "provisional", "source_row")
        }
        for line_no, row in enumerate(rows[1:], start=2):
            if not any(row):
                continue
            code = (row[code_idx] or "").strip()
            provisional = (
                info_idx is not None and info_idx < len(row) and (row[info_idx] or "").strip().lower() == "p"
            )
            for idx, var in mapped.items():
                if var is None or idx >= len(row):
                    continue
                records["comune_code"].append(code)
                records["comune_name"].append(row[name_idx])
                records["variable"].append(var[0])
                records["sex"].append(var[1])
                records["value"].append(row[idx])
                records["provisional"].append(provisional)
                records["source_row"].append(line_no)
        raw = pl.DataFrame(records, schema_overrides={"source_row": pl.Int64, "value": pl.Utf8})
        report.stats.setdefault("files", {})[file] = dialect
        frame = raw.with_columns(
            reading.to_istat_code(raw, "comune_code", width=6, report=report, file=file),
            reading.to_int(raw, "value", report=report, file=file, required=True),
            pl.lit(year, dtype=pl.Int64).alias("year"),
            pl.lit(cittadinanza).alias("cittadinanza"),
        )
        _check_balance(frame, report, file)
        frame = check_comune_codes(frame, "comune_code", report=report, file=file)
        frame = frame.select(
            "comune_code",
            "comune_name",
            "year",
            "cittadinanza",
            "sex",
            "variable",
            "value",
            "provisional",
            "comune_code_attuale",
            "source_row",
        )
        frames.append(with_lineage(frame, file))
    return concat(frames), report


def _check_balance(frame: pl.DataFrame, report: ValidationReport, file: str) -> None:
    """Population at 31 Dec = 1 Jan + natural + internal + foreign balance (+ acquisitions/adjustments)."""
    report.checked("popolazione al 31/12 = 1/1 + saldi (bilancio che quadra)")
    wide = frame.filter(pl.col("sex") == "T").pivot(
        on="variable", index=["comune_code", "source_row"], values="value"
    )
    needed = {
        "popolazione_inizio",
        "saldo_naturale",
        "saldo_migratorio_interno",
        "saldo_migratorio_estero",
        "popolazione_fine",
    }
    if not needed <= set(wide.columns):
        return
    # "Iscritti/cancellati per altri motivi (v)" are already inside the migration balances (ISTAT note v).
    other = [c for c in ("variazioni_territoriali",) if c in wide.columns]
    minus = [c for c in ("acquisizioni_cittadinanza",) if c in wide.columns]
    expected = (
        pl.col("popolazione_inizio")
        + pl.col("saldo_naturale")
        + pl.col("saldo_migratorio_interno")
        + pl.col("saldo_migratorio_estero")
    )
    for c in other:
        expected = expected + pl.col(c)
    for c in minus:
        expected = expected - pl.col(c)
    bad = wide.filter(expected != pl.col("popolazione_fine")).with_columns(expected.alias("_expected"))
    for code, row, got, exp in bad.select(
        "comune_code", "source_row", "popolazione_fine", "_expected"
    ).iter_rows():
        report.warning(
            "bilancio_quadra",
            f"per il comune {code} la popolazione al 31 dicembre ({got}) non è uguale a quella al 1° gennaio più i "
            f"saldi ({exp}).",
            file=file,
            row=row,
            column="Popolazione al 31 dicembre - Totale",
        )


def parse_posas_regioni(paths) -> tuple[pl.DataFrame, ValidationReport]:
    report = ValidationReport()
    frames = []
    for path in reading.iter_paths(paths):
        file = path.name
        raw = reading.read_table(
            path,
            [
                Column("data_riferimento", ("data",)),
                Column("codice_regione", ("codice regione",)),
                Column("regione", ()),
                Column("eta", ("età",)),
                Column("maschi", ("totale maschi",)),
                Column("femmine", ("totale femmine",)),
                Column("totale", ()),
            ],
            report=report,
        )
        frame = pl.DataFrame(
            {
                "regione_code": reading.to_istat_code(
                    raw, "codice_regione", width=2, report=report, file=file
                ),
                "regione_name": raw.get_column("regione"),
                "date": reading.to_date(raw, "data_riferimento", report=report, file=file, required=True),
                "age": reading.to_int(raw, "eta", report=report, file=file, required=True, min_value=0),
                "M": reading.to_int(raw, "maschi", report=report, file=file, required=True, min_value=0),
                "F": reading.to_int(raw, "femmine", report=report, file=file, required=True, min_value=0),
                "T": reading.to_int(raw, "totale", report=report, file=file, required=True, min_value=0),
                "source_row": raw.get_column("source_row"),
            }
        )
        _check_sex_sum(frame, report, file)
        # The 999 rows are ISTAT's totals: check that the single ages add up to them, then drop them.
        report.checked("somma delle età = riga del totale (età 999)")
        totals = frame.filter(pl.col("age") == 999)
        ages = frame.filter(pl.col("age") != 999)
        sums = ages.group_by("regione_code", "date").agg(pl.col("T").sum().alias("sum_t"))
        check = totals.join(sums, on=["regione_code", "date"], how="left")
        for row, region, date, t, s in check.select(
            "source_row", "regione_code", "date", "T", "sum_t"
        ).iter_rows():
            if s != t:
                report.error(
                    "somma_eta",
                    f"regione {region} al {date}: la somma delle età ({s}) non è uguale al totale ({t}).",
                    file=file,
                    row=row,
                    column="totale",
                )
        report.checked("età tra 0 e 100")
        for row, age in ages.filter(pl.col("age") > 100).select("source_row", "age").iter_rows():
            report.error(
                "eta",
                f"età {age} fuori intervallo (0–100, 100 = 100 e oltre).",
                file=file,
                row=row,
                column="eta",
            )
        long = ages.unpivot(
            on=["M", "F", "T"],
            index=["regione_code", "regione_name", "date", "age", "source_row"],
            variable_name="sex",
            value_name="population",
        ).select("regione_code", "regione_name", "date", "age", "sex", "population", "source_row")
        frames.append(with_lineage(long.sort("regione_code", "date", "age", "sex"), file))
    return concat(frames), report


def parse_regioni_compilata(paths) -> tuple[pl.DataFrame, ValidationReport]:
    """Third-party wide file: one row per year, sex and region, one column per age 0…100."""
    report = ValidationReport()
    frames = []
    sexes = {"totale": "T", "maschi": "M", "femmine": "F"}
    for path in reading.iter_paths(paths):
        file = path.name
        ages = [Column(str(a), ()) for a in range(101)]
        raw = reading.read_table(
            path,
            [
                Column("anno", ("year",)),
                Column("genere", ("sesso",)),
                Column("codice", ("codice regione",)),
                Column("regione", ()),
                *ages,
            ],
            report=report,
        )
        sex = raw.get_column("genere").str.to_lowercase().replace_strict(sexes, default=None)
        report.checked("«genere»: Totale, Maschi o Femmine")
        for row, value in raw.filter(sex.is_null()).select("source_row", "genere").iter_rows():
            report.error(
                "sesso",
                f"valore «{value}» non valido: serve Totale, Maschi o Femmine.",
                file=file,
                row=row,
                column="genere",
            )
        base = pl.DataFrame(
            {
                "regione_code": reading.to_istat_code(raw, "codice", width=2, report=report, file=file),
                "regione_name": raw.get_column("regione"),
                "year": reading.to_int(raw, "anno", report=report, file=file, required=True),
                "sex": sex,
                "source_row": raw.get_column("source_row"),
                **{
                    str(a): reading.to_int(raw, str(a), report=report, file=file, required=True, min_value=0)
                    for a in range(101)
                },
            }
        )
        long = base.unpivot(
            on=[str(a) for a in range(101)],
            index=["regione_code", "regione_name", "year", "sex", "source_row"],
            variable_name="age",
            value_name="population",
        ).with_columns(pl.col("age").cast(pl.Int64), pl.lit(True).alias("non_ufficiale"))
        long = long.select(
            "regione_code", "regione_name", "year", "age", "sex", "population", "non_ufficiale", "source_row"
        )
        frames.append(with_lineage(long.sort("regione_code", "year", "sex", "age"), file))
    report.warning(
        "fonte_non_ufficiale",
        "compilazione di terzi su dati ISTAT (non pubblicata da ISTAT in questa forma): usala solo per confronti "
        "e citala come tale.",
    )
    return concat(frames), report
