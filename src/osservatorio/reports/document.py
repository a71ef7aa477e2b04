"""What a rendered report is made of: sections with text, tables and figures, and the problems found.

The builder (sections.py) fills these plain objects from released data; templates turn them into HTML,
the same HTML into PDF. Keeping the document separate from the template lets the preview show every
problem at once and lets tests check numbers without parsing HTML.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from datetime import date

from . import charts


@dataclass
class Cell:
    text: str
    numeric: bool = True
    suppressed: bool = False
    header: bool = False


@dataclass
class Table:
    caption: str
    columns: list[str]
    rows: list[list[Cell]]
    notes: list[str] = field(default_factory=list)
    # Column widths in % of the page: given, the table is laid out with `table-layout: fixed`, which spares
    # WeasyPrint measuring every cell of long data tables twice (min and max content width).
    widths: list[float] = field(default_factory=list)


@dataclass
class Figure:
    number: int
    title: str
    alt: str
    kind: str  # chart | map
    spec: dict | None = None
    svg: str = ""
    table: Table | None = None
    source: str = ""

    def svg_text(self) -> str:
        if not self.svg and self.spec is not None:
            self.svg = charts.to_svg(self.spec)
        return self.svg

    @property
    def data_uri(self) -> str:
        return "data:image/svg+xml;base64," + base64.b64encode(self.svg_text().encode("utf-8")).decode(
            "ascii"
        )


@dataclass
class Problem:
    section: int  # 1-based position; 0 = the report as a whole
    title: str
    message: str

    def __str__(self) -> str:
        if self.section:
            return f"Sezione {self.section} «{self.title}»: {self.message}"
        return self.message


@dataclass
class Block:
    kind: str  # html | table | figure | facts
    html: str = ""
    table: Table | None = None
    figure: Figure | None = None
    facts: list[str] = field(default_factory=list)


@dataclass
class RenderedSection:
    index: int
    anchor: str
    title: str
    level: int
    kind: str
    blocks: list[Block] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    page_break: bool = False


@dataclass
class Document:
    title: str
    subtitle: str
    area_name: str
    area_code: str
    generated_on: date
    ente: str
    department: str
    sections: list[RenderedSection] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    releases: dict[str, int] = field(default_factory=dict)
    synthetic: bool = False
    has_suppressed: bool = False
    with_charts: bool = True
    compact: bool = False  # a profile: title block instead of a cover page
    show_toc: bool = True

    @property
    def figures(self) -> list[Figure]:
        return [b.figure for s in self.sections for b in s.blocks if b.figure is not None]

    def render_figures(self, workers: int = 4) -> None:
        """Convert every chart to SVG, several at a time: vl-convert works outside the GIL, and a report with
        dozens of charts spends most of its time here."""
        from concurrent.futures import ThreadPoolExecutor

        todo = [f for f in self.figures if not f.svg and f.spec is not None]
        if len(todo) < 2:
            for f in todo:
                f.svg_text()
            return
        with ThreadPoolExecutor(max_workers=workers) as pool:
            for f, svg in zip(todo, pool.map(lambda f: charts.to_svg(f.spec), todo), strict=True):
                f.svg = svg

    @property
    def all_problems(self) -> list[Problem]:
        return self.problems + [p for s in self.sections for p in s.problems]

    @property
    def toc(self) -> list[RenderedSection]:
        return [s for s in self.sections if s.title and s.level <= 2]
