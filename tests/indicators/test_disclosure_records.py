"""The services' records released by sex, by age band and by citizenship, attacked with the three tables at once.

Each breakdown is released in its own area × period table; the tables share the area × period margin. The
attacker here holds every published cell of the three tables (and of the previous release), writes the
constraints of each table separately and stacks them: any hidden cell pinned by the combined system — by
differencing, linear algebra or nonnegativity bounds — is a leak.
"""

import os
from datetime import date

import numpy as np
import polars as pl
import pytest
import scipy.linalg
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import sparse
from scipy.optimize import linprog

from osservatorio.indicators.disclosure import DERIVED, TOTAL, build_table, combine
from osservatorio.indicators.engine.records import BREAKDOWNS, DIMS, protect_records

SETTINGS = settings(
    max_examples=int(os.environ.get("DISCLOSURE_EXAMPLES", "25")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
SEXES = ["M", "F"]
AGES = ["0-17", "18-64", "65+"]
CITIZENSHIP = ["italiana", "straniera"]


@st.composite
def service_records(draw):
    """Records of one kind for a few comuni (some with quartieri) of one or two ambiti, over 1–3 months."""
    parents = {}
    areas = []
    for a in range(draw(st.integers(1, 2))):
        for c in range(draw(st.integers(1, 3))):
            comune = f"C{a}{c}"
            parents[comune] = f"A{a}"
            areas.append(comune)
    n = draw(st.integers(5, 70))
    pick = st.integers(0, 10**6)
    rows = []
    for i in range(n):
        r = draw(pick)
        rows.append(
            {
                "comune_code": areas[r % len(areas)],
                "quartiere_code": None,
                "record_date": date(2024, 1 + (r // 7) % draw(st.integers(1, 3)), 1 + r % 27),
                "sex": SEXES[(r // 11) % 2],
                "age_band": AGES[(r // 13) % 3] if r % 17 else "",
                "citizenship": CITIZENSHIP[(r // 19) % 2],
                "pseudonym": f"p{draw(st.integers(0, max(3, n // 2)))}",
                "synthetic": True,
            }
        )
    threshold = draw(st.sampled_from([3, 3, 5]))
    return pl.DataFrame(rows), parents, threshold


def attacker_system(records, parents, protections, distinct, previous=None):
    """Constraints written table by table from the public structure, stacked over the union of cells.

    Months and years of distinct-person counts are separate systems (no constraint links them).
    """
    from osservatorio.indicators.engine.records import _leaves

    grans = ("mese", "anno") if distinct else ("mese",)
    assert len(protections) == len(grans)
    blocks, truths, published = [], [], []
    for gran, p in zip(grans, protections, strict=True):
        truth = p.table.cells.select(*DIMS, "value")
        keys = truth.select(DIMS).with_row_index("id")
        leaves = _leaves(records, distinct, gran)
        tree = {"area": parents}
        if not distinct:
            tree["period"] = {m: m[:4] for m in leaves["period"].unique().to_list()}
        rows = []
        for b in BREAKDOWNS:
            t = build_table(
                leaves.group_by(["area", "period", b]).agg(pl.col("value").sum()), ["area", "period", b], tree
            )
            cells = t.cells.with_columns([pl.lit(TOTAL).alias(o) for o in BREAKDOWNS if o != b])
            ids = cells.select(DIMS).join(keys, on=DIMS, how="left", maintain_order="left")["id"]
            assert ids.null_count() == 0, "a cell of a breakdown table is missing from the release"
            coo = t.constraints.tocoo()
            rows.append(
                sparse.csr_matrix(
                    (coo.data.astype(float), (coo.row, ids.to_numpy()[coo.col])),
                    shape=(coo.shape[0], keys.height),
                )
            )
        blocks.append(sparse.vstack(rows))
        truths.append(truth)
        published.append(p.published().select(*DIMS, "value", "suppressed"))
    a = sparse.block_diag(blocks).toarray()
    truth = pl.concat(truths)
    values = truth["value"].to_numpy().astype(float)
    hidden = pl.concat(published)["suppressed"].to_numpy().copy()
    if previous is not None:
        # The attacker also knows what the previous release published, where the value did not change.
        prev = previous.filter(~pl.col("suppressed")).select(*DIMS, pl.col("value").alias("prev"))
        known = truth.join(prev, on=DIMS, how="left", maintain_order="left")
        hidden &= ~(known["prev"] == known["value"]).fill_null(False).to_numpy()
    return a, values, hidden


def assert_no_cell_recovered(a, values, hidden):
    if not hidden.any():
        return
    per_row = (np.abs(a) @ hidden.astype(float)).astype(int)
    assert not np.any(per_row == 1), "a constraint of one table reveals a hidden cell by difference"
    a_h = a[:, hidden]
    a_h = a_h[np.abs(a_h).sum(axis=1) > 0]
    null = scipy.linalg.null_space(a_h)
    free = np.max(np.abs(null), axis=1) > 1e-9 if null.shape[1] else np.zeros(a_h.shape[1], bool)
    assert free.all(), "combining the three tables recovers a hidden cell"
    h, k = np.flatnonzero(hidden), np.flatnonzero(~hidden)
    rows = np.abs(a[:, h]).sum(axis=1) > 0
    a_eq, b_eq = a[rows][:, h], -(a[rows][:, k] @ values[k])
    for j, cell in enumerate(h):
        if values[cell] == 0:
            continue
        c = np.zeros(len(h))
        c[j] = 1
        lo = linprog(c, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
        hi = linprog(-c, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
        assert lo.status == 0
        assert hi.status != 0 or -hi.fun - lo.fun > 1e-6, "nonnegativity pins a hidden cell"


@SETTINGS
@given(service_records(), st.booleans())
def test_three_breakdowns_together_reveal_nothing(case, distinct):
    records, parents, threshold = case
    protections = protect_records(records, parents, threshold, distinct=distinct)
    for p in protections:
        v = p.table.values
        assert not np.any(~p.suppressed & (v > 0) & (v < threshold)), "small cell published"
    assert_no_cell_recovered(*attacker_system(records, parents, protections, distinct))


@SETTINGS
@given(service_records(), st.data())
def test_next_release_with_the_three_tables_reveals_nothing(case, data):
    records, parents, threshold = case
    before = pl.concat(
        [
            p.published().select(*DIMS, "value", "suppressed")
            for p in protect_records(records, parents, threshold, False)
        ]
    )
    # Next release: some records are withdrawn (corrections), the rest is unchanged.
    drop = data.draw(st.lists(st.booleans(), min_size=records.height, max_size=records.height))
    after = records.filter(~pl.Series(drop))
    if after.height == 0:
        return
    protections = protect_records(after, parents, threshold, distinct=False, previous=before)
    now = pl.concat([p.published() for p in protections])
    still = now.join(before.filter(pl.col("suppressed")).select(DIMS), on=DIMS)
    # ...except a cell that the cells published unchanged now pin down anyway: released, with its reason.
    derived = {d.cell for p in protections for d in p.decisions if d.reason == DERIVED}
    reopened = set(still.filter(~pl.col("suppressed")).select(DIMS).rows())
    assert reopened <= derived, "a cell hidden in the previous release is published now"
    assert_no_cell_recovered(*attacker_system(after, parents, protections, False, previous=before))


def test_a_margin_shared_by_the_three_tables_is_one_cell():
    rows = [("A", "M", 4), ("A", "F", 9), ("B", "M", 7), ("B", "F", 1)]
    sex = build_table(pl.DataFrame(rows, schema=["area", "sesso", "value"], orient="row"), ["area", "sesso"])
    rows = [("A", "0-17", 5), ("A", "65+", 8), ("B", "0-17", 8)]
    age = build_table(
        pl.DataFrame(rows, schema=["area", "fascia_eta", "value"], orient="row"), ["area", "fascia_eta"]
    )
    t = combine([sex, age], ["area", "sesso", "fascia_eta"])
    cells = {tuple(r[:3]): r[3] for r in t.cells.rows()}
    assert cells[("A", TOTAL, TOTAL)] == 13 and cells[("_T", TOTAL, TOTAL)] == 21
    assert len(cells) == sex.cells.height + age.cells.height - 3  # A, B and the total are shared
    # The area constraint of all people appears in both tables and is kept once.
    assert t.constraints.shape[0] == sex.constraints.shape[0] + age.constraints.shape[0] - 1
    assert np.all(t.constraints @ t.values == 0)
    rows = [("A", "0-17", 5), ("A", "65+", 9), ("B", "0-17", 8)]
    bad = build_table(
        pl.DataFrame(rows, schema=["area", "fascia_eta", "value"], orient="row"), ["area", "fascia_eta"]
    )
    with pytest.raises(ValueError, match="margini incoerenti"):
        combine([sex, bad], ["area", "sesso", "fascia_eta"])


def test_a_person_is_counted_once_in_every_margin():
    # p1 turns 18 in March and moves from C1 to C2: one user in the year, in the ambito and in the total.
    rows = [
        ("C1", date(2024, 1, 5), "F", "0-17", "p1"),
        ("C2", date(2024, 3, 9), "F", "18-64", "p1"),
        ("C1", date(2024, 3, 2), "M", "65+", "p2"),
    ]
    records = pl.DataFrame(
        [
            {"comune_code": c, "quartiere_code": None, "record_date": d, "sex": s, "age_band": a,
             "citizenship": "italiana", "pseudonym": p, "synthetic": True}
            for c, d, s, a, p in rows
        ]
    )  # fmt: skip
    months, year = protect_records(records, {"C1": "A", "C2": "A"}, threshold=1, distinct=True)
    cells = {tuple(r[:5]): r[5] for r in year.table.cells.rows()}
    assert cells[("A", "2024", TOTAL, TOTAL, TOTAL)] == 2
    assert cells[("C2", "2024", TOTAL, "18-64", TOTAL)] == 1
    assert ("C1", "2024", TOTAL, "0-17", TOTAL) not in cells  # p1's latest record in the year is in C2
    cells = {tuple(r[:5]): r[5] for r in months.table.cells.rows()}
    assert cells[("A", "2024-03", TOTAL, TOTAL, TOTAL)] == 2
    assert cells[("C1", "2024-01", "F", TOTAL, TOTAL)] == 1


def test_the_same_records_in_another_order_give_the_same_release():
    rows = [
        {"comune_code": c, "quartiere_code": None, "record_date": date(2024, 1, 9), "sex": s, "age_band": a,
         "citizenship": "italiana", "pseudonym": "p1", "synthetic": True}
        for c, s, a in [("C1", "F", "0-17"), ("C2", "M", "18-64"), ("C1", "M", "")]
    ]  # fmt: skip
    first = protect_records(pl.DataFrame(rows), {"C1": "A", "C2": "A"}, threshold=1, distinct=True)
    again = protect_records(pl.DataFrame(rows[::-1]), {"C1": "A", "C2": "A"}, threshold=1, distinct=True)
    for a, b in zip(first, again, strict=True):
        assert a.published().sort(DIMS).equals(b.published().sort(DIMS))
