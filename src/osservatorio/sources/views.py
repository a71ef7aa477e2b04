from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from osservatorio.accounts.access import public, roles_required, user_role
from osservatorio.accounts.roles import Role
from osservatorio.core.http import UserFacing404

from . import selectors, services
from .forms import UploadForm
from .models import LoadJob
from .validation import LoadError, ValidationReport


def _crumbs(*items):
    return [
        {"label": _("Fonti"), "url": reverse("sources:index")},
        *[{"label": label, "url": url} for label, url in items],
    ]


@public
@require_GET
def index(request):
    sources = selectors.sources_with_releases()
    can_upload = user_role(request.user) in (Role.ANALISTA, Role.AMMINISTRATORE)
    return render(
        request,
        "sources/index.html",
        {"sources": sources, "can_upload": can_upload, "breadcrumbs": _crumbs()},
    )


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


@roles_required(Role.ANALISTA)
def upload(request):
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = services.start_upload(
                form.cleaned_data["dataset"], form.cleaned_data["file"], user=request.user.get_username()
            )
        except LoadError as exc:
            form.add_error(None, str(exc))
        else:
            return redirect("sources:job", pk=job.pk)
    jobs = LoadJob.objects.select_related("dataset")[:10]
    return render(
        request,
        "sources/upload.html",
        {"form": form, "jobs": jobs, "breadcrumbs": _crumbs((_("Carica una nuova release"), ""))},
    )


@roles_required(Role.ANALISTA)
@require_GET
def job(request, pk: int):
    item = LoadJob.objects.select_related("dataset", "release").filter(pk=pk).first()
    if item is None:
        raise UserFacing404(_("Il caricamento n. %(pk)s non esiste.") % {"pk": pk})
    template = "sources/_job_status.html" if request.htmx else "sources/job.html"
    return render(
        request,
        template,
        {
            "job": item,
            "breadcrumbs": _crumbs(
                (_("Carica una nuova release"), reverse("sources:upload")),
                (_("Caricamento n. %(pk)s") % {"pk": pk}, ""),
            ),
        },
    )
