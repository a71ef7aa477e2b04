"""Vega-Lite specifications for the atlas and the reports: plain rows in, a JSON-ready dict out.

Contract (stable; the reports app renders these to SVG with `vl_convert.vegalite_to_svg(spec)`):
- every function is pure (no Django, no database, no I/O) and returns a dict that is a complete Vega-Lite
  v6 specification with the data inlined under `data.values`;
- values are numbers already in the indicator's display scale (the DataPoint `value`, which includes the
  multiplier); `None` means missing or suppressed and is never drawn as zero;
- `description` is set on every spec (vega-embed turns it into the chart's aria-label); the page or the PDF
  still shows the accessible table and the text summary next to the chart (see `atlas.summaries`);
- colour is never the only carrier: highlighted areas also get a different shape or a text label, and the
  comparison categories are written in the tooltip and the legend;
- `width` defaults to "container" for the web; pass `width=` a number for static output (PDF).

Functions: `time_series`, `ranked_bars`, `spine`, `population_pyramid`, `covid_baseline`, and
`snapshot_series`, which tells a yearly series from a few snapshots at different reference months.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import date

SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"

# Bootstrap Italia palette (AA contrast on white for marks and text).
PRIMARY = "#0066cc"
GREY = "#5d7083"
LIGHT = "#b1c4d6"
DARK = "#17324d"
EVENT = "#a66300"
COMPARISON_COLOURS = {
    "migliore": "#008758",
    "simile": "#a66300",
    "peggiore": "#cc334d",
    "più alto": "#5c6f82",
    "più basso": "#5c6f82",
    "non confrontabile": "#9aa7b4",
}
SEX_LABELS = {"M": "Maschi", "F": "Femmine"}
FONT = "Titillium Web, Geneva, Tahoma, sans-serif"


def _finite(x) -> bool:
    return x is not None and isinstance(x, (int, float)) and math.isfinite(x)


def _clean(x):
    return float(x) if _finite(x) else None


def number_format(decimals: int) -> str:
    return f",.{max(0, int(decimals))}f"


def _base(description: str, title: str | None, width, height) -> dict:
    spec: dict = {
        "$schema": SCHEMA,
        "description": description,
        "width": width,
        "height": height,
        "config": {
            "font": FONT,
            "view": {"stroke": None},
            "axis": {"labelFontSize": 12, "titleFontSize": 12, "labelColor": DARK, "titleColor": DARK},
            "legend": {"labelFontSize": 12, "titleFontSize": 12, "orient": "bottom", "titleLimit": 500},
            # Italian number format: comma for decimals, dot for thousands.
            "locale": {
                "number": {
                    "decimal": ",",
                    "thousands": ".",
                    "grouping": [3],
                    "currency": ["", " €"],
                }
            },
        },
    }
    if width == "container":
        # Fill the page's width; with a discrete (step) height only the width can be fitted.
        spec["autosize"] = {"type": "fit-x" if isinstance(height, dict) else "fit", "contains": "padding"}
    if title:
        spec["title"] = {"text": title, "anchor": "start", "fontSize": 14, "color": DARK}
    return spec


# The trend label of snapshots: no test for a trend is run on periods that are not evenly spaced.
SNAPSHOT_TREND = "serie non confrontabile"


def snapshot_series(periods: Iterable[tuple[date, date, str]]) -> bool:
    """Whether a series' periods (start, end, granularity) are snapshots rather than a regular series.

    Some sources publish a measure only for a few reference periods chosen by the publisher — INPS's RdC/PdC
    tables for April–August 2019, December 2021 and June 2023. Drawn as a yearly line they would look like
    an evenly spaced series and be joined across periods that are not comparable (a five-month total next to
    one month). Snapshots: no yearly period, at most one period starting in each year, and either more than
    one granularity or single months (a month of one year next to another month of another year). Yearly
    series, stocks on one date of each year ("data") and monthly series with several months a year are not
    snapshots.
    """
    distinct = {(s, e, g) for s, e, g in periods}
    if len(distinct) < 2:
        return False
    granularities = {g for _s, _e, g in distinct}
    if "anno" in granularities:
        return False
    years = [s.year for s, _e, _g in distinct]
    if len(set(years)) != len(years):
        return False
    return len(granularities) > 1 or granularities == {"mese"}


def partial_year(start: date, end: date, granularity: str) -> bool:
    """A yearly period that covers only some months (a measure that started in April, a year not over)."""
    return granularity == "anno" and (start != date(start.year, 1, 1) or end != date(start.year, 12, 31))


def partial_year_breaks(periods: Iterable[tuple[date, date, str]]) -> list[int]:
    """Years at which a yearly line must be cut: a year of a few months next to a whole year is not
    comparable with it (RdC applications: April–December 2019, January–June 2023). Empty for whole years."""
    partial: dict[int, bool] = {}
    for s, e, g in periods:
        partial[s.year] = partial.get(s.year, False) or partial_year(s, e, g)
    years = sorted(partial)
    return [y for prev, y in zip(years, years[1:], strict=False) if partial[prev] or partial[y]]


# Events are tagged on the chart by their number (the full text is in the tooltip and in the numbered list
# under the chart): whole labels of the 2020 measures, a few weeks apart, overwrote each other. Events closer
# than EVENT_GAP of the time axis share one tag ("2–6"); tags that would still touch go on the next row.
EVENT_ROWS = 2
EVENT_ROW_PX = 12
EVENT_GAP = 1 / 40  # share of the time axis that one number needs


def event_marks(events: Iterable[Mapping], dates: Sequence[str] = ()) -> list[dict]:
    """Rule marks for dated events, numbered from 1 in the order given (the list under the chart uses the
    same order); the first event of each group of close ones carries the group's tag and its row."""
    given = [e for e in events if e.get("date")]
    days = [date.fromisoformat(str(e["date"])[:10]).toordinal() for e in given]
    axis = days + [date.fromisoformat(d[:10]).toordinal() for d in dates]
    gap = (max(axis) - min(axis)) * EVENT_GAP if axis else 0
    groups: list[list[int]] = []
    for i, day in enumerate(days):
        if groups and day - days[groups[-1][0]] < gap:
            groups[-1].append(i)
        else:
            groups.append([i])
    out = [
        {"date": str(e["date"]), "label": f"{i + 1}. {e.get('label', '')}", "tag": "", "kind": "event"}
        for i, e in enumerate(given)
    ]
    ends: list[float | None] = [None] * EVENT_ROWS  # the day where the last tag of each row ends
    for g in groups:
        first, last = g[0] + 1, g[-1] + 1
        tag = (
            str(first) if first == last else (f"{first}, {last}" if last == first + 1 else f"{first}–{last}")
        )
        day = days[g[0]]
        row = next((r for r, end in enumerate(ends) if end is None or day >= end), None)
        if row is None:  # every row is busy: the one that frees first
            row = min(range(EVENT_ROWS), key=lambda r: ends[r] or 0)
        ends[row] = day + gap * max(1.0, len(tag) / 2)
        out[g[0]].update(tag=tag, row_px=(row + 1) * EVENT_ROW_PX)
    return out


def time_series(
    rows: Iterable[Mapping],
    *,
    unit: str = "",
    decimals: int = 1,
    breaks: Sequence[int] = (),
    events: Iterable[Mapping] = (),
    title: str | None = None,
    description: str = "",
    width="container",
    height: int = 260,
) -> dict:
    """Line per series over years, with the 95% interval as a band, series breaks and dated events.

    rows: {"series": "Cremona", "year": 2019, "value": 12.3, "low": 11.9, "high": 12.8} (low/high optional).
      Snapshots (see `snapshot_series`) also carry "date" (ISO, where the point is drawn, e.g. the middle of
      the reference period) and "period" (its label, "apr–ago 2019"): the tooltip then names the period, and
      each point's interval is drawn as a vertical rule, since a lone point has no band.
    breaks: years from which a series is not comparable with the previous years — the line is cut there
      and a dashed rule with the label "interruzione di serie" is drawn. For snapshots pass the year of
      every snapshot after the first, so that no two snapshots are joined.
    events: {"date": "2020-03-10", "label": "Lockdown nazionale"} — drawn as rules with a short label.
    """
    breaks = tuple(sorted({int(b) for b in breaks}))
    values = []
    for r in rows:
        year = int(r["year"])
        segment = sum(1 for b in breaks if year >= b)
        v = {
            "series": str(r.get("series", "")),
            "year": year,
            "date": str(r.get("date") or f"{year}-07-01"),
            "value": _clean(r.get("value")),
            "low": _clean(r.get("low")),
            "high": _clean(r.get("high")),
            "segment": f"{r.get('series', '')}#{segment}",
        }
        if r.get("period"):
            v["period"] = str(r["period"])
        if r.get("monthly"):
            v["monthly"] = True
        values.append(v)
    values.sort(key=lambda v: (v["series"], v["date"]))
    labelled = any("period" in v for v in values)
    # Monthly rows (see atlas.selectors.chart_rows) are named by their month but joined like a yearly series.
    monthly = labelled and all(v.get("monthly") for v in values if "period" in v)
    snapshots = labelled and not monthly
    fmt = number_format(decimals)
    y_title = unit or "valore"
    x_title = "Periodo di riferimento" if snapshots else ("Mese" if monthly else "Anno")
    x = {"field": "date", "type": "temporal", "title": x_title, "axis": {"format": "%Y", "tickCount": "year"}}
    if snapshots:
        x["scale"] = {"padding": 12}  # a lone first or last point is not drawn on the axis
    tooltip = [
        {"field": "series", "title": "Area"},
        {"field": "period", "title": "Mese" if monthly else "Periodo"}
        if labelled
        else {"field": "year", "title": "Anno"},
        {"field": "value", "title": y_title, "format": fmt},
        {"field": "low", "title": "IC 95% inferiore", "format": fmt},
        {"field": "high", "title": "IC 95% superiore", "format": fmt},
    ]
    colour = {
        "field": "series",
        "type": "nominal",
        "title": "Area",
        "scale": {"range": [PRIMARY, DARK, EVENT, "#008758", "#cc334d", GREY]},
    }
    layers: list[dict] = [
        {
            "transform": [{"filter": "isValid(datum.low) && isValid(datum.high)"}],
            "mark": {"type": "area", "opacity": 0.18},
            "encoding": {
                "x": x,
                "y": {"field": "low", "type": "quantitative"},
                "y2": {"field": "high"},
                # The legend comes from the line layer (colour and shape together): a legend here too would
                # draw a second, duplicated "Area" legend.
                "color": {**colour, "legend": None},
                "detail": {"field": "segment"},
            },
        },
        {
            "transform": [{"filter": "isValid(datum.value)"}],
            "mark": {"type": "line", "point": {"filled": True, "size": 50}, "strokeWidth": 2},
            "encoding": {
                "x": x,
                "y": {"field": "value", "type": "quantitative", "title": y_title, "scale": {"zero": False}},
                "color": colour,
                "shape": {"field": "series", "type": "nominal", "title": "Area"},
                "detail": {"field": "segment"},
                "tooltip": tooltip,
            },
        },
    ]
    if snapshots and any(v["low"] is not None and v["high"] is not None for v in values):
        layers.append(
            {
                "transform": [
                    {"filter": "isValid(datum.value) && isValid(datum.low) && isValid(datum.high)"}
                ],
                "mark": {"type": "rule", "strokeWidth": 1.5},
                "encoding": {
                    "x": x,
                    "y": {"field": "low", "type": "quantitative"},
                    "y2": {"field": "high"},
                    "color": {**colour, "legend": None},
                    "tooltip": tooltip,
                },
            }
        )
    marks = [
        {"date": f"{b}-01-01", "label": "interruzione di serie", "tag": "interruzione di serie", "kind": "break",
         "row_px": 0}
        for b in breaks
    ]  # fmt: skip
    marks += event_marks(events, [v["date"] for v in values])
    if marks:
        layers.append(
            {
                "data": {"values": marks},
                "mark": {"type": "rule", "strokeWidth": 1.5},
                "encoding": {
                    "x": {"field": "date", "type": "temporal"},
                    "color": {"value": EVENT},
                    "strokeDash": {
                        "field": "kind",
                        "type": "nominal",
                        "scale": {"domain": ["break", "event"], "range": [[6, 4], [2, 2]]},
                        "legend": None,
                    },
                    "tooltip": [
                        {"field": "label", "title": "Evento"},
                        {"field": "date", "type": "temporal", "title": "Data", "format": "%d/%m/%Y"},
                    ],
                },
            }
        )
        layers.append(
            {
                "data": {"values": [m for m in marks if m["tag"]]},
                "mark": {
                    "type": "text",
                    "align": "left",
                    "baseline": "top",
                    "dx": 3,
                    "dy": 2,
                    "fontSize": 10,
                },
                "encoding": {
                    "x": {"field": "date", "type": "temporal"},
                    "y": {"field": "row_px", "type": "quantitative", "scale": None},
                    "text": {"field": "tag"},
                    "color": {"value": EVENT},
                },
            }
        )
    spec = _base(description or (title or "Serie storica"), title, width, height)
    spec["data"] = {"values": values}
    spec["layer"] = layers
    return spec


def ranked_bars(
    rows: Iterable[Mapping],
    *,
    highlight: Sequence[str] = (),
    benchmark: Mapping | None = None,
    unit: str = "",
    decimals: int = 1,
    title: str | None = None,
    description: str = "",
    width="container",
    bar_height: int = 16,
) -> dict:
    """Areas ranked by value (highest first), each with its 95% interval as a black rule.

    rows: {"code": "019036", "name": "Cremona", "value": 12.3, "low": ..., "high": ..., "comparison": "simile"}
      — comparison optional (colours the bar; the label is in the tooltip). Missing values are listed last
      with the text "n.d." rather than a zero-length bar.
    highlight: codes drawn with a darker bar and a "▶" before the name (not colour alone).
    benchmark: {"name": "Lombardia", "value": 10.1} drawn as a dashed vertical rule.
    """
    hl = set(highlight)
    values = []
    for r in rows:
        v = _clean(r.get("value"))
        name = str(r.get("name", r.get("code", "")))
        values.append(
            {
                "code": str(r.get("code", "")),
                "name": name,
                "label": ("▶ " + name) if r.get("code") in hl else name,
                "value": v,
                "low": _clean(r.get("low")),
                "high": _clean(r.get("high")),
                "comparison": str(r.get("comparison") or ""),
                "highlight": r.get("code") in hl,
                "missing_text": "n.d." if v is None else "",
            }
        )
    values.sort(key=lambda d: (d["value"] is None, -(d["value"] or 0), d["name"]))
    fmt = number_format(decimals)
    order = [d["label"] for d in values]
    y = {"field": "label", "type": "nominal", "sort": order, "title": None, "axis": {"labelLimit": 220}}
    x_title = unit or "valore"
    use_comparison = any(d["comparison"] for d in values)
    if use_comparison:
        domain = [k for k in COMPARISON_COLOURS if any(d["comparison"] == k for d in values)]
        colour = {
            "field": "comparison",
            "type": "nominal",
            "title": "Confronto",
            "scale": {"domain": domain, "range": [COMPARISON_COLOURS[k] for k in domain]},
        }
    else:
        colour = {
            "condition": {"test": "datum.highlight", "value": DARK},
            "value": LIGHT,
        }
    layers: list[dict] = [
        {
            "transform": [{"filter": "isValid(datum.value)"}],
            "mark": {"type": "bar", "height": {"band": 0.75}},
            "encoding": {
                "y": y,
                "x": {"field": "value", "type": "quantitative", "title": x_title},
                "color": colour,
                "stroke": {"condition": {"test": "datum.highlight", "value": "#000000"}, "value": None},
                "strokeWidth": {"condition": {"test": "datum.highlight", "value": 2}, "value": 0},
                "tooltip": [
                    {"field": "name", "title": "Area"},
                    {"field": "value", "title": x_title, "format": fmt},
                    {"field": "low", "title": "IC 95% inferiore", "format": fmt},
                    {"field": "high", "title": "IC 95% superiore", "format": fmt},
                    {"field": "comparison", "title": "Confronto"},
                ],
            },
        },
    ]
    # Layers only for what the data has: an empty layer still draws an unlabelled <svg> group, which axe
    # reports as an image without alternative text.
    if any(d["low"] is not None and d["high"] is not None for d in values):
        layers.append(
            {
                "transform": [{"filter": "isValid(datum.low) && isValid(datum.high)"}],
                "mark": {"type": "rule", "color": "#000000", "strokeWidth": 1.2},
                "encoding": {"y": y, "x": {"field": "low", "type": "quantitative"}, "x2": {"field": "high"}},
            }
        )
    if any(d["value"] is None for d in values):
        layers.append(
            {
                "transform": [{"filter": "!isValid(datum.value)"}],
                "mark": {"type": "text", "align": "left", "dx": 2, "color": GREY},
                "encoding": {"y": y, "x": {"value": 0}, "text": {"field": "missing_text"}},
            }
        )
    if benchmark and _finite(benchmark.get("value")):
        layers.append(
            {
                "data": {
                    "values": [{"name": str(benchmark.get("name", "")), "value": float(benchmark["value"])}]
                },
                "mark": {"type": "rule", "strokeDash": [6, 4], "color": DARK, "strokeWidth": 1.5},
                "encoding": {
                    "x": {"field": "value", "type": "quantitative"},
                    "tooltip": [
                        {"field": "name", "title": "Riferimento"},
                        {"field": "value", "title": x_title, "format": fmt},
                    ],
                },
            }
        )
    spec = _base(description or (title or "Graduatoria delle aree"), title, width, {"step": bar_height + 6})
    spec["data"] = {"values": values}
    spec["layer"] = layers
    return spec


def _quantile(sorted_values: Sequence[float], q: float) -> float:
    # Linear interpolation between closest ranks (numpy's default), without numpy for a tiny list.
    n = len(sorted_values)
    pos = (n - 1) * q
    lo = math.floor(pos)
    hi = min(lo + 1, n - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (pos - lo)


def spine_rows(
    indicator: str, area_value, sibling_values: Iterable, polarity: str, benchmark_value=None, **extra
) -> dict:
    """One row of a spine chart: where an area sits among its siblings, scaled so that 0 = worst and
    1 = best (for indicators without polarity 0 = lowest, 1 = highest).

    The scale is centred on the benchmark when given (as Fingertips does with England): worst → 0,
    benchmark → 0.5, best → 1; otherwise min → 0, max → 1."""
    vals = sorted(float(v) for v in sibling_values if _finite(v))
    row = {"indicator": indicator, **extra}
    if not vals or not _finite(area_value):
        row.update(
            {
                "worst": None,
                "q25": None,
                "q75": None,
                "best": None,
                "area": None,
                "benchmark": None,
                "n": len(vals),
            }
        )
        return row
    flip = polarity == "lower_is_better"

    def oriented(v: float) -> float:
        return -v if flip else v

    ov = sorted(oriented(v) for v in vals)
    lo, hi = ov[0], ov[-1]
    bench = oriented(float(benchmark_value)) if _finite(benchmark_value) else None

    def scale(v: float) -> float:
        if bench is not None and lo < bench < hi:
            if v <= bench:
                return 0.5 * (v - lo) / (bench - lo)
            return 0.5 + 0.5 * (v - bench) / (hi - bench)
        return 0.5 if hi == lo else (v - lo) / (hi - lo)

    a = oriented(float(area_value))
    row.update(
        {
            "worst": 0.0,
            "q25": round(scale(_quantile(ov, 0.25)), 4),
            "q75": round(scale(_quantile(ov, 0.75)), 4),
            "best": 1.0,
            "area": round(min(1.0, max(0.0, scale(a))), 4),
            "benchmark": round(scale(bench), 4) if bench is not None else None,
            "n": len(vals),
            "min_value": vals[0],
            "max_value": vals[-1],
            "value": float(area_value),
        }
    )
    return row


def spine(
    rows: Iterable[Mapping],
    *,
    area_name: str = "",
    benchmark_name: str = "",
    title: str | None = None,
    description: str = "",
    width="container",
    row_height: int = 26,
) -> dict:
    """Spine chart (Fingertips style): one row per indicator, rows built with `spine_rows`.

    Grey bar = range among sibling areas (left = worst, right = best), darker band = middle half
    (25th–75th percentile), black diamond = the area, vertical tick = the benchmark. The comparison label
    (`comparison` key, optional) fills the diamond and is written in the tooltip.
    """
    values = [dict(r) for r in rows]
    order = [v["indicator"] for v in values]
    y = {"field": "indicator", "type": "nominal", "sort": order, "title": None, "axis": {"labelLimit": 260}}
    x_scale = {"domain": [0, 1]}
    x_axis = {
        "values": [0, 0.5, 1],
        "labelExpr": "datum.value == 0 ? 'peggiore' : datum.value == 1 ? 'migliore' : ''",
        "title": None,
        "grid": False,
    }
    domain = list(COMPARISON_COLOURS)
    layers = [
        {
            "transform": [{"filter": "isValid(datum.area)"}],
            "mark": {"type": "bar", "color": "#e3e8ee", "height": {"band": 0.7}},
            "encoding": {
                "y": y,
                "x": {"field": "worst", "type": "quantitative", "scale": x_scale, "axis": x_axis},
                "x2": {"field": "best"},
            },
        },
        {
            "transform": [{"filter": "isValid(datum.area)"}],
            "mark": {"type": "bar", "color": LIGHT, "height": {"band": 0.7}},
            "encoding": {"y": y, "x": {"field": "q25", "type": "quantitative"}, "x2": {"field": "q75"}},
        },
        {
            "transform": [{"filter": "isValid(datum.benchmark)"}],
            "mark": {"type": "tick", "color": DARK, "thickness": 2},
            "encoding": {"y": y, "x": {"field": "benchmark", "type": "quantitative"}},
        },
        {
            "transform": [{"filter": "isValid(datum.area)"}],
            "mark": {"type": "point", "shape": "diamond", "size": 140, "filled": True, "stroke": "#000000"},
            "encoding": {
                "y": y,
                "x": {"field": "area", "type": "quantitative"},
                "color": {
                    "field": "comparison",
                    "type": "nominal",
                    "title": f"{area_name} rispetto a {benchmark_name}".strip()
                    if benchmark_name
                    else "Confronto",
                    "scale": {"domain": domain, "range": [COMPARISON_COLOURS[k] for k in domain]},
                },
                "tooltip": [
                    {"field": "indicator", "title": "Indicatore"},
                    {"field": "value", "title": area_name or "Valore"},
                    {"field": "min_value", "title": "Minimo tra le aree"},
                    {"field": "max_value", "title": "Massimo tra le aree"},
                    {"field": "n", "title": "Aree confrontate"},
                    {"field": "comparison", "title": "Confronto"},
                ],
            },
        },
        {
            "transform": [{"filter": "!isValid(datum.area)"}],
            "mark": {"type": "text", "align": "left", "color": GREY},
            "encoding": {"y": y, "x": {"value": 2}, "text": {"value": "non disponibile"}},
        },
    ]
    spec = _base(
        description or (title or "Posizione dell'area tra le aree dello stesso livello"),
        title,
        width,
        {"step": row_height},
    )
    spec["data"] = {"values": values}
    spec["layer"] = layers
    return spec


def population_pyramid(
    rows: Iterable[Mapping],
    *,
    title: str | None = None,
    description: str = "",
    width="container",
    height: int = 320,
    as_share: bool = False,
) -> dict:
    """Population pyramid: rows {"age_band": "0-4", "sex": "M"|"F", "population": 1234}.

    Age bands keep the order in which they first appear (youngest first → drawn at the bottom). With
    as_share the bars are shares of the total population (so areas of different size compare).
    """
    rows = [dict(r) for r in rows]
    order: list[str] = []
    for r in rows:
        if r["age_band"] not in order:
            order.append(str(r["age_band"]))
    total = sum(float(r["population"]) for r in rows if _finite(r.get("population"))) or 1.0
    values = []
    for r in rows:
        pop = _clean(r.get("population"))
        if pop is None:
            continue
        amount = pop / total if as_share else pop
        sex = str(r["sex"]).upper()[:1]
        values.append(
            {
                "age_band": str(r["age_band"]),
                "sex": SEX_LABELS.get(sex, sex),
                "signed": -amount if sex == "M" else amount,
                "amount": amount,
            }
        )
    fmt = ".1%" if as_share else ",d"
    spec = _base(description or (title or "Piramide dell'età"), title, width, height)
    spec["data"] = {"values": values}
    spec["mark"] = {"type": "bar"}
    spec["encoding"] = {
        "y": {
            "field": "age_band",
            "type": "ordinal",
            "sort": list(reversed(order)),
            "title": "Età",
        },
        "x": {
            "field": "signed",
            "type": "quantitative",
            "title": "Quota della popolazione" if as_share else "Residenti",
            "axis": {"labelExpr": "format(abs(datum.value), '" + (".1~%" if as_share else "~s") + "')"},
        },
        "color": {
            "field": "sex",
            "type": "nominal",
            "title": "Sesso",
            "scale": {"domain": ["Maschi", "Femmine"], "range": [PRIMARY, EVENT]},
        },
        "tooltip": [
            {"field": "age_band", "title": "Età"},
            {"field": "sex", "title": "Sesso"},
            {"field": "amount", "title": "Quota" if as_share else "Residenti", "format": fmt},
        ],
    }
    return spec


def covid_baseline(
    observed: Iterable[Mapping],
    expected: Iterable[Mapping],
    *,
    unit: str = "",
    decimals: int = 1,
    events: Iterable[Mapping] = (),
    title: str | None = None,
    description: str = "",
    width="container",
    height: int = 260,
) -> dict:
    """Observed yearly values against the pre-2020 baseline.

    observed: {"year": 2018, "value": 12.3}; expected: {"year": 2020, "expected": 12.0, "low": 11.0,
    "high": 13.0, "significant": True} — the expected band is drawn for the pandemic years and the
    observed points that fall outside it are drawn as filled squares (not colour alone).
    """
    obs = [{"year": int(r["year"]), "value": _clean(r.get("value"))} for r in observed]
    exp = [
        {
            "year": int(r["year"]),
            "expected": _clean(r.get("expected")),
            "low": _clean(r.get("low")),
            "high": _clean(r.get("high")),
            "significant": bool(r.get("significant")),
        }
        for r in expected
    ]
    sig = {e["year"]: e["significant"] for e in exp}
    for o in obs:
        o["date"] = f"{o['year']}-07-01"
        o["status"] = (
            "diverso dall'atteso"
            if sig.get(o["year"])
            else ("nell'atteso" if o["year"] in sig else "prima della pandemia")
        )
    for e in exp:
        e["date"] = f"{e['year']}-07-01"
    fmt = number_format(decimals)
    x = {"field": "date", "type": "temporal", "title": "Anno", "axis": {"format": "%Y", "tickCount": "year"}}
    y_title = unit or "valore"
    layers = [
        {
            "data": {"values": [e for e in exp if e["low"] is not None and e["high"] is not None]},
            "mark": {"type": "area", "color": LIGHT, "opacity": 0.6},
            "encoding": {"x": x, "y": {"field": "low", "type": "quantitative"}, "y2": {"field": "high"}},
        },
        {
            "data": {"values": [e for e in exp if e["expected"] is not None]},
            "mark": {"type": "line", "strokeDash": [6, 4], "color": GREY, "point": {"color": GREY}},
            "encoding": {
                "x": x,
                "y": {"field": "expected", "type": "quantitative"},
                "tooltip": [
                    {"field": "year", "title": "Anno"},
                    {"field": "expected", "title": "Atteso", "format": fmt},
                    {"field": "low", "title": "Atteso, minimo", "format": fmt},
                    {"field": "high", "title": "Atteso, massimo", "format": fmt},
                ],
            },
        },
        {
            "data": {"values": [o for o in obs if o["value"] is not None]},
            "mark": {"type": "line", "color": PRIMARY, "strokeWidth": 2},
            "encoding": {
                "x": x,
                "y": {"field": "value", "type": "quantitative", "title": y_title, "scale": {"zero": False}},
            },
        },
        {
            "data": {"values": [o for o in obs if o["value"] is not None]},
            "mark": {"type": "point", "filled": True, "size": 70},
            "encoding": {
                "x": x,
                "y": {"field": "value", "type": "quantitative"},
                "shape": {
                    "field": "status",
                    "type": "nominal",
                    "title": "Osservato",
                    "scale": {
                        "domain": ["prima della pandemia", "nell'atteso", "diverso dall'atteso"],
                        "range": ["circle", "triangle-up", "square"],
                    },
                },
                "color": {
                    "field": "status",
                    "type": "nominal",
                    "title": "Osservato",
                    "scale": {
                        "domain": ["prima della pandemia", "nell'atteso", "diverso dall'atteso"],
                        "range": [PRIMARY, PRIMARY, "#cc334d"],
                    },
                },
                "tooltip": [
                    {"field": "year", "title": "Anno"},
                    {"field": "value", "title": "Osservato", "format": fmt},
                    {"field": "status", "title": "Rispetto all'atteso"},
                ],
            },
        },
    ]
    marks = [{"date": str(e["date"]), "label": str(e.get("label", ""))} for e in events if e.get("date")]
    if marks:
        layers.append(
            {
                "data": {"values": marks},
                "mark": {"type": "rule", "color": EVENT, "strokeDash": [2, 2]},
                "encoding": {
                    "x": {"field": "date", "type": "temporal"},
                    "tooltip": [{"field": "label", "title": "Evento"}],
                },
            }
        )
    spec = _base(description or (title or "Valori osservati e attesi senza pandemia"), title, width, height)
    spec["layer"] = layers
    return spec
