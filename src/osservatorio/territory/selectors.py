"""Reading the territory: one area, its hierarchy and members, the crosswalk, search."""

from __future__ import annotations

from datetime import date

from django.db.models import Case, IntegerField, Value, When

from osservatorio.core.http import UserFacing404

from . import crosswalk
from .codes import CODE_HELP, is_well_formed, normalize_code
from .models import LEVEL_RANK, Area, CodeChange, Level, Membership, valid_on_q
from .normalize import search_key

# Levels a hierarchy is walked through when looking for members: an ambito spanning two provinces must not
# bring the other province's comuni into this one.
_ADMINISTRATIVE = {Level.ITALIA, Level.REGIONE, Level.PROVINCIA, Level.COMUNE}


# Most searches are for a comune: among equally good matches it comes first.
_SEARCH_RANK = {
    Level.COMUNE: 0,
    Level.PROVINCIA: 1,
    Level.AMBITO: 2,
    Level.REGIONE: 3,
    Level.ITALIA: 4,
    Level.QUARTIERE: 5,
    Level.CUSTOM: 6,
}


def get_area(code: str) -> Area:
    """The area with this code; a UserFacing404 with an Italian message when malformed or unknown."""
    normalized = normalize_code(code)
    if not is_well_formed(normalized):
        raise UserFacing404(f"«{code}» non è un codice territoriale valido: {CODE_HELP}.")
    try:
        return Area.objects.get(code=normalized)
    except Area.DoesNotExist:
        raise UserFacing404(
            f"Nessuna area ha il codice {normalized}. Controlla il codice o cerca il nome nella pagina Territorio."
        ) from None


def _reference_day(area: Area, on: date | None) -> date:
    if on is not None:
        return on
    # A suppressed comune is shown as it was on its last day.
    return area.valid_to if area.valid_to and area.valid_to < date.today() else date.today()


def ancestors(area: Area, on: date | None = None) -> list[Area]:
    """Every area containing this one on that day, nearest first: comune → ambito → provincia → regione → Italia."""
    day = _reference_day(area, on)
    found: dict[int, Area] = {}
    frontier = [area.id]
    while frontier:
        links = (
            Membership.objects.filter(child_id__in=frontier).filter(valid_on_q(day)).select_related("parent")
        )
        frontier = []
        for link in links:
            if link.parent_id not in found and link.parent_id != area.id:
                found[link.parent_id] = link.parent
                frontier.append(link.parent_id)
    return sorted(found.values(), key=lambda a: (-LEVEL_RANK[a.level], a.name))


def members(area: Area, level: str = Level.COMUNE, on: date | None = None):
    """Areas of `level` inside this one on that day (a queryset ordered by name)."""
    day = _reference_day(area, on)
    ids: set[int] = set()
    frontier = [area.id]
    seen = {area.id}
    while frontier:
        links = Membership.objects.filter(parent_id__in=frontier).filter(valid_on_q(day))
        frontier = []
        for child_id, child_level in links.values_list("child_id", "child__level"):
            if child_id in seen:
                continue
            seen.add(child_id)
            if child_level == level:
                ids.add(child_id)
            if child_level in _ADMINISTRATIVE and child_level != level:
                frontier.append(child_id)
    return Area.objects.filter(id__in=ids).filter(valid_on_q(day)).order_by("name", "code")


def comune_codes(on: date | None = None) -> set[str]:
    return set(Area.objects.filter(level=Level.COMUNE).valid_on(on).values_list("code", flat=True))


def resolve_code(code: str, on: date | None = None) -> list[str]:
    """The code(s) that an old comune code has on that day (today by default), through mergers and splits."""
    changes = [
        crosswalk.Change(c.old_code, c.old_name, c.new_code, c.new_name, c.date, c.kind, c.note)
        for c in CodeChange.objects.all()
    ]
    return crosswalk.resolve(normalize_code(code), changes, on or date.today())


def changes_of(code: str) -> dict[str, list[CodeChange]]:
    """What became of this code (`into`) and what went into it (`from`)."""
    return {
        "into": list(CodeChange.objects.filter(old_code=code).order_by("date", "new_code")),
        "from": list(CodeChange.objects.filter(new_code=code).order_by("-date", "old_code")),
    }


def search(q: str, limit: int = 20) -> list[Area]:
    """Areas whose name (accents, apostrophes and case ignored) contains every word of q, or whose code starts
    with q. Exact names first, then names starting with q, broader and more populous areas first."""
    text = (q or "").strip()
    key = search_key(text)
    if not key:
        return []
    code = normalize_code(text)
    qs = Area.objects.all()
    by_code = (
        list(qs.filter(code__startswith=code).order_by("code")[:limit])
        if code[:1].isdigit() or "-" in code
        else []
    )
    if by_code and code[:1].isdigit():
        return by_code
    for word in key.split():
        qs = qs.filter(search_key__contains=word)
    level_order = Case(
        *[When(level=lv, then=Value(r)) for lv, r in _SEARCH_RANK.items()],
        default=Value(9),
        output_field=IntegerField(),
    )
    today = date.today()
    qs = qs.annotate(
        exact=Case(
            When(search_key=key, then=Value(0)),
            When(search_key__startswith=key, then=Value(1)),
            default=Value(2),
            output_field=IntegerField(),
        ),
        current=Case(When(valid_on_q(today), then=Value(0)), default=Value(1), output_field=IntegerField()),
        rank=level_order,
    ).order_by("exact", "current", "rank", "-population", "name")
    results = by_code + [a for a in qs[:limit] if a not in by_code]
    return results[:limit]


def province_of(areas: list[Area]) -> dict[int, Area]:
    """The province of each comune (or quartiere's comune) in the list, for labelling search results."""
    out: dict[int, Area] = {}
    links = (
        Membership.objects.filter(
            child__in=[a for a in areas if a.level == Level.COMUNE], parent__level=Level.PROVINCIA
        )
        .select_related("parent")
        .order_by("-valid_from")
    )
    for link in links:
        out.setdefault(link.child_id, link.parent)
    return out


def areas_by_code(codes: list[str]) -> list[Area]:
    found = {a.code: a for a in Area.objects.filter(code__in=codes)}
    return [found[c] for c in codes if c in found]
