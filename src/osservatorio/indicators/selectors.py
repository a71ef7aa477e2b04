"""Reads for pages and reports: only DataPoints of published releases."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Max

from . import peers, stats
from .comparison import Estimate, compare, ranks
from .covid import baseline, events
from .models import DataPoint, Domain, Indicator, Release, ReleaseStatus
from .trend import trend

PEER_FEATURES = {
    "popolazione": "popolazione-residente",
    "densita": "densita-abitativa",
    "aree_interne": "residenti-aree-interne",
    "quota_65": "quota-65-piu",
}


def catalogue_by_domain() -> list[tuple[str, list[Indicator]]]:
    by = defaultdict(list)
    for ind in Indicator.objects.filter(active=True):
        by[ind.domain].append(ind)
    return [(label, by[value]) for value, label in Domain.choices if by[value]]


def release_for(indicator: Indicator) -> Release | None:
    return (
        Release.objects.filter(status=ReleaseStatus.PUBLISHED, datapoints__indicator=indicator)
        .order_by("-created_at", "-id")
        .distinct()
        .first()
    )


def points(indicator: Indicator, release: Release | None = None, **filters):
    release = release or release_for(indicator)
    if release is None:
        return DataPoint.objects.none()
    filters.setdefault("breakdown_key", "")
    return DataPoint.objects.filter(release=release, indicator=indicator, **filters)


def periods(indicator: Indicator, level: str) -> list:
    qs = (
        points(indicator, area_level=level)
        .values_list("period_start", "period_end", "granularity")
        .distinct()
    )
    return sorted(set(qs), reverse=True)


def levels_available(indicator: Indicator) -> list[str]:
    return sorted(
        set(points(indicator).values_list("area_level", flat=True)),
        key=lambda lvl: (
            ["italia", "regione", "provincia", "ambito", "comune", "quartiere"].index(lvl)
            if lvl in ["italia", "regione", "provincia", "ambito", "comune", "quartiere"]
            else 9
        ),
    )


def estimate(dp: DataPoint | None) -> Estimate:
    if dp is None:
        return Estimate(None)
    return Estimate(dp.value, dp.ci95_low, dp.ci95_high, comparable=not (dp.suppressed or dp.missing))


def parent_map(codes: list[str]) -> dict[str, str]:
    """Nearest administrative parent (provincia for comuni, regione for province) of each code."""
    from osservatorio.territory.models import LEVEL_RANK, Membership, valid_on_q

    out = {}
    links = (
        Membership.objects.filter(child__code__in=codes)
        .filter(valid_on_q(_today()))
        .values_list("child__code", "parent__code", "parent__level")
    )
    best: dict[str, tuple[int, str]] = {}
    for child, parent, level in links:
        if level == "ambito":
            continue
        rank = LEVEL_RANK[level]
        if child not in best or rank > best[child][0]:
            best[child] = (rank, parent)
    for c, (_r, p) in best.items():
        out[c] = p
    return out


def _today():
    from datetime import date

    return date.today()


def area_table(indicator: Indicator, level: str, period_start=None) -> dict:
    """Values of every area of a level for a period, with comparison to its parent and rank among siblings."""
    qs = points(indicator, area_level=level)
    if period_start is None:
        period_start = qs.aggregate(m=Max("period_start"))["m"]
    rows = list(qs.filter(period_start=period_start).order_by("area_code"))
    parents = parent_map([r.area_code for r in rows])
    parent_points = {
        dp.area_code: dp
        for dp in points(indicator, period_start=period_start, area_code__in=set(parents.values()))
    }
    sibling_values = defaultdict(dict)
    for r in rows:
        sibling_values[parents.get(r.area_code)][r.area_code] = (
            None if (r.suppressed or r.missing) else r.value
        )
    rank_of = {}
    for _parent, values in sibling_values.items():
        rank_of.update(ranks(values, indicator.polarity))
    names = area_names([r.area_code for r in rows] + list(parents.values()))
    out = []
    for r in rows:
        p = parents.get(r.area_code)
        out.append(
            {
                "dp": r,
                "name": names.get(r.area_code, r.area_code),
                "parent_name": names.get(p, p) if p else "",
                "comparison": compare(estimate(r), estimate(parent_points.get(p)), indicator.polarity)
                if p
                else "",
                "rank": rank_of.get(r.area_code),
            }
        )
    return {"period_start": period_start, "rows": out}


def area_names(codes) -> dict[str, str]:
    from osservatorio.territory.models import Area

    return {a.code: a.display_name for a in Area.objects.filter(code__in=set(codes))}


def series(indicator: Indicator, area_code: str, breakdown_key: str = "") -> list[DataPoint]:
    return list(points(indicator, area_code=area_code, breakdown_key=breakdown_key).order_by("period_start"))


def area_profile(indicator: Indicator, area_code: str) -> dict:
    """Series, comparisons with every containing area and the peer group, trend and COVID baseline."""
    from osservatorio.territory.models import Area
    from osservatorio.territory.selectors import ancestors

    s = series(indicator, area_code)
    latest = next((dp for dp in reversed(s) if dp.value is not None), s[-1] if s else None)
    comparisons = []
    area = Area.objects.filter(code=area_code).first()
    if latest is not None and area is not None:
        for anc in ancestors(area):
            other = points(indicator, area_code=anc.code, period_start=latest.period_start).first()
            comparisons.append(
                {
                    "name": anc.display_name,
                    "dp": other,
                    "label": compare(estimate(latest), estimate(other), indicator.polarity),
                }
            )
        peer = peer_comparison(indicator, area_code, latest)
        if peer:
            comparisons.append(peer)
    usable = [dp for dp in s if dp.granularity == s[-1].granularity] if s else []
    kind = {"proportion": "proportion", "rate": "rate", "count": "count"}.get(indicator.kind, "other")
    # A year of a few months (a measure that started in April) is not comparable with whole years: no trend
    # across it, and it is never a pre-pandemic baseline or an observed pandemic year.
    comparable = not any(dp.break_before for dp in usable[-4:]) and not any(
        _partial_year(dp) for dp in usable[-5:]
    )
    tr = trend(
        [dp.value if (dp.value is not None and not dp.break_before) else None for dp in usable[-5:]]
        if comparable
        else [None],
        [dp.numerator for dp in usable[-5:]],
        [dp.denominator for dp in usable[-5:]] if indicator.denominator_unit else None,
        kind,
        indicator.polarity,
    )
    whole_years = [dp for dp in s if dp.granularity == "anno" and not _partial_year(dp)]
    yearly = {dp.period_start.year: dp.value for dp in whole_years}
    half = {
        dp.period_start.year: (dp.ci95_high - dp.ci95_low) / 2
        for dp in whole_years
        if dp.ci95_low is not None and dp.ci95_high is not None
    }
    covid = (
        baseline(yearly, half, indicator.break_years)
        if any(y < 2020 for y in yearly) and any(2020 <= y <= 2022 for y in yearly)
        else []
    )
    # Regional events (zone colours, regional measures) apply to the areas of that regione.
    regioni = [a.code for a in ([area, *ancestors(area)] if area else []) if a.level == "regione"]
    region_codes = ("IT", *regioni)
    timeline = events(region_codes) if indicator.covid_relevant or covid else []
    return {
        "series": s,
        "latest": latest,
        "comparisons": comparisons,
        "trend": tr,
        "covid": covid,
        "timeline": timeline,
    }


def _partial_year(dp: DataPoint) -> bool:
    return dp.granularity == "anno" and (
        (dp.period_start.month, dp.period_start.day) != (1, 1)
        or (dp.period_end.month, dp.period_end.day) != (12, 31)
    )


def peer_comparison(indicator: Indicator, area_code: str, latest: DataPoint) -> dict | None:
    if latest.area_level != "comune":
        return None
    feats: dict[str, dict[str, float]] = defaultdict(dict)
    for name, code in PEER_FEATURES.items():
        ind = Indicator.objects.filter(code=code).first()
        if ind is None:
            return None
        qs = points(ind, area_level="comune")
        last = qs.aggregate(m=Max("period_start"))["m"]
        for c, v in qs.filter(period_start=last).values_list("area_code", "value"):
            feats[c][name] = v
    near = peers.nearest(area_code, feats, k=10)
    if not near:
        return None
    codes = [c for c, _ in near]
    pts = list(points(indicator, area_code__in=codes, period_start=latest.period_start))
    num = sum(p.numerator for p in pts if p.numerator is not None and p.denominator is not None)
    den = sum(p.denominator for p in pts if p.numerator is not None and p.denominator is not None)
    if not den:
        return None
    value = num / den * indicator.multiplier
    low, high = stats.interval(indicator.interval_method, num, den, indicator.multiplier)
    est = Estimate(value, float(low), float(high))
    names = area_names(codes)
    return {
        "name": "Gruppo di comuni simili (" + ", ".join(names.get(c, c) for c in codes[:5]) + "…)",
        "dp": None,
        "peer_value": value,
        "peer_low": None if low != low else float(low),
        "peer_high": None if high != high else float(high),
        "label": compare(estimate(latest), est, indicator.polarity),
    }


def composite_matrix(codes: list[str], level: str, year: int) -> tuple[list[str], list[list[float | None]]]:
    """Areas × indicators for the latest period of `year` (values of published DataPoints, None if absent)."""
    by_code: dict[str, dict[str, float | None]] = {}
    areas: set[str] = set()
    for code in codes:
        ind = Indicator.objects.get(code=code)
        qs = points(ind, area_level=level).filter(period_start__year=year)
        last = qs.aggregate(m=Max("period_start"))["m"]
        vals = {
            a: (None if (s or m) else v)
            for a, v, s, m in qs.filter(period_start=last).values_list(
                "area_code", "value", "suppressed", "missing"
            )
        }
        by_code[code] = vals
        areas |= set(vals)
    ordered = sorted(areas)
    return ordered, [[by_code[c].get(a) for c in codes] for a in ordered]
