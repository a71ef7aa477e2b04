"""Microsimulation pages for the analista: estimates per comune of an ambito, and the what-if."""

from __future__ import annotations

from datetime import date

from django import forms
from django.conf import settings
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from osservatorio.accounts.access import roles_required
from osservatorio.accounts.roles import Role

from .coverage import RDC_DATE, rdc_recipients_july_2020
from .microsim import estimate, whatif
from .presentation import euro
from .screening.specs import BY_KEY
from .selectors import ambito_comuni

MEASURE_CHOICES = [(k, BY_KEY[k].label) for k in estimate.ESTIMATED]


def ambiti_choices():
    from osservatorio.territory.models import Area, Level

    return [(a.code, a.name) for a in Area.objects.filter(level=Level.AMBITO).order_by("name")]


class MicrosimForm(forms.Form):
    ambito = forms.ChoiceField(label=gettext_lazy("Ambito"))
    mese = forms.DateField(
        label=gettext_lazy("Mese di riferimento"), widget=forms.DateInput(attrs={"type": "date"})
    )
    estrazioni = forms.IntegerField(
        label=gettext_lazy("Estrazioni ripetute"), min_value=2, max_value=50, initial=10
    )
    famiglie = forms.IntegerField(
        label=gettext_lazy("Famiglie sintetiche per estrazione"),
        min_value=200,
        max_value=50_000,
        initial=3000,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ambito"].choices = ambiti_choices()

    def clean_mese(self):
        value = self.cleaned_data["mese"]
        if value < date(2019, 1, 1) or value.year > date.today().year + 1:
            raise forms.ValidationError(
                _("Scegliere una data dal 2019 all'anno prossimo: le regole non coprono altri periodi.")
            )
        return value


class WhatIfForm(MicrosimForm):
    regola = forms.ChoiceField(label=gettext_lazy("Regola comunale"))
    parametro = forms.ChoiceField(label=gettext_lazy("Parametro"))
    valore = forms.DecimalField(label=gettext_lazy("Nuovo valore"), min_value=0, max_digits=12, decimal_places=2,
                                error_messages={"min_value": gettext_lazy("Il valore non può essere negativo.")})  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["regola"].choices = [
            (f"{c}/{r}", f"{_('regola predefinita') if c == '_predefinito' else c} · {r.replace('_', ' ')}")
            for c, r in whatif.rules_available()
        ]
        self.fields["parametro"].choices = [
            (f"{rule}.{p}", label) for rule, params in whatif.EDITABLE.items() for p, label in params.items()
        ]

    def clean(self):
        data = super().clean()
        regola, parametro = data.get("regola"), data.get("parametro")
        if regola and parametro and regola.split("/")[1] != parametro.split(".")[0]:
            self.add_error(
                "parametro",
                _("Questo parametro non appartiene alla regola scelta: sceglierne uno della stessa regola."),
            )
        return data


def _initial():
    home = settings.OSSERVATORIO.get("HOME_AMBITO") or ""
    return {"ambito": home, "mese": date.today().replace(day=1), "estrazioni": 10, "famiglie": 3000}


def _table(estimates, comuni, measures):
    by = {(e.measure, e.comune): e for e in estimates}
    rows = []
    for code, name in comuni:
        row = {"code": code, "name": name, "cells": []}
        for m in measures:
            e = by.get((m, code))
            row["cells"].append(e)
        rows.append(row)
    return rows


def _totals(draws, comuni, measures):
    """Each measure over the ambito: the interval of the per-draw sums, households to verify, and
    whether the measure exists in the month (a 0 for a measure not in force is not an estimate)."""
    by = {t.measure: t for t in estimate.summarise_totals(draws, comuni=[c for c, _n in comuni])}
    return [{"measure": m, "label": BY_KEY[m].label, "total": by[m]} for m in measures if m in by]


@roles_required(Role.ANALISTA)
def microsim(request):
    form = MicrosimForm(request.GET or None, initial=_initial())
    context = {"form": form, "breadcrumbs": [{"label": _("Microsimulazione"), "url": ""}], "euro": euro}
    if not form.fields["ambito"].choices:
        context["no_territory"] = True
    elif form.is_bound and form.is_valid():
        d = form.cleaned_data
        comuni = ambito_comuni(d["ambito"])
        codes = [c for c, _n in comuni]
        period = d["mese"].strftime("%Y-%m")
        draws = estimate.run_draws(codes, period, draws=d["estrazioni"], households=d["famiglie"])
        estimates = estimate.summarise(draws)
        focus = ["adi", "contributo_comunale"]
        rows = _table(estimates, comuni, focus)
        totals = _totals(draws, comuni, list(estimate.ESTIMATED))
        coverage = None
        if d["mese"].strftime("%Y-%m") == RDC_DATE.strftime("%Y-%m"):
            actual = rdc_recipients_july_2020(codes)
            if actual is not None:
                by = {e.comune: e for e in estimates if e.measure == "rdc"}
                coverage = [
                    {"code": c, "name": n, "actual": actual.get(c), "estimated": by[c].households if c in by else None,
                     "ratio": (actual.get(c) / by[c].households) if c in by and by[c].households and actual.get(c) is not None else None}
                    for c, n in comuni
                ]  # fmt: skip
        context.update({"rows": rows, "totals": totals, "focus": [BY_KEY[m].label for m in focus], "period": d["mese"],
                        "coverage": coverage, "draws": d["estrazioni"]})  # fmt: skip
    return render(request, "measures/microsim.html", context)


@roles_required(Role.ANALISTA)
def whatif_view(request):
    initial = {
        **_initial(),
        "regola": "_predefinito/contributo_economico",
        "parametro": "contributo_economico.soglia_isee",
    }
    form = WhatIfForm(request.GET or None, initial=initial)
    context = {
        "form": form,
        "breadcrumbs": [
            {"label": _("Microsimulazione"), "url": reverse("measures:microsim")},
            {"label": _("Cosa succede se"), "url": ""},
        ],
    }
    if not form.fields["ambito"].choices:
        context["no_territory"] = True
    elif form.is_bound and form.is_valid():
        d = form.cleaned_data
        comune, rule = d["regola"].split("/")
        parameter = d["parametro"].split(".", 1)[1]
        period = d["mese"].strftime("%Y-%m")
        comuni = ambito_comuni(d["ambito"])
        codes = [c for c, _n in comuni]
        measure = whatif.RULE_MEASURE[rule]
        try:
            before_value = whatif.current_value((comune, rule, parameter), d["mese"].isoformat())
        except Exception:  # noqa: BLE001 - a rule not in force that day has no value to show
            before_value = None
        changed = whatif.apply(
            whatif.Change(comune, rule, parameter, float(d["valore"])), d["mese"].isoformat()
        )
        kwargs = {"draws": d["estrazioni"], "households": d["famiglie"], "measures": (measure,)}
        before_draws = estimate.run_draws(codes, period, **kwargs)
        after_draws = estimate.run_draws(codes, period, tbs=changed, **kwargs)
        before = {e.comune: e for e in estimate.summarise(before_draws)}
        after = {e.comune: e for e in estimate.summarise(after_draws)}
        (change,) = estimate.summarise_change(before_draws, after_draws, comuni=codes)
        rows = []
        for code, name in comuni:
            b, a = before.get(code), after.get(code)
            rows.append(
                {
                    "code": code,
                    "name": name,
                    "before": b,
                    "after": a,
                    "delta_households": (a.households - b.households) if a and b else None,
                    "delta_cost": (a.cost - b.cost) if a and b else None,
                }
            )
        context.update(
            {
                "rows": rows,
                "measure_label": BY_KEY[measure].label,
                "parameter_label": whatif.EDITABLE[rule][parameter],
                "before_value": before_value,
                "after_value": float(d["valore"]),
                "tot_before": (
                    sum(r["before"].households for r in rows if r["before"]),
                    sum(r["before"].cost for r in rows if r["before"]),
                ),
                "tot_after": (
                    sum(r["after"].households for r in rows if r["after"]),
                    sum(r["after"].cost for r in rows if r["after"]),
                ),
                "period": d["mese"],
                "change": change,
                "draws": d["estrazioni"],
            }
        )
    return render(request, "measures/whatif.html", context)
