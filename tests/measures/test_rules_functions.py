"""Rules that are not household variables (TC-43 LEPS ratio, Carta Dedicata ranking) and the engine's
behaviour on inputs it cannot judge."""

from datetime import date

import numpy as np
import pytest
from openfisca_core.simulation_builder import SimulationBuilder

from osservatorio.measures.rules import tristate as ts
from osservatorio.measures.rules.leps import leps_assistenti_sociali
from osservatorio.measures.rules.ranking import carta_dedicata_order
from osservatorio.measures.rules.system import tax_benefit_system


@pytest.mark.parametrize(
    ("fte", "met", "contributo"),
    [(20, False, 0.0), (30, False, 215_384.62), (36, True, 375_384.62), (45, True, 455_384.62)],
)
def test_tc43_leps_social_workers(fte, met, contributo):
    """TC-43 (DERIVED, confidenza bassa: DM counting rules not verified), ambito of 160,000."""
    result = leps_assistenti_sociali(160_000, fte, date(2024, 6, 1))
    assert result.leps_fte == pytest.approx(32)
    assert result.soglia_minima_fte == pytest.approx(24.615, abs=0.001)
    assert result.leps_raggiunto is met
    assert result.contributo_annuo == pytest.approx(contributo, abs=0.01)


def test_tc35_carta_dedicata_ranking_lower_isee_first_within_class():
    classe = np.array([2, 1, 1, 3, 2])
    isee = np.array([3000, 9000, 4000, 100, 1000])
    assert carta_dedicata_order(classe, isee).tolist() == [2, 1, 4, 0, 3]


def simulate(period, nucleo, persone):
    builder = SimulationBuilder()
    builder.set_default_period(period)
    members = list(persone)
    situation = {
        "persone": persone,
        "nuclei": {"n": {"richiedenti": [members[0]], "figli": members[1:], **nucleo}},
    }
    return builder.build_from_dict(tax_benefit_system(), situation)


def test_unknown_isee_is_da_verificare_not_no():
    sim = simulate("2024-03", {}, {"a": {"eta": 35}, "f": {"eta": 4}})
    assert sim.calculate("adi_req_isee", "2024-03")[0] == ts.UNKNOWN
    assert sim.calculate("adi_esito", "2024-03")[0] == ts.DA_VERIFICARE
    assert np.isnan(sim.calculate("adi_importo", "2024-03")[0])


def test_amount_not_computable_when_rent_unknown():
    sim = simulate(
        "2024-03",
        {"isee": 3000, "reddito_familiare": 0, "alloggio": "non_noto"},
        {"a": {"eta": 35}, "f": {"eta": 4}},
    )
    assert np.isnan(sim.calculate("adi_importo", "2024-03")[0])


def test_measures_outside_validity_are_non_attiva():
    sim = simulate("2018-06", {"isee": 3000}, {"a": {"eta": 35}, "f": {"eta": 4}})
    for variable in ("adi_esito", "rdc_esito", "auu_esito", "rem_esito", "sfl_esito", "carta_dedicata_esito"):
        assert sim.calculate(variable, "2018-06")[0] == ts.NON_ATTIVA, variable


def test_rdc_ends_when_adi_starts():
    persone = {"a": {"eta": 35}, "f": {"eta": 4}}
    assert simulate("2023-12", {}, persone).calculate("rdc_esito", "2023-12")[0] != ts.NON_ATTIVA
    assert simulate("2024-01", {}, persone).calculate("rdc_esito", "2024-01")[0] == ts.NON_ATTIVA
    assert simulate("2024-01", {}, persone).calculate("adi_esito", "2024-01")[0] != ts.NON_ATTIVA


def test_tristate_logic():
    ok, fail, unknown = np.int8(ts.OK), np.int8(ts.FAIL), np.int8(ts.UNKNOWN)
    a = np.array([ok, ok, fail, unknown], dtype=np.int8)
    b = np.array([ok, unknown, unknown, unknown], dtype=np.int8)
    assert ts.all_of(a, b).tolist() == [ts.OK, ts.UNKNOWN, ts.FAIL, ts.UNKNOWN]
    assert ts.any_of(a, b).tolist() == [ts.OK, ts.OK, ts.UNKNOWN, ts.UNKNOWN]
    assert ts.lt(np.array([1.0, np.nan, 5.0]), 5).tolist() == [ts.OK, ts.UNKNOWN, ts.FAIL]
    assert ts.le(np.array([5.0]), np.nan).tolist() == [ts.UNKNOWN]
