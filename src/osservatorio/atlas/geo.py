"""Boundaries simplified for choropleth maps and static maps (pure: shapely only, no Django).

The territory app stores each boundary on its own (5 decimals). For a map of many areas that is too heavy
(Lombardy's 1,500 comuni ≈ 230 KB gzipped) and simplifying polygons one by one opens gaps between
neighbours. `simplify_coverage` simplifies the whole set as a coverage (shared edges are simplified once,
so neighbours stay glued), then coordinates are rounded to `precision` decimals (4 ≈ 10 m) — invisible at
the zoom of a regional map.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping

import shapely

# Tolerance in degrees for each map level (≈ 1 km per 0.01° at these latitudes).
TOLERANCE = {"comune": 0.0015, "provincia": 0.006, "regione": 0.01, "quartiere": 0.0005}


def _round_coords(obj, precision: int):
    if isinstance(obj, float):
        return round(obj, precision)
    if isinstance(obj, (list, tuple)):
        return [_round_coords(x, precision) for x in obj]
    return obj


def simplify_coverage(
    geometries: Mapping[str, str], tolerance: float = 0.003, precision: int = 4
) -> dict[str, dict]:
    """code → GeoJSON geometry text in, code → simplified GeoJSON geometry dict out."""
    codes = list(geometries)
    if not codes:
        return {}
    geoms = shapely.from_geojson([geometries[c] for c in codes])
    try:
        simplified = shapely.coverage_simplify(geoms, tolerance)
    except Exception:  # noqa: BLE001 - an invalid coverage (overlaps) falls back to per-polygon simplification
        simplified = shapely.simplify(geoms, tolerance, preserve_topology=True)
    out = {}
    for code, original, geom in zip(codes, geoms, simplified, strict=True):
        if geom is None or geom.is_empty:
            geom = original
        mapping = shapely.geometry.mapping(geom)
        out[code] = {"type": mapping["type"], "coordinates": _round_coords(mapping["coordinates"], precision)}
    return out


def feature_collection(features: Iterable[tuple[dict, dict]]) -> str:
    """(properties, geometry) pairs → compact GeoJSON text (no spaces: every byte counts on a phone)."""
    return json.dumps(
        {
            "type": "FeatureCollection",
            "features": [{"type": "Feature", "properties": p, "geometry": g} for p, g in features],
        },
        ensure_ascii=False,
        separators=(",", ":"),
    )


def bounds(geometries: Iterable[dict]) -> tuple[float, float, float, float] | None:
    """(min_lon, min_lat, max_lon, max_lat) of all the geometries, for fitting a static map."""
    geoms = [shapely.geometry.shape(g) for g in geometries]
    if not geoms:
        return None
    return tuple(float(x) for x in shapely.total_bounds(geoms))


def svg_paths(geometries: Mapping[str, dict], width: int = 600, height: int = 600) -> dict[str, str]:
    """code → SVG path data in a width×height box (equirectangular, north up), for static maps in PDFs."""
    import math

    b = bounds(geometries.values())
    if b is None:
        return {}
    min_lon, min_lat, max_lon, max_lat = b
    kx = math.cos(math.radians((min_lat + max_lat) / 2))
    sx = width / max((max_lon - min_lon) * kx, 1e-9)
    sy = height / max(max_lat - min_lat, 1e-9)
    s = min(sx, sy)

    def ring(coords) -> str:
        pts = [f"{(lon - min_lon) * kx * s:.1f},{(max_lat - lat) * s:.1f}" for lon, lat in coords]
        return "M" + "L".join(pts) + "Z"

    out = {}
    for code, g in geometries.items():
        polys = g["coordinates"] if g["type"] == "MultiPolygon" else [g["coordinates"]]
        out[code] = "".join(ring(r) for poly in polys for r in poly)
    return out
