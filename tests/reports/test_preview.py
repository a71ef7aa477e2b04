"""Bad input in a definition is reported in the preview with the section and the place; nothing half-written."""

from __future__ import annotations

from pathlib import Path

import pytest

from osservatorio.indicators.models import DataPoint
from osservatorio.reports import render, selectors, services
from osservatorio.reports.models import GenerationStatus, Section

from .conftest import released_value


def _section(definition, kind, title, config=None, text=""):
    last = definition.sections.order_by("-order").first()
    return Section.objects.create(
        definition=definition,
        order=(last.order + 10) if last else 10,
        kind=kind,
        title=title,
        config=config or {},
        text=text,
    )


def _messages(doc) -> list[str]:
    return [str(p) for p in doc.all_problems]


def test_missing_indicator_area_year_and_broken_markdown_are_named(released, definitions):
    d = definitions["profilo"]
    doc = services.preview(d, "019036")
    assert _messages(doc) == []  # the shipped definition is clean
    assert doc.releases and len(doc.figures) >= 2
    _section(d, "chart", "Indicatore sparito", {"indicator": "indicatore-inesistente"})
    _section(
        d, "comparison_table", "Area sparita", {"indicators": ["indice-vecchiaia"], "benchmarks": ["019999"]}
    )
    _section(d, "indicator_table", "Anno senza dati", {"indicators": ["indice-vecchiaia"], "year": 2031})
    _section(
        d, "text", "Testo rotto", text='Prima riga\nUn **grassetto e {{ value("x") }}\n\n{{ area.nome }}'
    )
    n = d.sections.count()
    messages = _messages(services.preview(d, "019036"))
    joined = "\n".join(messages)
    assert f"Sezione {n - 3} «Indicatore sparito»: l'indicatore «indicatore-inesistente» non esiste" in joined
    assert f"Sezione {n - 2} «Area sparita»: l'area con codice «019999» non esiste" in joined
    assert (
        f"Sezione {n - 1} «Anno senza dati»" in joined
        and "non ha dati per il 2031 (anni disponibili: 2022–2023)" in joined
    )
    assert f"Sezione {n} «Testo rotto»: testo, riga 2, colonna 4: grassetto aperto" in joined
    assert "riga 4, colonna 1" in joined and "non ha l'attributo «nome»" in joined
    assert "l'indicatore «x» non esiste" in joined


def test_an_area_that_no_longer_exists_cannot_be_generated_and_old_data_are_flagged(
    released, definitions, settings, client
):
    with pytest.raises(services.ReportError, match="non esiste"):
        services.request_generation(definitions["profilo"], "019999", enqueue=False)
    report = services.request_generation(definitions["profilo"], "019036", enqueue=False)
    report.area_code = "019999"  # e.g. a comune merged away after the request
    report.save()
    report = services.run_generation(report.pk)
    assert report.status == GenerationStatus.FAILED and "019999" in report.message
    assert not services.output_path(report).exists()
    assert not list((Path(settings.VAR_DIR) / "reports").glob(".tmp-*"))

    from .conftest import _restore

    report = services.request_generation(definitions["profilo"], "019036", enqueue=False)
    report = services.run_generation(report.pk)
    assert report.status == GenerationStatus.DONE and selectors.superseded(report) == []
    _restore()  # a newer published release of the same indicators
    stale = selectors.superseded(report)
    assert "indice-vecchiaia" in stale
    page = client.get(f"/rapporti/generati/{report.pk}/").content.decode()
    assert "Costruito su dati superati" in page and "indice-vecchiaia" in page


def test_pdf_writing_is_atomic(tmp_path):
    target = tmp_path / "rapporto.pdf"
    target.write_bytes(b"versione precedente")
    with pytest.raises(Exception):  # noqa: B017 - any WeasyPrint failure must leave the old file intact
        render.write_pdf("<html><body><img src='data:image/svg+xml;base64,@@@'></body></html>", tmp_path)
    assert target.read_bytes() == b"versione precedente"
    assert [p.name for p in tmp_path.iterdir()] == ["rapporto.pdf"]


def test_suppressed_cells_show_no_number_and_carry_a_footnote(released, definitions):
    row = released_value("indice-vecchiaia", "019036")
    # What disclosure control releases for a small cell: the flag, no value.
    from osservatorio.indicators.models import Indicator

    # By ids, without a join: PostgreSQL plans a join over rows inserted in this transaction as if the table
    # were empty (no statistics yet) and a nested loop over 20,000 rows takes minutes.
    DataPoint.objects.filter(
        indicator_id=Indicator.objects.get(code="indice-vecchiaia").id,
        area_code="019036",
        period_start=row["period_start"],
        breakdown_key="",
    ).update(suppressed=True, value=None, numerator=None, denominator=None, ci95_low=None, ci95_high=None)
    doc = services.preview(definitions["profilo"], "019036")
    html = render.pdf_html(doc)
    assert doc.has_suppressed
    assert "riservato" in html and "segreto statistico" in html
    from osservatorio.reports.formatting import number

    facts = next(b for s in doc.sections for b in s.blocks if b.kind == "facts")
    vecchiaia = next(f for f in facts.facts if "Indice di vecchiaia" in f)
    assert number(row["value"], 1) not in vecchiaia and "riservato" in vecchiaia
