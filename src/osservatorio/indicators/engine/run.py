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

from .aggregate import aggregate, unmatched_codes
from .definitions import DEFINITIONS, REGIONAL_COVID, DatasetMissing, Definition, Sources, covid_region
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
        # Codes outside the territory depend on the dataset, not on the indicator: checked once per dataset.
        cache_key = definition.datasets
        if unmatched_cache is not None and cache_key in unmatched_cache:
            missing_codes = unmatched_cache[cache_key]
        else:
            missing_codes = unmatched_codes(rows, closure, crosswalk).to_polars()["area_code"].to_list()
            if unmatched_cache is not None:
                unmatched_cache[cache_key] = missing_codes
    except DatasetMissing as exc:
        return Outcome(code, error=str(exc))
    out = finalize(df, meta, definition.custom)
    return Outcome(code, out, sorted(c for c in missing_codes if c), None, definition.datasets)


def compute(
    catalogue: Mapping[str, Mapping],
    sources: Sources,
    closure: ir.Table,
    crosswalk: ir.Table | None = None,
    codes: Iterable[str] | None = None,
    areas: Iterable[str] | None = None,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Outcome]:
    wanted = list(codes) if codes else [c for c in catalogue if c in DEFINITIONS or c in REGIONAL_COVID]
    unknown = [c for c in wanted if c not in catalogue]
    if unknown:
        raise KeyError(f"indicatori sconosciuti: {', '.join(unknown)}")
    results = {}
    cache: dict = {}
    for code in wanted:
        if progress:
            progress(code)
        results[code] = compute_one(code, catalogue[code], sources, closure, crosswalk, areas, cache)
    return results


def closure_table(rows: list[tuple] | pl.DataFrame) -> ir.Table:
    if isinstance(rows, pl.DataFrame):
        return ibis.memtable(rows)
    df = pl.DataFrame(rows, schema=list(CLOSURE_SCHEMA), orient="row")
    return ibis.memtable(df)
