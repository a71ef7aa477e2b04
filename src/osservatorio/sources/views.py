from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from osservatorio.accounts.access import public
from osservatorio.core.http import UserFacing404

from . import selectors
from .validation import ValidationReport


def _crumbs(*items):
    return [
        {"label": _("Fonti"), "url": reverse("sources:index")},
        *[{"label": label, "url": url} for label, url in items],
    ]


@public
@require_GET
def index(request):
    sources = selectors.sources_with_releases()
    return render(request, "sources/index.html", {"sources": sources, "breadcrumbs": _crumbs()})


@public
@require_GET
def detail(request, key: str):
    # Official sources hold aggregates only (no personal data): public, as the issue requires.
    source = selectors.source_detail(key)
    if source is None:
        raise UserFacing404(_("La fonte «%(key)s» non esiste. Torna all'elenco delle fonti.") % {"key": key})
    releases = selectors.releases_of(source)
    return render(
        request,
        "sources/detail.html",
        {"source": source, "releases": releases, "breadcrumbs": _crumbs((source.name, ""))},
    )


@public
@require_GET
def release(request, pk: int):
    rel = selectors.release(pk)
    if rel is None:
        raise UserFacing404(_("La release n. %(pk)s non esiste.") % {"pk": pk})
    report = ValidationReport.from_dict(rel.validation_report or {})
    source = rel.dataset.source
    return render(
        request,
        "sources/release.html",
        {
            "release": rel,
            "source": source,
            "report": report,
            "counts": sorted(report.counts.items(), key=lambda kv: (kv[0][0], -kv[1])),
            "breadcrumbs": _crumbs(
                (source.name, reverse("sources:detail", args=[source.key])),
                (_("Release n. %(pk)s") % {"pk": rel.pk}, ""),
            ),
        },
    )
