"""Indicators from the services' own records, with disclosure control applied to every released cell.

Counts by area (quartiere → comune → ambito, one tree), period (month → year), sex, age band and
citizenship form one hierarchical table per indicator and year, protected as a whole by disclosure.protect,
so that no suppressed cell can be recomputed from totals, sibling breakdowns, the area hierarchy, the months
of the year or the previous release. Distinct-person counts (users) are not additive over time: months and
the year are then protected as separate tables.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import numpy as np
import polars as pl

from .. import disclosure, stats

DIMS = ["area", "period", "sesso", "fascia_eta", "cittadinanza"]
BREAKDOWNS = ["sesso", "fascia_eta", "cittadinanza"]
UNKNOWN = "non indicato"
TOTAL = disclosure.TOTAL


def _leaves(records: pl.DataFrame, distinct: bool, granularity: str) -> pl.DataFrame:
    period = (
        pl.col("record_date").dt.strftime("%Y-%m")
        if granularity == "mese"
        else pl.col("record_date").dt.strftime("%Y")
    )
    df = records.with_columns(
        area=pl.coalesce(pl.col("quartiere_code"), pl.col("comune_code")),
        period=period,
        sesso=pl.col("sex").replace("", None).fill_null(UNKNOWN),
        fascia_eta=pl.col("age_band").replace("", None).fill_null(UNKNOWN),
        cittadinanza=pl.col("citizenship").replace("", None).fill_null(UNKNOWN),
    )
    if distinct:
        return df.group_by(DIMS).agg(pl.col("pseudonym").n_unique().alias("value"))
    return df.group_by(DIMS).agg(pl.len().alias("value"))


def protect_records(
    records: pl.DataFrame,
    area_parents: Mapping[str, str],
    threshold: int,
    distinct: bool,
    previous: pl.DataFrame | None = None,
    max_rounds: int = 5,
) -> list[disclosure.Protection]:
    """Area × period tables, one per breakdown (sex, age band, citizenship), sharing their area × period margin.

    Each breakdown is released on its own (not crossed with the others): the cross-classification of five
    dimensions is too sparse to publish for a comune and makes protection intractable. The three tables share
    the margin cells (area × period, all people); a margin cell hidden in one table is hidden in all, and the
    tables are protected again until the hidden margins agree. Distinct-person counts (users) are not
    additive over time: months and years are then separate tables.
    """
    if records.height == 0:
        return []
    grans = ("mese", "anno") if distinct else ("mese",)
    out: list[disclosure.Protection] = []
    for gran in grans:
        leaves_all = _leaves(records, distinct, gran)
        parents = {"area": dict(area_parents)}
        if not distinct:
            parents["period"] = {m: m[:4] for m in leaves_all["period"].unique().to_list()}
        tables = {}
        for b in BREAKDOWNS:
            leaves = leaves_all.group_by(["area", "period", b]).agg(pl.col("value").sum())
            tables[b] = disclosure.build_table(leaves, ["area", "period", b], parents)
        hidden_margin = pl.DataFrame(schema={"area": pl.Utf8, "period": pl.Utf8})
        for _ in range(max_rounds):
            protections = {}
            for b, table in tables.items():
                sticky = _previous_for(previous, table, b)
                margin = hidden_margin.with_columns(
                    pl.lit(TOTAL).alias(b),
                    pl.lit(None, dtype=pl.Int64).alias("value"),
                    pl.lit(True).alias("suppressed"),
                )
                sticky = (
                    margin
                    if sticky is None
                    else pl.concat([sticky, margin.select(sticky.columns)], how="vertical_relaxed")
                )
                protections[b] = disclosure.protect(
                    table, threshold, sticky.unique(subset=["area", "period", b])
                )
            now = pl.concat(
                [
                    p.published()
                    .filter(pl.col(b) == TOTAL)
                    .filter(pl.col("suppressed"))
                    .select("area", "period")
                    for b, p in protections.items()
                ]
            ).unique()
            if now.height == hidden_margin.height:
                break
            hidden_margin = now
        out += list(protections.values())
    return out


def _previous_for(
    previous: pl.DataFrame | None, table: disclosure.Table, breakdown: str
) -> pl.DataFrame | None:
    """The previous release's cells of this breakdown's table (other breakdowns at their total)."""
    if previous is None or previous.height == 0:
        return None
    others = [b for b in BREAKDOWNS if b != breakdown]
    prev = previous.filter(pl.all_horizontal([pl.col(o) == TOTAL for o in others]))
    prev = prev.select("area", "period", breakdown, "value", "suppressed")
    return prev.join(table.cells.select(table.dims), on=table.dims, how="semi")


def period_bounds(period: str) -> tuple[date, date, str]:
    if len(period) == 4:
        y = int(period)
        return date(y, 1, 1), date(y, 12, 31), "anno"
    y, m = int(period[:4]), int(period[5:7])
    end = date(y + (m == 12), m % 12 + 1, 1)
    from datetime import timedelta

    return date(y, m, 1), end - timedelta(days=1), "mese"


def to_datapoints(
    protections: list[disclosure.Protection],
    levels: Mapping[str, str],
    population: Mapping[str, float],
    meta: Mapping,
) -> pl.DataFrame:
    """Released rows: value per 1,000 residents where the area has a population, counts otherwise."""
    frames = []
    for p in protections:
        pub = p.published()
        for b in BREAKDOWNS:
            if b not in pub.columns:
                pub = pub.with_columns(pl.lit(TOTAL).alias(b))
        frames.append(pub.select(*DIMS, "value", "suppressed"))
    if not frames:
        return pl.DataFrame()
    # The shared margin appears in the three tables with the same (consistent) status: keep it once.
    df = pl.concat(frames).unique(subset=DIMS, keep="first", maintain_order=True)
    df = df.filter(pl.col("area") != disclosure.TOTAL).filter(pl.col("period") != disclosure.TOTAL)
    df = df.with_columns(pl.col("area").replace_strict(levels, default=None).alias("area_level")).filter(
        pl.col("area_level").is_not_null()
    )
    keys = []
    for s, a, c in zip(df["sesso"], df["fascia_eta"], df["cittadinanza"], strict=True):
        parts = [
            f"{k}={v}"
            for k, v in (("sesso", s), ("fascia_eta", a), ("cittadinanza", c))
            if v != disclosure.TOTAL
        ]
        keys.append(";".join(parts))
    pops = np.array([population.get(a, np.nan) for a in df["area"]], dtype=float)
    num = df["value"].cast(pl.Float64).fill_null(np.nan).to_numpy()
    mult = float(meta.get("multiplier", 1000))
    with np.errstate(divide="ignore", invalid="ignore"):
        value = np.where(pops > 0, num / pops * mult, np.nan)
    lo95, hi95 = stats.interval("byar", num, pops, mult, 0.95)
    lo998, hi998 = stats.interval("byar", num, pops, mult, 0.998)
    bounds = [period_bounds(p) for p in df["period"]]
    suppressed = df["suppressed"].to_numpy()
    notes = np.where(
        suppressed,
        "oscurato per riservatezza statistica",
        np.where(np.isnan(pops), "popolazione dell'area non disponibile: si rilascia solo il conteggio", ""),
    )
    return pl.DataFrame(
        {
            "area_code": df["area"],
            "area_level": df["area_level"],
            "period_start": [b[0] for b in bounds],
            "period_end": [b[1] for b in bounds],
            "granularity": [b[2] for b in bounds],
            "breakdown_key": keys,
            "numerator": pl.Series(num).fill_nan(None),
            "denominator": pl.Series(pops).fill_nan(None),
            "value": pl.Series(np.where(suppressed, np.nan, value)).fill_nan(None),
            "ci95_low": pl.Series(np.where(suppressed, np.nan, lo95)).fill_nan(None),
            "ci95_high": pl.Series(np.where(suppressed, np.nan, hi95)).fill_nan(None),
            "ci998_low": pl.Series(np.where(suppressed, np.nan, lo998)).fill_nan(None),
            "ci998_high": pl.Series(np.where(suppressed, np.nan, hi998)).fill_nan(None),
            "suppressed": suppressed,
            "note": notes,
        }
    )
