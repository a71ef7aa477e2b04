"""Static maps: real paths, quantile classes shared with the atlas, hatched missing areas, alt text."""

import json

from osservatorio.atlas import classes
from osservatorio.reports import maps


def square(x, y):
    return json.dumps(
        {"type": "Polygon", "coordinates": [[[x, y], [x + 0.1, y], [x + 0.1, y + 0.1], [x, y + 0.1], [x, y]]]}
    )


def test_choropleth_svg_has_one_path_per_area_a_legend_and_the_highlight():
    areas = [maps.MapArea(f"{i:06d}", f"Comune {i}", float(i)) for i in range(1, 9)]
    areas.append(maps.MapArea("000009", "Comune 9", None, suppressed=True))
    geoms = {a.code: square(10 + i * 0.1, 45) for i, a in enumerate(areas)}
    svg = maps.choropleth_svg(areas, geoms, title="Prova", unit="%", decimals=1, highlight="000003")
    assert svg.startswith("<svg") and svg.count("<path") == 9 + 1  # 9 areas + the outline of the highlight
    expected = classes.quantiles({a.code: a.value for a in areas}, k=5, decimals=1)
    for c in expected.classes:
        assert c.colour in svg and c.label.replace("–", "–") in svg
    assert "url(#nodata)" in svg and "riservato (1)" in svg
    assert "Comune 3" in svg.split("</g>")[-1]  # named in the legend, not only coloured


def test_description_names_extremes_and_missing():
    areas = [maps.MapArea("1", "Alfa", 2.0), maps.MapArea("2", "Beta", 5.5), maps.MapArea("3", "Gamma", None)]
    text = maps.describe(areas, title="Quota", unit="%", decimals=1)
    assert "Beta, 5,5" in text and "Alfa, 2,0" in text and "1 aree senza dato" in text
