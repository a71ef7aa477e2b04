"""From native-level components to every area: crosswalk to today's codes, then sums through memberships.

Input rows (an Ibis table) carry `area_code`, the period columns, `breakdown_key` and one column per
additive component (numerator, denominator, or e.g. the brackets of an income distribution). Rates are never
averaged: components are summed and the value is computed afterwards (finalize.py).

`closure` lists, for every area, itself and every area containing it — (child_code, ancestor_code,
ancestor_level, valid_from, valid_to) — so one join and one GROUP BY produce every level at once. With
validity dates the membership in force at the end of each period is used (historical boundaries); the
Django layer passes today's memberships with open dates for series on today's boundaries.

Missing components are never read as zero: a row with a null component is left out of the sums and the
aggregate says how many rows it lacks (`n_missing`); an area whose rows are all missing has null sums.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import ibis
import ibis.expr.types as ir
import polars as pl

KEYS = ("period_start", "period_end", "granularity", "breakdown_key")


def apply_crosswalk(rows: ir.Table, crosswalk: ir.Table | None) -> ir.Table:
    """Replace codes of comuni merged into others by the successor's code (1-to-1 successions only)."""
    if crosswalk is None:
        return rows
    cw = crosswalk.select(cw_old=crosswalk.old_code, cw_new=crosswalk.new_code)
    joined = rows.left_join(cw, rows.area_code == cw.cw_old)
    return joined.mutate(
        original_code=joined.area_code,
        area_code=ibis.coalesce(joined.cw_new, joined.area_code),
    ).drop("cw_old", "cw_new")


def aggregate(
    rows: ir.Table,
    components: Sequence[str],
    closure: ir.Table,
    crosswalk: ir.Table | None = None,
    extra_flags: Sequence[str] = (),
) -> ir.Table:
    """Sum components of complete rows to every ancestor (self included) in the closure."""
    return aggregate_many(rows, {"": tuple(components)}, closure, crosswalk, extra_flags)


def aggregate_many(
    rows: ir.Table,
    groups: Mapping[str, Sequence[str]],
    closure: ir.Table,
    crosswalk: ir.Table | None = None,
    extra_flags: Sequence[str] = (),
) -> ir.Table:
    """Like `aggregate` for several indicators sharing the same rows, in one join and one GROUP BY.

    `groups` maps a suffix to the component columns of one indicator: each indicator keeps its own notion
    of a complete row (its components not null), so its sums and `n_missing<suffix>` are exactly those of
    `aggregate` on its rows alone; `n_rows`, `n_sources` and the flags are common.
    """
    # Components of incomplete rows are nulled before the join, so plain SUMs skip them (SUM ignores nulls
    # and gives null when nothing is left): much cheaper than one filtered aggregate per component.
    masked = {}
    counts = []
    for suffix, components in groups.items():
        complete = ibis.literal(True)
        for c in components:
            complete = complete & rows[c].notnull()
        for c in components:
            masked[c] = ibis.ifelse(complete, rows[c], ibis.null(rows[c].type()))
        masked[f"n_missing{suffix}"] = (~complete).cast("int64")
        counts.append(f"n_missing{suffix}")
    sums = [c for components in groups.values() for c in components]
    return sum_through(rows.mutate(**masked), sums, counts, closure, crosswalk, extra_flags)


def sum_through(
    rows: ir.Table,
    sums: Sequence[str],
    counts: Sequence[str],
    closure: ir.Table,
    crosswalk: ir.Table | None = None,
    extra_flags: Sequence[str] = (),
    unique_rows: bool = False,
) -> ir.Table:
    """Plain sums of `sums` (nulls skipped, null when none) and `counts` to every ancestor in the closure.

    The heart of the engine: one join with the memberships in force at the end of each period and one
    GROUP BY give every level at once; the cost grows with the number of summed columns. The result keeps
    `_native_level` (the level of the rows summed) for `require_coverage`, applied by the caller once the
    rows are in memory (the members' counts come from the closure alone, computed once per run).

    `unique_rows` says the caller checked that no two rows share an area (after the crosswalk), a period
    and a breakdown. Each area's own row is then its own sum and skips the GROUP BY: the areas of the
    source's level (7,900 comuni × every year) were nearly all the groups and most of the cost, while their
    ancestors are a few thousand groups.
    """
    rows = apply_crosswalk(rows, crosswalk)
    # The closure (small) carries the level of each child, so the big native rows need no extra join.
    own = _own_levels(closure)
    cl = closure.left_join(own, closure.child_code == own._own_code).drop("_own_code")
    if not unique_rows:
        return _group_through(rows, sums, counts, cl, extra_flags)
    grouped = _group_through(rows, sums, counts, cl.filter(cl.child_code != cl.ancestor_code), extra_flags)
    joined = _members(rows, cl.filter(cl.child_code == cl.ancestor_code))
    schema = grouped.schema()
    direct = {
        "area_code": joined.ancestor_code,
        "area_level": joined.ancestor_level,
        **{k: joined[k] for k in KEYS},
        **{c: joined[c] for c in (*sums, *counts)},
        "n_rows": ibis.literal(1),
        "n_sources": ibis.literal(1),
        "_native_level": joined._own_level,
        **{f: joined[f] for f in extra_flags},
    }
    direct_rows = joined.select(**{name: direct[name].cast(schema[name]) for name in schema.names})
    return grouped.union(direct_rows)


def _members(rows: ir.Table, closure: ir.Table) -> ir.Table:
    joined = rows.inner_join(closure, rows.area_code == closure.child_code)
    ref = joined.period_end
    return joined.filter((joined.valid_from <= ref) & (joined.valid_to >= ref))


def _group_through(
    rows: ir.Table, sums: Sequence[str], counts: Sequence[str], closure: ir.Table, extra_flags: Sequence[str]
) -> ir.Table:
    joined = _members(rows, closure)
    aggs = {c: joined[c].sum() for c in sums}
    for c in counts:
        aggs[c] = joined[c].sum()
    aggs["n_rows"] = joined.count()
    aggs["n_sources"] = (
        joined.original_code.nunique() if "original_code" in joined.columns else joined.count()
    )
    aggs["_native_level"] = joined._own_level.max()
    for f in extra_flags:
        aggs[f] = joined[f].any()
    return joined.group_by(
        [joined.ancestor_code.name("area_code"), joined.ancestor_level.name("area_level"), *KEYS]
    ).aggregate(**aggs)


# Share of an area's member areas (at the source's own level) that must have a row for the sum to stand for
# the area. A source covering only Lombardy must not give "Italia" the Lombard total; a gap of one comune in
# an ambito of 47 (e.g. a comune born from a split, whose people are still under the old one) is kept and
# flagged as a partial sum.
MIN_COVERAGE = 0.95
# n_sources of an area whose sum does not stand for it (n_sources is a count otherwise, never negative).
NOT_COVERED = -1


def _own_levels(closure: ir.Table) -> ir.Table:
    own = closure.filter(closure.child_code == closure.ancestor_code)
    return own.select(_own_code=own.child_code, _own_level=own.ancestor_level).distinct()


def expected_members(closure: ir.Table) -> pl.DataFrame:
    """How many member areas of each level every area has (_e_code, _e_level, _expected), for `require_coverage`.

    Counted on the memberships in force at the closure's latest date (today's boundaries for releases). It
    depends on the closure alone, so a run computes it once per closure and reuses it for every indicator.
    """
    own = _own_levels(closure)
    latest = closure.valid_to.max()
    current = closure.filter(closure.valid_to >= latest)
    m = current.inner_join(own, current.child_code == own._own_code)
    expected = m.group_by(_e_code=m.ancestor_code, _e_level=m._own_level).aggregate(
        _expected=m.child_code.nunique()
    )
    return expected.to_polars()


def require_coverage(grouped: pl.DataFrame, expected: pl.DataFrame, sums: Sequence[str]) -> pl.DataFrame:
    """Null the sums of areas where too few member areas have a row in the source.

    `grouped` is what `sum_through` gives (with `_native_level`, the level of the rows summed), `expected`
    what `expected_members` gives for the same closure. The row keeps its counts (so a caller can still say
    how many members had data) and is marked with `n_sources = NOT_COVERED`, which finalize() turns into a
    missing value with its reason.
    """
    g = grouped.join(
        expected, left_on=["area_code", "_native_level"], right_on=["_e_code", "_e_level"], how="left"
    )
    # Rows present = members with a row (a comune merged since counts once per old code: a slight excess
    # that only matters when members are missing too; a distinct count would cost a third of the run).
    short = pl.col("n_rows").cast(pl.Float64) < pl.col("_expected").cast(pl.Float64) * MIN_COVERAGE
    short = short.fill_null(False)
    if not g.select(short.any()).item():
        return g.drop("_expected", "_native_level")
    fixed = [pl.when(short).then(None).otherwise(pl.col(c)).alias(c) for c in sums]
    fixed.append(
        pl.when(short).then(pl.lit(NOT_COVERED, pl.Int64)).otherwise(pl.col("n_sources")).alias("n_sources")
    )
    return g.with_columns(*fixed).drop("_expected", "_native_level")


def unmatched_codes(rows: ir.Table, closure: ir.Table, crosswalk: ir.Table | None = None) -> ir.Table:
    """Codes in the data that are in no area of the territory (after the crosswalk): reported, not dropped silently."""
    rows = apply_crosswalk(rows, crosswalk)
    codes = closure.select(code=closure.child_code).distinct()
    return rows.anti_join(codes, rows.area_code == codes.code).select("area_code").distinct()
