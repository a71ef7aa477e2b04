"""Values, intervals and flags from summed components (numpy over a polars frame).

Nothing becomes a silent zero or a NaN shown as a number: a null component gives `missing`, a zero
denominator gives a null value with the note "denominatore zero", partial sums are `estimated` with the count
of areas left out, and a year inside a known break is flagged `break_before`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date

import numpy as np
import polars as pl

from .. import stats

FinalizeFn = Callable[[pl.DataFrame], np.ndarray]


def gini_from_brackets(df: pl.DataFrame, brackets: list[str]) -> np.ndarray:
    """Lower-bound Gini from grouped data: piecewise-linear Lorenz curve through the bracket points."""
    n = np.column_stack([df[f"n_{b}"].to_numpy().astype(float) for b in brackets])
    a = np.column_stack([df[f"a_{b}"].to_numpy().astype(float) for b in brackets])
    a = np.where(a < 0, 0.0, a)  # incomes ≤ 0 count as zero income on the Lorenz curve
    total_n = n.sum(axis=1, keepdims=True)
    total_a = a.sum(axis=1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.cumsum(n, axis=1) / total_n
        lor = np.cumsum(a, axis=1) / total_a
    p_prev = np.column_stack([np.zeros(len(df)), p[:, :-1]])
    l_prev = np.column_stack([np.zeros(len(df)), lor[:, :-1]])
    g = 1 - np.sum((p - p_prev) * (lor + l_prev), axis=1)
    bad = ~(total_n[:, 0] > 0) | ~(total_a[:, 0] > 0) | np.any(np.isnan(n) | np.isnan(a), axis=1)
    return np.where(bad, np.nan, g)


NOTES = (
    "",
    "denominatore zero: valore non calcolabile",
    "dato non pubblicato o non disponibile nella fonte",
    None,  # partial sums: formatted with their counts below
    "ricostruito sui confini attuali (comuni fusi sommati)",
    "la fonte non copre abbastanza aree di quest'area (meno del 95% presenti o meno della metà complete): "
    "valore non calcolato",
)


def _notes(zero_den, all_missing, partial, rebuilt, n_missing, n_rows, not_covered=None) -> pl.Series:
    """One note per row, first matching reason wins; only the (few) partial sums are formatted one by one."""
    if not_covered is None:
        not_covered = np.zeros(len(zero_den), bool)
    kind = np.select([not_covered, zero_den, all_missing, partial, rebuilt], [5, 1, 2, 3, 4], 0).astype(
        np.uint32
    )
    # Most rows have no note: start from empty strings and write only the rows that have one.
    note = pl.repeat("", len(kind), eager=True, dtype=pl.Utf8).alias("note")
    some = np.flatnonzero(kind)
    if some.size:
        note = note.scatter(
            some, pl.Series("note", [x or "" for x in NOTES], dtype=pl.Utf8).gather(kind[some])
        )
    idx = np.flatnonzero(kind == 3)
    if idx.size:
        texts = [
            f"somma parziale: {int(a)} aree su {int(b)} senza dato pubblicato"
            for a, b in zip(n_missing[idx], n_rows[idx], strict=True)
        ]
        note = note.scatter(idx, texts)
    return note


_EPOCH = date(1970, 1, 1)


def _in_years(df: pl.DataFrame, years: set[int]) -> np.ndarray:
    """Rows whose period starts in one of `years`, compared on the dates' day numbers (no calendar work)."""
    if not years or "period_start" not in df.columns:
        return np.zeros(len(df), bool)
    days = df["period_start"].to_physical().to_numpy()
    out = np.zeros(len(df), bool)
    for y in sorted(years):
        lo, hi = (date(y, 1, 1) - _EPOCH).days, (date(y, 12, 31) - _EPOCH).days
        out |= (days >= lo) & (days <= hi)
    return out


def finalize(
    df: pl.DataFrame,
    meta: Mapping,
    custom: FinalizeFn | None = None,
) -> pl.DataFrame:
    """Add value, ci95/ci998, flags and note columns. `meta` is the catalogue entry of the indicator."""
    mult = float(meta.get("multiplier", 1) or 1)
    method = meta.get("interval_method", "none")
    n = len(df)
    num = df["numerator"].cast(pl.Float64).to_numpy() if "numerator" in df.columns else np.full(n, np.nan)
    has_den = "denominator" in df.columns
    den = df["denominator"].cast(pl.Float64).to_numpy() if has_den else None
    zero_den = np.zeros(n, bool)
    if custom is not None:
        value = custom(df)
    elif has_den:
        with np.errstate(divide="ignore", invalid="ignore"):
            value = np.where(den > 0, num / den * mult, np.nan)
        # A negative balance over a positive population is a value; a zero or missing population is not.
        zero_den = (den == 0) & ~np.isnan(num)
    else:
        value = num * mult
    lows, highs = {}, {}
    for level in stats.LEVELS:
        if method == "none" or custom is not None:
            lows[level] = np.full(n, np.nan)
            highs[level] = np.full(n, np.nan)
        else:
            lo, hi = stats.interval(method, num, den, mult, level)
            lows[level], highs[level] = lo, hi
    n_missing = df["n_missing"].to_numpy() if "n_missing" in df.columns else np.zeros(n, int)
    n_rows = df["n_rows"].to_numpy() if "n_rows" in df.columns else np.ones(n, int)
    all_missing = n_missing >= n_rows
    missing = np.isnan(value) & ~zero_den
    partial = (n_missing > 0) & ~all_missing
    n_sources = df["n_sources"].to_numpy() if "n_sources" in df.columns else np.ones(n, int)
    # Compared in polars: a string column turned into a numpy object array costs more than the rest.
    is_comune = (df["area_level"] == "comune").to_numpy() if "area_level" in df.columns else np.zeros(n, bool)
    rebuilt = (n_sources > 1) & is_comune
    # Set by aggregate._require_coverage: the source has rows for too few members of the area.
    not_covered = n_sources < 0
    # A "partial" sum over less than half of the areas does not stand for the area either (e.g. incomes of
    # all Italy over residents known for Lombardy only): no value, same reason as an uncovered area.
    not_covered |= partial & (n_missing * 2 > n_rows)
    partial &= ~not_covered
    note = _notes(zero_den, all_missing, partial, rebuilt, n_missing, n_rows, not_covered)
    break_before = _in_years(df, {int(b["year"]) for b in meta.get("known_breaks") or [] if "year" in b})
    finite = np.isfinite(value) & ~not_covered
    uncovered = bool(not_covered.any())
    gone = {c: pl.when(pl.Series(not_covered)).then(None).otherwise(pl.col(c)).alias(c)
            for c in ("numerator", "denominator") if c in df.columns and uncovered}  # fmt: skip

    def limits(name: str, x: np.ndarray) -> pl.Series:
        return pl.Series(name, np.where(not_covered, np.nan, x) if uncovered else x, nan_to_null=True)

    out = df.with_columns(
        *gone.values(),
        pl.Series("value", np.where(finite, value, np.nan), nan_to_null=True),
        limits("ci95_low", lows[0.95]),
        limits("ci95_high", highs[0.95]),
        limits("ci998_low", lows[0.998]),
        limits("ci998_high", highs[0.998]),
        pl.Series("missing", missing | all_missing | not_covered),
        pl.Series("estimated", partial),
        pl.Series("break_before", break_before),
        note,
    )
    return out
