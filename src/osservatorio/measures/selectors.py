"""Reads of the measures app."""

from __future__ import annotations

from datetime import date

from django.db.models import Q, QuerySet

from .models import Measure, ScreeningCase


def measures(*, level: str = "", target: str = "", year: int | None = None, q: str = "") -> QuerySet[Measure]:
    qs = Measure.objects.all().prefetch_related("target_groups")
    if level:
        qs = qs.filter(level=level)
    if target:
        qs = qs.filter(target_groups__slug=target)
    if year:
        start, end = date(year, 1, 1), date(year, 12, 31)
        qs = qs.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=end)).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=start)
        )
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(short_name__icontains=q) | Q(summary__icontains=q))
    return qs.distinct()


def measure_by_rule_key() -> dict[str, Measure]:
    """The catalogue entry of each rule used by the screening (the first by level if several)."""
    found: dict[str, Measure] = {}
    for m in Measure.objects.exclude(rule_key="").order_by("comune_code", "name"):
        found.setdefault(m.rule_key, m)
    return found


def timeline(start_year: int = 2019, today: date | None = None) -> list[dict]:
    today = today or date.today()
    start = date(start_year, 1, 1)
    rows = []
    for m in Measure.objects.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=start)).exclude(
        valid_from__isnull=True
    ):
        rows.append(
            {
                "slug": m.slug,
                "name": m.short_name or m.name,
                "full_name": m.name,
                "level": m.get_level_display(),
                "level_code": m.level,
                "start": max(m.valid_from, start).isoformat(),
                "end": (m.valid_to or today).isoformat(),
                "ongoing": m.valid_to is None,
                "valid_from": m.valid_from,
                "valid_to": m.valid_to,
            }
        )
    order = ["ue", "stato", "regione", "ambito", "comune", "terzo_settore"]
    rows.sort(key=lambda r: (order.index(r["level_code"]), r["start"], r["name"]))
    return rows


def screening_cases_for(user) -> QuerySet[ScreeningCase]:
    from osservatorio.accounts.access import user_comune_codes

    qs = ScreeningCase.objects.select_related("created_by")
    codes = user_comune_codes(user)
    if codes is not None:
        qs = qs.filter(comune_code__in=codes)
    return qs


# Nearest level first: what a family of the area would ask about at its own comune before the State's measures.
_LEVEL_ORDER = ["comune", "ambito", "regione", "stato", "ue", "terzo_settore"]


def measures_for_area(code: str, on: date | None = None) -> list[Measure]:
    """Measures in force on that day (today by default) that reach people living in the area.

    National and EU measures reach every area; a regional measure only the areas of its regione
    (`regione_code`); a municipal measure with a `comune_code` only that comune, the quartieri inside it and
    the ambiti and province that contain it. Measures without a code at their level (e.g. the assegno di
    maternità, granted by every comune under a national rule) reach every area.
    """
    from osservatorio.territory import selectors as territory
    from osservatorio.territory.models import Level as AreaLevel

    on = on or date.today()
    area = territory.get_area(code)
    around = [area, *territory.ancestors(area, on)]
    regioni = {a.code for a in around if a.level == AreaLevel.REGIONE}
    comuni = {a.code for a in around if a.level == AreaLevel.COMUNE}
    if area.level in (AreaLevel.AMBITO, AreaLevel.PROVINCIA):
        comuni |= set(territory.members(area, AreaLevel.COMUNE, on).values_list("code", flat=True))
    found = [
        m
        for m in Measure.objects.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=on)).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=on)
        )
        if (not m.regione_code or m.regione_code in regioni)
        and (not m.comune_code or m.comune_code in comuni)
    ]
    return sorted(found, key=lambda m: (_LEVEL_ORDER.index(m.level), m.name))


def ambito_comuni(code: str) -> list[tuple[str, str]]:
    """(code, name) of the comuni of an ambito (empty if there is no such ambito)."""
    from osservatorio.territory.models import Area, Level
    from osservatorio.territory.selectors import members

    area = Area.objects.filter(code=code, level=Level.AMBITO).first()
    if area is None:
        return []
    return [(a.code, a.name) for a in members(area, Level.COMUNE)]
