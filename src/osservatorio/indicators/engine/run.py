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

from .aggregate import KEYS, aggregate, aggregate_many, unmatched_codes
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
        df = grouped.to_polars()
        missing_codes = _unmatched(rows, closure, crosswalk, definition.datasets, unmatched_cache)
    except DatasetMissing as exc:
        return Outcome(code, error=str(exc))
    out = finalize(df, meta, definition.custom)
    return Outcome(code, out, sorted(c for c in missing_codes if c), None, definition.datasets)


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
    native rows are read once and the membership join is done once instead of once per indicator.
    """
    defs = [DEFINITIONS[c] for c in codes]
    try:
        base = family_rows(family, sources)
        cols: dict[str, ir.Value] = {c: base[c] for c in OUT}
        groups: dict[str, tuple[str, ...]] = {}
        for i, d in enumerate(defs):
            exprs = d.columns(base)
            names = []
            for comp in d.components:
                cols[f"c{i}__{comp}"] = exprs[comp].cast("float64")
                names.append(f"c{i}__{comp}")
            groups[f"__{i}"] = tuple(names)
        cols["provisional"] = base["provisional"] if "provisional" in base.columns else ibis.literal(False)
        cols["non_ufficiale"] = ibis.literal(False)
        rows = base.select(**cols)
        levels = sorted({lvl for c in codes for lvl in catalogue[c].get("levels") or []})
        cl = closure.filter(closure.ancestor_level.isin(levels))
        grouped = aggregate_many(rows, groups, cl, crosswalk, extra_flags=FLAGS)
        if areas:
            grouped = grouped.filter(grouped.area_code.isin(list(areas)))
        wide = grouped.to_polars()
        datasets = tuple(sorted({x for d in defs for x in d.datasets}))
        missing_codes = _unmatched(rows, closure, crosswalk, datasets, unmatched_cache)
    except DatasetMissing as exc:
        return {c: Outcome(c, error=str(exc)) for c in codes}
    common = ["area_code", "area_level", *KEYS, "n_rows", "n_sources", *FLAGS]
    out = {}
    unmatched = sorted(c for c in missing_codes if c)
    for i, (code, d) in enumerate(zip(codes, defs, strict=True)):
        own_levels = list(catalogue[code].get("levels") or [])
        frame = wide.select(
            *common,
            pl.col(f"n_missing__{i}").alias("n_missing"),
            *(pl.col(f"c{i}__{comp}").alias(comp) for comp in d.components),
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
