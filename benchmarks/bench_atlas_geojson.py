"""Size of the map data: the GeoJSON of all the comuni of Lombardy that the choropleth downloads.

Ours: `atlas.selectors.map_geometry` (coverage simplification, 4 decimals, compact JSON), gzipped.
Baseline, same run: the territory app's per-area boundaries (5 decimals, simplified one by one) for the same
comuni, as `territory:geojson` serves them, gzipped. Target: ≤ 400 KB gzipped.

    uv run python benchmarks/bench_atlas_geojson.py
"""

import gzip
import json
import os
import platform
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "atlas_geojson.jsonl"
TARGET_BYTES = 400_000


def main() -> None:
    os.environ["OSSERVATORIO_VAR_DIR"] = tempfile.mkdtemp(prefix="bench-atlas-geo-")
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "osservatorio.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    call_command("migrate", verbosity=0)
    from osservatorio.atlas import selectors
    from osservatorio.territory import selectors as territory
    from osservatorio.territory.services import load_territory

    load_territory(regioni=["03"])
    lombardia = territory.get_area("03")
    client = Client()
    baseline = client.get("/territorio/03/confini.geojson", {"livello": "comune"}).content
    started = time.perf_counter()
    ours = selectors.map_geometry(lombardia, "comune").encode()
    build = time.perf_counter() - started
    n = len(json.loads(ours)["features"])
    result = {
        "benchmark": "atlas_geojson",
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": platform.node(),
        "features": n,
        "ours_bytes": len(ours),
        "ours_gzip_bytes": len(gzip.compress(ours, 6)),
        "baseline_bytes": len(baseline),
        "baseline_gzip_bytes": len(gzip.compress(baseline, 6)),
        "build_seconds": round(build, 3),
        "target_gzip_bytes": TARGET_BYTES,
    }
    result["meets_target"] = result["ours_gzip_bytes"] <= TARGET_BYTES
    print(f"Comuni della Lombardia: {n} confini")
    print(
        f"  atlante (semplificazione di copertura): {result['ours_gzip_bytes'] / 1000:.0f} KB gzip ({result['ours_bytes'] / 1000:.0f} KB)"
    )
    print(
        f"  baseline territorio (confini singoli):   {result['baseline_gzip_bytes'] / 1000:.0f} KB gzip ({result['baseline_bytes'] / 1000:.0f} KB)"
    )
    print(
        f"  costruzione: {build:.2f} s (poi in cache); obiettivo ≤ {TARGET_BYTES / 1000:.0f} KB: {'sì' if result['meets_target'] else 'NO'}"
    )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    with RESULTS.open("a", encoding="utf-8") as f:
        f.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
