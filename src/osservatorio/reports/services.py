"""Use cases: built-in definitions, editing sections, previewing, generating and reproducing reports."""

from __future__ import annotations

import logging
import time
from pathlib import Path

import yaml
from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation

from . import render, sections
from .document import Document
from .models import GeneratedReport, GenerationStatus, ReportDefinition, Section
from .selectors import ReleasedData

log = logging.getLogger(__name__)
DEFINITIONS_DIR = Path(__file__).resolve().parent / "definitions"


class ReportError(Exception):
    """A report that cannot be generated as asked: the message (Italian) says what to fix."""


def builtin_specs() -> list[dict]:
    return [yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted(DEFINITIONS_DIR.glob("*.yaml"))]


@transaction.atomic
def save_definition(spec: dict, *, builtin: bool = False, user=None) -> ReportDefinition:
    definition = ReportDefinition.objects.create(
        slug=spec["slug"],
        kind=spec.get("kind", "personalizzato"),
        title=spec["title"],
        subtitle=spec.get("subtitle", ""),
        description=spec.get("description", ""),
        area_code=spec.get("area_code", ""),
        parameters=spec.get("parameters") or {},
        public=bool(spec.get("public", False)),
        builtin=builtin,
        updated_by=user,
    )
    replace_sections(definition, spec.get("sections") or [])
    return definition


def replace_sections(definition: ReportDefinition, specs: list[dict]) -> None:
    definition.sections.all().delete()
    Section.objects.bulk_create(
        [
            Section(
                definition=definition,
                order=(i + 1) * 10,
                kind=s.get("kind", "text"),
                title=s.get("title", ""),
                level=int(s.get("level") or 1),
                text=s.get("text", "") or "",
                config=s.get("config") or {},
            )
            for i, s in enumerate(specs)
        ]
    )


def load_builtin_definitions() -> tuple[int, int]:
    """Create the shipped definitions that are missing; never overwrite one an analyst has edited."""
    created = kept = 0
    for spec in builtin_specs():
        if ReportDefinition.objects.filter(slug=spec["slug"]).exists():
            kept += 1
            continue
        save_definition(spec, builtin=True)
        created += 1
    return created, kept


@transaction.atomic
def restore_builtin(definition: ReportDefinition) -> None:
    spec = next((s for s in builtin_specs() if s["slug"] == definition.slug), None)
    if spec is None:
        raise ReportError(
            "questa definizione non è tra quelle predefinite: non c'è una versione da ripristinare"
        )
    replace_sections(definition, spec.get("sections") or [])


def default_area(definition: ReportDefinition) -> str:
    return definition.area_code or settings.OSSERVATORIO.get("HOME_AMBITO") or ""


def build_document(snapshot: dict, area_code: str, *, with_charts: bool = True, progress=None) -> Document:
    doc = sections.build(snapshot, area_code, ReleasedData(), with_charts=with_charts, progress=progress)
    params = snapshot.get("parameters") or {}
    doc.compact = params.get("cover") == "compact"
    doc.show_toc = bool(params.get("toc", True))
    return doc


def preview(
    definition: ReportDefinition, area_code: str | None = None, *, with_charts: bool = True
) -> Document:
    doc = build_document(
        definition.snapshot(), area_code or default_area(definition), with_charts=with_charts
    )
    if with_charts:
        doc.render_figures()
    return doc


def output_path(report: GeneratedReport) -> Path:
    slug = (report.snapshot.get("slug") or "rapporto")[:40]
    return Path(settings.VAR_DIR) / "reports" / f"{report.pk:06d}-{slug}-{report.area_code}.pdf"


def request_generation(
    definition: ReportDefinition, area_code: str | None = None, *, user=None, enqueue: bool = True
) -> GeneratedReport:
    """Record the request (with the definition as it is now) and queue the background task."""
    area_code = (area_code or default_area(definition)).strip().upper()
    if not area_code:
        raise ReportError("scegliere l'area del rapporto (un comune o un ambito)")
    from osservatorio.territory.models import Area

    if not Area.objects.filter(code=area_code).exists():
        raise ReportError(f"l'area «{area_code}» non esiste nel territorio caricato: controllare il codice")
    snapshot = definition.snapshot()
    report = GeneratedReport.objects.create(
        definition=definition,
        title=definition.title,
        area_code=area_code,
        snapshot=snapshot,
        parameters={"area": area_code, **(definition.parameters or {})},
        public=definition.public,
        created_by=user if getattr(user, "is_authenticated", False) else None,
        step="in coda",
    )
    if enqueue:
        from .tasks import generate_report

        transaction.on_commit(lambda: generate_report.enqueue(report.pk))
    return report


def reproduce(report: GeneratedReport, *, user=None, enqueue: bool = True) -> GeneratedReport:
    """A new file from the same snapshot and parameters (with the data in force now)."""
    copy = GeneratedReport.objects.create(
        definition=report.definition,
        title=report.title,
        area_code=report.area_code,
        snapshot=report.snapshot,
        parameters=report.parameters,
        public=report.public,
        created_by=user if getattr(user, "is_authenticated", False) else None,
        step="in coda",
    )
    if enqueue:
        from .tasks import generate_report

        transaction.on_commit(lambda: generate_report.enqueue(copy.pk))
    return copy


def _update(report_id: int, **fields) -> None:
    GeneratedReport.objects.filter(pk=report_id).update(**fields)


def run_generation(report_id: int) -> GeneratedReport:
    """Build the document, render the PDF atomically and record what it was built on. Progress goes to the
    database row, which the page polls."""
    report = GeneratedReport.objects.get(pk=report_id)
    started = time.perf_counter()
    _update(report_id, status=GenerationStatus.RUNNING, progress=2, step="lettura dei dati rilasciati")

    def progress(i: int, n: int, label: str) -> None:
        _update(report_id, progress=2 + int(58 * i / max(n, 1)), step=f"sezione {i} di {n}: {label}"[:200])

    try:
        # The documents are written in Italian (PDF language «it»): their headings and captions too, whatever
        # language the thread running the job was left in by an earlier request.
        with translation.override(settings.LANGUAGE_CODE):
            doc = build_document(report.snapshot, report.area_code, progress=progress)
            blocking = [p for p in doc.problems]
            if blocking:
                raise ReportError("; ".join(str(p) for p in blocking))
            _update(report_id, progress=62, step="grafici e mappe")
            doc.render_figures()
            _update(report_id, progress=75, step="impaginazione del PDF")
            html = render.pdf_html(doc, generated=report)
            target = output_path(report)
            info = render.write_pdf(html, target)
    except Exception as exc:  # noqa: BLE001 - any failure is recorded on the report, not lost in a worker log
        log.exception("report %s failed", report_id)
        message = str(exc) if isinstance(exc, ReportError) else f"errore durante la generazione: {exc}"
        _update(
            report_id,
            status=GenerationStatus.FAILED,
            step="non riuscito",
            message=message[:2000],
            finished_at=timezone.now(),
            seconds=time.perf_counter() - started,
        )
        report.refresh_from_db()
        return report
    releases = doc.releases
    warnings = "\n".join(str(p) for p in doc.all_problems)
    _update(
        report_id,
        status=GenerationStatus.DONE,
        progress=100,
        step="pronto",
        file_path=str(target),
        checksum=info["checksum"],
        size=info["size"],
        pages=info["pages"],
        releases=releases,
        indicators_release_id=max(releases.values()) if releases else None,
        message=warnings[:4000],
        finished_at=timezone.now(),
        seconds=time.perf_counter() - started,
    )
    report.refresh_from_db()
    return report


def sample_objects() -> dict[str, dict]:
    """Objects for the permission matrix (territory_cremona is loaded in its test database)."""
    load_builtin_definitions()
    definition = ReportDefinition.objects.get(slug="profilo")
    report, _ = GeneratedReport.objects.get_or_create(
        definition=definition,
        area_code="019036",
        defaults={"title": definition.title, "snapshot": definition.snapshot(), "public": True},
    )
    section = definition.sections.first()
    return {
        "reports:detail": {"slug": definition.slug},
        "reports:print": {"slug": definition.slug},
        "reports:edit": {"slug": definition.slug},
        "reports:section": {"slug": definition.slug, "pk": section.pk},
        "reports:generate": {"slug": definition.slug},
        "reports:restore": {"slug": definition.slug},
        "reports:generated": {"pk": report.pk},
        "reports:status": {"pk": report.pk},
        "reports:download": {"pk": report.pk},
        "reports:reproduce": {"pk": report.pk},
    }
