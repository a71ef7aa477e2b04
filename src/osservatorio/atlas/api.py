"""Read-only JSON API (DRF, OpenAPI by drf-spectacular) over released data, and the DCAT-AP_IT catalogue.

Only released, disclosure-controlled values leave through here (the same `selectors.public_values` as the
pages). Bad filters answer 400 with an Italian message naming the parameter; unknown codes 404; page sizes
above MAX_LIMIT 400 — never a 500.
"""

from __future__ import annotations

from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from drf_spectacular.views import SpectacularAPIView
from rest_framework import serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from osservatorio.accounts.access import public
from osservatorio.core.http import UserFacing404
from osservatorio.indicators.models import Indicator
from osservatorio.territory import selectors as territory
from osservatorio.territory.models import Area, Level

from . import dcat, selectors

MAX_LIMIT = 1000


class StrictLimitOffset(LimitOffsetPagination):
    default_limit = 100
    max_limit = MAX_LIMIT

    def get_limit(self, request):
        raw = request.query_params.get(self.limit_query_param)
        if raw is None:
            return self.default_limit
        if not raw.isdigit() or int(raw) < 1:
            raise ValidationError({"limit": f"«{raw[:20]}» non è un numero intero positivo."})
        if int(raw) > MAX_LIMIT:
            raise ValidationError(
                {"limit": f"Al massimo {MAX_LIMIT} righe per pagina: usare offset per le pagine successive."}
            )
        return int(raw)

    def get_offset(self, request):
        raw = request.query_params.get(self.offset_query_param, "0")
        if not raw.isdigit():
            raise ValidationError({"offset": f"«{raw[:20]}» non è un numero intero non negativo."})
        return int(raw)


class AreaSerializer(serializers.ModelSerializer):
    nome = serializers.CharField(source="name")
    codice = serializers.CharField(source="code")
    livello = serializers.CharField(source="level")
    popolazione = serializers.IntegerField(source="population", allow_null=True)
    anno_popolazione = serializers.IntegerField(source="population_year", allow_null=True)
    valido_dal = serializers.DateField(source="valid_from")
    valido_al = serializers.DateField(source="valid_to", allow_null=True)

    class Meta:
        model = Area
        fields = ["codice", "nome", "livello", "popolazione", "anno_popolazione", "valido_dal", "valido_al"]


class IndicatorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Indicator
        fields = [
            "code",
            "domain",
            "title_it",
            "title_en",
            "short_it",
            "definition_it",
            "numerator_it",
            "numerator_source",
            "denominator_it",
            "denominator_source",
            "universe_it",
            "kind",
            "unit_it",
            "multiplier",
            "decimals",
            "polarity",
            "method_it",
            "interval_method",
            "frequency_it",
            "levels",
            "caveats_it",
            "proxy_of_it",
            "known_breaks",
            "sources",
            "non_ufficiale",
        ]


def datapoint_serializer(many: bool = False):
    return inline_serializer(
        "DataPoint",
        {
            "indicator": serializers.CharField(),
            "area_code": serializers.CharField(),
            "area_level": serializers.CharField(),
            "period_start": serializers.DateField(),
            "period_end": serializers.DateField(),
            "granularity": serializers.CharField(),
            "breakdown": serializers.CharField(),
            "value": serializers.FloatField(allow_null=True),
            "ci95_low": serializers.FloatField(allow_null=True),
            "ci95_high": serializers.FloatField(allow_null=True),
            "numerator": serializers.FloatField(allow_null=True),
            "denominator": serializers.FloatField(allow_null=True),
            "suppressed": serializers.BooleanField(),
            "missing": serializers.BooleanField(),
            "provisional": serializers.BooleanField(),
            "estimated": serializers.BooleanField(),
            "break_before": serializers.BooleanField(),
            "non_ufficiale": serializers.BooleanField(),
            "note": serializers.CharField(),
        },
        many=many,
    )


def _param(request, name: str, max_len: int = 80) -> str:
    values = request.query_params.getlist(name)
    if len(values) > 1:
        raise ValidationError({name: "Indicare il parametro una sola volta."})
    v = (values[0] if values else "").strip()
    if len(v) > max_len:
        raise ValidationError({name: f"Troppo lungo (massimo {max_len} caratteri)."})
    return v


def _year(request, name: str) -> int | None:
    v = _param(request, name, 4)
    if not v:
        return None
    if not v.isdigit() or not 1990 <= int(v) <= 2100:
        raise ValidationError({name: f"«{v}» non è un anno valido: quattro cifre tra 1990 e 2100."})
    return int(v)


def _area(code: str) -> Area:
    try:
        return territory.get_area(code)
    except UserFacing404 as exc:
        raise NotFound(str(exc)) from None


def _indicator(code: str) -> Indicator:
    try:
        return selectors.get_indicator(code)
    except UserFacing404 as exc:
        raise NotFound(str(exc)) from None


KNOWN = {
    "areas": {"q", "livello", "entro", "limit", "offset", "format"},
    "points": {
        "indicatore",
        "area",
        "livello",
        "entro",
        "anno",
        "dal",
        "al",
        "disaggregazione",
        "limit",
        "offset",
        "format",
    },
}


def _reject_unknown(request, kind: str):
    unknown = sorted(set(request.query_params) - KNOWN[kind])
    if unknown:
        raise ValidationError(
            {
                "parametri": f"Parametri sconosciuti: {', '.join(unknown)}. Ammessi: {', '.join(sorted(KNOWN[kind]))}."
            }
        )


@public
class AreaList(APIView):
    """Areas of the territory (comuni, ambiti, province, regioni, Italia), searchable by name or code."""

    pagination_class = StrictLimitOffset

    @extend_schema(
        parameters=[
            OpenApiParameter("q", OpenApiTypes.STR, description="Nome o codice ISTAT (anche parziale)"),
            OpenApiParameter("livello", OpenApiTypes.STR, enum=[lv.value for lv in Level]),
            OpenApiParameter("entro", OpenApiTypes.STR, description="Codice dell'area che le contiene"),
        ],
        responses=AreaSerializer(many=True),
    )
    def get(self, request):
        _reject_unknown(request, "areas")
        q = _param(request, "q", 100)
        level = _param(request, "livello", 20)
        within = _param(request, "entro", 48)
        if level and level not in Level.values:
            raise ValidationError(
                {"livello": f"«{level}» non è un livello: usare uno tra {', '.join(Level.values)}."}
            )
        if within:
            container = _area(within)
            qs = territory.members(container, level or Level.COMUNE)
        elif q:
            qs = territory.search(q, limit=100)
            if level:
                qs = [a for a in qs if a.level == level]
        else:
            qs = Area.objects.order_by("code")
            if level:
                qs = qs.filter(level=level)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(AreaSerializer(page, many=True).data)


@public
class AreaDetail(APIView):
    @extend_schema(responses=AreaSerializer)
    def get(self, request, code):
        area = _area(code)
        data = AreaSerializer(area).data
        data["contenuta_in"] = [
            {"codice": a.code, "nome": a.name, "livello": a.level} for a in territory.ancestors(area)
        ]
        return Response(data)


@public
class IndicatorList(APIView):
    """Indicators with at least one published release."""

    @extend_schema(responses=IndicatorSerializer(many=True))
    def get(self, request):
        inds = selectors.released_indicators()
        return Response({"count": len(inds), "results": IndicatorSerializer(inds, many=True).data})


@public
class IndicatorDetail(APIView):
    @extend_schema(responses=IndicatorSerializer)
    def get(self, request, code):
        ind = _indicator(code)
        data = IndicatorSerializer(ind).data
        data["release"] = selectors.release_of_indicators().get(ind.code)
        data["levels_available"] = selectors.levels_of(ind)
        return Response(data)


@public
class DataPointList(APIView):
    """Released values of one indicator, filtered by area, level, container and years."""

    pagination_class = StrictLimitOffset

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "indicatore", OpenApiTypes.STR, required=True, description="Codice dell'indicatore"
            ),
            OpenApiParameter("area", OpenApiTypes.STR, description="Codice di un'area"),
            OpenApiParameter("livello", OpenApiTypes.STR, enum=[lv.value for lv in Level]),
            OpenApiParameter("entro", OpenApiTypes.STR, description="Solo le aree contenute in quest'area"),
            OpenApiParameter("anno", OpenApiTypes.INT),
            OpenApiParameter("dal", OpenApiTypes.INT),
            OpenApiParameter("al", OpenApiTypes.INT),
            OpenApiParameter("disaggregazione", OpenApiTypes.STR, description="Es. sesso=F; vuoto = totale"),
        ],
        responses=datapoint_serializer(many=True),
    )
    def get(self, request):
        _reject_unknown(request, "points")
        code = _param(request, "indicatore")
        if not code:
            raise ValidationError(
                {"indicatore": "Parametro obbligatorio: il codice di un indicatore (vedi /api/indicatori/)."}
            )
        ind = _indicator(code)
        qs = selectors.points(ind, _param(request, "disaggregazione", 120))
        area = _param(request, "area", 48)
        if area:
            qs = qs.filter(area_code=_area(area).code)
        level = _param(request, "livello", 20)
        if level:
            if level not in Level.values:
                raise ValidationError(
                    {"livello": f"«{level}» non è un livello: usare uno tra {', '.join(Level.values)}."}
                )
            qs = qs.filter(area_level=level)
        within = _param(request, "entro", 48)
        if within:
            container = _area(within)
            codes = list(territory.members(container, level or Level.COMUNE).values_list("code", flat=True))
            qs = qs.filter(area_code__in=codes)
        year, start, end = _year(request, "anno"), _year(request, "dal"), _year(request, "al")
        if year:
            qs = qs.filter(period_start__year=year)
        if start:
            qs = qs.filter(period_start__year__gte=start)
        if end:
            qs = qs.filter(period_start__year__lte=end)
        if start and end and start > end:
            raise ValidationError({"dal": f"L'anno dal ({start}) è dopo l'anno al ({end})."})
        qs = qs.order_by("area_code", "period_start")
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(qs, request, view=self)
        rows = [{"indicator": ind.code, **selectors.public_values(dp)} for dp in page]
        return paginator.get_paginated_response(rows)


@public
class Catalogue(APIView):
    """DCAT-AP_IT catalogue (JSON-LD) of the released datasets and their sources, with licences."""

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request):
        body = dcat.catalogue(request.build_absolute_uri("/").rstrip("/"))
        return Response(body, content_type="application/ld+json")


@public
class Schema(SpectacularAPIView):
    """OpenAPI 3 schema of this API."""


@public
@require_GET
def dcat_catalogue(request):
    body = dcat.catalogue(request.build_absolute_uri("/").rstrip("/"))
    return JsonResponse(body, content_type="application/ld+json", json_dumps_params={"ensure_ascii": False})


@public
@require_GET
def docs(request):
    """A readable page of the OpenAPI schema (Swagger UI needs assets from a CDN, unreachable here)."""
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator(patterns=None, urlconf=None).get_schema(request=None, public=True)
    endpoints = []
    for path, ops in sorted((schema.get("paths") or {}).items()):
        if not path.startswith("/api/"):
            continue
        for method, op in ops.items():
            endpoints.append(
                {
                    "method": method.upper(),
                    "path": path,
                    "description": op.get("description", ""),
                    "parameters": op.get("parameters", []),
                }
            )
    return render(
        request,
        "atlas/api_docs.html",
        {"endpoints": endpoints, "breadcrumbs": [{"label": "API", "url": ""}]},
    )
