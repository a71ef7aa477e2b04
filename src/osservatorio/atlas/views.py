"""Public reading pages of the atlas: thin views over `selectors`, charts from `charts`, maps from `classes`.

Every page is public: it shows only released, disclosure-controlled aggregates.
"""

from __future__ import annotations

import json
from datetime import date

from django.core.cache import cache
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_GET

from osservatorio.accounts.access import public
from osservatorio.core.pagecache import cacheable_public_page
from osservatorio.indicators import covid as covid_mod
from osservatorio.measures import selectors as measures_selectors
from osservatorio.territory import selectors as territory
from osservatorio.territory.models import LEVEL_RANK, Level

from . import charts, classes, downloads, params, selectors, text
from .errors import UserFacing400, friendly
from .ratelimit import rate_limited

VALUE_COLUMNS = [
    ("area_code", "codice_area"),
    ("area_name", "area"),
    ("area_level", "livello"),
    ("indicator", "indicatore"),
    ("period_start", "inizio_periodo"),
    ("period_end", "fine_periodo"),
    ("granularity", "granularita"),
    ("value", "valore"),
    ("ci95_low", "ic95_inferiore"),
    ("ci95_high", "ic95_superiore"),
    ("numerator", "numeratore"),
    ("denominator", "denominatore"),
    ("suppressed", "riservato"),
    ("provisional", "provvisorio"),
    ("estimated", "stimato"),
    ("break_before", "interruzione_serie"),
    ("non_ufficiale", "non_ufficiale"),
    ("note", "nota"),
]
EVENT_KINDS_SHOWN = ("misura", "restrizione", "fine")
RANKED_BARS_MAX = 60


def _breadcrumbs(*items):
    crumbs = [{"label": _("Atlante"), "url": reverse("atlas:index")}]
    crumbs += [{"label": label, "url": url} for label, url in items]
    return crumbs


def _events_for(area_codes=("IT",)):
    return [
        {"date": e.start.isoformat(), "label": e.title}
        for e in covid_mod.events(tuple(area_codes))
        if e.kind in EVENT_KINDS_SHOWN
    ]


def _region_codes(area) -> tuple[str, ...]:
    regions = [a.code for a in territory.ancestors(area) if a.level == Level.REGIONE]
    if area.level == Level.REGIONE:
        regions.append(area.code)
    return ("IT", *regions)


def _chart(spec: dict, element_id: str) -> dict:
    return {"id": element_id, "spec": spec}


# --- Index and search ---------------------------------------------------------------------------------------


@public
@cacheable_public_page
@require_GET
def index(request):
    inds = selectors.released_indicators()
    by_domain: dict[str, list] = {}
    for ind in inds:
        by_domain.setdefault(ind.get_domain_display(), []).append(ind)
    home = selectors.home_area()
    return render(
        request,
        "atlas/index.html",
        {
            "domains": sorted(by_domain.items()),
            "home": home,
            "map_choices": selectors.map_choices(),
            "breadcrumbs": [{"label": _("Atlante"), "url": ""}],
        },
    )


@public
@require_GET
@friendly
def search(request):
    q = params.one(request, "q", max_len=100)
    areas = territory.search(q, limit=12) if q else []
    provinces = territory.province_of(areas)
    context = {
        "q": q,
        "areas": [(a, provinces.get(a.id)) for a in areas],
        "indicators": selectors.search_indicators(q) if q else [],
    }
    if request.htmx:
        return render(request, "atlas/_search_results.html", context)
    context["breadcrumbs"] = _breadcrumbs((_("Cerca"), ""))
    return render(request, "atlas/search.html", context)


# --- Area profile -------------------------------------------------------------------------------------------


def _profile_context(area):
    prof = selectors.profile(area)
    spine_rows = []
    for r in prof["rows"]:
        bench_cmp = r["comparisons"][0]["label"] if r["comparisons"] else ""
        spine_rows.append(
            charts.spine_rows(
                r["indicator"].title,
                r["row"]["value"],
                r["sibling_values"],
                r["indicator"].polarity,
                r["parent_value"],
                comparison=bench_cmp,
            )
        )
    return prof, spine_rows


@public
@cacheable_public_page
@require_GET
@friendly
def area_profile(request, code):
    area = territory.get_area(code)
    if area.code != code:
        return redirect("atlas:area", code=area.code, permanent=True)
    # The body depends only on the area, the release and the language: rendered once per release and kept
    # (the page around it, with the visitor's CSRF token and login state, is rendered per request).
    key = f"atlas:html:area:{area.code}:{selectors.release_key()}:{get_language()}"
    cached = cache.get(key)
    if cached is None:
        body, breadcrumbs = _area_body(area)
        cached = {"body": body, "breadcrumbs": breadcrumbs}
        cache.set(key, cached, selectors.CACHE_SECONDS)
    return render(
        request,
        "atlas/area.html",
        {
            "area": area,
            "body": mark_safe(cached["body"]),  # noqa: S308 - our own template output
            "breadcrumbs": cached["breadcrumbs"],
            # Outside the body kept per release: an analista's edit to the catalogue shows without a new release.
            "measures": _measures_for(area),
        },
    )


def _area_body(area) -> tuple[str, list]:
    prof, spine_rows = _profile_context(area)
    ancestors = territory.ancestors(area)
    parent = prof["parent"]
    first_bench = prof["benchmarks"][0].name if prof["benchmarks"] else ""
    chart_list = []
    if spine_rows and parent:
        chart_list.append(
            _chart(
                charts.spine(
                    spine_rows,
                    area_name=area.display_name,
                    benchmark_name=parent.name,
                    # A fixed width: "container" collapses this layered step-height chart to zero width.
                    width=640,
                    description=_("Posizione di %(a)s tra le aree di %(p)s per ogni indicatore")
                    % {"a": area.display_name, "p": parent.name},
                ),
                "chart-spine",
            )
        )
    pyr = selectors.pyramid(area)
    pyramid_spec = None
    if pyr and pyr["rows"] and any(r["population"] for r in pyr["rows"]):
        pyramid_spec = charts.population_pyramid(
            pyr["rows"],
            as_share=True,
            description=_("Piramide dell'età di %(a)s, %(y)s") % {"a": area.display_name, "y": pyr["year"]},
        )
    covid = _covid_panel(area, prof)
    headline = [r for r in prof["rows"] if r["code"] in selectors.HEADLINE_DEFAULT]
    breadcrumbs = _breadcrumbs(
        *[(a.display_name, reverse("atlas:area", args=[a.code])) for a in reversed(ancestors)],
        (area.display_name, ""),
    )
    neighbours = []
    if area.level == Level.COMUNE:
        _p, sibs = selectors.siblings(area)
        neighbours = [s for s in sibs if s.code != area.code][:50]
    body = render_to_string(
        "atlas/_area_body.html",
        {
            "area": area,
            "ancestors": ancestors,
            "profile": prof,
            "first_bench": first_bench,
            "spine": chart_list[0] if chart_list else None,
            "pyramid": pyr,
            "pyramid_spec": pyramid_spec,
            "covid": covid,
            "headline": headline,
            "neighbours": neighbours,
        },
    )
    return body, breadcrumbs


def _covid_panel(area, prof) -> dict | None:
    """The first COVID-relevant yearly indicator with pre-2020 data: observed vs baseline."""
    for r in prof["rows"]:
        ind = r["indicator"]
        # Whole years only: a year of a few months is no baseline and no observed year.
        rows = [x for x in r["series"] if x["granularity"] == "anno" and not selectors.partial(x)]
        yearly = {selectors.period_year(x): x["value"] for x in rows}
        if not any(y < 2020 for y in yearly) or not any(2020 <= y <= 2022 for y in yearly):
            continue
        if not (ind.covid_relevant or ind.domain in ("reddito", "sostegni")):
            continue
        half = {
            selectors.period_year(x): (x["ci95_high"] - x["ci95_low"]) / 2
            for x in rows
            if x["ci95_low"] is not None and x["ci95_high"] is not None
        }
        base = covid_mod.baseline(yearly, half, ind.break_years)
        trend = [b for b in base if b.method == "tendenza"]
        if not any(b.expected is not None for b in trend):
            continue
        observed = [{"year": y, "value": v} for y, v in sorted(yearly.items()) if y >= 2012]
        expected = [
            {
                "year": b.year,
                "expected": b.expected,
                "low": b.expected_low,
                "high": b.expected_high,
                "significant": b.significant,
            }
            for b in trend
        ]
        events = [e for e in _events_for(_region_codes(area)) if "2020" <= e["date"][:4] <= "2022"][:4]
        spec = charts.covid_baseline(
            observed,
            expected,
            unit=ind.unit_it,
            decimals=ind.decimals,
            events=events,
            description=_("%(i)s a %(a)s: valori osservati e attesi senza la pandemia")
            % {"i": ind.title, "a": area.display_name},
        )
        return {
            "indicator": ind,
            "spec": spec,
            "baseline": trend,
            "mean": [b for b in base if b.method == "media"],
        }
    return None


def _measures_for(area) -> list:
    """Support measures in force today that reach people living in the area (from the measures catalogue)."""
    return measures_selectors.measures_for_area(area.code)


@public
@require_GET
@rate_limited("download")
@friendly
def area_profile_data(request, code, fmt):
    area = territory.get_area(code)
    prof = selectors.profile(area)
    rows = []
    for r in prof["rows"]:
        row = dict(r["row"])
        row["area_name"] = area.name
        row["indicator"] = r["code"]
        row["indicator_title"] = r["indicator"].title_it
        row["unit"] = r["indicator"].unit_it
        row["trend"] = r["trend"].label
        for c in r["comparisons"]:
            row[f"confronto_{c['area'].level}"] = c["label"]
        rows.append(row)
    extra = [("indicator_title", "titolo"), ("unit", "unita")]
    extra += [(f"confronto_{b.level}", f"confronto_{b.level}") for b in prof["benchmarks"]]
    extra += [("trend", "tendenza")]
    return downloads.respond(rows, VALUE_COLUMNS + extra, fmt, f"profilo-{area.code}", {"area": area.code})


# --- Indicators ----------------------------------------------------------------------------------------------


@public
@require_GET
def indicator_list(request):
    return redirect("atlas:index")


def _map_state(request, indicator):
    choices = selectors.map_choices()
    default_container = choices[-1] if choices else None
    home = selectors.home_area()
    if home is not None and home in choices:
        default_container = home
    available = selectors.levels_of(indicator)
    if default_container is not None and not set(selectors.MAP_LEVELS[default_container.level]) & set(
        available
    ):
        # Published only for larger areas (INPS by province): the nearest container whose members have values.
        nearest = sorted(choices, key=lambda a: -LEVEL_RANK[a.level])
        default_container = next(
            (a for a in nearest if set(selectors.MAP_LEVELS[a.level]) & set(available)), default_container
        )
    container = params.area(request, "entro", default_container.code if default_container else "IT")
    allowed = selectors.MAP_LEVELS.get(container.level)
    if not allowed:
        raise UserFacing400(
            _(
                "La mappa si disegna dentro un ambito, una provincia, una regione o l'Italia: «%(c)s» è un %(l)s."
            )
            % {"c": container.display_name, "l": container.get_level_display()}
        )
    allowed = [lv for lv in allowed if lv in available] or allowed
    level = params.choice(request, "livello", allowed, allowed[0])
    method = params.choice(request, "classi", list(classes.METHODS), "quantili")
    period = params.one(request, "periodo", max_len=10)
    if period:
        try:
            date.fromisoformat(period)
        except ValueError:
            raise UserFacing400(
                _("«%(p)s» non è un periodo valido: usare una data AAAA-MM-GG tra quelle proposte.")
                % {"p": period}
            ) from None
    data = selectors.area_values(indicator, container, level, period or None)
    if period and data["period"] and data["period"]["start"] != period:
        raise UserFacing400(
            _("Per il periodo %(p)s non ci sono valori a livello %(l)s: scegliere tra quelli proposti.")
            % {"p": period, "l": level}
        )
    return container, level, method, data


def _classifications(indicator, data, container) -> dict:
    values = {r["code"]: (r["row"] or {}).get("value") for r in data["rows"]}
    out = {
        "quantili": classes.quantiles(values, 5, indicator.decimals).as_dict(),
        "intervalli": classes.equal_intervals(values, 5, indicator.decimals).as_dict(),
    }
    est = {r["code"]: selectors.estimate(r["row"]) for r in data["rows"]}
    out["confronto"] = classes.comparison(
        est, selectors.estimate(data["parent"]), indicator.polarity, container.display_name
    ).as_dict()
    return out


@public
@cacheable_public_page
@require_GET
@friendly
def indicator_detail(request, code):
    indicator = selectors.get_indicator(code)
    home = selectors.home_area()
    focus = params.area(request, "area", "")
    if focus is None:
        focus = home or territory.get_area("IT")
    container, level, method, data = _map_state(request, indicator)
    # Time series: the focus area and its benchmarks.
    series_areas = [focus, *selectors.benchmarks(focus)][:5]
    ser = selectors.series(indicator, [a.code for a in series_areas])
    names = {a.code: a.display_name for a in series_areas}
    ts_rows, cuts = selectors.chart_rows(ser, names)
    snapshots = selectors.snapshot_labels(ser)
    summaries = [
        text.series_summary(indicator, names[a.code], ser.get(a.code, []), selectors.period_label)
        for a in series_areas
    ]
    breaks = list(indicator.break_years) + sorted(
        {selectors.period_year(r) for rows in ser.values() for r in rows if r["break_before"]}
    )
    if not snapshots:
        breaks += cuts  # years of only a few months next to whole years
    events = _events_for(_region_codes(focus)) if ts_rows else []
    years = [r["year"] for r in ts_rows]
    if years:
        events = [e for e in events if min(years) <= int(e["date"][:4]) <= max(years) + 1]
    ts_spec = charts.time_series(
        ts_rows,
        unit=indicator.unit_it,
        decimals=indicator.decimals,
        breaks=sorted(set(breaks) | set(cuts)),
        events=events,
        description=_("%(i)s nel tempo: %(a)s") % {"i": indicator.title, "a": ", ".join(names.values())},
    )
    period_label = data["period"]["label"] if data["period"] else ""
    bars = [
        {
            "code": r["code"],
            "name": r["name"],
            "value": (r["row"] or {}).get("value"),
            "low": (r["row"] or {}).get("ci95_low"),
            "high": (r["row"] or {}).get("ci95_high"),
            "comparison": r["comparison"],
        }
        for r in data["rows"]
    ]
    shown = bars
    if len(bars) > RANKED_BARS_MAX:
        # Hundreds of bars are unreadable (and slow to draw): the chart shows both ends, the table every area.
        ordered = sorted((b for b in bars if b["value"] is not None), key=lambda b: b["value"], reverse=True)
        half = RANKED_BARS_MAX // 2
        keep = {b["code"] for b in ordered[:half] + ordered[-half:]} | {focus.code}
        shown = [b for b in bars if b["code"] in keep]
    bar_spec = charts.ranked_bars(
        shown,
        highlight=[focus.code],
        benchmark={"name": container.display_name, "value": (data["parent"] or {}).get("value")},
        unit=indicator.unit_it,
        decimals=indicator.decimals,
        description=_("%(i)s: aree di %(c)s in ordine di valore, %(p)s")
        % {"i": indicator.title, "c": container.display_name, "p": period_label},
    )
    table_series = []
    for a in series_areas:
        for r in ser.get(a.code, []):
            table_series.append({"area": names[a.code], "period": selectors.period_label(r), "row": r})
    cls = _classifications(indicator, data, container)
    map_values = {
        r["code"]: {
            "v": (r["row"] or {}).get("value"),
            "t": text.value(r["row"], indicator),
            "c": r["comparison"],
        }
        for r in data["rows"]
    }
    query = request.GET.copy()
    return render(
        request,
        "atlas/indicator.html",
        {
            "indicator": indicator,
            "focus": focus,
            "series_areas": series_areas,
            "ts_spec": ts_spec,
            "ts_summaries": summaries,
            "table_series": table_series,
            "breaks": sorted(set(breaks)),
            "snapshots": snapshots,
            "events": events,
            "container": container,
            "level": level,
            "level_label": Level(level).label,
            "method": method,
            "method_labels": classes.METHOD_LABELS,
            "data": data,
            "period_label": period_label,
            "bar_spec": bar_spec,
            "bars_truncated": len(shown) < len(bars),
            "bars_any": any(b["value"] is not None for b in bars),
            "bars_half": RANKED_BARS_MAX // 2,
            "ranking_summary": text.ranking_summary(
                indicator, data["rows"], container.display_name, period_label
            ),
            "classifications": cls,
            "map_values": map_values,
            "map_choices": selectors.map_choices(),
            "level_choices": [(lv, Level(lv).label) for lv in selectors.MAP_LEVELS.get(container.level, [])],
            "geometry_url": reverse("atlas:geometry", args=[container.code, level]),
            "query": query.urlencode(),
            "breadcrumbs": _breadcrumbs((indicator.title, "")),
            "sources": _sources_of(indicator),
        },
    )


def _sources_of(indicator) -> list[dict]:
    from osservatorio.sources.models import Dataset

    keys = [s for s in indicator.sources if ":" not in s]
    out = []
    for ds in Dataset.objects.filter(key__in=keys).select_related("source"):
        out.append(
            {
                "key": ds.key,
                "title": getattr(ds, "title", ds.key),
                "publisher": getattr(ds.source, "publisher", ""),
                "licence": getattr(ds.source, "licence", ""),
                "licence_url": getattr(ds.source, "licence_url", ""),
                "url": getattr(ds.source, "url", ""),
            }
        )
    return out


@public
@require_GET
@rate_limited("download")
@friendly
def indicator_data(request, code, fmt):
    """The map/ranking table (one period, every area of a level in a container) as CSV, Excel or JSON."""
    indicator = selectors.get_indicator(code)
    container, level, _method, data = _map_state(request, indicator)
    rows = []
    for r in data["rows"]:
        if r["row"] is None:
            continue
        row = dict(r["row"])
        row.update({"area_name": r["name"], "indicator": indicator.code, "confronto": r["comparison"]})
        row["rank"] = (r["rank"] or {}).get("rank")
        rows.append(row)
    return downloads.respond(
        rows,
        VALUE_COLUMNS + [("confronto", f"confronto_con_{container.code}"), ("rank", "posizione")],
        fmt,
        f"{indicator.code}-{container.code}-{level}",
        {"indicatore": indicator.code, "entro": container.code, "livello": level, "periodo": data["period"]},
    )


@public
@require_GET
@rate_limited("download")
@friendly
def indicator_series_data(request, code, fmt):
    indicator = selectors.get_indicator(code)
    focus = params.area(request, "area", "") or selectors.home_area() or territory.get_area("IT")
    areas = [focus, *selectors.benchmarks(focus)]
    ser = selectors.series(indicator, [a.code for a in areas])
    names = {a.code: a.name for a in areas}
    rows = []
    for a in areas:
        for r in ser.get(a.code, []):
            rows.append({**r, "area_name": names[a.code], "indicator": indicator.code})
    return downloads.respond(rows, VALUE_COLUMNS, fmt, f"{indicator.code}-serie-{focus.code}")


@public
@cacheable_public_page
@require_GET
@friendly
def indicator_geojson(request, code):
    """Map data: simplified boundaries with the released values in the properties."""
    indicator = selectors.get_indicator(code)
    container, level, method, data = _map_state(request, indicator)
    geometry = json.loads(selectors.map_geometry(container, level))
    by_code = {r["code"]: r for r in data["rows"]}
    cls = _classifications(indicator, data, container)[method]
    for f in geometry["features"]:
        r = by_code.get(f["properties"]["code"])
        row = (r or {}).get("row") or {}
        idx = cls["assignment"].get(f["properties"]["code"])
        f["properties"].update(
            {
                "indicator": indicator.code,
                "period_start": row.get("period_start"),
                "value": row.get("value"),
                "ci95_low": row.get("ci95_low"),
                "ci95_high": row.get("ci95_high"),
                "suppressed": row.get("suppressed", False),
                "comparison": (r or {}).get("comparison"),
                "class": cls["classes"][idx]["label"] if idx is not None else None,
            }
        )
    body = json.dumps(geometry, ensure_ascii=False, separators=(",", ":"))
    resp = HttpResponse(body, content_type="application/geo+json; charset=utf-8")
    resp["Content-Disposition"] = f'attachment; filename="{indicator.code}-{container.code}-{level}.geojson"'
    return resp


@public
@cacheable_public_page
@require_GET
@friendly
def geometry(request, code, level):
    container = territory.get_area(code)
    if level not in selectors.MAP_LEVELS.get(container.level, []):
        raise UserFacing400(
            _("Livello «%(l)s» non disponibile dentro %(c)s.") % {"l": level, "c": container.display_name}
        )
    resp = HttpResponse(
        selectors.map_geometry(container, level), content_type="application/geo+json; charset=utf-8"
    )
    resp["Cache-Control"] = "public, max-age=86400"
    return resp


# --- Compare -------------------------------------------------------------------------------------------------


def _compare_state(request):
    areas = params.areas(request, "aree")
    codes = []
    for v in request.GET.getlist("indicatori"):
        codes += [c for c in v.split(",") if c.strip()]
    if len(codes) > 12:
        raise UserFacing400(_("Si possono scegliere al massimo 12 indicatori."))
    indicators = [selectors.get_indicator(c.strip()[:80]) for c in codes]
    start = params.year(request, "dal")
    end = params.year(request, "al")
    if start and end and start > end:
        raise UserFacing400(
            _("L'anno «dal» (%(a)s) è dopo l'anno «al» (%(b)s): invertirli.") % {"a": start, "b": end}
        )
    return areas, indicators, start, end


def _compare_rows(areas, indicators, start, end):
    out = []
    for ind in indicators:
        ser = selectors.series(ind, [a.code for a in areas])
        snapshots = selectors.is_snapshots([r for rows in ser.values() for r in rows])
        years: dict[int, dict] = {}
        labels: dict[int, str] = {}  # years named by their period: snapshots, years of a few months
        for a in areas:
            for r in ser.get(a.code, []):
                y = selectors.period_year(r)
                if (start and y < start) or (end and y > end):
                    continue
                years.setdefault(y, {})[a.code] = r
                if snapshots or selectors.partial(r):
                    labels.setdefault(y, selectors.period_label(r))
        out.append(
            {
                "indicator": ind,
                "years": sorted(years.items()),
                "labels": labels,
                "series": ser,
            }
        )
    return out


@public
@cacheable_public_page
@require_GET
@friendly
def compare(request):
    areas, indicators, start, end = _compare_state(request)
    if not indicators and areas:
        indicators = [i for i in selectors.released_indicators() if i.code in selectors.HEADLINE_DEFAULT][:4]
    blocks = _compare_rows(areas, indicators, start, end) if areas else []
    for b in blocks:
        ind = b["indicator"]
        shown = {a.code: [cells[a.code] for _y, cells in b["years"] if a.code in cells] for a in areas}
        rows, cuts = selectors.chart_rows(shown, {a.code: a.display_name for a in areas})
        b["snapshots"] = selectors.snapshot_labels(shown)
        b["spec"] = charts.time_series(
            rows,
            unit=ind.unit_it,
            decimals=ind.decimals,
            breaks=sorted(set(ind.break_years) | set(cuts)),
            description=_("%(i)s: confronto tra %(a)s")
            % {"i": ind.title, "a": ", ".join(a.display_name for a in areas)},
        )
        b["summaries"] = [
            text.series_summary(
                ind,
                a.display_name,
                [r for y, cells in b["years"] for c, r in cells.items() if c == a.code],
                selectors.period_label,
            )
            for a in areas
        ]
    suggestions = []
    if len(areas) == 1 and areas[0].level == Level.COMUNE:
        _p, sibs = selectors.siblings(areas[0])
        suggestions = [s for s in sibs if s.code != areas[0].code]
    return render(
        request,
        "atlas/compare.html",
        {
            "areas": areas,
            "indicators": indicators,
            "all_indicators": selectors.released_indicators(),
            "blocks": blocks,
            "start": start,
            "end": end,
            "suggestions": suggestions[:200],
            "query": request.GET.urlencode(),
            "breadcrumbs": _breadcrumbs((_("Confronta"), "")),
        },
    )


@public
@require_GET
@rate_limited("download")
@friendly
def compare_data(request, fmt):
    areas, indicators, start, end = _compare_state(request)
    if not areas or not indicators:
        raise UserFacing400(_("Indicare almeno un'area (aree=) e un indicatore (indicatori=)."))
    rows = []
    for b in _compare_rows(areas, indicators, start, end):
        names = {a.code: a.name for a in areas}
        for _y, cells in b["years"]:
            for c, r in cells.items():
                rows.append({**r, "area_name": names[c], "indicator": b["indicator"].code})
    return downloads.respond(rows, VALUE_COLUMNS, fmt, "confronto")


# --- Releases and bulk download -----------------------------------------------------------------------------


@public
@cacheable_public_page
@require_GET
def releases(request):
    rels = list(selectors.published_releases()[:50])
    return render(
        request,
        "atlas/releases.html",
        {"releases": rels, "breadcrumbs": _breadcrumbs((_("Dati aperti"), ""))},
    )


@public
@require_GET
@rate_limited("bulk")
@friendly
def release_bulk(request, pk):
    from django.http import FileResponse

    from . import bulk

    release = selectors.published_releases().filter(pk=pk).first()
    if release is None:
        from osservatorio.core.http import UserFacing404

        raise UserFacing404(_("Nessun rilascio pubblicato ha il numero %(n)s.") % {"n": pk})
    path = bulk.release_zip(release)
    return FileResponse(
        open(path, "rb"), as_attachment=True, filename=f"osservatorio-rilascio-{release.pk}.zip"
    )


# --- Embeds (allowed in iframes) ----------------------------------------------------------------------------


@public
@cacheable_public_page
@require_GET
@xframe_options_exempt
@friendly
def embed_chart(request, code):
    indicator = selectors.get_indicator(code)
    focus = params.area(request, "area", "") or selectors.home_area() or territory.get_area("IT")
    areas = [focus, *selectors.benchmarks(focus)][:4]
    ser = selectors.series(indicator, [a.code for a in areas])
    rows, cuts = selectors.chart_rows(ser, {a.code: a.display_name for a in areas})
    spec = charts.time_series(
        rows,
        unit=indicator.unit_it,
        decimals=indicator.decimals,
        breaks=sorted(set(indicator.break_years) | set(cuts)),
        description=_("%(i)s nel tempo") % {"i": indicator.title},
    )
    summaries = [
        text.series_summary(indicator, a.display_name, ser.get(a.code, []), selectors.period_label)
        for a in areas
    ]
    table = [
        {"area": a.display_name, "period": selectors.period_label(r), "row": r}
        for a in areas
        for r in ser.get(a.code, [])
    ]
    return render(
        request,
        "atlas/embed_chart.html",
        {
            "indicator": indicator,
            "spec": spec,
            "summaries": summaries,
            "table": table,
            "focus": focus,
            "snapshots": selectors.snapshot_labels(ser),
        },
    )


@public
@cacheable_public_page
@require_GET
@xframe_options_exempt
@friendly
def embed_map(request, code):
    indicator = selectors.get_indicator(code)
    container, level, method, data = _map_state(request, indicator)
    return render(
        request,
        "atlas/embed_map.html",
        {
            "indicator": indicator,
            "container": container,
            "level": level,
            "method": method,
            "data": data,
            "period_label": data["period"]["label"] if data["period"] else "",
            "classifications": _classifications(indicator, data, container),
            "map_values": {
                r["code"]: {
                    "v": (r["row"] or {}).get("value"),
                    "t": text.value(r["row"], indicator),
                    "c": r["comparison"],
                }
                for r in data["rows"]
            },
            "geometry_url": reverse("atlas:geometry", args=[container.code, level]),
        },
    )


def level_sort_key(level: str) -> int:
    return LEVEL_RANK.get(level, 9)
