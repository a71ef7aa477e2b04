"""Disclosure control on 10 million synthetic records: comune × month × sex × age band × citizenship.

The records are drawn with numpy (comuni of very different sizes, as in a real region: a Zipf-like
distribution over 1,500 comuni grouped in 100 ambiti and 12 province), aggregated to leaf counts and
protected as one hierarchical table (area tree comune → ambito → provincia → total, month → year, and the
three breakdowns with their totals). Figures: time and peak memory (max RSS of the process, which includes
generating the records), against the naive baseline measured in the same run — primary suppression only
(cells below the threshold blanked with pandas), which is what a spreadsheet would do and is not safe.

Run: uv run python benchmarks/bench_indicators_disclosure.py [records]   (default 10,000,000)
"""

from __future__ import annotations

import json
import resource
import sys
import time
from datetime import datetime
from pathlib import Path

import numpy as np
import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from osservatorio.indicators import disclosure  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results" / "indicators_disclosure.jsonl"
N_COMUNI, N_AMBITI, N_PROVINCE = 1500, 100, 12
SEXES = np.array(["M", "F"])
AGES = np.array(["0-17", "18-34", "35-64", "65-79", "80+"])
CITIZENSHIP = np.array(["italiana", "ue", "extra_ue"])


def records(n: int, seed: int = 2020) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    weights = 1 / np.arange(1, N_COMUNI + 1) ** 1.1
    comune = rng.choice(N_COMUNI, size=n, p=weights / weights.sum())
    month = rng.integers(1, 13, size=n)
    sex = rng.integers(0, 2, size=n)
    age = rng.choice(5, size=n, p=[0.15, 0.2, 0.35, 0.2, 0.1])
    citt = rng.choice(3, size=n, p=[0.8, 0.05, 0.15])
    key = ((((comune * 12 + (month - 1)) * 2 + sex) * 5 + age) * 3) + citt
    counts = np.bincount(key, minlength=N_COMUNI * 12 * 2 * 5 * 3)
    idx = np.flatnonzero(counts)
    citt_i = idx % 3
    rest = idx // 3
    age_i = rest % 5
    rest //= 5
    sex_i = rest % 2
    rest //= 2
    month_i = rest % 12
    comune_i = rest // 12
    return pl.DataFrame(
        {
            "area": [f"C{c:04d}" for c in comune_i],
            "period": [f"2024-{m + 1:02d}" for m in month_i],
            "sesso": SEXES[sex_i],
            "fascia_eta": AGES[age_i],
            "cittadinanza": CITIZENSHIP[citt_i],
            "value": counts[idx],
        }
    )


def area_parents() -> dict[str, str]:
    parents = {}
    for c in range(N_COMUNI):
        a = c % N_AMBITI
        parents[f"C{c:04d}"] = f"A{a:03d}"
    for a in range(N_AMBITI):
        parents[f"A{a:03d}"] = f"P{a % N_PROVINCE:02d}"
    return parents


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000_000
    t0 = time.perf_counter()
    leaves = records(n)
    gen_s = time.perf_counter() - t0

    t = time.perf_counter()
    naive = leaves.to_pandas()
    naive["published"] = naive["value"].where(~naive["value"].between(1, 2))
    naive_s = time.perf_counter() - t
    naive_hidden = int(naive["published"].isna().sum())
    del naive

    t = time.perf_counter()
    months = {f"2024-{m:02d}": "2024" for m in range(1, 13)}
    table = disclosure.build_table(
        leaves,
        ["area", "period", "sesso", "fascia_eta", "cittadinanza"],
        {"area": area_parents(), "period": months},
    )
    build_s = time.perf_counter() - t
    t = time.perf_counter()
    protection = disclosure.protect(table, threshold=3)
    protect_s = time.perf_counter() - t
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    values = table.values
    primary = int(((values > 0) & (values < 3)).sum())
    hidden = int(protection.suppressed.sum())
    record = {
        "when": datetime.now().isoformat(timespec="seconds"),
        "records": n,
        "leaf_cells": leaves.height,
        "table_cells": table.cells.height,
        "constraints": table.constraints.shape[0],
        "primary": primary,
        "suppressed": hidden,
        "decisions": len(protection.decisions),
        "unchecked_components": protection.unchecked_components,
        "generate_s": round(gen_s, 2),
        "build_table_s": round(build_s, 2),
        "protect_s": round(protect_s, 2),
        "ours_total_s": round(build_s + protect_s, 2),
        "naive_primary_only_s": round(naive_s, 2),
        "naive_hidden_leaf_cells": naive_hidden,
        "peak_rss_mb": round(peak_mb),
    }
    print(
        f"{n:,} record → {leaves.height:,} celle foglia → {table.cells.height:,} celle con i margini, {table.constraints.shape[0]:,} vincoli"
    )
    print(
        f"Soppressione: {primary:,} primarie, {hidden:,} celle oscurate in totale, {len(protection.decisions):,} decisioni registrate"
    )
    print(
        f"Tempo: tabella {build_s:.1f} s + protezione {protect_s:.1f} s = {build_s + protect_s:.1f} s (obiettivo ≤ 30 s)"
    )
    print(f"Memoria di picco del processo: {peak_mb:,.0f} MB (obiettivo ≤ 2.048 MB)")
    print(f"Riferimento ingenuo (solo soppressione primaria con pandas, non sicura): {naive_s:.2f} s")
    if protection.unchecked_components:
        print(f"Attenzione: {protection.unchecked_components} componenti non verificate esattamente")
    RESULTS.parent.mkdir(exist_ok=True)
    with open(RESULTS, "a", encoding="utf-8") as f:
        f.write(json.dumps(record) + "\n")


if __name__ == "__main__":
    main()
