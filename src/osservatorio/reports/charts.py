"""Charts of a report: the atlas's Vega-Lite specifications, converted to vector SVG for paper and preview.

Specifications come from `osservatorio.atlas.charts` so that a chart in a PDF and the same chart on the
atlas page are built by the same code. Conversion uses vl-convert with Titillium Web registered, so the text
in the SVG (axis labels, legends) is real text in the report's font, searchable in the PDF.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
import threading
import xml.etree.ElementTree as ET
from functools import lru_cache
from pathlib import Path

from osservatorio.atlas import charts as atlas_charts

# Width in CSS pixels of a chart on an A4 page with 2 cm margins at WeasyPrint's 96 dpi.
PDF_WIDTH = 560

_lock = threading.Lock()
_fonts_registered = False
FONTS = Path(__file__).resolve().parent.parent / "core" / "static" / "vendor" / "bootstrap-italia" / "fonts"


def _register_fonts(vlc) -> None:
    global _fonts_registered
    with _lock:
        if not _fonts_registered:
            if (FONTS / "Titillium_Web").is_dir():
                vlc.register_font_directory(str(FONTS / "Titillium_Web"))
            _fonts_registered = True


# Bump when `slim_svg` or the conversion changes, so that cached files made the old way are not reused.
CACHE_VERSION = "1"
SVG_NS = "http://www.w3.org/2000/svg"
_NS = "{" + SVG_NS + "}"
_TRANSLATE = re.compile(r"^translate\(\s*(-?[\d.e+-]+)[ ,]+(-?[\d.e+-]+)\s*\)$")
_NUMBER = re.compile(r"-?\d+\.\d{3,}")
_DROP_ATTRIBUTES = ("class", "role", "pointer-events", "aria-label", "aria-roledescription", "aria-hidden")


def _round(text: str) -> str:
    """Numbers in path data and transforms to 2 decimals: a hundredth of a CSS pixel is invisible on paper."""
    return _NUMBER.sub(lambda m: f"{float(m.group()):.2f}".rstrip("0").rstrip("."), text)


def _slim_children(parent: ET.Element) -> None:
    out: list[ET.Element] = []
    for el in list(parent):
        tag = el.tag.removeprefix(_NS)
        if el.get("display") == "none":
            continue
        cls = el.get("class", "")
        if tag == "path" and cls in ("background", "foreground") and not (el.get("fill") or el.get("stroke")):
            continue  # Vega's invisible hit areas of group marks
        for name in _DROP_ATTRIBUTES:
            el.attrib.pop(name, None)
        if "d" in el.attrib:
            el.set("d", _round(el.get("d")))
        m = _TRANSLATE.match(el.get("transform", ""))
        if m and tag in ("line", "text") and not any(k in el.attrib for k in ("x", "y", "x1", "y1")):
            dx, dy = float(m.group(1)), float(m.group(2))
            del el.attrib["transform"]
            if tag == "line":
                el.set("x1", f"{dx:.2f}")
                el.set("y1", f"{dy:.2f}")
                el.set("x2", f"{dx + float(el.get('x2', 0)):.2f}")
                el.set("y2", f"{dy + float(el.get('y2', 0)):.2f}")
            else:
                el.set("x", f"{dx:.2f}")
                el.set("y", f"{dy:.2f}")
        elif "transform" in el.attrib:
            el.set("transform", _round(el.get("transform")))
        if tag == "g":
            _slim_children(el)
            if len(el) == 0:
                continue  # an empty group draws nothing
            if not el.attrib:
                out.extend(el)  # a bare group: its children take its place
                continue
        out.append(el)
    parent[:] = out


def slim_svg(svg: str) -> str:
    """The same drawing with fewer nodes: Vega's SVG carries ARIA attributes for the web, invisible hit-area
    paths, empty and attribute-less groups and a translate() on every line and label. WeasyPrint draws
    SVG node by node, so each one removed is time saved on every page; the PDF keeps the figure's
    alternative text on the image itself."""
    ET.register_namespace("", SVG_NS)
    ET.register_namespace("xlink", "http://www.w3.org/1999/xlink")
    root = ET.fromstring(svg)  # noqa: S314 - vl-convert's own output, never user input
    for name in _DROP_ATTRIBUTES:
        root.attrib.pop(name, None)
    _slim_children(root)
    return ET.tostring(root, encoding="unicode")


def cache_dir() -> Path | None:
    """Where converted charts are kept between renders (VAR_DIR/cache/report-charts), if configured."""
    try:
        from django.conf import settings

        return Path(settings.VAR_DIR) / "cache" / "report-charts"
    except Exception:  # noqa: BLE001 - outside Django (scripts, pure tests) there is no disk cache
        return None


def _convert(spec_json: str) -> str:
    import vl_convert as vlc

    _register_fonts(vlc)
    return slim_svg(vlc.vegalite_to_svg(json.loads(spec_json)))


@lru_cache(maxsize=512)
def _svg(spec_json: str) -> str:
    import vl_convert as vlc

    folder = cache_dir()
    if folder is None:
        return _convert(spec_json)
    key = hashlib.sha256(f"{CACHE_VERSION}|{vlc.__version__}|{spec_json}".encode()).hexdigest()
    path = folder / key[:2] / f"{key}.svg"
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        pass
    svg = _convert(spec_json)
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".svg", dir=path.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(svg)
        os.replace(tmp, path)  # atomic: a concurrent render reads the whole file or none
    except OSError:
        # A read-only or full disk only costs the next render a conversion; no partial file is left.
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
    return svg


def to_svg(spec: dict) -> str:
    """Vector SVG of a Vega-Lite specification. The same specification (same data, same options) is
    converted once: in memory for the process, on disk (by content hash) across processes and renders."""
    return _svg(json.dumps(spec, sort_keys=True, ensure_ascii=False))


time_series = atlas_charts.time_series
ranked_bars = atlas_charts.ranked_bars
covid_baseline = atlas_charts.covid_baseline
