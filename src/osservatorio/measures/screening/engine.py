"""Screening of one household against every measure on a date, with reasons and missing information."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import cache

import numpy as np
from openfisca_core.indexed_enums import EnumArray
from openfisca_core.periods import period as make_period
from openfisca_core.simulation_builder import SimulationBuilder
from openfisca_core.simulations import Simulation

from ..rules import tristate as ts
from ..rules.populations import contiguous_populations
from ..rules.system import tax_benefit_system
from ..rules.variables.inputs import VARIABLES as INPUT_VARIABLES
from .household import (
    ISEE_TOLERANCE_EUR,
    ISEE_TOLERANCE_SHARE,
    Household,
    Problem,
    gettext_noop,
    problem,
    problems,
)
from .specs import SPECS, MeasureSpec

STATUS = {ts.SI: "si", ts.DA_VERIFICARE: "da_verificare", ts.NO: "no", ts.NON_ATTIVA: "non_attiva"}
ORDER = {"si": 0, "da_verificare": 1, "no": 2, "non_attiva": 3}
INPUT_NAMES = {v.__name__ for v in INPUT_VARIABLES}


@dataclass
class Reason:
    state: str  # "ok", "no", "?"
    text: str


@dataclass
class MeasureResult:
    key: str
    label: str
    status: str
    amount: Decimal | None
    unit: str
    reasons: list[Reason] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    notes: tuple[str, ...] = ()
    uncertainty: str = ""

    @property
    def status_label(self) -> str:
        """The Italian outcome word (no Django here); pages translate `status` through
        `presentation.status_label`."""
        return ts.ESITO_LABELS[{v: k for k, v in STATUS.items()}[self.status]]


def _fact(value: bool | None) -> int:
    return -1 if value is None else int(bool(value))


def _num(value: float | None) -> float:
    return float("nan") if value is None else float(value)


def situation(household: Household, on: date) -> dict:
    persone, roles = {}, {"richiedenti": [], "coniugi": [], "figli": [], "altri": []}
    plural = {"richiedente": "richiedenti", "coniuge": "coniugi", "figlio": "figli", "altro": "altri"}
    for i, m in enumerate(household.members):
        pid = f"p{i}"
        birth = m.data_nascita
        if birth is None and m.eta is not None:
            # Mid-year birthday: only used for ages of 3 and more, where months do not matter. The
            # age is not also given as an input: OpenFisca would then take 0 for the members given
            # by birth date (an input set for some members is the default for the others).
            birth = on - timedelta(days=int(365.25 * m.eta + 182))
        persone[pid] = {
            "data_nascita": birth.isoformat() if birth else None,
            "disabilita": m.disabilita,
            "lavora": m.lavora,
            "in_formazione": m.in_formazione,
            "percepisce_naspi": _fact(m.percepisce_naspi),
            "percepisce_pensione": _fact(m.percepisce_pensione),
            "in_programma_cura": _fact(m.in_programma_cura),
            "scuola": m.scuola,
            "scuola_paritaria": m.scuola_paritaria,
            "retta_nido_mensile": _num(m.retta_nido_mensile),
            "reddito_personale": _num(m.reddito_personale),
        }
        persone[pid] = {k: v for k, v in persone[pid].items() if v is not None}
        roles[plural[m.relazione]].append(pid)
    h = household
    nucleo = {
        **roles,
        "comune_residenza": h.comune_residenza,
        "cittadinanza": h.cittadinanza,
        "anni_residenza_italia": _num(h.anni_residenza_italia),
        "residenza_continuativa": _fact(h.residenza_continuativa),
        "isr": _num(h.isr),
        "isp": _num(h.isp),
        "reddito_familiare": _num(h.reddito_familiare),
        "reddito_familiare_mese_rem": _num(
            h.reddito_familiare / 12 if h.reddito_familiare is not None else None
        ),
        "patrimonio_mobiliare": _num(h.patrimonio_mobiliare),
        "patrimonio_immobiliare": _num(h.patrimonio_immobiliare),
        "valore_casa": _num(h.valore_casa if h.alloggio == "proprieta" else (h.valore_casa or 0.0)),
        "alloggio": h.alloggio,
        "canone_annuo": _num(h.canone_mensile * 12 if h.canone_mensile is not None else None),
        "mesi_contratto_affitto": _num(h.mesi_contratto_affitto),
        "percepisce_rdc": _fact(h.percepisce_rdc),
        "percepisce_adi": _fact(h.percepisce_adi),
        "altri_sostegni_pubblici": _fact(h.altri_sostegni_pubblici),
        "comune_aderisce_nidi_gratis": _fact(h.comune_aderisce_nidi_gratis),
        "indennita_maternita": _num(h.indennita_maternita),
        "sfratto_in_corso": _fact(h.sfratto_in_corso),
        "casa_adeguata_lombardia": _fact(h.casa_adeguata_lombardia),
        "perdita_reddito_25": _fact(h.perdita_reddito_25),
        "indennita_covid": 0 if h.altri_sostegni_pubblici is False else -1,
    }
    if h.isee is not None:
        nucleo["isee"] = float(h.isee)
    if h.isee_minorenni is not None:
        nucleo["isee_minorenni"] = float(h.isee_minorenni)
    return {"persone": persone, "nuclei": {"n": nucleo}}


ROLE_CODES = {"richiedenti": 0, "coniugi": 1, "figli": 2, "altri": 3}  # order of Nucleo's roles


def _column(variable, values: list) -> np.ndarray:
    """One input's values for every member (None: the variable's default), in OpenFisca's storage."""
    enum = getattr(variable, "possible_values", None)
    if enum is not None:
        default = variable.default_value.name
        index = [enum[v if v is not None else default].index for v in values]
        return EnumArray(np.array(index, dtype=np.int16), enum)
    default = variable.default_value
    filled = [default if v is None else v for v in values]
    if variable.value_type is date:
        return np.array([str(v) for v in filled], dtype="datetime64[D]")
    return np.array(filled, dtype=variable.dtype)


def simulate(household: Household, on: date, tbs=None):
    """The household's simulation, built from arrays.

    Same inputs as `situation()` (the OpenFisca situation, kept for traces and tests), without
    SimulationBuilder's generic parsing: one screening builds its simulation in well under a
    millisecond. Ages enter as birth dates only (see `situation`), so members given by age and members
    given by birth date are treated alike."""
    tbs = tbs or tax_benefit_system()
    data = situation(household, on)
    persone, nucleo = data["persone"], data["nuclei"]["n"]
    ids = list(persone)
    role_of = {pid: ROLE_CODES[plural] for plural in ROLE_CODES for pid in nucleo[plural]}
    populations = contiguous_populations(
        tbs, np.zeros(len(ids), dtype=np.int64), np.array([role_of[pid] for pid in ids])
    )
    sim = Simulation(tbs, populations)
    period = make_period(on.strftime("%Y-%m"))
    person_names = {name for values in persone.values() for name in values}
    for name in sorted(person_names):
        sim.set_input(name, period, _column(tbs.get_variable(name), [persone[pid].get(name) for pid in ids]))
    for name, value in nucleo.items():
        if name in ROLE_CODES:
            continue
        sim.set_input(name, period, _column(tbs.get_variable(name), [value]))
    return sim


@cache
def input_dependencies(variable: str) -> tuple[str, ...]:
    """Input variables a requirement reads, found once by tracing it on a small household."""
    builder = SimulationBuilder()
    builder.set_default_period("2024-06")
    sim = builder.build_from_dict(
        tax_benefit_system(),
        {
            "persone": {"a": {"eta": 40}, "b": {"eta": 5}},
            "nuclei": {"n": {"richiedenti": ["a"], "figli": ["b"]}},
        },
    )
    sim.trace = True
    sim.calculate(variable, "2024-06")
    found: list[str] = []
    stack = list(sim.tracer.trees)
    while stack:
        node = stack.pop()
        if node.name in INPUT_NAMES and node.name not in found and node.name != variable:
            found.append(node.name)
        stack.extend(node.children)
    if variable in INPUT_NAMES:
        found.insert(0, variable)
    return tuple(found)


def _unknown_inputs(sim, period: str, names: tuple[str, ...]) -> list[str]:
    tbs = sim.tax_benefit_system
    cache = sim.__dict__.setdefault("_unknown_cache", {})
    missing = []
    for name in names:
        if name in cache:
            if cache[name]:
                missing.append(cache[name])
            continue
        variable = tbs.get_variable(name)
        value = sim.calculate(name, period)
        if variable.value_type is float:
            unknown = bool(np.isnan(value).any())
        elif variable.value_type is int:
            unknown = bool((value == -1).any())
        elif getattr(variable, "possible_values", None) is not None:
            unknown = any(str(v.name) in ("non_nota", "non_noto") for v in value.decode())
        elif variable.value_type is str:
            unknown = any(len(str(v)) == 0 for v in value)
        else:
            unknown = False
        cache[name] = variable.label if unknown else ""
        if unknown:
            missing.append(variable.label)
    return missing


def _requirement_text(sim, name: str) -> str:
    label = sim.tax_benefit_system.get_variable(name).label
    return label.split(": ", 1)[1] if ": " in label else label


def _amount(value: float) -> Decimal | None:
    if value is None or np.isnan(value):
        return None
    return Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _isee_consistency(sim, period: str, household: Household) -> list[Problem]:
    if household.isee is None or household.isr is None or household.isp is None:
        return []
    expected = float(sim.calculate("isee_calcolato", period)[0])
    scale = float(sim.calculate("isee_scala", period)[0])
    gap = abs(household.isee - expected)
    if gap > max(ISEE_TOLERANCE_EUR, ISEE_TOLERANCE_SHARE * expected):

        def it(x: float) -> str:
            return f"{x:,.2f}".replace(",", "X").replace(".", ",").replace("X", ".")

        return [
            problem(
                "isee",
                gettext_noop(
                    "L'ISEE indicato (%(isee)s €) non è coerente con ISR e ISP: con la scala %(scale)s del "
                    "nucleo descritto risulta %(expected)s €. Controllare l'attestazione o i componenti "
                    "(disabilità, lavoro dei genitori)."
                ),
                isee=it(household.isee),
                scale=f"{scale:.2f}".replace(".", ","),
                expected=it(expected),
            )
        ]
    return []


def _result(sim, period: str, spec: MeasureSpec) -> MeasureResult:
    esito = int(sim.calculate(spec.esito, period)[0])
    status = STATUS[esito]
    amount = (
        _amount(float(sim.calculate(spec.importo, period)[0]))
        if spec.importo and status in ("si", "da_verificare")
        else None
    )
    reasons: list[Reason] = []
    missing: list[str] = []
    if status != "non_attiva":
        for req in spec.requirements:
            state = int(sim.calculate(req, period)[0])
            text = _requirement_text(sim, req)
            if state == ts.OK:
                reasons.append(Reason("ok", text))
            elif state == ts.FAIL:
                reasons.append(Reason("no", text))
            else:
                reasons.append(Reason("?", text))
                if status != "da_verificare":
                    continue
                for label in _unknown_inputs(sim, period, input_dependencies(req)):
                    if label not in missing:
                        missing.append(label)
        if status == "si" and spec.importo and amount is None:
            for label in _unknown_inputs(sim, period, input_dependencies(spec.importo)):
                if label not in missing:
                    missing.append(label)
    if status == "no":
        amount = None
    return MeasureResult(
        key=spec.key,
        label=spec.label,
        status=status,
        amount=amount,
        unit=spec.unit,
        reasons=reasons,
        missing=missing,
        notes=spec.notes,
        uncertainty=spec.uncertainty,
    )


def evaluate(household: Household, on: date) -> tuple[list[Problem], list[MeasureResult]]:
    """Problems of the input (for the form) and, when there are none, every measure: one simulation."""
    found = problems(household, on)
    if found:
        return found, []
    sim = simulate(household, on)
    period = make_period(on.strftime("%Y-%m"))
    inconsistent = _isee_consistency(sim, period, household)
    if inconsistent:
        return inconsistent, []
    results = [_result(sim, period, spec) for spec in SPECS]
    results.sort(key=lambda r: ORDER[r.status])
    return [], results


def screen(household: Household, on: date) -> list[MeasureResult]:
    """Every measure for this household on this date, best outcomes first.

    A household with problems (impossible or unjudgeable) gets every measure "da verificare" with the
    problems as reasons and no amount."""
    found = problems(household, on)
    if found:
        return [
            MeasureResult(
                key=spec.key, label=spec.label, status="da_verificare", amount=None, unit=spec.unit,
                reasons=[Reason("?", p.message) for p in found], notes=spec.notes, uncertainty=spec.uncertainty,
            )
            for spec in SPECS
        ]  # fmt: skip
    sim = simulate(household, on)
    period = on.strftime("%Y-%m")
    inconsistent = _isee_consistency(sim, period, household)
    results = [_result(sim, period, spec) for spec in SPECS]
    if inconsistent:
        for r in results:
            if r.status == "si":
                r.status, r.amount = "da_verificare", None
            r.reasons.insert(0, Reason("?", inconsistent[0].message))
    results.sort(key=lambda r: ORDER[r.status])
    return results
