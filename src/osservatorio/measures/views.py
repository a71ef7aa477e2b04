"""Thin views: parse the request, call a selector, service or the screening engine, render."""

from __future__ import annotations

import dataclasses
import json
from datetime import date

from auditlog.models import LogEntry
from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from osservatorio.accounts.access import check_comune, public, roles_required, user_role
from osservatorio.accounts.roles import Role
from osservatorio.core.http import UserFacing404

from . import selectors, services
from .forms import HouseholdForm, MeasureForm, MemberFormSet
from .models import Level, Measure, ScreeningCase, TargetGroup
from .presentation import euro, parameter_rows, problem_text, rule_parameter_node_name, unit_text
from .screening import engine
from .screening.household import Household, Member

OPERATORS = (Role.OPERATORE, Role.OPERATORE_COMUNALE, Role.ANALISTA)
SIGNING_SALT = "measures.screening"


def _crumbs(*items):
    return [
        {"label": _("Misure"), "url": reverse("measures:catalogue")},
        *[{"label": label, "url": url} for label, url in items],
    ]


@public
def catalogue(request):
    level = request.GET.get("livello", "")
    target = request.GET.get("destinatari", "")
    q = request.GET.get("q", "").strip()
    year_raw = request.GET.get("anno", "")
    year = int(year_raw) if year_raw.isdigit() and 1990 <= int(year_raw) <= 2100 else None
    items = selectors.measures(level=level if level in Level.values else "", target=target, year=year, q=q)
    return render(
        request,
        "measures/catalogue.html",
        {
            "measures": items,
            "levels": Level.choices,
            "targets": TargetGroup.objects.all(),
            "years": list(range(2019, date.today().year + 2)),
            "selected": {"livello": level, "destinatari": target, "anno": year, "q": q},
            "breadcrumbs": [{"label": _("Misure"), "url": ""}],
        },
    )


def _can_edit(request) -> bool:
    return user_role(request.user) in (Role.ANALISTA, Role.AMMINISTRATORE)


@public
def detail(request, slug):
    measure = (
        Measure.objects.filter(slug=slug)
        .select_related("predecessor")
        .prefetch_related("facts", "target_groups")
        .first()
    )
    if measure is None:
        raise UserFacing404(_("La misura «%(slug)s» non è nel catalogo.") % {"slug": slug})
    chain = []
    cursor = measure.predecessor
    while cursor is not None and len(chain) < 10:
        chain.insert(0, cursor)
        cursor = cursor.predecessor
    node = rule_parameter_node_name(measure.rule_key, measure.comune_code) if measure.rule_key else None
    history = []
    if _can_edit(request):
        history = LogEntry.objects.get_for_object(measure).select_related("actor")[:20]
    return render(
        request,
        "measures/detail.html",
        {
            "measure": measure,
            "predecessors": chain,
            "successors": measure.successors.all(),
            "parameters": parameter_rows(node) if node else [],
            "parameter_node": node,
            "can_edit": _can_edit(request),
            "history": history,
            "breadcrumbs": _crumbs((measure.short_name or measure.name, "")),
        },
    )


@roles_required(Role.ANALISTA)
def edit(request, slug):
    measure = get_object_or_404(Measure, slug=slug)
    form = MeasureForm(request.POST or None, instance=measure)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Misura aggiornata: la modifica è registrata nella cronologia."))
        return redirect(measure)
    return render(
        request,
        "measures/edit.html",
        {
            "form": form,
            "measure": measure,
            "breadcrumbs": _crumbs((measure.name, measure.get_absolute_url()), (_("Modifica"), "")),
        },
    )


def timeline_spec(rows: list[dict]) -> dict:
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "description": "Misure in vigore dal 2019 a oggi",
        "width": "container",
        "height": {"step": 18},
        "data": {"values": [{k: r[k] for k in ("name", "full_name", "level", "start", "end")} for r in rows]},
        "mark": {"type": "bar", "cornerRadius": 2},
        "encoding": {
            "y": {"field": "name", "type": "nominal", "sort": None, "title": None},
            "x": {"field": "start", "type": "temporal", "title": "Periodo di validità", "axis": {"format": "%Y", "tickCount": "year"}},
            "x2": {"field": "end"},
            "color": {"field": "level", "type": "nominal", "title": "Livello",
                      "scale": {"scheme": "tableau10"}},
            "tooltip": [{"field": "full_name", "title": "Misura"}, {"field": "level", "title": "Livello"},
                        {"field": "start", "type": "temporal", "title": "Dal"}, {"field": "end", "type": "temporal", "title": "Al"}],
        },
    }  # fmt: skip


@public
def timeline(request):
    rows = selectors.timeline()
    return render(
        request,
        "measures/timeline.html",
        {"rows": rows, "spec": timeline_spec(rows), "breadcrumbs": _crumbs((_("Cronologia 2019-oggi"), ""))},
    )


def _forms(request):
    data = request.POST if request.method == "POST" else None
    if data is not None and "aggiungi" in data:
        # Without JavaScript the "add a member" button posts the form: show one more empty member.
        data = data.copy()
        total = data.get("componenti-TOTAL_FORMS", "1")
        data["componenti-TOTAL_FORMS"] = str(min(int(total) + 1 if total.isdigit() else 1, 12))
    initial = {"data_riferimento": date.today()}
    home = settings.OSSERVATORIO.get("HOME_COMUNE") or ""
    if home:
        initial["comune_residenza"] = home
    form = HouseholdForm(data, initial=initial, prefix="nucleo")
    formset = MemberFormSet(
        data, prefix="componenti", initial=None if data else [{"relazione": "richiedente"}]
    )
    return form, formset


def _apply_problems(form, formset, problems):
    for p in problems:
        if p.member is not None and p.member < len(formset.forms):
            target = formset.forms[p.member]
            field = p.field if p.field in target.fields else None
            target.add_error(field, problem_text(p))
        elif p.field in form.fields:
            form.add_error(p.field, problem_text(p))
        else:
            form.add_error(None, problem_text(p))


def _procedures(results):
    catalogue = selectors.measure_by_rule_key()
    out = []
    for r in results:
        m = catalogue.get(r.key)
        out.append(
            {
                "result": r,
                "amount_text": euro(r.amount) if r.amount is not None else "",
                "unit_text": unit_text(r.unit),
                "measure": m,
                "validity": (m.valid_from, m.valid_to) if m else None,
            }
        )
    return out


def _serialise(household: Household, on: date) -> str:
    payload = {
        "on": on.isoformat(),
        "household": {
            **{k: v for k, v in household.__dict__.items() if k != "members"},
            "members": [
                {**m.__dict__, "data_nascita": m.data_nascita.isoformat() if m.data_nascita else None}
                for m in household.members
            ],
        },
    }
    return signing.dumps(payload, salt=SIGNING_SALT, compress=True)


def _deserialise(token: str) -> tuple[Household, date]:
    payload = signing.loads(token, salt=SIGNING_SALT, max_age=6 * 3600)
    data = dict(payload["household"])
    members = [
        Member(**{**m, "data_nascita": date.fromisoformat(m["data_nascita"]) if m["data_nascita"] else None})
        for m in data.pop("members")
    ]
    return Household(members=members, **data), date.fromisoformat(payload["on"])


@roles_required(*OPERATORS)
def screening(request):
    form, formset = _forms(request)
    context = {"form": form, "formset": formset, "breadcrumbs": [{"label": _("Screening"), "url": ""}]}
    if request.method == "POST" and "aggiungi" in request.POST:
        return render(request, "measures/screening.html", context)
    if request.method == "POST":
        if form.is_valid() and formset.is_valid():
            members = [f.to_member() for f in formset.forms]
            indexed = [(i, m) for i, m in enumerate(members) if m is not None]
            household = form.to_household([m for _i, m in indexed])
            on = form.cleaned_data["data_riferimento"]
            problems, results = engine.evaluate(household, on)
            # Problems name members by position among the filled ones: map back to the form rows.
            problems = [
                dataclasses.replace(p, member=indexed[p.member][0] if p.member is not None else None)
                for p in problems
            ]
            if problems:
                _apply_problems(form, formset, problems)
            else:
                context.update(
                    {
                        "results": _procedures(results),
                        "reference_date": on,
                        "household": household,
                        "token": _serialise(household, on),
                        "can_save": bool(household.comune_residenza),
                    }
                )
        if "results" not in context:
            messages.error(request, _("Alcuni dati non sono validi: correggere i campi segnalati."))
    return render(request, "measures/screening.html", context)


@roles_required(*OPERATORS, personal_data=True, comune_scoped=True)
def case_save(request):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    token = request.POST.get("token", "")
    try:
        household, on = _deserialise(token)
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        messages.error(request, _("Lo screening da salvare è scaduto o non valido: ripetere lo screening."))
        return redirect("measures:screening")
    if not household.comune_residenza:
        messages.error(request, _("Per salvare il caso serve il comune di residenza del nucleo."))
        return redirect("measures:screening")
    check_comune(request.user, household.comune_residenza)
    results = engine.screen(household, on)
    case = services.save_screening_case(
        user=request.user,
        comune_code=household.comune_residenza,
        reference_date=on,
        household=json.loads(json.dumps(signing.loads(token, salt=SIGNING_SALT)["household"])),
        results=[
            {
                "key": r.key,
                "label": r.label,
                "status": r.status,
                "amount": str(r.amount) if r.amount is not None else None,
                "unit": r.unit,
                "reasons": [[x.state, x.text] for x in r.reasons],
                "missing": r.missing,
            }
            for r in results
        ],  # fmt: skip
        note=request.POST.get("note", "")[:2000],
    )
    messages.success(request, _("Caso salvato nel fascicolo (dati personali: accesso registrato)."))
    return redirect(case)


@roles_required(*OPERATORS, personal_data=True, comune_scoped=True)
def cases(request):
    return render(
        request,
        "measures/cases.html",
        {
            "cases": selectors.screening_cases_for(request.user)[:200],
            "breadcrumbs": [{"label": _("Casi di screening"), "url": ""}],
        },
    )


@roles_required(*OPERATORS, personal_data=True, comune_scoped=True)
def case(request, pk):
    obj = ScreeningCase.objects.filter(pk=pk).select_related("created_by").first()
    if obj is None:
        raise UserFacing404(_("Il caso di screening n. %(pk)s non esiste.") % {"pk": pk})
    check_comune(request.user, obj.comune_code)
    return render(
        request,
        "measures/case.html",
        {
            "case": obj,
            "breadcrumbs": [
                {"label": _("Casi di screening"), "url": reverse("measures:cases")},
                {"label": str(obj), "url": ""},
            ],
        },
    )
