"""From the synthetic households of `osservatorio.records.synthetic` to the rules' inputs.

The generator gives age, sex, role, citizenship, years of residence, income, movable assets, tenure,
rent and an approximate ISEE, calibrated to ISTAT population by age and sex and to MEF income brackets.
What the rules need beyond that is drawn here, with stated assumptions (documented in docs/misure.md):

- disability (ISEE definition): 4.5% of people under 65 and 20% from 65, split media/grave/non
  autosufficiente 50/30/20 (order of magnitude of ISTAT "persone con limitazioni gravi"); an assumption;
- work: adults 18-66 with income above 8,000 € work (employment or business for 6 months);
- citizenship: non-EU households hold an EU long-term permit in 65% of cases, another permit otherwise;
- residence continuity: assumed for everybody (no data);
- reddito familiare ADI/RdC = household income; patrimonio immobiliare other than the home: 0 for
  90% of households, otherwise a lognormal draw; home value (owners): lognormal around 110,000 €;
- facts the front desk would ask (NASpI, pensions, other supports) default to "no", so the estimates are
  of potentially eligible households, not of applicants.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl
from openfisca_core.indexed_enums import EnumArray
from openfisca_core.simulations import Simulation

from ..rules.populations import contiguous_populations
from ..rules.system import tax_benefit_system
from ..rules.variables.inputs import Alloggio, Cittadinanza, Disabilita

ROLE_CODES = {"capofamiglia": 0, "coniuge": 1, "figlio": 2, "altro": 3}


def _enum(enum, names: list[str], codes: np.ndarray) -> EnumArray:
    """An EnumArray from small integer codes (no Python objects per row: a million rows stay fast)."""
    members = list(enum)
    index = np.array([members.index(enum[name]) for name in names], dtype=np.int16)
    return EnumArray(index[np.asarray(codes)], enum)


@dataclass
class Population:
    """Column arrays for persons and households (households indexed 0..n-1)."""

    n_households: int
    person_household: np.ndarray
    person_role: np.ndarray  # 0 richiedente, 1 coniuge, 2 figlio, 3 altro
    person_inputs: dict[str, np.ndarray]
    household_inputs: dict[str, np.ndarray]
    household_comune: np.ndarray
    household_weight: np.ndarray


def synthetic_households(
    comuni: list[str], n: int, seed: int, population: pl.DataFrame | None = None
) -> pl.DataFrame:
    from osservatorio.records.synthetic import generate_households, geopop_population

    if population is None:
        population = geopop_population(comuni)
    return generate_households(population, n, seed=seed)


def from_synthetic(frame: pl.DataFrame, seed: int = 0) -> Population:
    rng = np.random.default_rng(seed + 7919)
    frame = frame.sort(["household_id", "person_id"])
    hh_raw = frame["household_id"].to_numpy()
    _, person_household = np.unique(hh_raw, return_inverse=True)
    n = int(person_household.max()) + 1 if len(person_household) else 0
    first = np.r_[True, person_household[1:] != person_household[:-1]]
    age = frame["age"].to_numpy().astype(np.int64)
    role = np.array([ROLE_CODES.get(r, 3) for r in frame["role"].to_list()], dtype=np.int32)
    # The generator's first member is the head: our applicant.
    role = np.where(first, 0, np.where(role == 0, 3, role))
    income = frame["income"].to_numpy().astype(float)
    m = len(age)

    u = rng.random(m)
    disabled = u < np.where(age >= 65, 0.20, 0.045)
    kind = rng.random(m)
    disab = np.where(~disabled, 0, np.where(kind < 0.5, 1, np.where(kind < 0.8, 2, 3)))
    disab_enum = _enum(Disabilita, ["nessuna", "media", "grave", "non_autosufficiente"], disab)
    works = (age >= 18) & (age <= 66) & (income > 8000)

    ref = np.datetime64("2024-06-01")
    birth = (
        frame["birth_date"].to_numpy().astype("datetime64[D]")
        if "birth_date" in frame.columns
        else ref - (age * 365.25).astype("timedelta64[D]")
    )

    heads = frame.filter(pl.Series(first))
    citizenship = heads["citizenship"].to_numpy()
    long_term = rng.random(n) < 0.65
    cit = _enum(
        Cittadinanza,
        ["italiana_ue", "lungo_soggiornante", "altro_permesso"],
        np.where(citizenship == "extra_ue", np.where(long_term, 1, 2), 0),
    )
    tenure = heads["tenure"].to_numpy()
    alloggio = _enum(
        Alloggio,
        ["altro", "affitto_libero", "proprieta"],
        np.where(tenure == "affitto", 1, np.where(tenure == "proprieta", 2, 0)),
    )
    owners = tenure == "proprieta"
    home_value = np.where(owners, np.round(rng.lognormal(np.log(110_000), 0.45, n), 0), 0.0)
    other_property = np.where(rng.random(n) < 0.1, np.round(rng.lognormal(np.log(40_000), 0.8, n), 0), 0.0)
    comune = heads["comune_code"].to_numpy().astype(str)
    hh_income = heads["household_income"].to_numpy().astype(float)
    assets = heads["movable_assets"].to_numpy().astype(float)

    person_inputs = {
        "data_nascita": birth,
        "disabilita": disab_enum,
        "lavora": works,
        "percepisce_naspi": np.zeros(m, dtype=np.int32),
        "percepisce_pensione": ((age >= 67) & (income > 0)).astype(np.int32),
        "in_programma_cura": np.zeros(m, dtype=np.int32),
        "reddito_personale": income,
        "in_formazione": (age >= 18) & (age < 21),
    }
    household_inputs = {
        "isee": heads["isee"].to_numpy().astype(float),
        "reddito_familiare": hh_income,
        "reddito_familiare_mese_rem": hh_income / 12,
        "patrimonio_mobiliare": assets,
        "patrimonio_immobiliare": other_property,
        "valore_casa": home_value,
        "alloggio": alloggio,
        "canone_annuo": heads["rent"].to_numpy().astype(float),
        "anni_residenza_italia": heads["residence_years"].to_numpy().astype(float),
        "residenza_continuativa": np.ones(n, dtype=np.int32),
        "cittadinanza": cit,
        # The ISTAT code as a number: the rules' `comune_codice`, without a million Python strings.
        "comune_codice": comune.astype(np.int32),
        "percepisce_rdc": np.zeros(n, dtype=np.int32),
        "percepisce_adi": np.zeros(n, dtype=np.int32),
        "altri_sostegni_pubblici": np.zeros(n, dtype=np.int32),
        "indennita_covid": np.zeros(n, dtype=np.int32),
        "naspi_cessata_2020_2021": np.zeros(n, dtype=np.int32),
        "sfratto_in_corso": np.zeros(n, dtype=np.int32),
        "casa_adeguata_lombardia": np.zeros(n, dtype=np.int32),
        "mesi_contratto_affitto": np.full(n, 12.0),
        "perdita_reddito_25": np.zeros(n, dtype=np.int32),
        "comune_aderisce_nidi_gratis": np.ones(n, dtype=np.int32),
        "indennita_maternita": np.zeros(n),
    }
    return Population(
        n_households=n,
        person_household=person_household,
        person_role=role,
        person_inputs=person_inputs,
        household_inputs=household_inputs,
        household_comune=comune,
        household_weight=heads["weight"].to_numpy().astype(float),
    )


def build_simulation(pop: Population, period: str, tbs=None, contiguous: bool = True):
    """A vectorised OpenFisca simulation of the whole population (one entity array per variable).

    Entities are set up directly with arrays (SimulationBuilder.declare_* would turn a million ids and
    roles into Python lists first), persons sorted by household, so that person -> nucleo aggregations
    are contiguous reductions and roles integer codes (`rules.populations`). `contiguous=False` uses
    OpenFisca's own populations (same results, slower; the tests compare the two)."""
    tbs = tbs or tax_benefit_system()
    try:
        if not contiguous:
            raise ValueError("OpenFisca's own populations requested")
        populations = contiguous_populations(tbs, pop.person_household, pop.person_role)
    except ValueError:  # persons not sorted by household (or asked for): OpenFisca's own populations
        populations = tbs.instantiate_entities()
        persons, nuclei = populations["persona"], populations["nucleo"]
        persons.ids, persons.count = np.arange(len(pop.person_household)), len(pop.person_household)
        nuclei.ids, nuclei.count = np.arange(pop.n_households), pop.n_households
        nuclei.members_entity_id = pop.person_household
        roles = np.empty(len(nuclei.entity.flattened_roles), dtype=object)
        roles[:] = nuclei.entity.flattened_roles
        nuclei._members_role = roles[pop.person_role]
    sim = Simulation(tbs, populations)
    for name, values in pop.person_inputs.items():
        sim.set_input(name, period, values)
    for name, values in pop.household_inputs.items():
        sim.set_input(name, period, values)
    return sim
