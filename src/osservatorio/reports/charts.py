"""Charts of a report: the atlas's Vega-Lite specifications, converted to vector SVG for paper and preview.

Specifications come from `osservatorio.atlas.charts` so that a chart in a PDF and the same chart on the
atlas page are built by the same code. Conversion uses vl-convert with Titillium Web registered, so the text
in the SVG (axis labels, legends) is real text in the report's font, searchable in the PDF.
"""

from __future__ import annotations

import json
import threading
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


@lru_cache(maxsize=512)
def _svg(spec_json: str) -> str:
    import vl_convert as vlc

    _register_fonts(vlc)
    return vlc.vegalite_to_svg(json.loads(spec_json))


def to_svg(spec: dict) -> str:
    """Vector SVG of a Vega-Lite specification; identical specifications are converted once per process."""
    return _svg(json.dumps(spec, sort_keys=True, ensure_ascii=False))


time_series = atlas_charts.time_series
ranked_bars = atlas_charts.ranked_bars
covid_baseline = atlas_charts.covid_baseline
