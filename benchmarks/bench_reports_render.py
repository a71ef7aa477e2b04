"""Rendering reports: the annual ambito report (≥ 30 charts, ≥ 5 maps) and the one-comune profile, each as a
tagged PDF, beside the same HTML rendered to PDF without charts and maps (baseline, same run).

The data are real: a temporary database gets the territory of Lombardia, the datasets of ../shared/data the
reports read and the indicators computed by the engine (this preparation is not timed). Times:
- `cold`: the first report in a fresh process (starts the Vega runtime, loads fonts and templates);
- `warm`: the same report again, with the chart cache cleared, as a running server renders it;
- `baseline`: the same document without figures (text and tables only) rendered to PDF.

    uv run python benchmarks/bench_reports_render.py
"""

import json
import os
import platform
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
LOMBARDIA_PROVINCE = ["012", "013", "014", "015", "016", "017", "018", "019", "020", "097", "098", "108"]


def prepare() -> None:
    from django.core.management import call_command

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
    areas = [
        "IT",
        "03",
        *LOMBARDIA_PROVINCE,
        *Area.objects.filter(level="ambito").values_list("code", flat=True),
    ]
    areas += list(ts.members(ts.get_area("019"), "comune").values_list("code", flat=True))
    ind_services.compute_release(codes=codes, areas=areas)
    load_builtin_definitions()


def render_once(slug: str, area: str, with_charts: bool = True) -> dict:
    from osservatorio.reports import charts, render, services
    from osservatorio.reports.models import ReportDefinition

    charts._svg.cache_clear()
    definition = ReportDefinition.objects.get(slug=slug)
    out = Path(tempfile.mkdtemp(prefix="bench-report-")) / "r.pdf"
    started = time.perf_counter()
    doc = services.preview(definition, area, with_charts=with_charts)
    info = render.write_pdf(render.pdf_html(doc), out)
    seconds = time.perf_counter() - started
    figures = doc.figures
    return {
        "seconds": round(seconds, 2),
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
    result = {}
    for name, slug, area, limit in (
        ("profile", "profilo", "019036", 3.0),
        ("annual", "rapporto-annuale", "AMB-CREMONESE", 30.0),
    ):
        cold = render_once(slug, area) if name == "profile" else None
        warm = render_once(slug, area)
        base = render_once(slug, area, with_charts=False)
        result[name] = {
            "slug": slug,
            "area": area,
            "cold_seconds": cold["seconds"] if cold else None,
            "seconds": warm["seconds"],
            "baseline_no_charts_seconds": base["seconds"],
            "pages": warm["pages"],
            "charts": warm["charts"],
            "maps": warm["maps"],
            "limit_seconds": limit,
            "within_limit": warm["seconds"] <= limit,
        }
        print(
            f"{name:8s} {slug}/{area}: {warm['seconds']:.1f} s for {warm['pages']} pages, {warm['charts']} charts, "
            f"{warm['maps']} maps (limit {limit:.0f} s)"
            + (f"; first in a fresh process {cold['seconds']:.1f} s" if cold else "")
            + f" — baseline without charts {base['seconds']:.1f} s"
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
