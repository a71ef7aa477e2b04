"""Vectorised evaluation of the measures on 1,000,000 synthetic households.

Our figure: the OpenFisca system (measures/rules) evaluating every screening measure (esito and amount).
Baseline, same run: the same rules for ADI, AUU, bonus sociali, Carta Dedicata a te and the municipal
contribution written directly in numpy; the engine is also timed on exactly those five measures, so the
ratio compares like with like. Target: >= 500,000 households/s overall, within 3x of numpy.

    uv run python benchmarks/bench_measures_vectorised.py [--households 1000000]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "osservatorio.settings")

from osservatorio.measures.microsim.population import build_simulation, from_synthetic  # noqa: E402
from osservatorio.measures.rules.system import tax_benefit_system  # noqa: E402
from osservatorio.measures.screening.specs import SPECS  # noqa: E402

PERIOD = "2024-06"
SUBSET = ("adi", "auu", "bonus_sociali", "carta_dedicata", "contributo_comunale")


def population(n: int):
    from osservatorio.records.synthetic import generate_households, geopop_population

    codes = [
        line.split(",")[2]
        for line in (ROOT / "src/osservatorio/territory/data/ambiti_cremona.csv").read_text().splitlines()[1:]
    ]
    return from_synthetic(generate_households(geopop_population(codes), n, seed=42), seed=42)


def engine(pop, keys):
    sim = build_simulation(pop, PERIOD, tax_benefit_system())
    out = {}
    for spec in SPECS:
        if spec.key in keys:
            out[spec.key] = (
                sim.calculate(spec.esito, PERIOD),
                sim.calculate(spec.importo, PERIOD) if spec.importo else None,
            )
    return out


def numpy_rules(pop):
    """ADI, AUU (2024), bonus sociali, Carta Dedicata, contributo comunale (default rule), directly in numpy."""
    hh, role = pop.person_household, pop.person_role
    n = pop.n_households
    p, h = pop.person_inputs, pop.household_inputs
    ref = np.datetime64("2024-06-01")
    birth = p["data_nascita"]
    age = ((ref - birth).astype("timedelta64[D]").astype(np.int64) / 365.25).astype(np.int64)
    months = ((ref - birth).astype("timedelta64[D]").astype(np.int64) / 30.4375).astype(np.int64)
    disab = (
        np.array([str(x) for x in p["disabilita"]]) if p["disabilita"].dtype == object else p["disabilita"]
    )
    disabled = disab != "nessuna"
    grave = (disab == "grave") | (disab == "non_autosufficiente")
    minor = age < 18
    size = np.bincount(hh, minlength=n)
    minors = np.bincount(hh, weights=minor, minlength=n)
    n_dis = np.bincount(hh, weights=disabled, minlength=n)
    any_grave = np.bincount(hh, weights=grave, minlength=n) > 0
    adults = size - minors
    isee = h["isee"]
    # ADI 2024
    other = role != 0
    inc = np.maximum.reduce([np.where(disabled, 0.5, 0), np.where(age >= 60, 0.4, 0)]) * other
    inc = np.bincount(hh, weights=inc, minlength=n) - 0.15 * np.bincount(
        hh, weights=disabled & minor & other, minlength=n
    )
    under3 = np.bincount(hh, weights=age < 3, minlength=n) > 0
    care = (under3 | (minors >= 3) | (n_dis > 0)) & (adults > 0)
    scale = np.minimum(
        1 + inc + 0.15 * np.minimum(minors, 2) + 0.1 * np.maximum(minors - 2, 0) + 0.4 * care,
        np.where(any_grave, 2.3, 2.2),
    )
    old = np.bincount(hh, weights=age >= 67, minlength=n)
    over67 = (np.bincount(hh, weights=(age >= 67) | grave, minlength=n) == size) & (old > 0)
    base = np.where(over67, 7560, 6000) * scale
    cat = (minors > 0) | (n_dis > 0) | (np.bincount(hh, weights=age >= 60, minlength=n) > 0)
    cit = (
        np.array([str(x) for x in h["cittadinanza"]])
        if h["cittadinanza"].dtype == object
        else h["cittadinanza"]
    )
    cit_ok = np.isin(cit, ["italiana_ue", "lungo_soggiornante", "protezione_internazionale"])
    res_ok = h["anni_residenza_italia"] >= 5
    mob_lim = (
        np.minimum(6000 + 2000 * (size - 1), 10000)
        + 1000 * np.maximum(minors - 2, 0)
        + 5000 * (n_dis - np.bincount(hh, weights=grave, minlength=n))
        + 7500 * np.bincount(hh, weights=grave, minlength=n)
    )
    imm = h["patrimonio_immobiliare"] + np.maximum(h["valore_casa"] - 150000, 0)
    adi_ok = (
        cat
        & cit_ok
        & res_ok
        & (isee <= 9360)
        & (h["reddito_familiare"] < base)
        & (imm <= 30000)
        & (h["patrimonio_mobiliare"] <= mob_lim)
    )
    alloggio = np.array([str(x) for x in h["alloggio"]]) if h["alloggio"].dtype == object else h["alloggio"]
    renting = np.isin(alloggio, ["affitto_libero", "affitto_sas", "affitto_sap"])
    rent = np.where(renting, np.minimum(h["canone_annuo"], np.where(over67 | any_grave, 1800, 3360)), 0)
    adi_amount = np.round(np.maximum(base - h["reddito_familiare"] + rent, 480) / 12, 2)
    # AUU 2024 (minors and 18-21 in training, one earner taper)
    share = np.clip((isee - 17090.61) / (45574.96 - 17090.61), 0, 1)
    child = (role == 2) & (minor | ((age < 21) & p["in_formazione"]) | disabled)
    per = np.where(minor | disabled, 199.4 - share[hh] * (199.4 - 57.0), 96.9 - share[hh] * (96.9 - 28.5))
    per = per * (1 + np.where(months < 12, 0.5, 0)) + np.where(
        minor & (disab == "non_autosufficiente"),
        119.6,
        np.where(minor & (disab == "grave"), 108.2, np.where(minor & (disab == "media"), 96.9, 0)),
    )
    n_child = np.bincount(hh, weights=child, minlength=n)
    auu_amount = (
        np.bincount(hh, weights=per * child, minlength=n)
        + np.maximum(n_child - 2, 0) * (96.9 - share * (96.9 - 17.1))
        + np.where(n_child >= 4, 150, 0)
    )
    # Bonus sociali 2024, Carta Dedicata 2024, contributo comunale (default rule)
    figli = np.bincount(hh, weights=role == 2, minlength=n)
    bonus = (isee <= 9530) | ((figli >= 4) & (isee <= 20000))
    carta = (isee <= 15000) & (size >= 3)
    contributo = isee < 6838
    return adi_ok, adi_amount, auu_amount, bonus, carta, contributo


def timed(fn, *args, repeat=3):
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn(*args)
        best = min(best, time.perf_counter() - start)
    return best


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--households", type=int, default=1_000_000)
    args = parser.parse_args()
    import django

    django.setup()
    t0 = time.perf_counter()
    pop = population(args.households)
    gen = time.perf_counter() - t0
    n = pop.n_households
    all_keys = tuple(s.key for s in SPECS)
    t_all = timed(engine, pop, all_keys, repeat=1)
    t_subset = timed(engine, pop, SUBSET, repeat=2)
    t_numpy = timed(numpy_rules, pop, repeat=2)
    result = {
        "benchmark": "measures_vectorised",
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": platform.platform(),
        "load_average_1min": round(os.getloadavg()[0], 2),
        "households": n,
        "persons": int(len(pop.person_household)),
        "generation_seconds": round(gen, 2),
        "engine_all_measures_seconds": round(t_all, 3),
        "engine_all_measures_households_per_second": round(n / t_all),
        "engine_subset_seconds": round(t_subset, 3),
        "numpy_subset_seconds": round(t_numpy, 3),
        "engine_vs_numpy_ratio": round(t_subset / t_numpy, 2),
        "measures_all": len(all_keys),
        "measures_subset": list(SUBSET),
        "target_households_per_second": 500_000,
        "target_ratio": 3.0,
    }
    print(f"{n:,} nuclei sintetici ({result['persons']:,} persone), generati in {gen:.1f} s")
    print(
        f"motore OpenFisca, tutte le {len(all_keys)} misure: {t_all:.2f} s = {n / t_all:,.0f} nuclei/s (obiettivo 500.000)"
    )
    print(
        f"stesse 5 misure: motore {t_subset:.2f} s, numpy diretto {t_numpy:.2f} s, rapporto {t_subset / t_numpy:.2f} (obiettivo <= 3)"
    )
    out = ROOT / "benchmarks" / "results" / "measures_vectorised.jsonl"
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
