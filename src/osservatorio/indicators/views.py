"""Thin views over selectors: catalogue, indicator page, indicator × area, composite-index builder."""

from datetime import date

import markdown
import numpy as np
from django.shortcuts import render
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from osservatorio.accounts.access import public, roles_required
from osservatorio.accounts.roles import Role
from osservatorio.core.http import UserFacing404

from . import composite, selectors
from .forms import CompositeForm
from .models import Indicator


def _indicator(code: str) -> Indicator:
    ind = Indicator.objects.filter(code=code, active=True).first()
    if ind is None:
        raise UserFacing404(
            f"L'indicatore «{code}» non è nel catalogo. Scegli un indicatore dall'elenco della pagina Indicatori."
        )
    return ind


def _crumbs(*items):
    return [{"label": _("Indicatori"), "url": reverse("indicators:catalogue")}, *items]


@public
def catalogue(request):
    return render(
        request,
        "indicators/catalogue.html",
        {"domains": selectors.catalogue_by_domain(), "breadcrumbs": _crumbs()},
    )


@public
def detail(request, code):
    ind = _indicator(code)
    levels = selectors.levels_available(ind)
    level = request.GET.get("livello") or (levels[-1] if levels else "")
    if levels and level not in levels:
        raise UserFacing404(
            f"Livello «{level}» non disponibile per questo indicatore: scegli tra {', '.join(levels)}."
        )
    periods = selectors.periods(ind, level) if level else []
    chosen = request.GET.get("periodo")
    period_start = None
    if chosen:
        try:
            period_start = date.fromisoformat(chosen)
        except ValueError:
            raise UserFacing404(f"«{chosen}» non è una data valida (formato AAAA-MM-GG).") from None
    table = selectors.area_table(ind, level, period_start) if level else {"rows": [], "period_start": None}
    return render(
        request,
        "indicators/detail.html",
        {
            "ind": ind,
            "levels": levels,
            "level": level,
            "periods": periods,
            "table": table,
            "release": selectors.release_for(ind),
            "breadcrumbs": _crumbs({"label": ind.title_it, "url": ""}),
        },
    )


@public
def area(request, code, area_code):
    ind = _indicator(code)
    names = selectors.area_names([area_code])
    if area_code not in names:
        raise UserFacing404(
            f"Nessuna area ha il codice {area_code}: controlla il codice nella pagina Territorio."
        )
    profile = selectors.area_profile(ind, area_code)
    return render(
        request,
        "indicators/area.html",
        {
            "ind": ind,
            "area_code": area_code,
            "area_name": names[area_code],
            **profile,
            "breadcrumbs": _crumbs(
                {"label": ind.title_it, "url": reverse("indicators:detail", args=[ind.code])},
                {"label": names[area_code], "url": ""},
            ),
        },
    )


@roles_required(Role.ANALISTA)
def composite_builder(request):
    form = CompositeForm(request.GET or None)
    result = None
    if form.is_valid():
        d = form.cleaned_data
        codes = d["indicators"]
        inds = {i.code: i for i in Indicator.objects.filter(code__in=codes)}
        comps = [
            composite.Component(
                c, inds[c].title_it, -1 if c in d["negative_indicators"] else 1, d["weights"].get(c, 1.0)
            )
            for c in codes
        ]
        areas, matrix = selectors.composite_matrix(codes, d["level"], d["year"])
        values = np.array([[np.nan if v is None else v for v in row] for row in matrix], dtype=float)
        if not areas:
            form.add_error(
                None,
                f"Nessun valore rilasciato per gli indicatori scelti nell'anno {d['year']} a questo livello: "
                "scegli un altro anno (le schede degli indicatori mostrano i periodi disponibili).",
            )
            return render(
                request,
                "indicators/composite.html",
                {
                    "form": form,
                    "result": None,
                    "breadcrumbs": _crumbs({"label": _("Indice composito"), "url": ""}),
                },
            )
        try:
            res = composite.compute(areas, values, comps, d["method"], d["negative_phenomenon"])
            sens = composite.sensitivity(areas, values, comps, d["method"], d["negative_phenomenon"])
        except ValueError as exc:
            form.add_error(
                None,
                f"{exc}. Cambia anno, livello o indicatori (anno {d['year']}, {len(areas)} aree trovate).",
            )
        else:
            names = selectors.area_names(areas)
            note = composite.methodological_note(
                d["name"], d["year"], areas, names, comps, res, sens, d["negative_phenomenon"]
            )
            rows = sorted(
                (
                    {
                        "code": a,
                        "name": names.get(a, a),
                        "score": res.scores[i],
                        "rank": res.ranks[i],
                        "sens": sens["areas"].get(a),
                    }
                    for i, a in enumerate(areas)
                    if res.ranks[i] > 0
                ),
                key=lambda r: r["rank"],
            )
            html = markdown.markdown(escape(note), extensions=["tables"])
            # The page has its own h1 and h2: the note's headings go two levels down.
            for a, b in (("h2", "h4"), ("h1", "h3")):
                html = html.replace(f"<{a}", f"<{b}").replace(f"</{a}>", f"</{b}>")
            result = {"rows": rows, "note_html": mark_safe(html), "note": note}  # noqa: S308 - our own text, escaped first
            result.update(_composite_charts(d["name"], rows, sens["scenarios"]))
    return render(
        request,
        "indicators/composite.html",
        {"form": form, "result": result, "breadcrumbs": _crumbs({"label": _("Indice composito"), "url": ""})},
    )


def _composite_charts(name: str, rows: list[dict], scenarios: list[dict]) -> dict:
    """Vega-Lite specs (atlas builders) of the index ranking and of the rank shifts, with text summaries.

    The tables on the page hold the same numbers (the accessible alternative to each chart).
    """
    from osservatorio.atlas import charts

    from .templatetags.indicators_format import italian

    title = name or str(_("Indice composito"))
    ranking = charts.ranked_bars(
        [{"code": r["code"], "name": r["name"], "value": r["score"]} for r in rows],
        unit=str(_("indice")),
        decimals=2,
        description=str(_("Graduatoria delle aree per valore dell'indice composito %(name)s"))
        % {"name": title},
    )
    summary = []
    if rows:
        top, bottom = rows[0], rows[-1]
        summary.append(
            str(_("%(n)d aree. Indice più alto: %(top)s (%(ts)s); più basso: %(bottom)s (%(bs)s)."))
            % {
                "n": len(rows),
                "top": top["name"],
                "ts": italian(top["score"], 2),
                "bottom": bottom["name"],
                "bs": italian(bottom["score"], 2),
            }
        )
    shifts = None
    shift_summary = []
    if scenarios:
        shifts = charts.ranked_bars(
            [{"code": s["scenario"], "name": s["scenario"], "value": s["mean_shift"]} for s in scenarios],
            unit=str(_("spostamento medio di rango")),
            decimals=2,
            description=str(
                _("Spostamento medio dei ranghi rispetto all'indice scelto, per scenario alternativo")
            ),
        )
        worst = max(scenarios, key=lambda s: s["mean_shift"])
        shift_summary.append(
            str(
                _(
                    "Lo scenario che cambia di più la graduatoria è «%(s)s»: in media %(m)s posizioni, "
                    "al massimo %(x)d."
                )
            )
            % {"s": worst["scenario"], "m": italian(worst["mean_shift"], 2), "x": worst["max_shift"]}
        )
    return {
        "ranking_spec": ranking,
        "ranking_summary": summary,
        "shift_spec": shifts,
        "shift_summary": shift_summary,
        "scenarios": scenarios,
    }
