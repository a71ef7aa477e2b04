import json
from functools import wraps

from django.db.models import F
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from osservatorio.accounts.access import public
from osservatorio.core.http import UserFacing404
from osservatorio.core.views import page_not_found

from . import geo, selectors
from .models import Boundary, Level

# Which members an area page lists by default, and which it may list on request (?livello=).
MEMBER_LEVELS = {
    Level.ITALIA: [Level.REGIONE, Level.PROVINCIA],
    Level.REGIONE: [Level.PROVINCIA, Level.COMUNE, Level.AMBITO],
    Level.PROVINCIA: [Level.COMUNE, Level.AMBITO],
    Level.AMBITO: [Level.COMUNE],
    Level.CUSTOM: [Level.COMUNE],
    Level.COMUNE: [Level.QUARTIERE],
}
SEARCH_LIMIT = 25
SORTS = {
    "nome": ("name", "code"),
    "-nome": ("-name", "code"),
    "popolazione": (F("population").asc(nulls_first=True), "name"),
    "-popolazione": (F("population").desc(nulls_last=True), "name"),
    "codice": ("code",),
    "-codice": ("-code",),
}


def designed_404(view):
    """Render our Italian 404 page even with DEBUG on (the demo runs with DEBUG, and a visitor who mistypes a
    code must see the message, not Django's technical page)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except UserFacing404 as exc:
            return page_not_found(request, exc)

    return wrapped


@public
@require_GET
def search(request):
    q = request.GET.get("q", "").strip()[:100]
    results = selectors.search(q, limit=SEARCH_LIMIT) if q else []
    provinces = selectors.province_of(results)
    context = {"q": q, "results": [(a, provinces.get(a.id)) for a in results], "limit": SEARCH_LIMIT}
    if request.htmx:
        return render(request, "territory/_results.html", context)
    context["breadcrumbs"] = [{"label": _("Territorio"), "url": ""}]
    return render(request, "territory/search.html", context)


@public
@require_GET
@designed_404
def area(request, code):
    area = selectors.get_area(code)
    if code != area.code:
        return redirect("territory:area", code=area.code, permanent=True)
    ancestors = selectors.ancestors(area)
    choices = MEMBER_LEVELS.get(area.level, [])
    member_level = request.GET.get("livello") or (choices[0] if choices else "")
    if choices and member_level not in choices:
        raise UserFacing404(
            _("Livello «%(livello)s» non disponibile per quest'area: scegli tra %(scelte)s.")
            % {"livello": member_level, "scelte": ", ".join(choices)}
        )
    sort = request.GET.get("ordina", "nome")
    if sort not in SORTS:
        sort = "nome"
    members = list(selectors.members(area, member_level).order_by(*SORTS[sort])) if choices else []
    boundary = Boundary.objects.filter(area=area).only("geojson").first()
    map_facts = geo.describe(boundary.geojson) if boundary else None
    context_url = ""
    if area.level == Level.COMUNE:
        province = next((a for a in ancestors if a.level == Level.PROVINCIA), None)
        if province is not None:
            context_url = reverse("territory:geojson", args=[province.code]) + "?livello=comune"
    elif area.level in (Level.AMBITO, Level.PROVINCIA, Level.CUSTOM):
        context_url = reverse("territory:geojson", args=[area.code]) + "?livello=comune"
    changes = selectors.changes_of(area.code)
    today_codes = selectors.resolve_code(area.code) if area.valid_to else []
    breadcrumbs = [{"label": _("Territorio"), "url": reverse("territory:search")}]
    breadcrumbs += [
        {"label": a.display_name, "url": reverse("territory:area", args=[a.code])}
        for a in reversed(ancestors)
    ]
    breadcrumbs.append({"label": area.display_name, "url": ""})
    context = {
        "area": area,
        "ancestors": ancestors,
        "member_level": member_level,
        "member_choices": [(lv, Level(lv).label) for lv in choices],
        "members": members,
        "members_total": sum(m.population or 0 for m in members),
        "members_missing_population": sum(1 for m in members if m.population is None),
        "members_have_population": any(m.population is not None for m in members),
        "sort": sort,
        "boundary": boundary,
        "map_facts": map_facts,
        "context_url": context_url,
        "changes": changes,
        "successors": selectors.areas_by_code(today_codes),
        "breadcrumbs": breadcrumbs,
    }
    return render(request, "territory/area.html", context)


@public
@require_GET
@designed_404
def geojson(request, code):
    area = selectors.get_area(code)
    level = request.GET.get("livello", "")
    if level:
        if level not in (Level.COMUNE, Level.PROVINCIA, Level.REGIONE, Level.QUARTIERE):
            raise UserFacing404(
                _("Livello «%(livello)s» non valido: usa livello=comune.") % {"livello": level}
            )
        areas = list(selectors.members(area, level))
    else:
        areas = [area]
    boundaries = dict(Boundary.objects.filter(area__in=areas).values_list("area_id", "geojson"))
    if not boundaries:
        raise UserFacing404(
            _("Per %(nome)s (%(codice)s) non è disponibile un confine.")
            % {"nome": area.name, "codice": area.code}
        )
    features = []
    for a in areas:
        if a.id in boundaries:
            props = json.dumps(
                {"code": a.code, "name": a.name, "level": a.level, "population": a.population},
                ensure_ascii=False,
            )
            # The stored geometry is already GeoJSON text: splice it in rather than parse and re-serialise.
            features.append(f'{{"type":"Feature","properties":{props},"geometry":{boundaries[a.id]}}}')
    body = '{"type":"FeatureCollection","features":[' + ",".join(features) + "]}"
    response = HttpResponse(body, content_type="application/geo+json; charset=utf-8")
    response["Cache-Control"] = "public, max-age=3600"
    return response
