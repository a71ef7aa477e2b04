"""Loading all MEF IRPEF raw national files (tax years 2000–2023, 24 files, ~192,000 comune-years).

Our figure: `services.load_dataset("mef_irpef_comuni")` end to end — checksum, parse with header
harmonisation, validation (types, keys, ISTAT codes against the territory and the crosswalk, suppressed
cells), Parquet written atomically, release registered, DuckDB views refreshed. A fresh release each run.
Baseline, same run: a straightforward pandas `read_csv(sep=";", encoding="latin-1")` of each file and
`pd.concat` (no harmonisation, no validation, nothing written). Target: ≤ 60 s and faster than the baseline.

    uv run python benchmarks/bench_sources_mef.py
"""

import json
import os
import platform
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "sources_mef.jsonl"
RUNS = 5


def pandas_baseline(files: list[Path]) -> tuple[float, int]:
    import pandas as pd

    started = time.perf_counter()
    frames = [pd.read_csv(f, sep=";", encoding="latin-1", low_memory=False) for f in files]
    combined = pd.concat(frames, ignore_index=True)
    return time.perf_counter() - started, len(combined)


def main() -> None:
    os.environ["OSSERVATORIO_VAR_DIR"] = tempfile.mkdtemp(prefix="bench-sources-")
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "osservatorio.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from osservatorio.sources import codes, services
    from osservatorio.sources.models import Release

    files = services.default_files("mef_irpef_comuni")
    if len(files) != 24:
        sys.exit(
            f"servono i 24 file MEF in {settings.DATA_DIR}/mef-irpef-comunale/raw (trovati {len(files)})"
        )
    codes._geopop_codes()  # the code reference is built once per process in any real run too

    ours, base = [], []
    rows = base_rows = 0
    for _ in range(RUNS):
        Release.objects.all().delete()  # force a real load each time (same files would be a no-op)
        started = time.perf_counter()
        result = services.load_dataset("mef_irpef_comuni")
        ours.append(time.perf_counter() - started)
        rows = result.release.rows
        seconds, base_rows = pandas_baseline(files)
        base.append(seconds)
    started = time.perf_counter()
    noop = services.load_dataset("mef_irpef_comuni")
    noop_seconds = time.perf_counter() - started
    assert not noop.created

    ours_s, base_s = statistics.median(ours), statistics.median(base)
    print(f"MEF IRPEF 2000–2023, {len(files)} file, {rows:,} righe comune-anno")
    print(f"  osservatorio (lettura+validazione+Parquet+release): {ours_s:6.2f} s (mediana di {RUNS})")
    print(f"  baseline pandas read_csv+concat ({base_rows:,} righe):  {base_s:6.2f} s (mediana di {RUNS})")
    print(f"  ricaricamento degli stessi file (no-op per checksum): {noop_seconds:6.2f} s")
    print(
        f"  rapporto baseline/osservatorio: {base_s / ours_s:.2f}x; obiettivo ≤ 60 s: {'OK' if ours_s <= 60 else 'NO'}"
    )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    with open(RESULTS, "a", encoding="utf-8") as fh:
        fh.write(
            json.dumps(
                {
                    "benchmark": "sources_mef_load",
                    "at": datetime.now(UTC).isoformat(timespec="seconds"),
                    "machine": platform.platform(),
                    "python": platform.python_version(),
                    "files": len(files),
                    "rows": rows,
                    "seconds": round(ours_s, 3),
                    "baseline_pandas_seconds": round(base_s, 3),
                    "noop_reload_seconds": round(noop_seconds, 3),
                    "runs": RUNS,
                    "target_seconds": 60,
                }
            )
            + "\n"
        )


if __name__ == "__main__":
    main()
