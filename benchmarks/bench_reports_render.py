"""Rendering reports: the annual ambito report (≥ 30 charts, ≥ 5 maps) and the one-comune profile, each as a
tagged PDF, beside the same HTML rendered to PDF without charts and maps (baseline, same run).

The data are real: a temporary database gets the territory of Lombardia, the datasets of ../shared/data the
reports read and the indicators computed by the engine for the areas the reports read (the province of
Cremona, its comuni and ambiti, Lombardia, Italia); this preparation is not timed. Times:
- `cold`: the first report in a fresh process (starts the Vega runtime, loads fonts and templates);
- `warm`: the same report again with both chart caches (memory and disk) emptied, as a running server
  renders a report on new data — the figure compared with the target;
- `cached`: again with the disk cache of converted charts kept (memory cache emptied), as «Rigenera» or a
  second request for the same report on the same data;
- `baseline`: the same document without figures (text and tables only) rendered to PDF.
Each time is split into stages: reading the data, converting charts, the HTML, the PDF (layout + drawing).

    uv run python benchmarks/bench_reports_render.py
"""

import json
import os
import platform
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "reports_render.jsonl"
DATASETS = [
    "geopop_popolazione_eta_sesso",
    "istat_popolazione_comuni",
    "istat_stranieri_comuni",
    "mef_irpef_comuni",
    "inps_rdc_province",
    "dpc_covid_province",
]


def prepare() -> None:
    from django.conf import settings
    from django.core.management import call_command

    settings.DEBUG = False  # no SQL logging of the hundreds of thousands of inserted DataPoints
    call_command("migrate", verbosity=0)
    from osservatorio.indicators import services as ind_services
    from osservatorio.reports.services import builtin_specs, load_builtin_definitions
    from osservatorio.sources import services as src_services
    from osservatorio.territory import selectors as ts
    from osservatorio.territory.models import Area
    from osservatorio.territory.services import load_territory

    load_territory(regioni=["03"])
    for key in DATASETS:
        src_services.load_dataset(key, user="bench")
    codes: list[str] = []
    for spec in builtin_specs():
        for s in spec["sections"]:
            cfg = s.get("config") or {}
            found = [cfg["indicator"]] if cfg.get("indicator") else list(cfg.get("indicators") or [])
            found += [c["indicator"] for c in cfg.get("components") or []]
            codes += [c for c in found if c not in codes]
    # Only the areas the reports read: the province of Cremona, its comuni and their ambiti, Lombardia, Italia.
    comuni = list(ts.members(ts.get_area("019"), "comune"))
    ambiti = {a.code for c in comuni for a in ts.ancestors(c) if a.level == "ambito"}
    areas = ["IT", "03", "019", *sorted(ambiti), *[c.code for c in comuni]]
    assert Area.objects.filter(code="AMB-CREMONESE").exists() and "AMB-CREMONESE" in ambiti
    ind_services.compute_release(codes=codes, areas=areas)
    load_builtin_definitions()


def render_once(slug: str, area: str, with_charts: bool = True, keep_disk_cache: bool = False) -> dict:
    """What `services.run_generation` does (data, charts, HTML, atomic PDF), stage by stage."""
    from osservatorio.reports import charts, render, services
    from osservatorio.reports.models import ReportDefinition

    charts._svg.cache_clear()
    if not keep_disk_cache and charts.cache_dir() is not None:
        shutil.rmtree(charts.cache_dir(), ignore_errors=True)
    definition = ReportDefinition.objects.get(slug=slug)
    out = Path(tempfile.mkdtemp(prefix="bench-report-")) / "r.pdf"
    t0 = time.perf_counter()
    doc = services.build_document(definition.snapshot(), area, with_charts=with_charts)
    t1 = time.perf_counter()
    if with_charts:
        doc.render_figures()
    t2 = time.perf_counter()
    html = render.pdf_html(doc)
    t3 = time.perf_counter()
    info = render.write_pdf(html, out)
    t4 = time.perf_counter()
    figures = doc.figures
    return {
        "seconds": round(t4 - t0, 2),
        "stages": {
            "data": round(t1 - t0, 2),
            "charts": round(t2 - t1, 2),
            "html": round(t3 - t2, 2),
            "pdf": round(t4 - t3, 2),
        },
        "pages": info["pages"],
        "charts": sum(f.kind == "chart" for f in figures),
        "maps": sum(f.kind == "map" for f in figures),
        "problems": len(doc.all_problems),
    }


def main() -> None:
    var = tempfile.mkdtemp(prefix="bench-reports-")
    os.environ["OSSERVATORIO_VAR_DIR"] = var
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "osservatorio.settings")
    import logging

    import django

    django.setup()
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    started = time.perf_counter()
    prepare()
    prep = time.perf_counter() - started
    print(f"preparation {prep:.0f} s (not timed below)")
    result = {}
    for name, slug, area, limit in (
        ("profile", "profilo", "019036", 3.0),
        ("annual", "rapporto-annuale", "AMB-CREMONESE", 30.0),
    ):
        cold = render_once(slug, area) if name == "profile" else None
        warm = render_once(slug, area)
        cached = render_once(slug, area, keep_disk_cache=True)
        base = render_once(slug, area, with_charts=False)
        result[name] = {
            "slug": slug,
            "area": area,
            "cold_seconds": cold["seconds"] if cold else None,
            "seconds": warm["seconds"],
            "stages": warm["stages"],
            "cached_charts_seconds": cached["seconds"],
            "baseline_no_charts_seconds": base["seconds"],
            "baseline_stages": base["stages"],
            "pages": warm["pages"],
            "charts": warm["charts"],
            "maps": warm["maps"],
            "limit_seconds": limit,
            "within_limit": warm["seconds"] <= limit,
            "load_average": os.getloadavg()[0],
        }
        print(
            f"{name:8s} {slug}/{area}: {warm['seconds']:.1f} s for {warm['pages']} pages, {warm['charts']} charts, "
            f"{warm['maps']} maps (limit {limit:.0f} s; stages {warm['stages']})"
            + (f"; first in a fresh process {cold['seconds']:.1f} s" if cold else "")
            + f"; charts already converted {cached['seconds']:.1f} s"
            + f" — baseline without charts {base['seconds']:.1f} s (load {os.getloadavg()[0]:.1f})"
        )
    line = {
        "benchmark": "reports_render",
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": sys.version.split()[0],
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "load_average": os.getloadavg()[0],
        "preparation_seconds": round(prep, 1),
        **result,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    with RESULTS.open("a", encoding="utf-8") as f:
        f.write(json.dumps(line, ensure_ascii=False) + "\n")
    print(f"risultato aggiunto a {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
