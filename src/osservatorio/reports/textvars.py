"""Free text of a report section: Markdown with placeholders in a small, safe language.

An analyst writes `Nel {{ year }} {{ area.name }} contava {{ value("popolazione-residente") }} residenti.`
Placeholders are parsed with `ast` and only three shapes are accepted — a variable (`year`), an attribute
of a variable (`area.name`) and a call of a known function with literal arguments
(`value("indice-vecchiaia", 2023, area="019")`). Nothing else is evaluated: no template tags, no Python,
no attribute of an attribute, so a definition edited in the browser cannot run code.

Raw HTML is refused (not silently dropped) because a report is also a PDF/UA document: every element
must be one we know how to tag. Problems carry line and column so the preview can say where to look.
No Django here.
"""

from __future__ import annotations

import ast
import html
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import markdown

PLACEHOLDER = re.compile(r"\{\{(.*?)\}\}", re.S)
HTML_TAG = re.compile(r"<\s*/?\s*[A-Za-z!][^>]*>")
FENCE = re.compile(r"^\s*(```|~~~)")
MD_ESCAPE = re.compile(r"([\\`*_\[\]#|<>])")


@dataclass(frozen=True)
class Problem:
    line: int
    column: int
    message: str

    def where(self) -> str:
        return f"riga {self.line}, colonna {self.column}"


@dataclass(frozen=True)
class Expr:
    """A parsed placeholder: `name`, `name.attr` or `name(args, **kwargs)`."""

    name: str
    attr: str | None = None
    call: bool = False
    args: tuple = ()
    kwargs: tuple[tuple[str, object], ...] = ()
    source: str = ""


@dataclass
class Vocabulary:
    """What placeholders may name: variables with their attributes, and functions."""

    variables: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    functions: Mapping[str, str] = field(default_factory=dict)  # name → signature shown in errors


class PlaceholderError(ValueError):
    pass


def _position(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    start = text.rfind("\n", 0, offset) + 1
    return line, offset - start + 1


def parse_expr(source: str, vocab: Vocabulary) -> Expr:
    src = source.strip()
    if not src:
        raise PlaceholderError("segnaposto vuoto «{{ }}»: scrivere ad esempio {{ area.name }}")
    try:
        node = ast.parse(src, mode="eval").body
    except SyntaxError:
        raise PlaceholderError(
            f"«{src}» non è un segnaposto valido: usare una variabile (area.name), "
            'o una funzione con argomenti tra virgolette (value("codice-indicatore"))'
        ) from None
    if isinstance(node, ast.Name):
        if node.id not in vocab.variables:
            raise PlaceholderError(f"variabile sconosciuta «{node.id}» (disponibili: {_names(vocab)})")
        if vocab.variables[node.id]:
            attrs = ", ".join(f"{node.id}.{a}" for a in vocab.variables[node.id])
            raise PlaceholderError(f"«{node.id}» da solo non si può stampare: usare {attrs}")
        return Expr(node.id, source=src)
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        name = node.value.id
        if name not in vocab.variables:
            raise PlaceholderError(f"variabile sconosciuta «{name}» (disponibili: {_names(vocab)})")
        if node.attr not in vocab.variables[name]:
            allowed = ", ".join(vocab.variables[name]) or "nessuno"
            raise PlaceholderError(f"«{name}» non ha l'attributo «{node.attr}» (disponibili: {allowed})")
        return Expr(name, attr=node.attr, source=src)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        fname = node.func.id
        if fname not in vocab.functions:
            known = ", ".join(vocab.functions.values())
            raise PlaceholderError(f"funzione sconosciuta «{fname}» (disponibili: {known})")
        args = []
        for a in node.args:
            if not isinstance(a, ast.Constant) or not isinstance(a.value, str | int):
                raise PlaceholderError(
                    f"in «{src}» gli argomenti devono essere testi tra virgolette o numeri interi "
                    f"(uso: {vocab.functions[fname]})"
                )
            args.append(a.value)
        kwargs = []
        for k in node.keywords:
            if (
                k.arg is None
                or not isinstance(k.value, ast.Constant)
                or not isinstance(k.value.value, str | int)
            ):
                raise PlaceholderError(
                    f"in «{src}» l'argomento con nome non è valido (uso: {vocab.functions[fname]})"
                )
            kwargs.append((k.arg, k.value.value))
        return Expr(fname, call=True, args=tuple(args), kwargs=tuple(kwargs), source=src)
    raise PlaceholderError(
        f"«{src}» non è ammesso: nei segnaposto si usano solo variabili (area.name) e funzioni "
        '(value("codice")), senza operazioni'
    )


def _names(vocab: Vocabulary) -> str:
    out = []
    for name, attrs in vocab.variables.items():
        out += [f"{name}.{a}" for a in attrs] if attrs else [name]
    return ", ".join(out)


def _markdown_problems(text: str) -> list[Problem]:
    """Constructs Markdown would render wrongly without an error: say so instead."""
    problems: list[Problem] = []
    for m in HTML_TAG.finditer(text):
        line, col = _position(text, m.start())
        problems.append(
            Problem(line, col, f"HTML non ammesso («{m.group(0)[:30]}»): usare la sintassi Markdown")
        )
    lines = text.split("\n")
    fence_open: int | None = None
    table: list[tuple[int, str]] = []
    paragraph: list[tuple[int, str]] = []

    def close_paragraph():
        joined = "\n".join(t for _, t in paragraph)
        plain = re.sub(r"`[^`]*`", "", joined)
        for marker, label in (("**", "grassetto"), ("__", "grassetto")):
            if plain.count(marker) % 2:
                idx = plain.rfind(marker)
                ln = paragraph[0][0] + plain.count("\n", 0, idx)
                col = idx - (plain.rfind("\n", 0, idx) + 1) + 1
                problems.append(Problem(ln, col, f"{label} aperto con «{marker}» e mai chiuso"))
        for m in re.finditer(r"\[[^\]\n]*\]\([^)\n]*$", plain, re.M):
            ln = paragraph[0][0] + plain.count("\n", 0, m.start())
            col = m.start() - (plain.rfind("\n", 0, m.start()) + 1) + 1
            problems.append(Problem(ln, col, "collegamento senza parentesi di chiusura «)»"))
        paragraph.clear()

    def close_table():
        if len(table) >= 2:
            header = table[0][1].strip().strip("|").count("|") + 1
            sep = table[1][1]
            if not re.fullmatch(r"\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*", sep):
                problems.append(
                    Problem(
                        table[1][0],
                        1,
                        "tabella senza riga di separazione «| --- | --- |» sotto l'intestazione",
                    )
                )
            else:
                for ln, row in table[1:]:
                    cols = row.strip().strip("|").count("|") + 1
                    if cols != header:
                        problems.append(
                            Problem(
                                ln, 1, f"la riga della tabella ha {cols} colonne, l'intestazione {header}"
                            )
                        )
        table.clear()

    for i, raw in enumerate(lines, start=1):
        if FENCE.match(raw):
            fence_open = None if fence_open else i
            continue
        if fence_open:
            continue
        if raw.lstrip().startswith("|"):
            table.append((i, raw))
            continue
        close_table()
        if raw.strip():
            paragraph.append((i, raw))
        else:
            close_paragraph()
    close_table()
    close_paragraph()
    if fence_open:
        problems.append(Problem(fence_open, 1, "blocco di codice aperto con ``` e mai chiuso"))
    return problems


def check(text: str, vocab: Vocabulary) -> list[Problem]:
    """Every problem of the text, all at once, in reading order."""
    problems: list[Problem] = []
    stripped = PLACEHOLDER.sub(lambda m: " " * len(m.group(0)), text)
    for m in re.finditer(r"\{\{", stripped):
        line, col = _position(text, m.start())
        problems.append(Problem(line, col, "segnaposto aperto con «{{» e mai chiuso con «}}»"))
    for m in re.finditer(r"\}\}", stripped):
        line, col = _position(text, m.start())
        problems.append(Problem(line, col, "«}}» senza il corrispondente «{{»"))
    for m in PLACEHOLDER.finditer(text):
        try:
            parse_expr(m.group(1), vocab)
        except PlaceholderError as exc:
            line, col = _position(text, m.start())
            problems.append(Problem(line, col, str(exc)))
    problems += _markdown_problems(stripped)
    return sorted(problems, key=lambda p: (p.line, p.column))


def render(
    text: str, vocab: Vocabulary, resolve: Callable[[Expr], str], heading_offset: int = 2
) -> tuple[str, list[Problem]]:
    """HTML of the text with placeholders replaced; problems found while resolving are returned, and the
    placeholder is shown as "[?]" so a preview still renders."""
    problems = check(text, vocab)
    if any("HTML" in p.message or "{{" in p.message or "}}" in p.message for p in problems):
        escaped = html.escape(text)
        return f"<p>{escaped}</p>", problems

    def substitute(m: re.Match) -> str:
        try:
            expr = parse_expr(m.group(1), vocab)
            value = resolve(expr)
        except PlaceholderError as exc:
            line, col = _position(text, m.start())
            problems.append(Problem(line, col, str(exc)))
            return "[?]"
        return MD_ESCAPE.sub(r"\\\1", html.escape(str(value), quote=False))

    source = PLACEHOLDER.sub(substitute, text)
    # Headings written as "#" become the section's sub-headings: the document has one <h1>, chapters are <h2>.
    body = markdown.markdown(source, extensions=["tables", "sane_lists"], output_format="html")
    if heading_offset:
        body = re.sub(
            r"<(/?)h([1-6])>", lambda m: f"<{m.group(1)}h{min(6, int(m.group(2)) + heading_offset)}>", body
        )
    return body, sorted(problems, key=lambda p: (p.line, p.column))
