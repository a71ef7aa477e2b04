"""Small facts about a stored web boundary, for the text that describes the map to screen-reader users."""

from __future__ import annotations

import math

import shapely


def describe(geojson: str) -> dict[str, float]:
    geom = shapely.from_geojson(geojson)
    min_lon, min_lat, max_lon, max_lat = geom.bounds
    mid = math.radians((min_lat + max_lat) / 2)
    # Equirectangular approximation: good to a few per cent at Italian latitudes and city sizes.
    km2 = geom.area * 111.32 * 111.32 * math.cos(mid)
    ns_km = (max_lat - min_lat) * 111.32
    ew_km = (max_lon - min_lon) * 111.32 * math.cos(mid)
    return {
        "km2": km2,
        "ns_km": ns_km,
        "ew_km": ew_km,
        "min_lat": min_lat,
        "max_lat": max_lat,
        "min_lon": min_lon,
        "max_lon": max_lon,
    }
