"""Every case of ../shared/reference/test-cases.md as an OpenFisca YAML test (tests/measures/rules/*.yaml),
run on our tax-benefit system with the same steps as `openfisca test`: build the situation from the
YAML input, compute each output variable for the period, compare within the error margin."""

import re
from pathlib import Path

import pytest
import yaml
from openfisca_core.simulation_builder import SimulationBuilder
from openfisca_core.tools import assert_near

from osservatorio.measures.rules.system import tax_benefit_system

HERE = Path(__file__).resolve().parent
YAML_DIR = HERE / "rules"
DEFAULT_MARGIN = 0.01


def load_cases():
    cases = []
    for path in sorted(YAML_DIR.glob("*.yaml")):
        for test in yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader):
            cases.append(pytest.param(test, id=f"{path.stem}: {test['name']}"))
    return cases


CASES = load_cases()


def check(simulation, variable, expected, period, margin, index=None):
    value = simulation.calculate(variable, period)
    if index is not None:
        value = value[index : index + 1]
    assert_near(value, expected, absolute_error_margin=margin, message=f"{variable}@{period}: ")


@pytest.mark.parametrize("case", CASES)
def test_reference_case(case):
    tbs = tax_benefit_system()
    builder = SimulationBuilder()
    builder.set_default_period(str(case["period"]))
    simulation = builder.build_from_dict(tbs, case["input"])
    margin = case.get("absolute_error_margin", DEFAULT_MARGIN)
    period = str(case["period"])
    for key, expected in case["output"].items():
        population = simulation.get_population(plural=key) if key in ("persone", "nuclei") else None
        if population is None:
            check(simulation, key, expected, period, margin)
            continue
        for instance_id, values in expected.items():
            index = population.get_index(instance_id)
            for variable, value in values.items():
                check(simulation, variable, value, period, margin, index)


def test_every_reference_case_is_encoded(shared_data):
    """The summary table of test-cases.md lists every case; each must appear as a keyword or a pytest."""
    reference = shared_data.parent / "reference" / "test-cases.md"
    if not reference.exists():
        pytest.skip(f"{reference} assente")
    ids = set(re.findall(r"^\| (TC-\d+) \|", reference.read_text(encoding="utf-8"), flags=re.M))
    encoded = {kw for case in CASES for kw in case.values[0].get("keywords", [])}
    encoded |= set(re.findall(r"TC-\d+", (HERE / "test_rules_functions.py").read_text(encoding="utf-8")))
    assert ids, "nessun caso trovato nella tabella di riepilogo"
    assert sorted(ids - encoded) == []


def test_uncertain_cases_are_marked():
    """Cases whose reference confidence is not high carry the 'incerto' or a confidence keyword."""
    for case in CASES:
        keywords = case.values[0].get("keywords", [])
        assert any(k.startswith("confidenza-") for k in keywords), case.id
