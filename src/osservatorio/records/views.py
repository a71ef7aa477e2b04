"""Thin views: parse the request, call a service or selector, render."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from osservatorio.accounts.access import roles_required
from osservatorio.accounts.roles import Role

from . import progress, reading, selectors, services
from .fields import FIELD_BY_NAME, is_ignored_header
from .forms import ConfirmForm, MappingForm, UploadForm
from .models import BatchStatus

RECORD_ROLES = (Role.ANALISTA, Role.OPERATORE, Role.OPERATORE_COMUNALE)
PREVIEW_ROWS = 8


def _crumbs(*items):
    return [{"label": _("Dati dei servizi"), "url": reverse("records:index")}] + [
        {"label": label, "url": url} for label, url in items
    ]


@roles_required(*RECORD_ROLES, comune_scoped=True)
def index(request):
    batches = selectors.batches_for(request.user)[:50]
    return render(request, "records/index.html", {"batches": batches, "breadcrumbs": _crumbs()})


@roles_required(*RECORD_ROLES, personal_data=True, comune_scoped=True)
@require_http_methods(["GET", "POST"])
def upload(request):
    names = selectors.mapping_names()
    form = UploadForm(request.POST or None, request.FILES or None, mapping_names=names)
    file_error = None
    if request.method == "POST" and form.is_valid():
        f = form.cleaned_data["file"]
        try:
            batch = services.create_batch(
                chunks=f.chunks(),
                file_name=f.name,
                source_name=form.cleaned_data["source_name"],
                user=request.user,
            )
        except reading.FileRejected as exc:
            file_error = str(exc)
        except services.ImportRefused as exc:
            file_error = exc.message
        else:
            return redirect("records:mapping", pk=batch.pk)
    return render(
        request,
        "records/upload.html",
        {"form": form, "mapping_names": names, "file_error": file_error,
         "breadcrumbs": _crumbs((_("Carica un file"), ""))},
    )  # fmt: skip


@roles_required(*RECORD_ROLES, personal_data=True, comune_scoped=True)
@require_http_methods(["GET", "POST"])
def mapping(request, pk: int):
    batch = selectors.batch_for(request.user, pk)
    if batch.status not in (BatchStatus.CARICATO, BatchStatus.VERIFICATO):
        return redirect("records:status", pk=batch.pk)
    try:
        table = services.batch_table(batch)
    except (reading.FileRejected, services.ImportRefused) as exc:
        messages.error(request, getattr(exc, "message", str(exc)))
        return redirect("records:index")
    proposed, saved = services.proposed_mapping(batch, table.headers)
    if batch.mapping_snapshot:
        proposed = services.validation.Mapping(**batch.mapping_snapshot)
    columns = {k: v for k, v in proposed.columns.items() if v in table.headers}
    missing = {k: v for k, v in proposed.columns.items() if v not in table.headers}
    form = MappingForm(
        request.POST or None, headers=table.headers, initial_columns=columns, initial_fixed=proposed.fixed
    )
    file_error = None
    if request.method == "POST" and form.is_valid():
        try:
            services.validate_batch(batch, form.mapping(), user=request.user)
        except reading.FileRejected as exc:
            file_error = str(exc)
        else:
            return redirect("records:report", pk=batch.pk)
    preview = table.frame.head(PREVIEW_ROWS)
    header_info = [{"name": h, "ignored": is_ignored_header(h)} for h in table.headers]
    return render(
        request,
        "records/mapping.html",
        {
            "batch": batch,
            "form": form,
            "headers": header_info,
            "preview": [(r["__riga"], [r[h] for h in table.headers]) for r in preview.iter_rows(named=True)],
            "read_notes": table.describe(),
            "rows": table.data_rows,
            "saved_mapping": saved,
            "missing": [(FIELD_BY_NAME[k].label, v) for k, v in missing.items()],
            "file_error": file_error,
            "breadcrumbs": _crumbs((_("Mappatura delle colonne"), "")),
        },
    )


@roles_required(*RECORD_ROLES, comune_scoped=True)
@require_http_methods(["GET", "POST"])
def report(request, pk: int):
    batch = selectors.batch_for(request.user, pk)
    if batch.status == BatchStatus.CARICATO:
        return redirect("records:mapping", pk=batch.pk)
    form = ConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.start_import(batch, valid_only=form.cleaned_data["valid_only"])
        except services.ImportRefused as exc:
            messages.error(request, exc.message)
        else:
            return redirect("records:status", pk=batch.pk)
    return render(
        request,
        "records/report.html",
        {
            "batch": batch,
            "form": form,
            "errors": services.error_rows(batch, limit=200),
            "summary": services.rule_summary(batch),
            "can_import": batch.status == BatchStatus.VERIFICATO and batch.rows_valid > 0,
            "breadcrumbs": _crumbs((_("Verifica"), "")),
        },
    )


@roles_required(*RECORD_ROLES, comune_scoped=True)
def error_report(request, pk: int):
    batch = selectors.batch_for(request.user, pk)
    path = services.error_report_path(batch)
    if not path.exists():
        from osservatorio.core.http import UserFacing404

        raise UserFacing404(_("Il rapporto degli errori di questa importazione non è disponibile."))
    return FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=f"errori-importazione-{batch.pk}.csv",
        content_type="text/csv",
    )


@roles_required(*RECORD_ROLES, comune_scoped=True)
def batch_status(request, pk: int):
    batch = selectors.batch_for(request.user, pk)
    return render(
        request,
        "records/status.html",
        {
            "batch": batch,
            "progress": progress.read(batch.pk),
            "breadcrumbs": _crumbs((_("Importazione"), "")),
        },
    )


@roles_required(*RECORD_ROLES, comune_scoped=True)
def batch_progress(request, pk: int):
    batch = selectors.batch_for(request.user, pk)
    return render(request, "records/_progress.html", {"batch": batch, "progress": progress.read(batch.pk)})


@roles_required(*RECORD_ROLES, comune_scoped=True)
def cancel(request, pk: int):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    batch = selectors.batch_for(request.user, pk)
    try:
        services.cancel_batch(batch)
    except services.ImportRefused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Importazione annullata: il file caricato è stato cancellato."))
    return redirect("records:index")


@roles_required(*RECORD_ROLES, personal_data=True, comune_scoped=True)
def counts(request):
    kind = request.GET.get("tipo", "")
    try:
        year = int(request.GET.get("anno", "") or 0) or None
    except ValueError:
        year = None
    data = selectors.counts_by_area(request.user, kind=kind, year=year)
    return render(
        request,
        "records/counts.html",
        {
            **data,
            "kind": kind,
            "year": year,
            "breadcrumbs": _crumbs((_("Conteggi per comune e quartiere"), "")),
        },
    )
