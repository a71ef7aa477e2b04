"""Disclosure control on 10 million synthetic records aggregated to comune × month × three breakdowns.

The records are drawn with numpy (comuni of very different sizes, as in a real region: a Zipf-like
distribution over 1,500 comuni grouped in 100 ambiti and 12 province).

Two modes:
- release (default): what the product releases. The records (one row each, as the services' records are
  read) go through `engine.records.protect_records`: counts by area × month for all people and by sex, by
  age band and by citizenship, the three tables joined into one system and protected together (area tree
  comune → ambito → provincia → total, month → year).
- --cross: the five-dimensional cross-classification comune × month × sex × age band × citizenship as one
  table, a stress case the product never releases (far sparser, far more hidden cells).

Figures: time and peak memory (max RSS of the process, which includes generating the records), the cells
and constraints, how many groups of hidden cells were too large to verify exactly, against the naive
baseline measured in the same run — primary suppression only (cells below the threshold blanked with
pandas), which is what a spreadsheet would do and is not safe.

Run: uv run python benchmarks/bench_indicators_disclosure.py [records] [--cross]   (default 10,000,000)
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from osservatorio.indicators import disclosure  # noqa: E402
from osservatorio.indicators.engine import records as records_engine  # noqa: E402

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


def record_rows(n: int, seed: int = 2020) -> pl.DataFrame:
    """One row per record, with the columns the services' records are read with (pseudonymised)."""
    rng = np.random.default_rng(seed)
    weights = 1 / np.arange(1, N_COMUNI + 1) ** 1.1
    codes = pl.Series([f"C{c:04d}" for c in range(N_COMUNI)])
    days = pl.Series(pl.date_range(pl.date(2024, 1, 1), pl.date(2024, 12, 31), eager=True))
    return pl.DataFrame(
        {
            "comune_code": codes.gather(rng.choice(N_COMUNI, size=n, p=weights / weights.sum())),
            "quartiere_code": pl.Series([None], dtype=pl.Utf8).gather(np.zeros(n, dtype=np.int64)),
            "record_date": days.gather(rng.integers(0, len(days), size=n)),
            "sex": pl.Series(SEXES).gather(rng.integers(0, 2, size=n)),
            "age_band": pl.Series(AGES).gather(rng.choice(5, size=n, p=[0.15, 0.2, 0.35, 0.2, 0.1])),
            "citizenship": pl.Series(CITIZENSHIP).gather(rng.choice(3, size=n, p=[0.8, 0.05, 0.15])),
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
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    cross = "--cross" in sys.argv
    n = int(args[0]) if args else 10_000_000
    t0 = time.perf_counter()
    if cross:
        leaves = source = records(n)
    else:
        rows = source = record_rows(n)
    gen_s = time.perf_counter() - t0
    rss_records_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    t = time.perf_counter()
    if cross:
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
        leaf_cells = leaves.height
    else:
        leaves = records_engine._leaves(rows, distinct=False, granularity="mese")
        build_s = time.perf_counter() - t  # aggregation of the records to leaf counts
        t = time.perf_counter()
        protection = records_engine.protect_leaves(leaves, area_parents(), threshold=3, distinct=False)
        protect_s = time.perf_counter() - t  # the three tables, joined, and their protection
        table = protection.table
        leaf_cells = leaves.height
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    # The baseline runs after ours so that the peak above is ours (with the records' generation), not pandas'.
    t = time.perf_counter()
    if cross:
        naive = source.to_pandas()
    else:
        # Same counts as released (comune × month, for all people and by each breakdown), no margins.
        df = source.to_pandas()
        df["mese"] = df["record_date"].astype("datetime64[ns]").dt.to_period("M")
        naive = pd.concat(
            [df.groupby(["comune_code", "mese"]).size()]
            + [df.groupby(["comune_code", "mese", b]).size() for b in ("sex", "age_band", "citizenship")]
        ).rename("value")
        naive = naive.reset_index(drop=True).to_frame()
        del df
    naive["published"] = naive["value"].where(~naive["value"].between(1, 2))
    naive_s = time.perf_counter() - t
    naive_hidden = int(naive["published"].isna().sum())
    del naive
    peak_with_baseline_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    values = table.values
    primary = int(((values > 0) & (values < 3)).sum())
    hidden = int(protection.suppressed.sum())
    record = {
        "when": datetime.now().isoformat(timespec="seconds"),
        "mode": "cross" if cross else "release",
        "records": n,
        "leaf_cells": leaf_cells,
        "table_cells": table.cells.height,
        "constraints": table.constraints.shape[0],
        "primary": primary,
        "suppressed": hidden,
        "decisions": len(protection.decisions),
        "unchecked_components": protection.unchecked_components,
        "exposed_cells": len(protection.exposed),
        "generate_s": round(gen_s, 2),
        "build_table_s": round(build_s, 2),
        "protect_s": round(protect_s, 2),
        "ours_total_s": round(build_s + protect_s, 2),
        "naive_primary_only_s": round(naive_s, 2),
        "naive_hidden_cells": naive_hidden,
        "peak_rss_mb": round(peak_mb),
        "rss_after_generating_records_mb": round(rss_records_mb),
        "peak_rss_with_baseline_mb": round(peak_with_baseline_mb),
        "loadavg": [round(x, 2) for x in os.getloadavg()],
    }
    what = (
        "tabella incrociata a 5 dimensioni (mai rilasciata)" if cross else "rilascio: tre tabelle congiunte"
    )
    print(f"Modalità: {what}")
    print(
        f"{n:,} record → {leaf_cells:,} celle foglia → {table.cells.height:,} celle con i margini, "
        f"{table.constraints.shape[0]:,} vincoli"
    )
    print(
        f"Soppressione: {primary:,} primarie, {hidden:,} celle oscurate in totale, "
        f"{len(protection.decisions):,} decisioni registrate"
    )
    first = "aggregazione dei record" if not cross else "tabella"
    print(
        f"Tempo: {first} {build_s:.1f} s + protezione {protect_s:.1f} s = {build_s + protect_s:.1f} s "
        "(obiettivo ≤ 30 s)"
    )
    print(
        f"Memoria di picco del processo: {peak_mb:,.0f} MB (obiettivo ≤ 2.048 MB), "
        f"di cui {rss_records_mb:,.0f} MB già occupati dai record generati"
    )
    print(f"Riferimento ingenuo (solo soppressione primaria con pandas, non sicura): {naive_s:.2f} s")
    print(
        f"Gruppi di celle non verificati esattamente: {protection.unchecked_components}; "
        f"celle esposte: {len(protection.exposed)}"
    )
    RESULTS.parent.mkdir(exist_ok=True)
    with open(RESULTS, "a", encoding="utf-8") as f:
        f.write(json.dumps(record) + "\n")


if __name__ == "__main__":
    main()
