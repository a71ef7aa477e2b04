"""Reads for reports: released DataPoints only, areas of the territory, definitions and generated files.

`ReleasedData` is what a report sees of the world. For each indicator it reads the latest *published*
release holding it (releases may be partial) and remembers which one, so the generated file records the
data it was built on. Nothing here reads unreleased numbers or the source warehouse.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db.models import Max

from osservatorio.indicators.models import DataPoint, Indicator, ReleaseStatus
from osservatorio.territory import selectors as territory
from osservatorio.territory.models import Area, Boundary, Level

from .models import GeneratedReport, GenerationStatus, ReportDefinition


@dataclass(frozen=True)
class AreaInfo:
    code: str
    name: str
    level: str

    @property
    def short(self) -> str:
        """The name in a table header or a legend: a province is named as such, so that the comune and the
        province of Cremona are never two columns both called "Cremona"."""
        return f"Provincia di {self.name}" if self.level == Level.PROVINCIA else self.name

    @property
    def label(self) -> str:
        """The name as written in a sentence: "Comune di Cremona", "Ambito Cremonese", "Lombardia"."""
        if self.level == Level.COMUNE:
            return f"Comune di {self.name}"
        if self.level == Level.PROVINCIA:
            return f"Provincia di {self.name}"
        if self.level == Level.AMBITO and not self.name.lower().startswith("ambito"):
            return f"Ambito {self.name}"
        return self.name


@dataclass(frozen=True)
class IndicatorInfo:
    code: str
    title: str
    short: str
    definition: str
    unit: str
    decimals: int
    polarity: str
    kind: str
    domain: str
    method: str
    numerator: str
    numerator_source: str
    denominator: str
    denominator_source: str
    caveats: str
    proxy_of: str
    interval_method: str
    disclosure_threshold: int | None
    break_years: tuple[int, ...]
    non_ufficiale: bool


@dataclass(frozen=True)
class Point:
    area_code: str
    start: date
    end: date
    granularity: str
    value: float | None
    low: float | None
    high: float | None
    numerator: float | None
    denominator: float | None
    suppressed: bool
    missing: bool
    provisional: bool
    estimated: bool
    break_before: bool
    note: str

    @property
    def year(self) -> int:
        return self.start.year

    @property
    def usable(self) -> bool:
        return self.value is not None and not self.suppressed


def _area(a: Area) -> AreaInfo:
    return AreaInfo(a.code, a.name, a.level)


class ReleasedData:
    """Released DataPoints, indicators and areas, read in bulk and cached for one report."""

    def __init__(self):
        self._indicators: dict[str, IndicatorInfo | None] = {}
        self._releases: dict[str, int | None] = {}
        self._points: dict[tuple[str, str], dict[str, list[Point]]] = {}
        self._areas: dict[str, AreaInfo | None] = {}
        self._ancestors: dict[str, dict[str, AreaInfo]] = {}
        self._members: dict[tuple[str, str], list[AreaInfo]] = {}

    # --- indicators -------------------------------------------------------------------------------------
    def indicator(self, code: str) -> IndicatorInfo | None:
        if code not in self._indicators:
            self.load_indicators([code])
        return self._indicators[code]

    def load_indicators(self, codes: Iterable[str]) -> None:
        wanted = [c for c in codes if c not in self._indicators]
        if not wanted:
            return
        for c in wanted:
            self._indicators[c] = None
        for i in Indicator.objects.filter(code__in=wanted, active=True):
            self._indicators[i.code] = IndicatorInfo(
                code=i.code,
                title=i.title_it,
                short=i.short_it,
                definition=i.definition_it,
                unit=i.unit_it,
                decimals=i.decimals,
                polarity=i.polarity,
                kind=i.kind,
                domain=i.get_domain_display(),
                method=i.method_it,
                numerator=i.numerator_it,
                numerator_source=i.numerator_source,
                denominator=i.denominator_it,
                denominator_source=i.denominator_source,
                caveats=i.caveats_it,
                proxy_of=i.proxy_of_it,
                interval_method=i.get_interval_method_display(),
                disclosure_threshold=i.disclosure_threshold,
                break_years=i.break_years,
                non_ufficiale=i.non_ufficiale,
            )
        rows = (
            DataPoint.objects.filter(release__status=ReleaseStatus.PUBLISHED, indicator__code__in=wanted)
            .values("indicator__code")
            .annotate(latest=Max("release_id"))
        )
        for c in wanted:
            self._releases[c] = None
        for r in rows:
            self._releases[r["indicator__code"]] = r["latest"]

    def release_of(self, code: str) -> int | None:
        self.indicator(code)
        return self._releases.get(code)

    @property
    def used_releases(self) -> dict[str, int]:
        """Indicator code → release id, for every indicator whose numbers the report read."""
        read = {code for code, _ in self._points}
        return {c: r for c, r in self._releases.items() if r is not None and c in read}

    # --- data points -----------------------------------------------------------------------------------
    def points(self, code: str, area_codes: Iterable[str], breakdown_key: str = "") -> dict[str, list[Point]]:
        """Released points of an indicator for these areas, oldest first; areas without points are absent."""
        key = (code, breakdown_key)
        cache = self._points.setdefault(key, {})
        missing = [a for a in dict.fromkeys(area_codes) if a not in cache]
        release = self.release_of(code)
        if missing:
            for a in missing:
                cache[a] = []
            if release is not None:
                qs = DataPoint.objects.filter(
                    release_id=release,
                    indicator__code=code,
                    area_code__in=missing,
                    breakdown_key=breakdown_key,
                ).order_by("period_start", "period_end")
                for d in qs.values_list(
                    "area_code",
                    "period_start",
                    "period_end",
                    "granularity",
                    "value",
                    "ci95_low",
                    "ci95_high",
                    "numerator",
                    "denominator",
                    "suppressed",
                    "missing",
                    "provisional",
                    "estimated",
                    "break_before",
                    "note",
                ):
                    p = Point(*d)
                    if p.suppressed:
                        # A suppressed cell shows no number anywhere, whatever the release stored.
                        p = Point(
                            p.area_code,
                            p.start,
                            p.end,
                            p.granularity,
                            None,
                            None,
                            None,
                            None,
                            None,
                            True,
                            p.missing,
                            p.provisional,
                            p.estimated,
                            p.break_before,
                            p.note,
                        )
                    cache[p.area_code].append(p)
        return {a: cache[a] for a in area_codes if cache.get(a)}

    def series(self, code: str, area_code: str, granularity: str | None = None) -> list[Point]:
        pts = self.points(code, [area_code]).get(area_code, [])
        return [p for p in pts if granularity is None or p.granularity == granularity]

    # --- territory -------------------------------------------------------------------------------------
    def area(self, code: str) -> AreaInfo | None:
        if code not in self._areas:
            a = Area.objects.filter(code=code).first()
            self._areas[code] = _area(a) if a else None
        return self._areas[code]

    def ancestors(self, code: str) -> dict[str, AreaInfo]:
        """Containing areas by level (ambito, provincia, regione, italia). An ambito takes the province and
        region of its comuni, because ambiti are not members of provinces in the territory."""
        if code not in self._ancestors:
            out: dict[str, AreaInfo] = {}
            area = Area.objects.filter(code=code).first()
            if area is not None:
                for a in territory.ancestors(area):
                    out.setdefault(a.level, _area(a))
                if area.level == Level.AMBITO:
                    first = territory.members(area).first()
                    if first is not None:
                        for a in territory.ancestors(first):
                            if a.level != Level.AMBITO:
                                out.setdefault(a.level, _area(a))
            self._ancestors[code] = out
        return self._ancestors[code]

    def members(self, code: str, level: str = Level.COMUNE) -> list[AreaInfo]:
        key = (code, level)
        if key not in self._members:
            area = Area.objects.filter(code=code).first()
            self._members[key] = [_area(a) for a in territory.members(area, level)] if area else []
            for m in self._members[key]:
                self._areas.setdefault(m.code, m)
        return self._members[key]

    def geometries(self, codes: Iterable[str]) -> dict[str, str]:
        return dict(Boundary.objects.filter(area__code__in=list(codes)).values_list("area__code", "geojson"))


def current_releases(codes: Iterable[str]) -> dict[str, int]:
    rows = (
        DataPoint.objects.filter(release__status=ReleaseStatus.PUBLISHED, indicator__code__in=list(codes))
        .values("indicator__code")
        .annotate(latest=Max("release_id"))
    )
    return {r["indicator__code"]: r["latest"] for r in rows}


def superseded(report: GeneratedReport) -> list[str]:
    """Indicators of the report whose data have since been replaced by a newer published release."""
    used = report.releases or {}
    if not used:
        return []
    now = current_releases(used)
    return sorted(code for code, rid in used.items() if now.get(code) not in (None, rid))


def definitions_for(user) -> list[ReportDefinition]:
    return list(ReportDefinition.objects.all())


def published_reports():
    return GeneratedReport.objects.filter(public=True, status=GenerationStatus.DONE).select_related(
        "definition"
    )


def recent_reports(definition: ReportDefinition | None = None, limit: int = 20):
    qs = GeneratedReport.objects.select_related("definition", "created_by")
    if definition is not None:
        qs = qs.filter(definition=definition)
    return qs[:limit]
