"""The three built-in reports rendered on real released data: figures, tags, language, bookmarks, pages.

One PDF per report and area is generated for the whole module (the first test that needs it) and kept on
disk; later tests only read the file. Expected numbers come from the rows the engine released, formatted
Italian-style — never typed in.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pikepdf
import pytest

from osservatorio.reports import services
from osservatorio.reports.formatting import number, with_unit
from osservatorio.reports.models import GenerationStatus

from .conftest import released_value

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
_PDFS: dict[tuple[str, str], dict] = {}

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils non installato")


@pytest.fixture
def make_pdf(released, definitions, tmp_path_factory):
    def make(slug: str, area: str, fresh: bool = False) -> dict:
        # Kept across tests (rendering is the slow part); `fresh` when the test compares release ids, which
        # differ between tests on PostgreSQL (sequences are not rolled back).
        key = (slug, area)
        if fresh or key not in _PDFS:
            report = services.request_generation(definitions[slug], area, enqueue=False)
            report = services.run_generation(report.pk)
            assert report.status == GenerationStatus.DONE, report.message
            keep = tmp_path_factory.mktemp("pdf") / Path(report.file_path).name
            shutil.copy(report.file_path, keep)
            text = subprocess.run(
                ["pdftotext", "-layout", str(keep), "-"], capture_output=True, text=True, check=True
            )
            _PDFS[key] = {
                "path": keep,
                "text": text.stdout,
                "pages": report.pages,
                "releases": report.releases,
                "checksum": report.checksum,
                "seconds": report.seconds,
            }
        return _PDFS[key]

    return make


def _flat(text: str) -> str:
    return " ".join(text.split())


def _indicator_meta(code: str):
    from osservatorio.indicators.models import Indicator

    return Indicator.objects.get(code=code)


def _expected(code: str, area: str, year: int | None = None, unit: bool = False) -> str:
    row = released_value(code, area, year)
    ind = _indicator_meta(code)
    if unit:
        return with_unit(row["value"], ind.decimals, ind.unit_it)
    return number(row["value"], ind.decimals)


def _struct(pdf: pikepdf.Pdf) -> tuple[list[str], list[str]]:
    """Structure types and the alternative texts of the Figure elements of a tagged PDF."""
    types, alts = [], []
    stack = [pdf.Root.StructTreeRoot]
    while stack:
        node = stack.pop()
        if isinstance(node, pikepdf.Array):
            stack.extend(node)
            continue
        if not isinstance(node, pikepdf.Dictionary):
            continue
        if "/S" in node:
            types.append(str(node.S))
            if str(node.S) == "/Figure":
                alts.append(str(node.get("/Alt", "")))
        if "/K" in node:
            stack.append(node.K)
    return types, alts


def _outline_titles(pdf: pikepdf.Pdf) -> list[str]:
    with pdf.open_outline() as outline:
        out = []
        stack = list(outline.root)
        while stack:
            item = stack.pop(0)
            out.append(item.title)
            stack = list(item.children) + stack
        return out


def _check_tagged(path: Path, title_part: str) -> tuple[list[str], list[str], list[str]]:
    with pikepdf.open(path) as pdf:
        assert str(pdf.Root.Lang) == "it"
        assert bool(pdf.Root.MarkInfo.Marked) is True
        assert "/StructTreeRoot" in pdf.Root
        assert title_part in str(pdf.docinfo["/Title"])
        assert bool(pdf.Root.ViewerPreferences.DisplayDocTitle) is True
        types, alts = _struct(pdf)
        outline = _outline_titles(pdf)
        fonts = {
            str(f.BaseFont)
            for page in pdf.pages
            for f in (page.Resources.get("/Font") or {}).values()
            if "/BaseFont" in f
        }
    assert any("Titillium" in f for f in fonts), fonts
    assert "/Table" in types and "/TH" in types and "/Caption" in types
    assert alts and all(len(a) > 30 for a in alts), "ogni grafico e mappa ha un testo alternativo"
    return types, alts, outline


def _page_png(path: Path, page: int, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    prefix = ARTIFACTS / name
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "60",
            "-f",
            str(page),
            "-l",
            str(page),
            "-singlefile",
            str(path),
            str(prefix),
        ],
        check=True,
    )
    png = prefix.with_suffix(".png")
    assert png.stat().st_size > 5000  # a page with content, not a blank
    return png


def test_profile_of_cremona_has_the_released_figures(make_pdf):
    pdf = make_pdf("profilo", "019036")
    text = _flat(pdf["text"])
    assert "Comune di Cremona" in text
    assert 2 <= pdf["pages"] <= 4, pdf["pages"]
    for code in (
        "indice-vecchiaia",
        "quota-75-piu",
        "reddito-imponibile-per-contribuente",
        "contribuenti-fino-10mila",
    ):
        assert _expected(code, "019036") in text, code
    # The comparison table carries the province and Lombardy values of the same year.
    year = released_value("indice-vecchiaia", "019036")["period_start"].year
    assert _expected("indice-vecchiaia", "019", year) in text
    assert _expected("indice-vecchiaia", "03", year) in text
    # The trend chart since 2015: its table lists the yearly values of Cremona.
    assert _expected("reddito-imponibile-per-contribuente", "019036", 2015) in text
    types, alts, outline = _check_tagged(pdf["path"], "Profilo del territorio")
    assert any("Mappa coropletica" in a for a in alts)
    assert "In sintesi" in outline and "Note metodologiche" in outline
    assert "Pagina 2 di" in text
    _page_png(pdf["path"], 1, "reports_profilo_019036_p1")


def test_profile_of_the_ambito(make_pdf):
    pdf = make_pdf("profilo", "AMB-CREMONESE")
    text = _flat(pdf["text"])
    assert "Ambito" in text and "Cremonese" in text
    assert 2 <= pdf["pages"] <= 4, pdf["pages"]
    for code in ("indice-vecchiaia", "reddito-imponibile-per-contribuente", "gini-redditi"):
        assert _expected(code, "AMB-CREMONESE") in text, code
    _check_tagged(pdf["path"], "Profilo del territorio")
    _page_png(pdf["path"], 2, "reports_profilo_ambito_p2")


def test_annual_report_of_the_ambito(make_pdf):
    pdf = make_pdf("rapporto-annuale", "AMB-CREMONESE")
    text = _flat(pdf["text"])
    types, alts, outline = _check_tagged(pdf["path"], "Rapporto annuale")
    assert len(alts) >= 30, len(alts)
    assert sum("Mappa coropletica" in a for a in alts) >= 5
    for chapter in (
        "Sintesi",
        "Popolazione e invecchiamento",
        "Reddito e fragilità economica",
        "Gli effetti del COVID-19",
        "Metodologia",
        "Fonti",
    ):
        assert chapter in outline, chapter
    assert "Indice" in text and "Figura 30." in text
    # Key facts are written from the data, with the comparison labels.
    assert _expected("indice-vecchiaia", "AMB-CREMONESE", unit=True) in text
    assert _expected("contribuenti-fino-10mila", "AMB-CREMONESE", unit=True) in text
    # Province-level INPS data appear for the province, since there is no comune figure.
    assert _expected("rdc-nuclei-per-1000", "019") in text
    # The emergency income (REm) is released per province (yearly, largest decree): its chart table shows it.
    assert "Reddito di emergenza" in outline
    for year in (2020, 2021):
        assert _expected("rem-nuclei-per-1000", "019", year) in text, year
    # Every comune of the ambito is in the ranking tables, e.g. the values of two of them.
    assert _expected("reddito-imponibile-per-contribuente", "019036") in text
    assert "Rilasci degli indicatori usati" in text
    _page_png(pdf["path"], 1, "reports_annuale_cover")
    _page_png(pdf["path"], 5, "reports_annuale_p5")


def test_pdz_analysis_compares_with_province_and_region(make_pdf):
    pdf = make_pdf("piano-di-zona", "AMB-CREMONESE")
    text = _flat(pdf["text"])
    _check_tagged(pdf["path"], "Piano di Zona")
    for area in ("AMB-CREMONESE", "019", "03"):
        assert _expected("reddito-imponibile-per-contribuente", area, 2015) in text, area
        assert _expected("reddito-imponibile-per-contribuente", area, 2023) in text, area
    assert "simile" in text or "migliore" in text or "peggiore" in text


def test_the_report_records_the_release_it_read(make_pdf):
    pdf = make_pdf("profilo", "019036")
    assert pdf["releases"] and set(pdf["releases"]) >= {
        "indice-vecchiaia",
        "reddito-imponibile-per-contribuente",
    }
    assert len(pdf["checksum"]) == 64


@pytest.mark.parametrize("area", ["019036", "AMB-CREMONESE"])
def test_the_pdf_shows_the_numbers_the_atlas_shows(make_pdf, area):
    """Same release, same values: each indicator of the profile, as the atlas's profile page formats it
    (atlas.text.number), for the area and for the province and region it is compared with, is in the PDF."""
    from django.core.cache import cache

    from osservatorio.atlas import selectors as atlas
    from osservatorio.atlas import text as atlas_text
    from osservatorio.territory.models import Area

    cache.clear()  # the atlas caches by release id, which a rolled-back test may have used for other rows
    pdf = make_pdf("profilo", area, fresh=True)
    text = _flat(pdf["text"])
    profile = atlas.profile(Area.objects.get(code=area))
    rows = {r["code"]: r for r in profile["rows"]}
    releases = atlas.release_of_indicators()
    compared = (
        "indice-vecchiaia",
        "dipendenza-anziani",
        "quota-75-piu",
        "quota-stranieri",
        "reddito-imponibile-per-contribuente",
        "contribuenti-fino-10mila",
        "quota-reddito-pensione",
    )
    for code in compared:
        row = rows[code]
        assert pdf["releases"][code] == releases[code], code  # the report read the release the atlas shows
        decimals = row["indicator"].decimals
        shown = atlas_text.number(row["row"]["value"], decimals)
        assert shown != "—" and shown in text, (code, shown)
        for cell in row["comparisons"]:
            if cell["area"].code in ("019", "03") and cell["row"] and cell["row"]["value"] is not None:
                other = atlas_text.number(cell["row"]["value"], decimals)
                assert other in text, (code, cell["area"].code, other)
    # The trend chart's table: every yearly value of the atlas series since 2015.
    income = rows["reddito-imponibile-per-contribuente"]
    series = income["series"]
    years = [r for r in series if int(r["period_start"][:4]) >= 2015 and r["value"] is not None]
    assert len(years) >= 5
    for r in years:
        assert atlas_text.number(r["value"], income["indicator"].decimals) in text, r["period_start"]


def test_a_report_is_in_italian_whatever_language_the_worker_was_left_in(make_pdf):
    from django.utils import translation

    translation.activate("en")  # as a request that chose English leaves the thread
    text = _flat(make_pdf("profilo", "019036", fresh=True)["text"])
    assert "Figura 1." in text and "Figure 1." not in text
    assert translation.get_language() == "en"  # the job does not change the thread's language for good
