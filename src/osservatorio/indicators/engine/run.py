"""Compute catalogue indicators: definitions → crosswalk → sums through memberships → values and flags.

Pure orchestration over Ibis; the Django layer (services.py) supplies the warehouse tables, the territory
closure and the crosswalk, and stores what comes out as DataPoints.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

import ibis
import ibis.expr.types as ir
import polars as pl

from .aggregate import (
    KEYS,
    aggregate,
    apply_crosswalk,
    expected_members,
    require_coverage,
    sum_through,
    unmatched_codes,
)
from .definitions import (
    DEFINITIONS,
    FLAGS,
    OUT,
    REGIONAL_COVID,
    DatasetMissing,
    Definition,
    Sources,
    covid_region,
    family_rows,
)
from .finalize import finalize

CLOSURE_SCHEMA = {
    "child_code": "string",
    "ancestor_code": "string",
    "ancestor_level": "string",
    "valid_from": "date",
    "valid_to": "date",
}


@dataclass
class Outcome:
    code: str
    frame: pl.DataFrame | None = None
    unmatched: list[str] = field(default_factory=list)
    error: str | None = None
    datasets: tuple[str, ...] = ()


def _region_population(sources: Sources, closure: ir.Table, year: int = 2022) -> ir.Table:
    g = sources["geopop_popolazione_eta_sesso"]
    g = g.filter(g.year == year)
    c = closure.filter(closure.ancestor_level == "regione")
    j = g.inner_join(c, g.comune_code == c.child_code)
    return j.group_by(region=j.ancestor_code).aggregate(pop=j.population.sum())


def definition_for(code: str, sources: Sources, closure: ir.Table) -> tuple[Definition, ir.Table]:
    if code in REGIONAL_COVID:
        column, daily = REGIONAL_COVID[code]
        definition = Definition(code, lambda s: None, ("dpc_covid_regione", "geopop_popolazione_eta_sesso"))
        return definition, covid_region(column, daily, sources, _region_population(sources, closure))
    if code not in DEFINITIONS:
        raise KeyError(f"l'indicatore «{code}» non ha una definizione di calcolo")
    definition = DEFINITIONS[code]
    return definition, definition.build(sources)


def compute_one(
    code: str,
    meta: Mapping,
    sources: Sources,
    closure: ir.Table,
    crosswalk: ir.Table | None = None,
    areas: Iterable[str] | None = None,
    unmatched_cache: dict | None = None,
) -> Outcome:
    try:
        definition, rows = definition_for(code, sources, closure)
    except DatasetMissing as exc:
        return Outcome(code, error=str(exc))
    levels = list(meta.get("levels") or [])
    cl = closure
    if not definition.additive:
        cl = cl.filter(cl.child_code == cl.ancestor_code)
    cl = cl.filter(cl.ancestor_level.isin(levels))
    grouped = aggregate(
        rows, definition.components, cl, crosswalk, extra_flags=("provisional", "non_ufficiale")
    )
    if areas:
        grouped = grouped.filter(grouped.area_code.isin(list(areas)))
    try:
        expected = _expected(cl, unmatched_cache, (tuple(levels), definition.additive))
        df = require_coverage(grouped.to_polars(), expected, definition.components)
        missing_codes = _unmatched(rows, closure, crosswalk, definition.datasets, unmatched_cache)
    except DatasetMissing as exc:
        return Outcome(code, error=str(exc))
    out = finalize(df, meta, definition.custom)
    if definition.complete:
        out = require_complete(out, closure)
    return Outcome(code, out, sorted(c for c in missing_codes if c), None, definition.datasets)


COMPLETE_COLUMNS = ("value", "numerator", "denominator", "ci95_low", "ci95_high", "ci998_low", "ci998_high")


def require_complete(out: pl.DataFrame, closure: ir.Table) -> pl.DataFrame:
    """Keep a value only where every comune of the area contributed a complete row.

    `n_rows - n_missing` counts the comuni with complete components in each area; the closure says how
    many comuni the area has. Short of that the value, components and interval are nulled and the row says
    how many comuni had data: a sum over part of an ambito is not the ambito.
    """
    if out.height == 0:
        return out
    cl = closure.filter(closure.ancestor_level.isin(["comune", "ambito", "provincia", "regione", "italia"]))
    comuni = closure.filter(
        (closure.child_code == closure.ancestor_code) & (closure.ancestor_level == "comune")
    )
    cl = cl.semi_join(comuni, cl.child_code == comuni.child_code)
    expected = cl.group_by(area_code=cl.ancestor_code).aggregate(_expected=cl.count()).to_polars()
    df = out.join(expected, on="area_code", how="left")
    n_missing = pl.col("n_missing").fill_null(0) if "n_missing" in df.columns else pl.lit(0)
    have = pl.col("n_rows") - n_missing
    short = (pl.col("area_level") != "comune") & (have < pl.col("_expected").fill_null(0))
    note = pl.format("stima disponibile per {} comuni su {}: valore non calcolato", have, pl.col("_expected"))
    df = df.with_columns(
        *[
            pl.when(short).then(None).otherwise(pl.col(c)).alias(c)
            for c in COMPLETE_COLUMNS
            if c in df.columns
        ],
        pl.when(short).then(True).otherwise(pl.col("missing")).alias("missing"),
        pl.when(short).then(False).otherwise(pl.col("estimated")).alias("estimated"),
        pl.when(short).then(note).otherwise(pl.col("note")).alias("note"),
    )
    return df.drop("_expected")


def _expected(cl: ir.Table, cache: dict | None, key: tuple) -> pl.DataFrame:
    # Members per area depend on the closure (and the levels kept) only: counted once per run and reused.
    key = ("expected", *key)
    if cache is not None and key in cache:
        return cache[key]
    out = expected_members(cl)
    if cache is not None:
        cache[key] = out
    return out


def _cached_frame(key: str, table: ir.Table, cache: dict | None) -> pl.DataFrame:
    if cache is not None and (key,) in cache:
        return cache[(key,)]
    out = table.to_polars()
    if cache is not None:
        cache[(key,)] = out
    return out


def _after_crosswalk(frame: pl.DataFrame, crosswalk: ir.Table | None, cache: dict | None) -> pl.DataFrame:
    """In-memory rows with the codes of merged comuni replaced by their successor's (as `apply_crosswalk`)."""
    if crosswalk is None:
        return frame
    cw = _cached_frame("crosswalk", crosswalk.select("old_code", "new_code"), cache)
    moved = frame.join(cw, left_on="area_code", right_on="old_code", how="left")
    return moved.with_columns(area_code=pl.coalesce("new_code", "area_code")).select(frame.columns)


def _unmatched_native(native, closure: ir.Table, crosswalk: ir.Table | None, cache: dict | None) -> list[str]:
    """`unmatched_codes` for native rows already in memory: their distinct codes against the closure's."""
    codes = _after_crosswalk(
        pl.from_arrow(native.select(["area_code"])).unique().drop_nulls(), crosswalk, cache
    )
    known = _cached_frame("known", closure.select(_known=closure.child_code).distinct(), cache)
    return codes.join(known, left_on="area_code", right_on="_known", how="anti")["area_code"].to_list()


def _unique_native(native, crosswalk: ir.Table | None, cache: dict | None) -> bool:
    """Whether no two native rows share an area (after the crosswalk), a period and a breakdown."""
    frame = _after_crosswalk(pl.from_arrow(native.select(["area_code", *KEYS])), crosswalk, cache)
    return frame.select(pl.struct(pl.all()).n_unique()).item() == frame.height


def _unmatched(rows: ir.Table, closure, crosswalk, key, cache: dict | None) -> list[str]:
    # Codes outside the territory depend on the dataset, not on the indicator: checked once per dataset.
    if cache is not None and key in cache:
        return cache[key]
    codes = unmatched_codes(rows, closure, crosswalk).to_polars()["area_code"].to_list()
    if cache is not None:
        cache[key] = codes
    return codes


def compute_family(
    family: str,
    codes: list[str],
    catalogue: Mapping[str, Mapping],
    sources: Sources,
    closure: ir.Table,
    crosswalk: ir.Table | None = None,
    areas: Iterable[str] | None = None,
    unmatched_cache: dict | None = None,
) -> dict[str, Outcome]:
    """Several indicators of one family in one pass: one join with the memberships and one GROUP BY.

    Same numbers as `compute_one` for each of them (each keeps its own completeness rule and levels); the
    native rows are read once, the membership join is done once instead of once per indicator, and a
    component shared by several indicators with the same completeness is summed once (the cost of the
    GROUP BY grows with the number of summed columns, not with the number of indicators).

    `unmatched_cache` belongs to one run (one closure and one crosswalk): it also keeps what depends on
    them alone (members per area, the territory's codes), so it must not be shared between territories.
    """
    defs = [DEFINITIONS[c] for c in codes]
    try:
        base = family_rows(family, sources)
        # 1. The distinct component expressions of the family (the taxpayers count is the denominator of
        #    six MEF indicators: summed once).
        unique: list[ir.Value] = []
        wants: list[dict[str, int]] = []
        for d in defs:
            mine = {}
            for comp, expr in d.columns(base).items():
                if comp not in d.components:
                    continue
                expr = expr.cast("float64")
                j = next((k for k, u in enumerate(unique) if u.equals(expr)), None)
                if j is None:
                    unique.append(expr)
                    j = len(unique) - 1
                mine[comp] = j
            wants.append(mine)
        cols: dict[str, ir.Value] = {c: base[c] for c in OUT}
        cols.update({f"u{j}": u for j, u in enumerate(unique)})
        cols["provisional"] = base["provisional"] if "provisional" in base.columns else ibis.literal(False)
        cols["non_ufficiale"] = ibis.literal(False)
        rows = base.select(**cols)
        # 2. Which of them are ever null in the native rows: an indicator's completeness only depends on
        #    those, so indicators whose nullable components coincide share their sums. With `materialize`
        #    the native rows (one per area, period and breakdown: small) are computed once as Arrow, which
        #    knows its null counts, and both queries below read them from memory instead of the source.
        #    Otherwise one cheap pass counts them, with the codes outside the territory.
        datasets = tuple(sorted({x for d in defs for x in d.datasets}))
        native = rows.to_pyarrow() if sources.materialize else None
        unique_rows = False
        if native is not None:
            rows = ibis.memtable(native)
            nullable = {j for j in range(len(unique)) if native.column(f"u{j}").null_count}
            missing_codes = _unmatched_native(native, closure, crosswalk, unmatched_cache)
            unique_rows = _unique_native(native, crosswalk, unmatched_cache)
        else:
            moved = apply_crosswalk(rows, crosswalk)
            known = closure.select(_known=closure.child_code).distinct()
            probe = moved.left_join(known, moved.area_code == known._known)
            pre = probe.aggregate(
                **{f"u{j}": probe[f"u{j}"].isnull().sum() for j in range(len(unique))},
                _unmatched=probe.area_code.collect(where=probe._known.isnull(), distinct=True),
            )
            first = pre.to_pyarrow().to_pylist()[0]
            nullable = {j for j in range(len(unique)) if first[f"u{j}"]}
            missing_codes = list(first["_unmatched"] or [])
        if unmatched_cache is not None:
            unmatched_cache.setdefault(datasets, missing_codes)
        masks: dict[frozenset, str] = {}
        masked: dict[tuple[int, frozenset], str] = {}
        derived: dict[str, ir.Value] = {}
        plan: list[tuple[dict[str, str], str | None]] = []
        for mine in wants:
            mask = frozenset(j for j in mine.values() if j in nullable)
            if mask and mask not in masks:
                complete = ibis.literal(True)
                for j in sorted(mask):
                    complete = complete & rows[f"u{j}"].notnull()
                masks[mask] = f"m{len(masks)}"
                derived[f"{masks[mask]}_complete"] = complete
                derived[f"{masks[mask]}_missing"] = (~complete).cast("int64")
            names = {}
            for comp, j in mine.items():
                if (j, mask) not in masked:
                    name = f"s{len(masked)}"
                    masked[(j, mask)] = name
                    derived[name] = (
                        ibis.ifelse(derived[f"{masks[mask]}_complete"], rows[f"u{j}"], ibis.null("float64"))
                        if mask
                        else rows[f"u{j}"]
                    )
                names[comp] = masked[(j, mask)]
            plan.append((names, f"{masks[mask]}_missing" if mask else None))
        rows = rows.mutate(**derived)
        levels = sorted({lvl for c in codes for lvl in catalogue[c].get("levels") or []})
        cl = closure.filter(closure.ancestor_level.isin(levels))
        grouped = sum_through(
            rows,
            list(masked.values()),
            [f"{m}_missing" for m in masks.values()],
            cl,
            crosswalk,
            FLAGS,
            unique_rows=unique_rows,
        )
        if areas:
            grouped = grouped.filter(grouped.area_code.isin(list(areas)))
        expected = _expected(cl, unmatched_cache, (tuple(levels), True))
        wide = require_coverage(grouped.to_polars(), expected, list(masked.values()))
    except DatasetMissing as exc:
        return {c: Outcome(c, error=str(exc)) for c in codes}
    common = ["area_code", "area_level", *KEYS, "n_rows", "n_sources", *FLAGS]
    out = {}
    unmatched = sorted(c for c in missing_codes if c)
    for code, d, (names, missing) in zip(codes, defs, plan, strict=True):
        own_levels = list(catalogue[code].get("levels") or [])
        frame = wide.select(
            *common,
            (pl.col(missing) if missing else pl.lit(0, dtype=wide["n_rows"].dtype)).alias("n_missing"),
            *(pl.col(names[comp]).alias(comp) for comp in d.components),
        )
        if len(own_levels) < len(levels):
            frame = frame.filter(pl.col("area_level").is_in(own_levels))
        out[code] = Outcome(code, finalize(frame, catalogue[code], d.custom), unmatched, None, d.datasets)
    return out


def compute(
    catalogue: Mapping[str, Mapping],
    sources: Sources,
    closure: ir.Table,
    crosswalk: ir.Table | None = None,
    codes: Iterable[str] | None = None,
    areas: Iterable[str] | None = None,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Outcome]:
    """Every wanted indicator; members of a family are computed together (see `compute_family`)."""
    wanted = list(codes) if codes else [c for c in catalogue if c in DEFINITIONS or c in REGIONAL_COVID]
    unknown = [c for c in wanted if c not in catalogue]
    if unknown:
        raise KeyError(f"indicatori sconosciuti: {', '.join(unknown)}")
    results: dict[str, Outcome] = {}
    cache: dict = {}
    families: dict[str, list[str]] = {}
    for code in wanted:
        d = DEFINITIONS.get(code)
        if d is not None and d.family:
            families.setdefault(d.family, []).append(code)
    done: set[str] = set()
    for code in wanted:
        if code in done:
            continue
        d = DEFINITIONS.get(code)
        members = families.get(d.family, []) if d is not None and d.family else []
        if len(members) > 1:
            if progress:
                for m in members:
                    progress(m)
            results.update(
                compute_family(d.family, members, catalogue, sources, closure, crosswalk, areas, cache)
            )
            done.update(members)
            continue
        if progress:
            progress(code)
        results[code] = compute_one(code, catalogue[code], sources, closure, crosswalk, areas, cache)
        done.add(code)
    return {c: results[c] for c in wanted}


def closure_table(rows: list[tuple] | pl.DataFrame) -> ir.Table:
    if isinstance(rows, pl.DataFrame):
        return ibis.memtable(rows)
    df = pl.DataFrame(rows, schema=list(CLOSURE_SCHEMA), orient="row")
    return ibis.memtable(df)
