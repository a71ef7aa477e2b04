"""Indicators from the services' own records, with disclosure control applied to every released cell.

Counts by area (quartiere → comune → ambito, one tree) and period (month → year) are released for all
people and by each breakdown on its own — sex, age band, citizenship. The three area × period × breakdown
tables share their margin, so they are joined into one system and protected as a whole by
disclosure.protect: no suppressed cell can be recomputed from totals, sibling breakdowns, another
breakdown's table, the area hierarchy, the months of the year or the previous release. Distinct-person
counts (users) are not additive over time: months and the year are then protected as separate tables.
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
    """Counts by area × period × the three breakdowns (missing values as «non indicato»).

    Grouped on the raw columns first and labelled afterwards, so that millions of records never get a
    text period or a copied label column each.
    """
    unit = "1mo" if granularity == "mese" else "1y"
    df = records.lazy().with_columns(
        area=pl.coalesce(pl.col("quartiere_code"), pl.col("comune_code")),
        period=pl.col("record_date").dt.truncate(unit),
    )
    if distinct:
        # One row per person and period — the latest record's area and attributes — so that every margin
        # (the comune, the ambito, all age bands) counts each person once and the table stays additive.
        # Counting distinct people per cell instead would count twice a person whose age band or comune
        # changed within the period, and the totals would no longer be distinct people.
        # Ties on the date are broken on the other columns, so that the same records give the same release.
        order = ["record_date", "area", "sex", "age_band", "citizenship"]
        df = df.sort(order, nulls_last=True).group_by(["pseudonym", "period"]).agg(pl.all().last())
    counts = df.group_by(["area", "period", "sex", "age_band", "citizenship"]).agg(pl.len().alias("value"))
    fmt = "%Y-%m" if granularity == "mese" else "%Y"
    labelled = counts.with_columns(
        period=pl.col("period").dt.strftime(fmt),
        sesso=pl.col("sex").replace("", None).fill_null(UNKNOWN),
        fascia_eta=pl.col("age_band").replace("", None).fill_null(UNKNOWN),
        cittadinanza=pl.col("citizenship").replace("", None).fill_null(UNKNOWN),
    )
    # Two raw values can become one label ("" and missing): add them up.
    return labelled.group_by(DIMS).agg(pl.col("value").sum()).collect()


def protect_records(
    records: pl.DataFrame,
    area_parents: Mapping[str, str],
    threshold: int,
    distinct: bool,
    previous: pl.DataFrame | None = None,
) -> list[disclosure.Protection]:
    """Area × period tables, one per breakdown (sex, age band, citizenship), protected as one system.

    Each breakdown is released on its own (not crossed with the others): the cross-classification of five
    dimensions is too sparse to publish for a comune. The three tables share their area × period margin
    (all people), so an attacker holding the three can combine constraints across them: they are joined
    into one table (disclosure.combine) and protected together, so every check — differencing, linear
    combinations, nonnegativity bounds, the previous release — sees all three at once. Distinct-person
    counts (users) are not additive over time: months and years are then separate tables.
    """
    if records.height == 0:
        return []
    grans = ("mese", "anno") if distinct else ("mese",)
    return [
        protect_leaves(_leaves(records, distinct, gran), area_parents, threshold, distinct, previous)
        for gran in grans
    ]


def protect_leaves(
    leaves_all: pl.DataFrame,
    area_parents: Mapping[str, str],
    threshold: int,
    distinct: bool,
    previous: pl.DataFrame | None = None,
) -> disclosure.Protection:
    """Counts by area × period × sex × age band × citizenship (one granularity) → the protected release table."""
    parents = {"area": dict(area_parents)}
    if not distinct:
        parents["period"] = {m: m[:4] for m in leaves_all["period"].unique().to_list()}
    tables = [
        disclosure.build_table(
            leaves_all.group_by(["area", "period", b]).agg(pl.col("value").sum()),
            ["area", "period", b],
            parents,
        )
        for b in BREAKDOWNS
    ]
    table = disclosure.combine(tables, DIMS)
    return disclosure.protect(table, threshold, _previous_for(previous, table))


def _previous_for(previous: pl.DataFrame | None, table: disclosure.Table) -> pl.DataFrame | None:
    """The previous release's cells that are also cells of this table (same granularity, same breakdowns)."""
    if previous is None or previous.height == 0:
        return None
    prev = previous.select(*DIMS, "value", "suppressed")
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
    frames = [p.published().select(*DIMS, "value", "suppressed") for p in protections]
    if not frames:
        return pl.DataFrame()
    df = pl.concat(frames)
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
