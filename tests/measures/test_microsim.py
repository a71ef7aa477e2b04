"""Microsimulation on the synthetic population of the Ambito Cremonese: estimates with intervals per comune,
the what-if on a municipal rule, the pages and the comparison with actual RdC recipients."""

from pathlib import Path

import numpy as np
import pytest
from django.urls import reverse

from osservatorio.accounts.roles import Role
from osservatorio.measures.microsim import estimate, whatif
from osservatorio.measures.microsim.population import build_simulation, from_synthetic, synthetic_households

AMBITI_CSV = Path(__file__).resolve().parents[2] / "src/osservatorio/territory/data/ambiti_cremona.csv"
CODES = [
    line.split(",")[2] for line in AMBITI_CSV.read_text().splitlines()[1:] if line.startswith("AMB-CREMONESE")
]


@pytest.fixture(scope="module")
def baseline():
    return estimate.run(
        CODES, "2024-06", draws=3, households=900, seed=3, measures=("adi", "contributo_comunale")
    )


def test_every_comune_has_an_estimate_with_an_interval(baseline):
    adi = {e.comune: e for e in baseline if e.measure == "adi"}
    assert set(adi) == set(CODES)
    for e in adi.values():
        assert e.households_low <= e.households <= e.households_high
        assert 0 <= e.share < 0.5
    cremona = adi["019036"]
    assert cremona.households > 0 and cremona.cost > 0
    assert cremona.households_high > cremona.households_low  # repeated draws differ


def test_population_inputs_are_consistent():
    frame = synthetic_households(
        CODES[:3], 200, seed=1, population=estimate.marginals(tuple(sorted(CODES[:3])))
    )
    pop = from_synthetic(frame, seed=1)
    sim = build_simulation(pop, "2024-06")
    assert np.bincount(pop.person_household).min() >= 1
    assert (sim.calculate("componenti", "2024-06") == np.bincount(pop.person_household)).all()
    # Exactly one applicant per household.
    assert (np.bincount(pop.person_household, weights=pop.person_role == 0) == 1).all()


def test_whatif_raising_the_isee_threshold_reaches_more_households(baseline):
    changed = whatif.apply(
        whatif.Change("_predefinito", "contributo_economico", "soglia_isee", 12000), "2024-06-01"
    )
    after = estimate.run(
        CODES, "2024-06", draws=3, households=900, seed=3, tbs=changed, measures=("contributo_comunale",)
    )
    before = {e.comune: e for e in baseline if e.measure == "contributo_comunale"}
    after = {e.comune: e for e in after}
    assert all(after[c].households >= before[c].households for c in CODES)
    assert sum(a.households for a in after.values()) > sum(b.households for b in before.values())
    # The saved rule is unchanged.
    assert whatif.current_value(("_predefinito", "contributo_economico", "soglia_isee"), "2024-06-01") == 6838
    with pytest.raises(ValueError):
        whatif.apply(whatif.Change("_predefinito", "contributo_economico", "non_esiste", 1), "2024-06-01")


def test_rdc_recipients_july_2020(shared_data, settings):
    from osservatorio.measures.coverage import rdc_recipients_july_2020

    settings.DATA_DIR = shared_data
    actual = rdc_recipients_july_2020(CODES)
    assert actual["019036"] > 100
    assert set(actual) <= set(CODES)


@pytest.mark.django_db
def test_microsim_and_whatif_pages(client, django_user_model, territory_cremona):
    user = django_user_model.objects.create_user(username="ana", password="x", role=Role.ANALISTA)
    client.force_login(user)
    params = {"ambito": "AMB-CREMONESE", "mese": "2024-06-01", "estrazioni": "2", "famiglie": "400"}
    page = client.get(reverse("measures:microsim"), params).content.decode()
    assert "Cremona" in page and "Assegno di inclusione" in page and "Dati sintetici" in page
    assert "Contributo economico comunale" in page
    bad = client.get(reverse("measures:microsim"), {**params, "mese": "2010-01-01"}).content.decode()
    assert "Scegliere una data dal 2019" in bad
    page = client.get(
        reverse("measures:whatif"),
        {
            **params,
            "regola": "_predefinito/contributo_economico",
            "parametro": "contributo_economico.soglia_isee",
            "valore": "9000",
        },
    ).content.decode()
    assert "Nuclei prima" in page and "Soglia ISEE" in page and "Nuclei dopo" in page
    mismatch = client.get(
        reverse("measures:whatif"),
        {
            **params,
            "regola": "_predefinito/contributo_economico",
            "parametro": "buoni_spesa_covid.importo_1",
            "valore": "9000",
        },
    ).content.decode()
    assert "non appartiene alla regola scelta" in mismatch


def test_direct_build_matches_openfisca_builder():
    """The fast entity set-up gives the same results as OpenFisca's own SimulationBuilder."""
    from openfisca_core.simulation_builder import SimulationBuilder

    from osservatorio.measures.rules.system import tax_benefit_system

    frame = synthetic_households(
        CODES[:4], 300, seed=5, population=estimate.marginals(tuple(sorted(CODES[:4])))
    )
    pop = from_synthetic(frame, seed=5)
    fast = build_simulation(pop, "2024-06")
    builder = SimulationBuilder()
    builder.create_entities(tax_benefit_system())
    builder.declare_person_entity("persona", list(range(len(pop.person_household))))
    nuclei = builder.declare_entity("nucleo", list(range(pop.n_households)))
    builder.join_with_persons(nuclei, pop.person_household, pop.person_role)
    slow = builder.build(tax_benefit_system())
    for name, values in {**pop.person_inputs, **pop.household_inputs}.items():
        slow.set_input(name, "2024-06", values)
    for variable in (
        "adi_esito",
        "adi_importo",
        "auu_importo",
        "isee_scala",
        "contributo_comunale_esito",
        "sfl_esito",
    ):
        a, b = fast.calculate(variable, "2024-06"), slow.calculate(variable, "2024-06")
        assert np.allclose(np.nan_to_num(a, nan=-1), np.nan_to_num(b, nan=-1)), variable


@pytest.mark.parametrize("period", ["2020-04", "2024-06", "2026-02"])
def test_contiguous_populations_give_openfisca_results(period):
    """The microsimulation's populations (integer roles, reductions over contiguous households) against
    OpenFisca's own: every measure's esito, amount and requirement on the same synthetic households."""
    from osservatorio.measures.screening.specs import SPECS

    frame = synthetic_households(
        CODES[:4], 600, seed=5, population=estimate.marginals(tuple(sorted(CODES[:4])))
    )
    pop = from_synthetic(frame, seed=5)
    fast = build_simulation(pop, period)
    plain = build_simulation(pop, period, contiguous=False)
    assert hasattr(fast.populations["nucleo"], "starts")
    assert not hasattr(plain.populations["nucleo"], "starts")
    names = {name for spec in SPECS for name in (spec.esito, spec.importo) if name}
    names |= {"eta", "eta_minima", "isee_scala", "adi_scala", "comune_noto", "residente_lombardia"}
    assert len(names) > 30
    for name in sorted(names):
        np.testing.assert_array_equal(
            fast.calculate(name, period), plain.calculate(name, period), err_msg=name
        )


def test_totals_over_the_ambito_have_their_own_interval_and_say_when_a_measure_is_not_in_force():
    draws = estimate.run_draws(
        CODES[:6], "2024-06", draws=4, households=400, seed=11, measures=("adi", "rdc")
    )
    totals = {t.measure: t for t in estimate.summarise_totals(draws)}
    adi, rdc = totals["adi"], totals["rdc"]
    assert adi.active and not rdc.active  # RdC ended in 2023
    assert rdc.households == 0 and rdc.cost == 0
    assert adi.households_low <= adi.households <= adi.households_high
    per_comune = [e for e in estimate.summarise(draws) if e.measure == "adi"]
    assert adi.households == pytest.approx(sum(e.households for e in per_comune))
    # The interval of the sum is not the sum of the intervals.
    assert adi.households_high - adi.households_low < sum(
        e.households_high - e.households_low for e in per_comune
    )
    assert all(not e.active for e in estimate.summarise(draws) if e.measure == "rdc")
    assert adi.to_verify >= 0


def test_a_cost_with_an_unverified_amount_is_not_reported_as_zero():
    # The electricity bonus amount is known only for 2020 (misure.md): in 2024 the cost is unknown.
    draws = estimate.run_draws(
        CODES[:6], "2024-06", draws=2, households=400, seed=2, measures=("bonus_sociali",)
    )
    (total,) = estimate.summarise_totals(draws)
    assert total.households > 0 and not total.cost_known
    draws = estimate.run_draws(
        CODES[:6], "2020-06", draws=2, households=400, seed=2, measures=("bonus_sociali",)
    )
    (total,) = estimate.summarise_totals(draws)
    assert total.households > 0 and total.cost_known and total.cost > 0


def test_the_change_of_a_rule_is_summarised_draw_by_draw():
    kwargs = {"draws": 3, "households": 400, "seed": 4, "measures": ("contributo_comunale",)}
    before = estimate.run_draws(CODES[:6], "2024-06", **kwargs)
    changed = whatif.apply(
        whatif.Change("_predefinito", "contributo_economico", "soglia_isee", 12000), "2024-06-01"
    )
    after = estimate.run_draws(CODES[:6], "2024-06", tbs=changed, **kwargs)
    (change,) = estimate.summarise_change(before, after)
    (b,), (a,) = estimate.summarise_totals(before), estimate.summarise_totals(after)
    assert change.households == pytest.approx(a.households - b.households)
    assert 0 < change.households_low <= change.households <= change.households_high
    assert change.cost > 0
    (none,) = estimate.summarise_change(before, before)
    assert none.households == 0 and none.households_low == 0 and none.cost_high == 0


@pytest.mark.django_db
def test_july_2020_coverage_links_the_released_indicators(client, django_user_model, territory_cremona):
    user = django_user_model.objects.create_user(username="ana2", password="x", role=Role.ANALISTA)
    client.force_login(user)
    params = {"ambito": "AMB-CREMONESE", "mese": "2020-07-01", "estrazioni": "2", "famiglie": "400"}
    page = client.get(reverse("measures:microsim"), params).content.decode()
    assert "Copertura del Reddito di cittadinanza" in page
    assert reverse("indicators:detail", args=["rdc-take-up-2020"]) in page
    assert reverse("indicators:detail", args=["rdc-eligibili-stimati-per-1000"]) in page


@pytest.mark.django_db
def test_cli_publishes_the_rdc_estimate(territory_cremona, settings, tmp_path):
    import io

    from django.core.management import CommandError, call_command

    from osservatorio.sources.models import Release as SourceRelease

    settings.VAR_DIR = tmp_path
    out = io.StringIO()
    args = ("misure", "stime-rdc", "--ambito", "AMB-CREMONESE", "--estrazioni", "2", "--famiglie", "900")
    call_command(*args, stdout=out)
    assert "microsim_rdc_idonei_2020: release #" in out.getvalue() and "rdc-take-up-2020" in out.getvalue()
    release = SourceRelease.objects.get(dataset__key="microsim_rdc_idonei_2020")
    assert release.rows == 47 and release.files[0]["name"] == "microsim_rdc_idonei_2020.csv"
    settings.OSSERVATORIO = {**settings.OSSERVATORIO, "HOME_AMBITO": ""}
    with pytest.raises(CommandError, match="Nessun comune da stimare"):
        call_command("misure", "stime-rdc", stdout=io.StringIO())
