"""Pages of the reports: list, preview, editing, generation with progress, downloads, the one-click profile."""

from __future__ import annotations

from pathlib import Path

from django.contrib import messages
from django.db import transaction
from django.db.models import Max
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from osservatorio.accounts.access import public, roles_required, user_role
from osservatorio.accounts.roles import Role
from osservatorio.territory import selectors as territory

from . import selectors, services
from .forms import AreaForm, DefinitionForm, NewSectionForm, SectionForm
from .models import GeneratedReport, GenerationStatus, ReportDefinition, Section
from .sections import KINDS

EDITORS = (Role.ANALISTA,)
READERS = (Role.ANALISTA, Role.LETTORE)


def _can_read_internal(user) -> bool:
    return user_role(user) in {*READERS, Role.AMMINISTRATORE}


def _can_edit(user) -> bool:
    return user_role(user) in {*EDITORS, Role.AMMINISTRATORE}


def _visible_report(request, pk: int) -> GeneratedReport:
    report = get_object_or_404(GeneratedReport.objects.select_related("definition", "created_by"), pk=pk)
    if not report.public and not _can_read_internal(request.user):
        raise Http404(_("Rapporto non trovato"))
    return report


@public
@require_GET
def report_list(request):
    context = {
        "published": selectors.published_reports()[:50],
        "breadcrumbs": [{"label": _("Rapporti"), "url": ""}],
        "can_edit": _can_edit(request.user),
    }
    if _can_read_internal(request.user):
        context["definitions"] = ReportDefinition.objects.annotate(last=Max("generated__created_at"))
        context["recent"] = selectors.recent_reports(limit=15)
    return render(request, "reports/list.html", context)


@roles_required(*READERS)
@require_GET
def detail(request, slug):
    definition = get_object_or_404(ReportDefinition, slug=slug)
    area_code = (request.GET.get("area") or services.default_area(definition)).strip().upper()
    doc = services.preview(definition, area_code) if area_code else None
    return render(
        request,
        "reports/detail.html",
        {
            "definition": definition,
            "doc": doc,
            "area_code": area_code,
            "area_form": AreaForm(initial={"area": area_code}),
            "recent": selectors.recent_reports(definition, limit=10),
            "can_edit": _can_edit(request.user),
            "breadcrumbs": [
                {"label": _("Rapporti"), "url": reverse("reports:list")},
                {"label": definition.title, "url": ""},
            ],
        },
    )


@roles_required(*EDITORS)
@require_http_methods(["GET", "POST"])
def edit(request, slug):
    definition = get_object_or_404(ReportDefinition, slug=slug)
    form = DefinitionForm(instance=definition)
    new_form = NewSectionForm()
    if request.method == "POST":
        action = request.POST.get("action", "save")
        if action == "save":
            form = DefinitionForm(request.POST, instance=definition)
            if form.is_valid():
                d = form.save(commit=False)
                d.updated_by = request.user
                d.save()
                messages.success(request, _("Definizione salvata."))
                return redirect("reports:edit", slug=slug)
        elif action in ("up", "down", "delete"):
            _reorder(definition, request.POST.get("section"), action)
            return redirect("reports:edit", slug=slug)
        elif action == "add":
            new_form = NewSectionForm(request.POST)
            if new_form.is_valid():
                last = definition.sections.aggregate(m=Max("order"))["m"] or 0
                section = Section.objects.create(
                    definition=definition,
                    order=last + 10,
                    kind=new_form.cleaned_data["kind"],
                    title=new_form.cleaned_data["title"],
                )
                return redirect("reports:section", slug=slug, pk=section.pk)
    return render(
        request,
        "reports/edit.html",
        {
            "definition": definition,
            "form": form,
            "new_form": new_form,
            "sections": definition.sections.all(),
            "kinds": KINDS,
            "breadcrumbs": [
                {"label": _("Rapporti"), "url": reverse("reports:list")},
                {"label": definition.title, "url": reverse("reports:detail", args=[slug])},
                {"label": _("Modifica"), "url": ""},
            ],
        },
    )


@transaction.atomic
def _reorder(definition: ReportDefinition, section_id, action: str) -> None:
    items = list(definition.sections.select_for_update())
    index = next((i for i, s in enumerate(items) if str(s.pk) == str(section_id)), None)
    if index is None:
        return
    if action == "delete":
        items.pop(index).delete()
    elif action == "up" and index > 0:
        items[index - 1], items[index] = items[index], items[index - 1]
    elif action == "down" and index < len(items) - 1:
        items[index + 1], items[index] = items[index], items[index + 1]
    for n, s in enumerate(items, start=1):
        if s.order != n * 10:
            s.order = n * 10
            s.save(update_fields=["order"])


@roles_required(*EDITORS)
@require_http_methods(["GET", "POST"])
def section_edit(request, slug, pk):
    definition = get_object_or_404(ReportDefinition, slug=slug)
    section = get_object_or_404(Section, pk=pk, definition=definition)
    if request.method == "POST":
        form = SectionForm(request.POST, kind=section.kind)
        if form.is_valid():
            section.title = form.cleaned_data["title"]
            section.level = form.cleaned_data["level"]
            section.text = form.cleaned_data["text"]
            section.config = form.section_config()
            section.save()
            definition.updated_by = request.user
            definition.save(update_fields=["updated_by", "updated_at"])
            messages.success(request, _("Sezione salvata: l'anteprima mostra il risultato."))
            return redirect(reverse("reports:detail", args=[slug]) + f"#{_anchor(section)}")
    else:
        form = SectionForm(initial=SectionForm.initial_from(section), kind=section.kind)
    return render(
        request,
        "reports/section_form.html",
        {
            "definition": definition,
            "section": section,
            "kind_label": KINDS.get(section.kind, section.kind),
            "form": form,
            "breadcrumbs": [
                {"label": _("Rapporti"), "url": reverse("reports:list")},
                {"label": definition.title, "url": reverse("reports:detail", args=[slug])},
                {"label": _("Modifica"), "url": reverse("reports:edit", args=[slug])},
                {"label": section.title or KINDS.get(section.kind, section.kind), "url": ""},
            ],
        },
    )


def _anchor(section: Section) -> str:
    from .sections import slug as make_slug

    return make_slug(section.title or section.kind)


@roles_required(*EDITORS)
@require_POST
def restore(request, slug):
    definition = get_object_or_404(ReportDefinition, slug=slug)
    try:
        services.restore_builtin(definition)
        messages.success(request, _("Sezioni predefinite ripristinate."))
    except services.ReportError as exc:
        messages.error(request, str(exc))
    return redirect("reports:edit", slug=slug)


@roles_required(*EDITORS)
@require_POST
def generate(request, slug):
    definition = get_object_or_404(ReportDefinition, slug=slug)
    try:
        report = services.request_generation(definition, request.POST.get("area"), user=request.user)
    except services.ReportError as exc:
        messages.error(request, str(exc))
        return redirect("reports:detail", slug=slug)
    return redirect("reports:generated", pk=report.pk)


@public
@require_GET
def generated(request, pk):
    report = _visible_report(request, pk)
    return render(
        request,
        "reports/generated.html",
        {
            "report": report,
            "superseded": selectors.superseded(report) if report.ready else [],
            "can_edit": _can_edit(request.user),
            "area": territory.areas_by_code([report.area_code])[:1],
            "breadcrumbs": [
                {"label": _("Rapporti"), "url": reverse("reports:list")},
                {"label": f"{report.title} · {report.area_code}", "url": ""},
            ],
        },
    )


@public
@require_GET
def status(request, pk):
    report = _visible_report(request, pk)
    response = render(request, "reports/_status.html", {"report": report, "poll": not report.finished})
    if report.finished and request.htmx:
        # The finished state changes the whole page (download, banner): reload it once.
        response["HX-Refresh"] = "true"
    return response


@public
@require_GET
def download(request, pk):
    report = _visible_report(request, pk)
    path = Path(report.file_path) if report.file_path else None
    if not report.ready or path is None or not path.is_file():
        raise Http404(_("Il file di questo rapporto non è disponibile: rigenerarlo"))
    name = f"{report.snapshot.get('slug', 'rapporto')}-{report.area_code}-{report.created_at:%Y%m%d}.pdf"
    return FileResponse(path.open("rb"), as_attachment=True, filename=name, content_type="application/pdf")


@roles_required(*EDITORS)
@require_POST
def reproduce(request, pk):
    report = get_object_or_404(GeneratedReport, pk=pk)
    copy = services.reproduce(report, user=request.user)
    return redirect("reports:generated", pk=copy.pk)


@public
@require_http_methods(["GET", "POST"])
def profile(request):
    """The one-click profile: choose a comune or ambito, get its profile (generated on demand)."""
    definition = ReportDefinition.objects.filter(kind="profilo").order_by("-builtin", "pk").first()
    form = AreaForm(request.POST or None)
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"{reverse('accounts:login')}?next={reverse('reports:profile')}")
        if definition is None:
            messages.error(request, _("Nessuna definizione di profilo: eseguire «osservatorio demo setup»."))
        elif form.is_valid():
            code = form.cleaned_data["area"]
            existing = (
                GeneratedReport.objects.filter(definition=definition, area_code=code)
                .exclude(status=GenerationStatus.FAILED)
                .first()
            )
            if existing and not selectors.superseded(existing) and request.POST.get("nuovo") != "1":
                return redirect("reports:generated", pk=existing.pk)
            report = services.request_generation(definition, code, user=request.user)
            return redirect("reports:generated", pk=report.pk)
    q = request.GET.get("q", "").strip()[:100]
    results = [a for a in territory.search(q, limit=30) if a.level in ("comune", "ambito")] if q else []
    context = {"form": form, "q": q, "results": results, "definition": definition}
    if request.htmx and request.method == "GET":
        return render(request, "reports/_area_results.html", context)
    context["breadcrumbs"] = [
        {"label": _("Rapporti"), "url": reverse("reports:list")},
        {"label": _("Profilo del territorio"), "url": ""},
    ]
    return render(request, "reports/profile.html", context)


@roles_required(*READERS)
@require_GET
def preview_fragment(request, slug):
    """The rendered body only (used by the browser tests and for printing from the browser)."""
    definition = get_object_or_404(ReportDefinition, slug=slug)
    doc = services.preview(definition, request.GET.get("area"))
    return HttpResponse(services.render.pdf_html(doc))
