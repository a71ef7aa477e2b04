"""Static choropleth maps as vector SVG for reports (the atlas map is interactive; paper gets this one).

Boundaries are the territory's, simplified together as a coverage by `atlas.geo` so neighbours stay glued;
classes are the atlas's quantiles, so the same area has the same colour on the web map and on paper. Areas
without a value (missing or suppressed) are hatched and named in the legend, so that a pale fill is never
mistaken for a low value. No Django here.
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from osservatorio.atlas import classes as atlas_classes
from osservatorio.atlas import geo as atlas_geo

from .formatting import number

LEGEND_WIDTH = 190


@dataclass(frozen=True)
class MapArea:
    code: str
    name: str
    value: float | None
    suppressed: bool = False


def _finite(x) -> bool:
    return x is not None and isinstance(x, (int, float)) and math.isfinite(x)


def choropleth_svg(
    areas: Sequence[MapArea],
    geometries: Mapping[str, str],
    *,
    title: str,
    unit: str,
    decimals: int = 1,
    highlight: str | None = None,
    width: int = 560,
    height: int = 380,
) -> str:
    """A standalone SVG document: areas coloured by quantile class, the highlighted area outlined, legend."""
    wanted = {a.code for a in areas if a.code in geometries}
    if not wanted:
        return ""
    simplified = atlas_geo.simplify_coverage({c: geometries[c] for c in wanted}, tolerance=0.0015)
    map_w = width - LEGEND_WIDTH
    paths = atlas_geo.svg_paths(simplified, width=map_w - 10, height=height - 10)
    values = {a.code: (None if a.suppressed else a.value) for a in areas if a.code in paths}
    classification = atlas_classes.quantiles(values, k=5, decimals=decimals)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="Titillium Web, sans-serif">',
        f"<title>{html.escape(title)}</title>",
        '<defs><pattern id="nodata" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><rect width="6" height="6" fill="#ffffff"/>'
        '<line x1="0" y1="0" x2="0" y2="6" stroke="#8a8a8a" stroke-width="1.5"/></pattern></defs>',
        f'<rect width="{width}" height="{height}" fill="white"/>',
        '<g transform="translate(5,5)">',
    ]
    outline = ""
    names = {a.code: a for a in areas}
    for code, d in paths.items():
        cls = classification.class_of(code)
        fill = "url(#nodata)" if cls is None else cls.colour
        a = names[code]
        out.append(
            f'<path d="{d}" fill="{fill}" fill-rule="evenodd" stroke="#5c6f82" stroke-width="0.6">'
            f"<title>{html.escape(a.name)}: {html.escape(number(values[code], decimals))}</title></path>"
        )
        if code == highlight:
            outline = f'<path d="{d}" fill="none" stroke="#000000" stroke-width="2.5"/>'
    out.append(outline + "</g>")
    lx, y = map_w + 5, 18
    out.append(f'<text x="{lx}" y="{y}" font-size="12" font-weight="bold">{html.escape(unit)}</text>')
    for c in classification.classes:
        y += 22
        out.append(
            f'<rect x="{lx}" y="{y - 12}" width="18" height="14" fill="{c.colour}" stroke="#5c6f82" stroke-width="0.5"/>'
            f'<text x="{lx + 24}" y="{y}" font-size="11">{html.escape(c.label)} ({c.count})</text>'
        )
    missing = sum(1 for v in values.values() if not _finite(v))
    if missing:
        y += 22
        out.append(
            f'<rect x="{lx}" y="{y - 12}" width="18" height="14" fill="url(#nodata)" stroke="#5c6f82" stroke-width="0.5"/>'
            f'<text x="{lx + 24}" y="{y}" font-size="11">non disponibile o riservato ({missing})</text>'
        )
    if outline:
        y += 22
        out.append(
            f'<rect x="{lx}" y="{y - 12}" width="18" height="14" fill="none" stroke="#000000" stroke-width="2.5"/>'
            f'<text x="{lx + 24}" y="{y}" font-size="11">{html.escape(names[highlight].name)}</text>'
        )
    out.append("</svg>")
    return "".join(out)


def describe(areas: Sequence[MapArea], *, title: str, unit: str, decimals: int = 1) -> str:
    """Alternative text: what the map shows, the highest and lowest areas, how many have no value."""
    shown = [a for a in areas if _finite(a.value) and not a.suppressed]
    if not shown:
        return f"Mappa: {title}. Nessun valore disponibile per le aree mostrate."
    hi = max(shown, key=lambda a: a.value)
    lo = min(shown, key=lambda a: a.value)
    text = (
        f"Mappa coropletica: {title}; {len(areas)} aree in cinque classi di quantili, dal chiaro (valori bassi) "
        f"allo scuro (valori alti). Valore più alto: {hi.name}, {number(hi.value, decimals)} {unit}; "
        f"più basso: {lo.name}, {number(lo.value, decimals)} {unit}."
    )
    missing = len(areas) - len(shown)
    if missing:
        text += f" {missing} aree senza dato o con dato riservato, tratteggiate."
    return text + " I valori di ogni area sono nella tabella che segue."
