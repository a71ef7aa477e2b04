"""The placeholder language and the Markdown checks: what is accepted, what is refused and where."""

import pytest

from osservatorio.reports import textvars
from osservatorio.reports.sections import VOCABULARY


def resolve(expr):
    if expr.name == "area":
        return {"name": "Cremona", "label": "Comune di Cremona"}[expr.attr]
    if expr.name == "value":
        return "12,5%"
    raise textvars.PlaceholderError(f"non previsto: {expr.source}")


def test_placeholders_are_replaced_and_markdown_rendered():
    html, problems = textvars.render(
        'A **{{ area.name }}** il valore è {{ value("quota-stranieri") }}.', VOCABULARY, resolve
    )
    assert problems == []
    assert "<strong>Cremona</strong>" in html and "12,5%" in html


def test_code_and_unknown_names_are_refused_with_position():
    text = "Prima riga\nseconda {{ __import__('os').system('x') }} e {{ area.nome }}\n{{ foo }}"
    problems = textvars.check(text, VOCABULARY)
    where = [(p.line, p.column) for p in problems]
    assert (2, 9) in where and (3, 1) in where
    messages = " ".join(p.message for p in problems)
    assert "non ha l'attributo «nome»" in messages
    assert "variabile sconosciuta «foo»" in messages
    assert "non è ammesso" in messages or "funzione sconosciuta" in messages


def test_broken_markdown_is_reported_where_it_is():
    text = "Titolo\n\nUn **grassetto mai chiuso\n\n| a | b |\n| --- | --- |\n| 1 | 2 | 3 |\n\n```\ncodice"
    problems = textvars.check(text, VOCABULARY)
    by_line = {p.line: p.message for p in problems}
    assert "grassetto" in by_line[3]
    assert "3 colonne" in by_line[7]
    assert "blocco di codice" in by_line[9]


def test_unclosed_placeholder_and_raw_html():
    problems = textvars.check("ciao {{ area.name \n<script>alert(1)</script>", VOCABULARY)
    messages = [p.message for p in problems]
    assert any("mai chiuso con «}}»" in m for m in messages)
    assert any("HTML non ammesso" in m for m in messages)
    html, _ = textvars.render("<b>x</b>", VOCABULARY, resolve)
    assert "<b>" not in html


def test_resolved_values_cannot_inject_markup():
    def evil(expr):
        return "<img src=x onerror=alert(1)> **grassetto**"

    html, problems = textvars.render("{{ area.name }}", VOCABULARY, evil)
    assert "<img" not in html and "<strong>" not in html


@pytest.mark.parametrize("src", ['value("a", 2023, area="019")', "year", "area.name", 'trend("x")'])
def test_accepted_shapes(src):
    assert textvars.check("{{ " + src + " }}", VOCABULARY) == []


def test_headings_are_shifted_below_the_section_title():
    html, _ = textvars.render("# Sotto\n\ntesto", VOCABULARY, resolve, heading_offset=2)
    assert "<h3>Sotto</h3>" in html
