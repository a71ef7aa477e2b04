"""Section kinds of a report and the builder that turns a definition into a Document from released data.

A definition is data (see definitions/*.yaml and the edit page): each section has a kind, a title, a level
(1 = chapter, 2 = paragraph), Markdown text with placeholders and a configuration. Areas in a configuration
are ISTAT/ambito codes or the tokens `$area` (the report's area), `$ambito`, `$provincia`, `$regione`,
`$italia` (the area's containers). Years are a number, `"latest"` (the last year with data) or, for
series, `from_year`. Anything that does not resolve — an indicator or an area that no longer exists, a year
without data, broken Markdown — becomes a Problem naming the section, and the rest still renders.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings

from osservatorio.atlas import charts as atlas_charts
from osservatorio.indicators import comparison as cmp
from osservatorio.indicators import composite
from osservatorio.indicators import covid as covid_core
from osservatorio.indicators import trend as trend_core

from . import charts, maps, textvars
from .document import Block, Cell, Document, Figure, Problem, RenderedSection, Table
from .formatting import long_date, number, period, short_period, with_unit
from .selectors import AreaInfo, IndicatorInfo, Point, ReleasedData

KINDS = {
    "text": "Testo libero",
    "key_facts": "Fatti principali (scritti dai dati)",
    "indicator_table": "Tabella di indicatori",
    "comparison_table": "Confronto con le aree di riferimento",
    "indicator": "Scheda indicatore (serie, graduatoria, mappa)",
    "chart": "Grafico",
    "map": "Mappa",
    "covid": "Pannello COVID-19",
    "composite": "Indice composito",
    "measures": "Misure e risorse",
    "methodology": "Note metodologiche",
    "sources": "Fonti",
}
AREA_TOKENS = ("$area", "$ambito", "$provincia", "$regione", "$italia")
SUPPRESSED_TEXT = "riservato"
SUPPRESSED_NOTE = (
    "«riservato»: valore non pubblicato per il segreto statistico (riguarda poche persone, o permetterebbe di "
    "ricavare un valore che le riguarda)."
)
MISSING_NOTE = "«—»: dato non disponibile nella fonte per quell'area e periodo."
SNAPSHOT_NOTE = (
    "La fonte pubblica questo valore solo per alcuni periodi di riferimento ({periods}): sono rilevazioni di "
    "mesi diversi e di durata diversa, non una serie annuale; i punti non sono uniti da una linea e non si "
    "calcola una tendenza."
)
PARTIAL_NOTE = (
    "Anni con solo alcuni mesi ({periods}): non confrontabili con gli anni interi, la linea è interrotta "
    "prima e dopo di essi."
)
VOCABULARY = textvars.Vocabulary(
    variables={
        "area": ("name", "code", "label", "level", "comuni"),
        "provincia": ("name",),
        "regione": ("name",),
        "ambito": ("name",),
        "ente": ("name", "department"),
        "report": ("date", "year"),
        "year": (),
    },
    functions={
        "value": 'value("codice-indicatore", anno, area="codice")',
        "year_of": 'year_of("codice-indicatore")',
        "compare": 'compare("codice-indicatore", "provincia")',
        "trend": 'trend("codice-indicatore")',
    },
)


class SectionError(Exception):
    pass


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "sezione"


def as_list(value) -> list:
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    return list(value)


@dataclass
class Builder:
    data: ReleasedData
    area: AreaInfo
    year: int | None = None
    with_charts: bool = True
    figure_count: int = 0
    used_indicators: list[str] = field(default_factory=list)
    has_suppressed: bool = False
    progress: Callable[[str], None] | None = None
    member_tables: dict = field(default_factory=dict)

    # --- resolution -------------------------------------------------------------------------------------
    def resolve_area(self, token: str) -> AreaInfo:
        token = str(token).strip()
        if token == AREA_TOKENS[0]:
            return self.area
        if token in AREA_TOKENS:
            level = token[1:]
            if self.area.level == level:
                return self.area
            found = self.data.ancestors(self.area.code).get(level)
            if found is None:
                raise SectionError(
                    f"{self.area.label} non appartiene a nessun {level} (riferimento «{token}»)"
                )
            return found
        if token.startswith("$"):
            raise SectionError(
                f"riferimento d'area «{token}» sconosciuto: usare {', '.join(AREA_TOKENS)} o un codice"
            )
        found = self.data.area(token)
        if found is None:
            raise SectionError(
                f"l'area con codice «{token}» non esiste (più) nel territorio: correggere il codice nella sezione"
            )
        return found

    def resolve_areas(self, tokens, default=("$area", "$provincia", "$regione")) -> list[AreaInfo]:
        out: list[AreaInfo] = []
        for t in as_list(tokens) or list(default):
            try:
                a = self.resolve_area(t)
            except SectionError:
                if t in AREA_TOKENS and not as_list(tokens):
                    continue  # a default container that does not exist (e.g. $ambito of a region) is skipped
                raise
            if a not in out:
                out.append(a)
        return out

    def indicator(self, code: str) -> IndicatorInfo:
        info = self.data.indicator(str(code))
        if info is None:
            raise SectionError(
                f"l'indicatore «{code}» non esiste (più) nel catalogo o non è attivo: sceglierne un altro"
            )
        if code not in self.used_indicators:
            self.used_indicators.append(code)
        return info

    def members_area(self, token) -> AreaInfo:
        """The area whose comuni are ranked or mapped; for a comune, its ambito (else its province)."""
        area = self.resolve_area(token or "$area")
        if area.level == "comune":
            anc = self.data.ancestors(area.code)
            area = anc.get("ambito") or anc.get("provincia") or area
        return area

    # --- values -----------------------------------------------------------------------------------------
    def yearly(self, ind: IndicatorInfo, area: AreaInfo) -> list[Point]:
        """One point per year for the area: annual periods, or the reference-date values, or the last month;
        for snapshots (a few reference periods, see `atlas.charts.snapshot_series`) every snapshot."""
        pts = self.data.series(ind.code, area.code)
        if snapshots(pts):
            return list(pts)
        by_year: dict[int, Point] = {}
        for p in pts:
            if p.granularity in ("anno", "data"):
                by_year[p.year] = p
        if not by_year:
            for p in pts:
                by_year[p.year] = p  # monthly only: the last month of each year stands for it
        return [by_year[y] for y in sorted(by_year)]

    def point(self, ind: IndicatorInfo, area: AreaInfo, year: int | str | None) -> Point | None:
        pts = self.yearly(ind, area)
        if not pts:
            return None
        if year in (None, "", "latest"):
            # The latest period with a released cell: a suppressed one is shown as such, not skipped.
            shown = [p for p in pts if p.usable or p.suppressed] or pts
            return shown[-1]
        return next((p for p in pts if p.year == int(year)), None)

    def check_year(self, ind: IndicatorInfo, areas: list[AreaInfo], year) -> int | None:
        """The year asked for, or the latest with data in the first area; an error when there is none."""
        years = sorted({p.year for a in areas for p in self.yearly(ind, a)})
        if not years:
            names = ", ".join(a.name for a in areas)
            raise SectionError(f"l'indicatore «{ind.title}» non ha dati rilasciati per {names}")
        if year in (None, "", "latest"):
            first = [p.year for p in self.yearly(ind, areas[0]) if p.usable]
            return max(first) if first else years[-1]
        try:
            y = int(year)
        except (TypeError, ValueError):
            raise SectionError(f"anno «{year}» non valido: scrivere un anno (es. 2023) o «latest»") from None
        if y not in years:
            raise SectionError(
                f"l'indicatore «{ind.title}» non ha dati per il {y} (anni disponibili: {_years_text(years)})"
            )
        return y

    def cell(self, ind: IndicatorInfo, p: Point | None, unit: bool = False) -> Cell:
        if p is None or (p.value is None and not p.suppressed):
            return Cell("—")
        if p.suppressed:
            self.has_suppressed = True
            return Cell(SUPPRESSED_TEXT, suppressed=True)
        text = with_unit(p.value, ind.decimals, ind.unit) if unit else number(p.value, ind.decimals)
        if p.provisional:
            text += " (provv.)"
        return Cell(text)

    def fmt(self, ind: IndicatorInfo, p: Point | None) -> str:
        return self.cell(ind, p, unit=True).text

    def compare(self, ind: IndicatorInfo, a: Point | None, b: Point | None) -> str:
        def est(p: Point | None) -> cmp.Estimate:
            if p is None:
                return cmp.Estimate(None, comparable=False)
            return cmp.Estimate(p.value, p.low, p.high, comparable=p.usable)

        return cmp.compare(est(a), est(b), ind.polarity)

    def trend(self, ind: IndicatorInfo, area: AreaInfo) -> trend_core.Trend:
        pts = [p for p in self.yearly(ind, area)]
        if snapshots(pts):
            # Periods of different length at uneven intervals: no test for a trend is run on them.
            return trend_core.Trend(
                trend_core.NOT_COMPUTABLE, atlas_charts.SNAPSHOT_TREND, None, None, "", len(pts)
            )
        last = pts[-trend_core.POINTS :]
        if atlas_charts.partial_year_breaks((p.start, p.end, p.granularity) for p in last):
            # A year of only a few months among the last points: no trend across it.
            return trend_core.trend([None], kind="other")
        kind = {"proportion": "proportion", "rate": "rate", "count": "count"}.get(ind.kind, "other")
        return trend_core.trend(
            [p.value if p.usable else None for p in pts],
            [p.numerator for p in pts],
            [p.denominator for p in pts],
            kind=kind,
            polarity=ind.polarity,
        )

    # --- figures ----------------------------------------------------------------------------------------
    def next_figure(self) -> int:
        self.figure_count += 1
        return self.figure_count

    def series_table(
        self,
        ind: IndicatorInfo,
        areas: list[AreaInfo],
        years: list[int],
        caption: str,
        labels: dict[int, str] | None = None,
        note: str = "",
    ) -> Table:
        """One row per year; `labels` name some by their period (snapshots, years of a few months)."""
        rows = []
        for y in years:
            row = [Cell((labels or {}).get(y, str(y)), numeric=False, header=True)]
            for a in areas:
                row.append(self.cell(ind, next((p for p in self.yearly(ind, a) if p.year == y), None)))
            rows.append(row)
        widths = (
            [14.0 if labels else 12.0, *[(86.0 if labels else 88.0) / len(areas)] * len(areas)]
            if areas
            else []
        )
        notes = [note, *self.table_notes(ind)] if note else self.table_notes(ind)
        head = "Periodo" if labels else "Anno"
        return Table(caption, [head, *[a.short for a in areas]], rows, notes, widths)

    def period_text(self, ind: IndicatorInfo, areas: list[AreaInfo], year: int) -> str:
        """The year, or the period of that year's value when it is a snapshot ("giu 2023") or a year of only
        a few months ("gen–giu 2023"), from the first of `areas` that has a value (INPS: the province)."""
        for area in areas:
            pts = self.yearly(ind, area)
            p = next((x for x in pts if x.year == year), None)
            if p is None:
                continue
            if snapshots(pts) or atlas_charts.partial_year(p.start, p.end, p.granularity):
                return short_period(p.start, p.end, p.granularity)
            return str(year)
        return str(year)

    def table_notes(self, ind: IndicatorInfo) -> list[str]:
        notes = [f"Unità: {ind.unit}." if ind.unit else ""]
        if ind.non_ufficiale:
            notes.append("Fonte non ufficiale: usare con cautela.")
        return [n for n in notes if n]

    def trend_figure(self, ind: IndicatorInfo, areas: list[AreaInfo], from_year) -> Figure:
        rows = []
        years: set[int] = set()
        snap = any(snapshots(self.yearly(ind, a)) for a in areas)
        labels: dict[int, str] = {}
        spans = []
        for a in areas:
            for p in self.yearly(ind, a):
                if from_year and p.year < int(from_year):
                    continue
                years.add(p.year)
                spans.append((p.start, p.end, p.granularity))
                row = {
                    "series": a.short,
                    "year": p.year,
                    "value": p.value if p.usable else None,
                    "low": p.low if p.usable else None,
                    "high": p.high if p.usable else None,
                }
                if snap:
                    # Each snapshot drawn in the middle of its reference period, named by it, joined to none.
                    labels.setdefault(p.year, short_period(p.start, p.end, p.granularity))
                    row.update(
                        {"date": (p.start + (p.end - p.start) / 2).isoformat(), "period": labels[p.year]}
                    )
                elif atlas_charts.partial_year(p.start, p.end, p.granularity):
                    labels.setdefault(p.year, short_period(p.start, p.end, p.granularity))
                rows.append(row)
        if not rows:
            raise SectionError(
                f"l'indicatore «{ind.title}» non ha dati"
                + (f" dal {from_year}" if from_year else "")
                + f" per {', '.join(a.name for a in areas)}"
            )
        ys = sorted(years)
        when = ", ".join(labels[y] for y in ys) if snap else _years_text(ys)
        title = f"{ind.title}, {when}"
        n = self.next_figure()
        alt = self.trend_alt(ind, areas, ys, labels, snap)
        breaks = [b for b in ind.break_years if ys[0] < b <= ys[-1]]
        note = ""
        if snap:
            breaks = sorted(set(breaks) | set(ys[1:]))
            note = SNAPSHOT_NOTE.format(periods=when)
        elif labels:
            # Years of only a few months: the line is cut next to them.
            breaks = sorted(set(breaks) | set(atlas_charts.partial_year_breaks(spans)))
            note = PARTIAL_NOTE.format(periods=", ".join(labels[y] for y in sorted(labels)))
        spec = charts.time_series(
            rows,
            unit=ind.unit,
            decimals=ind.decimals,
            breaks=breaks,
            description=alt,
            width=charts.PDF_WIDTH,
            height=220,
        )
        table = self.series_table(ind, areas, ys, f"Dati della figura {n}: {title}", labels or None, note)
        return Figure(n, title, alt, "chart", spec=spec, table=table)

    def trend_alt(
        self,
        ind: IndicatorInfo,
        areas: list[AreaInfo],
        years: list[int],
        labels: dict[int, str] | None = None,
        snap: bool = False,
    ) -> str:
        def when(y: int) -> str:
            return (labels or {}).get(y, str(y))

        parts = []
        for a in areas:
            pts = [p for p in self.yearly(ind, a) if p.usable and years[0] <= p.year <= years[-1]]
            if snap and pts:
                parts.append(
                    f"{a.short} "
                    + ", ".join(f"{number(p.value, ind.decimals)} ({when(p.year)})" for p in pts)
                )
            elif len(pts) >= 2:
                parts.append(
                    f"{a.short} da {number(pts[0].value, ind.decimals)} ({when(pts[0].year)}) a "
                    f"{number(pts[-1].value, ind.decimals)} ({when(pts[-1].year)})"
                )
            elif pts:
                parts.append(f"{a.short} {number(pts[0].value, ind.decimals)} ({when(pts[0].year)})")
        if snap:
            return (
                f"Grafico a punti: {ind.title} ({ind.unit}) in {len(years)} periodi di riferimento non "
                f"confrontabili tra loro, non uniti da una linea. " + "; ".join(parts) + "."
            )
        return f"Grafico a linee: {ind.title} ({ind.unit}), {_years_text(years)}. " + "; ".join(parts) + "."

    def ranking_rows(self, ind: IndicatorInfo, members: list[AreaInfo], year: int):
        pts = self.data.points(ind.code, [m.code for m in members])
        out = []
        for m in members:
            p = next((x for x in self.yearly(ind, m) if x.year == year), None) if pts.get(m.code) else None
            out.append((m, p))
        return out

    def ranking_figure(
        self, ind: IndicatorInfo, container: AreaInfo, year, highlight: AreaInfo | None
    ) -> Figure:
        members = self.data.members(container.code)
        if not members:
            raise SectionError(f"{container.label} non ha comuni membri nel territorio caricato")
        y = self.check_year(ind, members, year)
        pairs = self.ranking_rows(ind, members, y)
        bench = self.point(ind, container, y)
        rows = [
            {
                "code": m.code,
                "name": m.name,
                "value": p.value if p and p.usable else None,
                "low": p.low if p and p.usable else None,
                "high": p.high if p and p.usable else None,
            }
            for m, p in pairs
        ]
        title = f"{ind.title} nei comuni di {container.label}, {y}"
        n = self.next_figure()
        usable = sorted((p.value, m.name) for m, p in pairs if p and p.usable)
        alt = f"Grafico a barre ordinate: {ind.title} ({ind.unit}) in {len(members)} comuni, {y}."
        if usable:
            alt += (
                f" Valore più alto {usable[-1][1]} ({number(usable[-1][0], ind.decimals)}), più basso "
                f"{usable[0][1]} ({number(usable[0][0], ind.decimals)})."
            )
        if bench and bench.usable:
            alt += f" Linea tratteggiata: {container.name} ({number(bench.value, ind.decimals)})."
        spec = charts.ranked_bars(
            rows,
            highlight=[highlight.code] if highlight else [],
            unit=ind.unit,
            decimals=ind.decimals,
            benchmark={"name": container.name, "value": bench.value} if bench and bench.usable else None,
            description=alt,
            width=charts.PDF_WIDTH - 200,
            bar_height=6,
        )
        table = self.member_table(ind, pairs, f"Dati della figura {n}: {title}")
        self.member_tables[(ind.code, container.code, y)] = n
        return Figure(n, title, alt, "chart", spec=spec, table=table)

    def member_table(self, ind: IndicatorInfo, pairs, caption: str) -> Table:
        ordered = sorted(
            pairs,
            key=lambda mp: (
                not (mp[1] and mp[1].usable),
                -(mp[1].value if mp[1] and mp[1].usable else 0),
                mp[0].name,
            ),
        )
        items = [[Cell(m.name, numeric=False, header=True), self.cell(ind, p)] for m, p in ordered]
        columns, rows, widths = side_by_side(items, ["Comune", ind.unit or "Valore"], [2.0, 1.0])
        return Table(caption, columns, rows, self.table_notes(ind), widths)

    def map_figure(self, ind: IndicatorInfo, container: AreaInfo, year, highlight: AreaInfo | None) -> Figure:
        members = self.data.members(container.code)
        if not members:
            raise SectionError(f"{container.label} non ha comuni membri nel territorio caricato")
        y = self.check_year(ind, members, year)
        pairs = self.ranking_rows(ind, members, y)
        map_areas = [
            maps.MapArea(m.code, m.name, p.value if p and p.usable else None, bool(p and p.suppressed))
            for m, p in pairs
        ]
        title = f"{ind.title} nei comuni di {container.label}, {y}"
        geoms = self.data.geometries([m.code for m in members])
        if not geoms:
            raise SectionError(f"mancano i confini dei comuni di {container.label}: caricare il territorio")
        n = self.next_figure()
        alt = maps.describe(map_areas, title=title, unit=ind.unit, decimals=ind.decimals)
        svg = maps.choropleth_svg(
            map_areas,
            geoms,
            title=title,
            unit=ind.unit,
            decimals=ind.decimals,
            highlight=highlight.code if highlight else None,
        )
        key = (ind.code, container.code, y)
        if key in self.member_tables:
            # The ranking of the same indicator and year already lists every value: do not repeat it.
            alt = alt.replace(
                "nella tabella che segue", f"nella tabella della figura {self.member_tables[key]}"
            )
            return Figure(n, title, alt, "map", svg=svg, table=None)
        table = self.member_table(ind, pairs, f"Dati della figura {n}: {title}")
        return Figure(n, title, alt, "map", svg=svg, table=table)


# --- section builders ----------------------------------------------------------------------------------


def side_by_side(
    items: list[list[Cell]], headers: list[str], weights: list[float], *, over: int = 15, groups: int = 3
) -> tuple[list[str], list[list[Cell]], list[float]]:
    """A long list (one row per comune) laid out in `groups` side-by-side blocks of columns, read down each
    block, to keep the report short: columns, rows and column widths (in %) for a fixed-layout table."""
    groups = groups if len(items) > over else 1
    height = math.ceil(len(items) / groups)
    blank = [Cell("", numeric=False) for _ in headers]
    rows = []
    for r in range(height):
        row: list[Cell] = []
        for g in range(groups):
            i = g * height + r
            row += items[i] if i < len(items) else blank
        rows.append(row)
    total = sum(weights) * groups
    return headers * groups, rows, [100.0 * w / total for w in weights] * groups


def snapshots(pts: list[Point]) -> bool:
    """Points at a few reference periods of different length (INPS's RdC/PdC tables), not a series."""
    return atlas_charts.snapshot_series((p.start, p.end, p.granularity) for p in pts)


def _years_text(years: list[int]) -> str:
    if not years:
        return ""
    return str(years[0]) if years[0] == years[-1] else f"{years[0]}–{years[-1]}"


def build_text(b: Builder, cfg: dict, sec: RenderedSection) -> None:
    return None


def build_key_facts(b: Builder, cfg: dict, sec: RenderedSection) -> None:
    facts = []
    bench_areas = b.resolve_areas(cfg.get("compare"), default=("$provincia", "$regione"))
    bench_areas = [a for a in bench_areas if a != b.area]
    for code in as_list(cfg.get("indicators")):
        try:
            ind = b.indicator(code)
        except SectionError as exc:
            sec.problems.append(Problem(sec.index, sec.title, str(exc)))
            continue
        where, p = b.area, b.point(ind, b.area, cfg.get("year"))
        if p is None:
            # Some sources publish only for larger areas (INPS by province): say whose figure it is.
            for level in ("ambito", "provincia", "regione"):
                higher = b.data.ancestors(b.area.code).get(level)
                if higher is not None and (p := b.point(ind, higher, cfg.get("year"))) is not None:
                    where = higher
                    break
        if p is None:
            sec.problems.append(
                Problem(sec.index, sec.title, f"nessun dato di «{ind.title}» per {b.area.name}")
            )
            continue
        when = period(p.start, p.end, p.granularity)
        if where != b.area:
            when += f", dato di {where.label}: non pubblicato per aree più piccole"
        if p.suppressed:
            facts.append(f"**{ind.title}** ({when}): dato riservato per il segreto statistico.")
            b.has_suppressed = True
            continue
        text = f"**{ind.title}**: {b.fmt(ind, p)} ({when})"
        comps = []
        for a in bench_areas:
            if a == where:
                continue
            q = b.point(ind, a, p.year)
            if q is None or not q.usable:
                continue
            label = b.compare(ind, p, q)
            comps.append(f"{a.short} {b.fmt(ind, q)}" + ("" if ind.kind == "count" else f", {label}"))
        if comps:
            text += "; " + "; ".join(comps)
        tr = b.trend(ind, where)
        if tr.label not in (trend_core.NOT_COMPUTABLE, atlas_charts.SNAPSHOT_TREND):
            text += f". Andamento degli ultimi {trend_core.POINTS} anni: {tr.label}"
        facts.append(text + ".")
    if facts:
        sec.blocks.append(Block("facts", facts=[_strong(f) for f in facts]))


def build_indicator_table(b: Builder, cfg: dict, sec: RenderedSection) -> None:
    areas = b.resolve_areas(cfg.get("areas"))
    rows = []
    years_seen = set()
    indicators = []
    for code in as_list(cfg.get("indicators")):
        try:
            indicators.append(b.indicator(code))
        except SectionError as exc:
            sec.problems.append(Problem(sec.index, sec.title, str(exc)))
    for ind in indicators:
        try:
            y = b.check_year(ind, areas, cfg.get("year"))
        except SectionError as exc:
            sec.problems.append(Problem(sec.index, sec.title, str(exc)))
            continue
        years_seen.add(y)
        row = [
            Cell(ind.title, numeric=False, header=True),
            Cell(ind.unit, numeric=False),
            Cell(b.period_text(ind, areas, y)),
        ]
        for a in areas:
            row.append(b.cell(ind, b.point(ind, a, y)))
        rows.append(row)
    if rows:
        caption = sec.title or "Indicatori"
        if len(years_seen) == 1:
            caption += f", {years_seen.pop()}"
        notes = [MISSING_NOTE]
        sec.blocks.append(
            Block(
                "table",
                table=Table(caption, ["Indicatore", "Unità", "Anno", *[a.short for a in areas]], rows, notes),
            )
        )


def build_comparison_table(b: Builder, cfg: dict, sec: RenderedSection) -> None:
    benches = b.resolve_areas(cfg.get("benchmarks"), default=("$provincia", "$regione"))
    benches = [a for a in benches if a != b.area]
    rows = []
    for code in as_list(cfg.get("indicators")):
        try:
            ind = b.indicator(code)
            y = b.check_year(ind, [b.area], cfg.get("year"))
        except SectionError as exc:
            sec.problems.append(Problem(sec.index, sec.title, str(exc)))
            continue
        p = b.point(ind, b.area, y)
        row = [
            Cell(ind.title, numeric=False, header=True),
            Cell(b.period_text(ind, [b.area], y)),
            b.cell(ind, p),
        ]
        for a in benches:
            q = b.point(ind, a, y)
            row.append(b.cell(ind, q))
            row.append(Cell(b.compare(ind, p, q), numeric=False))
        tr = b.trend(ind, b.area)
        row.append(Cell(tr.label, numeric=False))
        rows.append(row)
    if rows:
        cols = ["Indicatore", "Anno", b.area.short]
        for a in benches:
            cols += [a.short, f"Rispetto a {a.short}"]
        cols.append("Andamento (ultimi 5 anni)")
        notes = [
            "Confronto per sovrapposizione degli intervalli di confidenza al 95%: «simile» quando si "
            "sovrappongono; «migliore»/«peggiore» secondo la polarità dell'indicatore, «più alto»/«più basso» "
            "quando l'indicatore non ha una direzione preferibile.",
            MISSING_NOTE,
        ]
        sec.blocks.append(Block("table", table=Table(sec.title or "Confronto", cols, rows, notes)))


def build_indicator(b: Builder, cfg: dict, sec: RenderedSection) -> None:
    ind = b.indicator(cfg.get("indicator", ""))
    sec.blocks.append(Block("html", html=f'<p class="definizione">{_esc(ind.short)}</p>'))
    if cfg.get("trend", True):
        areas = b.resolve_areas(cfg.get("areas"))
        _figure(b, sec, lambda: b.trend_figure(ind, areas, cfg.get("from_year")))
    if cfg.get("ranking") or cfg.get("map"):
        container = b.members_area(cfg.get("members_of"))
        highlight = b.area if b.area.level == "comune" else None
        if cfg.get("ranking"):
            _figure(b, sec, lambda: b.ranking_figure(ind, container, cfg.get("year"), highlight))
        if cfg.get("map"):
            _figure(b, sec, lambda: b.map_figure(ind, container, cfg.get("year"), highlight))


def build_chart(b: Builder, cfg: dict, sec: RenderedSection) -> None:
    ind = b.indicator(cfg.get("indicator", ""))
    kind = cfg.get("chart", "trend")
    if kind == "trend":
        areas = b.resolve_areas(cfg.get("areas"))
        _figure(b, sec, lambda: b.trend_figure(ind, areas, cfg.get("from_year")))
    elif kind == "ranking":
        container = b.members_area(cfg.get("members_of"))
        highlight = b.area if b.area.level == "comune" else None
        _figure(b, sec, lambda: b.ranking_figure(ind, container, cfg.get("year"), highlight))
    else:
        raise SectionError(f"tipo di grafico «{kind}» sconosciuto: usare «trend» o «ranking»")


def build_map(b: Builder, cfg: dict, sec: RenderedSection) -> None:
    ind = b.indicator(cfg.get("indicator", ""))
    container = b.members_area(cfg.get("members_of"))
    highlight = b.area if b.area.level == "comune" else None
    _figure(b, sec, lambda: b.map_figure(ind, container, cfg.get("year"), highlight))


def build_covid(b: Builder, cfg: dict, sec: RenderedSection) -> None:
    """Observed values 2020–2022 against the pre-2020 baseline (mean and trend), for each indicator."""
    area = b.resolve_area(cfg.get("area", "$area"))
    for code in as_list(cfg.get("indicators")):
        try:
            ind = b.indicator(code)
        except SectionError as exc:
            sec.problems.append(Problem(sec.index, sec.title, str(exc)))
            continue
        pts = [p for p in b.yearly(ind, area) if p.year >= int(cfg.get("from_year", 2010))]
        # Whole years only: a year of a few months is no baseline and no observed year.
        pts = [p for p in pts if not atlas_charts.partial_year(p.start, p.end, p.granularity)]
        if snapshots(pts):
            sec.problems.append(
                Problem(
                    sec.index,
                    sec.title,
                    f"«{ind.title}» ha solo alcuni periodi di riferimento non confrontabili per {area.name}: "
                    "nessun confronto con l'atteso possibile",
                )
            )
            continue
        series = {p.year: (p.value if p.usable else None) for p in pts}
        if not any(y < covid_core.PANDEMIC_START for y, v in series.items() if v is not None):
            sec.problems.append(
                Problem(
                    sec.index,
                    sec.title,
                    f"«{ind.title}» non ha anni prima del 2020 per {area.name}: "
                    "nessun confronto con l'atteso possibile",
                )
            )
            continue
        half = {
            p.year: (p.high - p.low) / 2 for p in pts if p.usable and p.low is not None and p.high is not None
        }
        comps = covid_core.baseline(series, half, breaks=ind.break_years)
        method = cfg.get("method", "tendenza")
        chosen = [c for c in comps if c.method == method]
        n = b.next_figure()
        title = f"{ind.title}: osservato e atteso senza pandemia, {area.name}"
        observed = [{"year": y, "value": v} for y, v in sorted(series.items())]
        expected = [
            {
                "year": c.year,
                "expected": c.expected,
                "low": c.expected_low,
                "high": c.expected_high,
                "significant": bool(c.significant),
            }
            for c in chosen
        ]
        parts = []
        rows = []
        for c in chosen:
            verdict = (
                "non calcolabile"
                if c.significant is None
                else ("diverso dall'atteso" if c.significant else "nell'intervallo atteso")
            )
            parts.append(
                f"{c.year}: osservato {number(c.observed, ind.decimals)}, atteso "
                f"{number(c.expected, ind.decimals)} ({verdict})"
            )
            rows.append(
                [
                    Cell(str(c.year), numeric=False, header=True),
                    Cell(number(c.observed, ind.decimals)),
                    Cell(number(c.expected, ind.decimals)),
                    Cell(f"{number(c.expected_low, ind.decimals)} – {number(c.expected_high, ind.decimals)}"),
                    Cell(number(c.difference, ind.decimals)),
                    Cell(verdict, numeric=False),
                ]
            )
        alt = (
            f"Grafico: {ind.title} ({ind.unit}) a {area.name}, valori osservati e valore atteso in base agli anni "
            f"precedenti il 2020 (metodo: {method}). " + "; ".join(parts) + "."
        )
        spec = charts.covid_baseline(
            observed,
            expected,
            unit=ind.unit,
            decimals=ind.decimals,
            description=alt,
            width=charts.PDF_WIDTH,
            height=220,
        )
        table = Table(
            f"Dati della figura {n}: {title}",
            ["Anno", "Osservato", "Atteso", "Intervallo dell'atteso (95%)", "Differenza", "Esito"],
            rows,
            [
                f"Atteso stimato con il metodo «{method}» sugli anni {_years_text(sorted(y for y in series if y < 2020))}.",
                *b.table_notes(ind),
            ],
            [8.0, 14.0, 14.0, 24.0, 14.0, 26.0],
        )
        sec.blocks.append(Block("figure", figure=Figure(n, title, alt, "chart", spec=spec, table=table)))


def build_composite(b: Builder, cfg: dict, sec: RenderedSection) -> None:
    container = b.members_area(cfg.get("members_of"))
    members = b.data.members(container.code)
    comps_cfg = cfg.get("components") or []
    if len(comps_cfg) < 2:
        raise SectionError("un indice composito richiede almeno due indicatori in «components»")
    components, columns = [], []
    for c in comps_cfg:
        code = c.get("indicator") if isinstance(c, dict) else str(c)
        direction = int(c.get("direction", 1)) if isinstance(c, dict) else 1
        ind = b.indicator(code)
        y = b.check_year(ind, members, c.get("year") if isinstance(c, dict) else None)
        pairs = dict((m.code, p) for m, p in b.ranking_rows(ind, members, y))
        columns.append(
            [pairs[m.code].value if pairs.get(m.code) and pairs[m.code].usable else math.nan for m in members]
        )
        components.append(
            composite.Component(
                code,
                f"{ind.title} ({y})",
                direction,
                float(c.get("weight", 1)) if isinstance(c, dict) else 1.0,
            )
        )
    values = [list(row) for row in zip(*columns, strict=True)]
    method = cfg.get("method", "ampi")
    try:
        result = composite.compute([m.code for m in members], values, components, method=method)
    except ValueError as exc:
        raise SectionError(str(exc)) from None
    name = cfg.get("name") or sec.title or "Indice composito"
    order = sorted(range(len(members)), key=lambda i: (result.ranks[i] == 0, result.ranks[i]))
    rows = [
        [
            Cell(members[i].name, numeric=False, header=True),
            Cell(number(result.scores[i], 1) if result.ranks[i] else "—"),
            Cell(str(result.ranks[i]) if result.ranks[i] else "escluso"),
        ]
        for i in order
    ]
    n = b.next_figure()
    title = f"{name} nei comuni di {container.label}"
    bar_rows = [
        {"code": m.code, "name": m.name, "value": None if math.isnan(s) else float(s)}
        for m, s in zip(members, result.scores, strict=True)
    ]
    top = [members[i].name for i in order[:3] if result.ranks[i]]
    alt = f"Grafico a barre ordinate: {name}, {len(members)} comuni; valori più alti: {', '.join(top)}."
    spec = charts.ranked_bars(
        bar_rows,
        unit="indice",
        decimals=1,
        description=alt,
        highlight=[b.area.code] if b.area.level == "comune" else [],
        width=charts.PDF_WIDTH - 200,
        bar_height=6,
    )
    columns, rows, widths = side_by_side(rows, ["Comune", "Indice", "Rango"], [2.6, 1.0, 1.0])
    table = Table(f"Dati della figura {n}: {title}", columns, rows, [], widths)
    sec.blocks.append(Block("figure", figure=Figure(n, title, alt, "chart", spec=spec, table=table)))
    names = {m.code: m.name for m in members}
    sens = composite.sensitivity([m.code for m in members], values, components, method=method)
    note = composite.methodological_note(
        name, b.year or date.today().year, [m.code for m in members], names, components, result, sens, True
    )
    note = re.sub(r"^# .*\n", "", note)
    import markdown as md

    html = md.markdown(note, extensions=["tables"])
    html = re.sub(r"<(/?)h([1-6])>", lambda m: f"<{m.group(1)}h{min(6, int(m.group(2)) + 2)}>", html)
    html = re.sub(r"<th(?![^>]*scope)", '<th scope="col"', html)
    sec.blocks.append(Block("html", html=html))


def build_measures(b: Builder, cfg: dict, sec: RenderedSection) -> None:
    try:
        from osservatorio.measures import selectors as measures_selectors

        year = int(cfg.get("year") or b.year or date.today().year)
        items = list(measures_selectors.measures(year=year))
    except Exception:  # noqa: BLE001 - the catalogue of measures is optional for a report
        sec.blocks.append(Block("html", html="<p>Il catalogo delle misure non è ancora disponibile.</p>"))
        return
    levels = as_list(cfg.get("levels"))
    items = [m for m in items if not levels or m.level in levels]
    items = [m for m in items if not m.comune_code or m.comune_code == b.area.code]
    if not items:
        sec.blocks.append(Block("html", html=f"<p>Nessuna misura in vigore nel {year} nel catalogo.</p>"))
        return
    rows = [
        [
            Cell(m.name, numeric=False, header=True),
            Cell(m.get_level_display(), numeric=False),
            Cell(m.valid_from.isoformat() if m.valid_from else "—", numeric=False),
            Cell(m.valid_to.isoformat() if m.valid_to else "in vigore", numeric=False),
        ]
        for m in items
    ]
    sec.blocks.append(
        Block(
            "table", table=Table(f"Misure in vigore nel {year}", ["Misura", "Livello", "Dal", "Al"], rows, [])
        )
    )


def build_methodology(b: Builder, cfg: dict, sec: RenderedSection) -> None:
    """Filled at the end, once every indicator used by the report is known."""
    sec.blocks.append(
        Block("html", html="__METHODOLOGY_SHORT__" if cfg.get("compact") else "__METHODOLOGY__")
    )


def build_sources(b: Builder, cfg: dict, sec: RenderedSection) -> None:
    sec.blocks.append(Block("html", html="__SOURCES__"))


BUILDERS = {
    "text": build_text,
    "key_facts": build_key_facts,
    "indicator_table": build_indicator_table,
    "comparison_table": build_comparison_table,
    "indicator": build_indicator,
    "chart": build_chart,
    "map": build_map,
    "covid": build_covid,
    "composite": build_composite,
    "measures": build_measures,
    "methodology": build_methodology,
    "sources": build_sources,
}


def _figure(b: Builder, sec: RenderedSection, make: Callable[[], Figure]) -> None:
    try:
        fig = make()
    except SectionError as exc:
        sec.problems.append(Problem(sec.index, sec.title, str(exc)))
        return
    sec.blocks.append(Block("figure", figure=fig))


def _strong(text: str) -> str:
    """Facts are written by us with **bold** names: escape, then turn the markers into <strong>."""
    return re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", _esc(text))


def _esc(text: str) -> str:
    import html

    return html.escape(text or "")


# --- text placeholders ---------------------------------------------------------------------------------


def resolver(b: Builder) -> Callable[[textvars.Expr], str]:
    anc = b.data.ancestors(b.area.code)
    ente = settings.OSSERVATORIO

    def resolve(e: textvars.Expr) -> str:
        if e.name == "area":
            if e.attr == "comuni":
                container = b.area if b.area.level != "comune" else None
                return str(len(b.data.members(container.code))) if container else "1"
            return str(getattr(b.area, e.attr))
        if e.name in ("provincia", "regione", "ambito"):
            a = b.area if b.area.level == e.name else anc.get(e.name)
            if a is None:
                raise textvars.PlaceholderError(f"{b.area.label} non appartiene a nessun {e.name}")
            return a.name
        if e.name == "ente":
            return ente.get("ENTE_NAME", "") if e.attr == "name" else ente.get("ENTE_DEPARTMENT", "")
        if e.name == "report":
            return long_date(date.today()) if e.attr == "date" else str(b.year or date.today().year)
        if e.name == "year":
            return str(b.year or date.today().year)
        code = str(e.args[0]) if e.args else ""
        try:
            ind = b.indicator(code)
        except SectionError as exc:
            raise textvars.PlaceholderError(str(exc)) from None
        if e.name == "value":
            kw = dict(e.kwargs)
            area = b.area
            if "area" in kw:
                try:
                    area = b.resolve_area(str(kw["area"]))
                except SectionError as exc:
                    raise textvars.PlaceholderError(str(exc)) from None
            year = e.args[1] if len(e.args) > 1 else kw.get("year")
            p = b.point(ind, area, year)
            if p is None:
                when = f" per il {year}" if year else ""
                raise textvars.PlaceholderError(f"nessun dato di «{ind.title}» per {area.name}{when}")
            return b.fmt(ind, p)
        if e.name == "year_of":
            p = b.point(ind, b.area, None)
            if p is None:
                raise textvars.PlaceholderError(f"nessun dato di «{ind.title}» per {b.area.name}")
            return period(p.start, p.end, p.granularity)
        if e.name == "compare":
            level = str(e.args[1]) if len(e.args) > 1 else "provincia"
            try:
                other = b.resolve_area(level if level.startswith("$") else "$" + level)
            except SectionError as exc:
                raise textvars.PlaceholderError(str(exc)) from None
            p = b.point(ind, b.area, None)
            q = b.point(ind, other, p.year if p else None)
            return b.compare(ind, p, q)
        if e.name == "trend":
            return b.trend(ind, b.area).label
        raise textvars.PlaceholderError(f"funzione «{e.name}» non disponibile")

    return resolve


# --- the document --------------------------------------------------------------------------------------


def build(
    snapshot: dict,
    area_code: str,
    data: ReleasedData | None = None,
    *,
    year: int | None = None,
    with_charts: bool = True,
    progress: Callable[[int, int, str], None] | None = None,
) -> Document:
    data = data or ReleasedData()
    ente = settings.OSSERVATORIO
    area = data.area(area_code) if area_code else None
    doc = Document(
        title=snapshot.get("title", ""),
        subtitle=snapshot.get("subtitle", ""),
        area_name=area.label if area else "",
        area_code=area_code,
        generated_on=date.today(),
        ente=ente.get("ENTE_NAME", ""),
        department=ente.get("ENTE_DEPARTMENT", ""),
        with_charts=with_charts,
    )
    if area is None:
        doc.problems.append(
            Problem(
                0,
                "",
                f"l'area «{area_code}» non esiste (più) nel territorio: scegliere un'altra area"
                if area_code
                else "nessuna area scelta per il rapporto: indicare un comune o un ambito",
            )
        )
        return doc
    b = Builder(data, area, year=year, with_charts=with_charts)
    resolve = resolver(b)
    sections = snapshot.get("sections", [])
    anchors: set[str] = set()
    for i, s in enumerate(sections, start=1):
        kind = s.get("kind", "text")
        title = s.get("title", "")
        anchor = slug(title or kind)
        while anchor in anchors:
            anchor += "-x"
        anchors.add(anchor)
        sec = RenderedSection(
            i,
            anchor,
            title,
            int(s.get("level") or 1),
            kind,
            page_break=bool((s.get("config") or {}).get("page_break")),
        )
        if progress:
            progress(i, len(sections), title or KINDS.get(kind, kind))
        text = s.get("text") or ""
        if text.strip():
            body, problems = textvars.render(text, VOCABULARY, resolve, heading_offset=sec.level + 1)
            sec.blocks.append(Block("html", html=body))
            sec.problems += [Problem(i, title, f"testo, {p.where()}: {p.message}") for p in problems]
        builder = BUILDERS.get(kind)
        if builder is None:
            sec.problems.append(
                Problem(i, title, f"tipo di sezione «{kind}» sconosciuto ({', '.join(KINDS)})")
            )
        else:
            try:
                builder(b, s.get("config") or {}, sec)
            except SectionError as exc:
                sec.problems.append(Problem(i, title, str(exc)))
        doc.sections.append(sec)
    late = {
        "__METHODOLOGY__": lambda: _methodology_html(b),
        "__METHODOLOGY_SHORT__": lambda: _methodology_short_html(b),
        "__SOURCES__": lambda: _sources_html(b),
    }
    for sec in doc.sections:
        for blk in sec.blocks:
            if blk.html in late:
                blk.html = late[blk.html]()
    doc.releases = data.used_releases
    doc.has_suppressed = b.has_suppressed
    return doc


def _methodology_html(b: Builder) -> str:
    import html

    out = []
    for code in b.used_indicators:
        ind = b.data.indicator(code)
        if ind is None:
            continue
        parts = [f"<h3>{html.escape(ind.title)}</h3>", f"<p>{html.escape(ind.definition)}</p>", "<dl>"]
        parts.append(
            f"<dt>Numeratore</dt><dd>{html.escape(ind.numerator)} ({html.escape(ind.numerator_source)})</dd>"
        )
        if ind.denominator:
            parts.append(
                f"<dt>Denominatore</dt><dd>{html.escape(ind.denominator)} ({html.escape(ind.denominator_source)})</dd>"
            )
        parts.append(f"<dt>Unità</dt><dd>{html.escape(ind.unit)}</dd>")
        parts.append(f"<dt>Metodo</dt><dd>{html.escape(ind.method)}</dd>")
        parts.append(f"<dt>Intervallo di confidenza</dt><dd>{html.escape(ind.interval_method)}</dd>")
        if ind.caveats:
            parts.append(f"<dt>Avvertenze</dt><dd>{html.escape(ind.caveats)}</dd>")
        if ind.proxy_of:
            parts.append(f"<dt>Approssima</dt><dd>{html.escape(ind.proxy_of)}</dd>")
        if ind.disclosure_threshold:
            parts.append(
                f"<dt>Riservatezza</dt><dd>valori su meno di {ind.disclosure_threshold} unità non pubblicati</dd>"
            )
        parts.append("</dl>")
        out.append("".join(parts))
    out.append(
        "<p>Tutti i numeri del rapporto sono valori rilasciati dall'Osservatorio (gli stessi dell'atlante), "
        "con il controllo della riservatezza già applicato. " + SUPPRESSED_NOTE + "</p>"
    )
    return "\n".join(out)


def _methodology_short_html(b: Builder) -> str:
    import html

    items = []
    for code in b.used_indicators:
        ind = b.data.indicator(code)
        if ind is not None:
            src = ind.numerator_source + (f"; {ind.denominator_source}" if ind.denominator_source else "")
            items.append(
                f"<li><strong>{html.escape(ind.title)}</strong> ({html.escape(ind.unit)}): "
                f"{html.escape(ind.short)} Fonte: {html.escape(src)}.</li>"
            )
    return (
        f'<ul class="report-methods">{"".join(items)}</ul><p class="small">Confronti per sovrapposizione degli '
        "intervalli di confidenza al 95%; definizioni complete nella pagina di ogni indicatore dell'atlante. "
        + html.escape(SUPPRESSED_NOTE)
        + "</p>"
    )


def _sources_html(b: Builder) -> str:
    import html

    seen: dict[str, list[str]] = {}
    for code in b.used_indicators:
        ind = b.data.indicator(code)
        if ind is None:
            continue
        for src in filter(None, [ind.numerator_source, ind.denominator_source]):
            seen.setdefault(src, [])
            if ind.title not in seen[src]:
                seen[src].append(ind.title)
    rows = "".join(
        f'<tr><th scope="row">{html.escape(src)}</th><td>{html.escape(", ".join(titles))}</td></tr>'
        for src, titles in seen.items()
    )
    releases = ", ".join(f"{c} → n. {r}" for c, r in sorted(b.data.used_releases.items()))
    return (
        '<table class="table"><caption>Fonti dei dati e indicatori che ne derivano</caption>'
        '<thead><tr><th scope="col">Fonte</th><th scope="col">Indicatori</th></tr></thead>'
        f"<tbody>{rows}</tbody></table>"
        f'<p class="small">Rilasci degli indicatori usati: {html.escape(releases) or "nessuno"}.</p>'
    )
