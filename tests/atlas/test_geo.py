"""Simplified boundaries for the maps: small enough for the web, neighbours still touching."""

import gzip

import shapely

from osservatorio.atlas import geo
from osservatorio.territory import selectors
from osservatorio.territory.models import Boundary


def test_lombardy_comuni_fit_the_web_budget_and_stay_glued(territory_cremona):
    comuni = list(selectors.members(selectors.get_area("03"), "comune"))
    raw = dict(Boundary.objects.filter(area__in=comuni).values_list("area__code", "geojson"))
    assert len(raw) > 1400
    simple = geo.simplify_coverage(raw, geo.TOLERANCE["comune"])
    body = geo.feature_collection(({"code": c, "name": c}, g) for c, g in simple.items())
    gz = len(gzip.compress(body.encode()))
    raw_gz = len(gzip.compress(",".join(raw.values()).encode()))
    assert gz <= 400_000 and gz < raw_gz
    # Cremona's neighbours still share a border with it after simplification (no gaps opened).
    a = shapely.geometry.shape(simple["019036"])
    original = shapely.from_geojson(raw["019036"])
    neighbours = [
        c for c, g in raw.items() if c != "019036" and shapely.from_geojson(g).distance(original) < 1e-6
    ]
    assert len(neighbours) >= 5
    for code in neighbours:
        assert a.distance(shapely.geometry.shape(simple[code])) < 1e-4, code
    assert abs(a.area - shapely.from_geojson(raw["019036"]).area) / a.area < 0.05


def test_svg_paths_fit_the_box():
    g = {"a": {"type": "Polygon", "coordinates": [[[9.0, 45.0], [10.0, 45.0], [10.0, 46.0], [9.0, 45.0]]]}}
    paths = geo.svg_paths(g, width=100, height=100)
    nums = [float(x) for p in paths["a"][1:-1].split("L") for x in p.split(",")]
    assert min(nums) >= 0 and max(nums) <= 100.01
