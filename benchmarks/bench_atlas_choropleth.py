"""Time until a choropleth page is interactive in headless Chromium.

"Interactive" = the page has loaded, Vega has drawn every chart and Leaflet has drawn every area of the map
(atlas.js sets body[data-atlas-ready] then): measured from navigation start, for the indicator page with the
map of the comuni of the Ambito Cremonese, of the Provincia di Cremona and of Lombardia. Baseline, same run
and browser: the trivial page /privacy/ until its `load` event. Target: under 2 s.

Set-up (not timed): a temporary SQLite database with the territory of Lombardia and one indicator computed by
the engine from ../shared/data; Django's development server with DEBUG off on a free loopback port.

    uv run python benchmarks/bench_atlas_choropleth.py
"""

import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "atlas_choropleth.jsonl"
PAGES = {
    "ambito": "/atlante/indicatori/indice-vecchiaia/?entro=AMB-CREMONESE&livello=comune",
    "provincia": "/atlante/indicatori/indice-vecchiaia/?entro=019&livello=comune",
    "lombardia": "/atlante/indicatori/indice-vecchiaia/?entro=03&livello=comune",
}
RUNS = 5


def free_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def geometry_url(page_path: str) -> str:
    from urllib.parse import parse_qs, urlparse

    q = parse_qs(urlparse(page_path).query)
    return f"/atlante/confini/{q['entro'][0]}/{q['livello'][0]}.geojson"


def wait_ready(base: str, paths: list[str], seconds: int = 600) -> None:
    """Until every page answers 200 (both workers' caches are warmed by the browser's first round)."""
    import urllib.request

    deadline = time.monotonic() + seconds
    for path in paths:
        while True:
            try:
                with urllib.request.urlopen(base + path, timeout=300) as r:
                    if r.status == 200:
                        break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(1)


def main() -> None:
    var = tempfile.mkdtemp(prefix="bench-atlas-choro-")
    env = {
        **os.environ,
        "OSSERVATORIO_VAR_DIR": var,
        "DJANGO_SETTINGS_MODULE": "osservatorio.settings",
        "OSSERVATORIO_HOME_AMBITO": "AMB-CREMONESE",
        "DJANGO_DEBUG": "0",
    }
    env.pop("DATABASE_URL", None)
    os.environ.update(env)
    os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)  # DEBUG off: whitenoise serves STATIC_ROOT
    from osservatorio.indicators import services as indicators
    from osservatorio.sources import services as sources
    from osservatorio.territory.services import load_territory

    load_territory(regioni=["03"])
    sources.load_dataset("geopop_popolazione_eta_sesso", user="bench")
    indicators.compute_release(codes=["indice-vecchiaia"])
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "osservatorio.wsgi:application",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            "2",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    timings: dict[str, list[float]] = {k: [] for k in [*PAGES, "banale"]}
    try:
        wait_ready(base, [*PAGES.values(), *[geometry_url(p) for p in PAGES.values()]])
        from playwright.sync_api import sync_playwright

        exe = os.environ.get("OSSERVATORIO_CHROMIUM", "/usr/bin/chromium")
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=exe, args=["--no-sandbox", "--disable-gpu"])
            for run in range(RUNS + 1):  # the first round warms the server's caches and is not counted
                for name, path in PAGES.items():
                    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
                    page = ctx.new_page()
                    page.goto(base + path, wait_until="commit")
                    page.wait_for_selector("body[data-atlas-ready]", timeout=60000)
                    ms = page.evaluate("performance.now()")
                    n = int(page.locator("#atlas-map").get_attribute("data-features") or 0)
                    if run:
                        timings[name].append(ms)
                    ctx.close()
                    assert n > 1, f"{name}: mappa vuota"
                ctx = browser.new_context()
                page = ctx.new_page()
                page.goto(base + "/privacy/", wait_until="load")
                if run:
                    timings["banale"].append(page.evaluate("performance.now()"))
                ctx.close()
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
    summary = {
        k: {"median_ms": round(statistics.median(v)), "max_ms": round(max(v))} for k, v in timings.items()
    }
    result = {
        "benchmark": "atlas_choropleth",
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": platform.node(),
        "runs": RUNS,
        **summary,
        "target_ms": 2000,
    }
    result["meets_target"] = all(summary[k]["max_ms"] < 2000 for k in PAGES)
    for k, v in summary.items():
        label = "pagina banale /privacy/ (load)" if k == "banale" else f"mappa {k}"
        print(f"{label}: mediana {v['median_ms']} ms, massimo {v['max_ms']} ms")
    print(f"obiettivo interattiva in meno di 2 s: {'sì' if result['meets_target'] else 'NO'}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    with RESULTS.open("a", encoding="utf-8") as f:
        f.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
