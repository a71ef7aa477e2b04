"""The screening engine: its array-built simulation against OpenFisca's SimulationBuilder on the same
situation, and ages given partly as ages and partly as birth dates."""

from datetime import date

import numpy as np
import pytest
from openfisca_core.simulation_builder import SimulationBuilder

from osservatorio.measures.rules import tristate as ts
from osservatorio.measures.rules.system import tax_benefit_system
from osservatorio.measures.screening import engine
from osservatorio.measures.screening.household import Household, Member
from osservatorio.measures.screening.specs import SPECS

HOUSEHOLDS = [
    Household(
        members=[Member("richiedente", 40), Member("coniuge", 38), Member("figlio", 6), Member("figlio", 9)],
        comune_residenza="019036",
        cittadinanza="italiana_ue",
        anni_residenza_italia=10,
        residenza_continuativa=True,
        isee=3000,
        reddito_familiare=0,
        patrimonio_mobiliare=4000,
        patrimonio_immobiliare=0,
        valore_casa=90000,
        alloggio="proprieta",
    ),
    Household(
        members=[
            Member("richiedente", 31, lavora=True, disabilita="media"),
            Member("figlio", data_nascita=date(2023, 11, 5), scuola="nido", retta_nido_mensile=400),
            Member("altro", 70, percepisce_pensione=True),
        ],
        comune_residenza="019110",
        cittadinanza="lungo_soggiornante",
        anni_residenza_italia=6,
        isee=12000,
        alloggio="affitto_libero",
        canone_mensile=500,
    ),
    Household(members=[Member("richiedente", 67)]),  # almost nothing known
]


def builder_simulation(household, on):
    builder = SimulationBuilder()
    builder.set_default_period(on.strftime("%Y-%m"))
    return builder.build_from_dict(tax_benefit_system(), engine.situation(household, on))


@pytest.mark.parametrize("household", HOUSEHOLDS)
@pytest.mark.parametrize("on", [date(2020, 4, 15), date(2024, 6, 1), date(2026, 2, 1)])
def test_array_simulation_equals_simulation_builder(household, on):
    fast, reference = engine.simulate(household, on), builder_simulation(household, on)
    period = on.strftime("%Y-%m")
    names = {n for spec in SPECS for n in (spec.esito, spec.importo, *spec.requirements) if n}
    for name in sorted(names | {"eta", "eta_mesi", "isee_scala", "comune_codice"}):
        np.testing.assert_array_equal(
            fast.calculate(name, period), reference.calculate(name, period), err_msg=name
        )


def test_members_given_by_birth_date_keep_their_age_beside_members_given_by_age():
    household = Household(
        members=[Member("richiedente", data_nascita=date(1980, 3, 2)), Member("figlio", 6)],
        comune_residenza="019036",
    )
    sim = engine.simulate(household, date(2024, 6, 1))
    assert sim.calculate("eta", "2024-06").tolist() == [44, 6]
    assert sim.calculate("numero_minori", "2024-06").tolist() == [1]


def test_every_measure_answered_for_a_household_with_unknowns():
    problems, results = engine.evaluate(HOUSEHOLDS[2], date(2024, 6, 1))
    assert problems == []
    assert {r.key for r in results} == {s.key for s in SPECS}
    assert any(r.status == "da_verificare" and r.missing for r in results)
    assert all(r.amount is None for r in results if r.status in ("no", "non_attiva"))
    assert ts.DA_VERIFICARE in engine.STATUS


def test_an_elderly_member_with_unknown_income_makes_the_carta_acquisti_to_be_verified():
    """Another member who is not elderly must not turn the household's "da verificare" into "no"."""
    for members in (
        [Member("richiedente", 70)],
        [Member("richiedente", 70), Member("figlio", 40, reddito_personale=20000)],
    ):
        household = Household(members=members, comune_residenza="019036", isee=5000)
        sim = engine.simulate(household, date(2023, 6, 1))
        assert sim.calculate("carta_acquisti_req_categoria", "2023-06").tolist() == [ts.UNKNOWN]
        assert sim.calculate("carta_acquisti_esito", "2023-06").tolist() == [ts.DA_VERIFICARE]
    household = Household(
        members=[Member("richiedente", 66, reddito_personale=100000), Member("figlio", 40)], isee=5000
    )
    assert engine.simulate(household, date(2023, 6, 1)).calculate("carta_acquisti_esito", "2023-06") == [
        ts.NO
    ]


def test_every_requirement_text_and_unit_is_in_the_translation_list():
    from osservatorio.measures.rules.variables.inputs import VARIABLES
    from osservatorio.measures.screening.texts import INPUTS, REQUIREMENTS, UNITS

    tbs = tax_benefit_system()
    shown = set()
    for spec in SPECS:
        for name in spec.requirements:
            label = tbs.get_variable(name).label
            shown.add(label.split(": ", 1)[1] if ": " in label else label)
    assert shown <= set(REQUIREMENTS), sorted(shown - set(REQUIREMENTS))
    assert {spec.unit for spec in SPECS} <= set(UNITS)
    assert {v.label for v in VARIABLES} <= set(INPUTS)
