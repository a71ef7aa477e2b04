"""Statistical disclosure control for counts computed from personal records (Sistan threshold rule).

The table
---------
Leaf counts (e.g. service users by comune × month × sex × age band × nationality) are expanded to every
margin: each dimension is a tree (comune → ambito → provincia → total, or sex → total) and the table holds
one cell for every combination of tree nodes that has units under it. Each parent cell equals the sum of
its children along any one dimension; those equalities are the *constraints* an attacker can use.
Absent combinations are structural zeros, public like any zero.

The rule
--------
1. Primary suppression: every cell with 0 < units < threshold (3 by default, higher for sensitive topics).
   Zeros are released: a zero says nobody, it does not single out a person.
2. Consistency with the previous release: a cell suppressed there stays suppressed; a cell published there
   with the same value is public knowledge — it is never relied on as a complement and the attacker is
   assumed to know it.
3. Secondary suppression, repeated until nothing changes:
   a. every constraint that contains a suppressed cell contains at least two (no single differencing);
   b. the suppressed cells of such a constraint add up to at least the threshold (the constraint alone
      cannot show that a hidden cell is below the threshold);
   c. no suppressed cell is a linear combination of published cells: e_i must not lie in the row space
      of the constraint matrix restricted to the hidden cells (checked exactly with a null-space basis
      per connected component; components above DENSE_LIMIT cells use the projection of random vectors
      onto the null space (sparse LU), and anything not clearly free counts as recoverable).
   Complements are the smallest positive published cells of the constraint at fault, so that the
   information lost is small; a zero is used only when the constraint has no positive published cell left
   (e.g. the rest is public through the previous release).
Why this is safe against nonnegativity (linear-programming) attacks as well: when every hidden cell is
positive, the true table is an interior point of the attacker's feasible set along every free direction,
so no hidden cell has equal lower and upper bounds. Hidden zeros break that argument, so the components
that contain one are also attacked with linear programming (min and max of every hidden cell, HiGHS) and
get more complements until no cell is pinned. The property tests in tests/indicators/test_disclosure.py
attack random tables by single differencing, linear algebra and LP bounds, with and without a previous
release.

Every decision is logged with its reason and the constraint that triggered it; the log never contains
the hidden values.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import polars as pl
from scipy import sparse
from scipy.optimize import linprog
from scipy.sparse import csgraph
from scipy.sparse.linalg import splu

TOTAL = "_T"
DEFAULT_THRESHOLD = 3
DENSE_LIMIT = 400
SPARSE_LIMIT = 4000
# Sparse LU stays sparse when few constraints meet at each hidden cell (tables of area × period × one
# breakdown: about 3 per cell) and fills in badly when many do (a five-way cross: about 5). Such "thin"
# components are solved up to THIN_LIMIT cells; measured: 6,000 cells in 0.1 s thin, minutes when not.
THIN_LIMIT = 20000
THIN_DEGREE = 4.0

PRIMARY = "primaria"
PREVIOUS = "rilascio_precedente"
SINGLE = "secondaria_differenza"
MASS = "secondaria_somma_sotto_soglia"
LINEAR = "secondaria_combinazione_lineare"
DERIVED = "ricavabile_da_celle_pubbliche"

REASON_TEXT = {
    PRIMARY: "meno di {k} unità",
    PREVIOUS: "già soppressa nel rilascio precedente",
    SINGLE: "altrimenti ricavabile per differenza dal vincolo {constraint}",
    MASS: "le celle nascoste del vincolo {constraint} sommavano a meno di {k} unità",
    LINEAR: "altrimenti ricavabile combinando più vincoli (a partire da {constraint})",
    DERIVED: "oscurata nel rilascio precedente, ma ora ricavabile da celle già pubbliche: rilasciata",
}


@dataclass
class Table:
    """All cells of a hierarchical frequency table and the additive constraints between them."""

    dims: list[str]
    cells: pl.DataFrame  # dims + "value"; the row index is the cell id
    constraints: sparse.csr_matrix  # rows: +1 on the children, -1 on the parent (A @ values == 0)
    constraint_parent: np.ndarray  # parent cell id of each constraint row
    constraint_dim: np.ndarray  # index into dims of each constraint row

    @property
    def values(self) -> np.ndarray:
        return self.cells["value"].to_numpy()

    def key(self, i: int) -> tuple:
        return tuple(self.cells.row(int(i))[: len(self.dims)])

    def describe_constraint(self, r: int) -> str:
        parent = self.key(self.constraint_parent[r])
        dim = self.dims[self.constraint_dim[r]]
        coords = ", ".join(f"{d}={v}" for d, v in zip(self.dims, parent, strict=True))
        return f"[{coords}] = somma per {dim}"


@dataclass
class Decision:
    cell: tuple
    reason: str
    constraint: str = ""
    text: str = ""


@dataclass
class Protection:
    table: Table
    suppressed: np.ndarray
    known: np.ndarray  # cells public through the previous release
    decisions: list[Decision] = field(default_factory=list)
    unchecked_components: int = 0
    # Hidden cells that public information pins down and no further suppression can protect (e.g. a small
    # count whose siblings and total were all published unchanged in the previous release).
    exposed: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))

    def published(self) -> pl.DataFrame:
        return self.table.cells.with_columns(
            pl.Series("suppressed", self.suppressed),
            pl.when(pl.Series(self.suppressed)).then(None).otherwise(pl.col("value")).alias("value"),
        )


def _ancestors(parents: Mapping[str, str], nodes: Sequence[str]) -> pl.DataFrame:
    rows_node, rows_anc = [], []
    for node in nodes:
        seen = set()
        current = node
        while current is not None and current not in seen:
            seen.add(current)
            rows_node.append(node)
            rows_anc.append(current)
            current = parents.get(current, TOTAL if current != TOTAL else None)
    return pl.DataFrame({"node": rows_node, "anc": rows_anc}, schema={"node": pl.Utf8, "anc": pl.Utf8})


def build_table(
    leaves: pl.DataFrame,
    dims: Sequence[str],
    parents: Mapping[str, Mapping[str, str]] | None = None,
    value: str = "value",
) -> Table:
    """Expand leaf counts to all margins. `parents[dim]` maps a node to its parent (missing → total).

    Works on integer codes packed into one int64 key per cell (numpy only), so that a table of millions of
    cells is built in seconds.
    """
    parents = parents or {}
    dims = list(dims)
    df = leaves.select(
        [pl.col(d).cast(pl.Utf8) for d in dims] + [pl.col(value).cast(pl.Int64).alias("value")]
    )
    for d in dims:
        if df[d].null_count():
            raise ValueError(f"la dimensione «{d}» ha valori mancanti: ogni unità deve avere una modalità")
    # Per dimension: sorted node list (leaves and all their ancestors), parent code, ancestor chains.
    nodes_of, up_of, chain_src, chain_anc = [], [], [], []
    codes = []
    for d in dims:
        chain = _ancestors(parents.get(d, {}), df[d].unique().to_list())
        nodes = sorted(set(chain["anc"].to_list()) | set(chain["node"].to_list()))
        index = {n: i for i, n in enumerate(nodes)}
        mapping = parents.get(d, {})
        up = np.array([index[mapping.get(n, TOTAL)] if n != TOTAL else -1 for n in nodes], dtype=np.int64)
        nodes_of.append(np.array(nodes, dtype=object))
        up_of.append(up)
        chain_src.append(np.array([index[x] for x in chain["node"].to_list()], dtype=np.int64))
        chain_anc.append(np.array([index[x] for x in chain["anc"].to_list()], dtype=np.int64))
        codes.append(df[d].replace_strict(index, return_dtype=pl.Int64).to_numpy())
    sizes = [len(n) for n in nodes_of]
    if float(np.prod([float(x) for x in sizes])) >= 2**62:
        raise ValueError("tabella troppo grande: ridurre il numero di modalità delle dimensioni")
    radix = np.ones(len(dims), dtype=np.int64)
    for k in range(len(dims) - 2, -1, -1):
        radix[k] = radix[k + 1] * sizes[k + 1]
    key = sum(codes[k] * radix[k] for k in range(len(dims)))
    vals = df["value"].to_numpy().astype(np.int64)
    key, inv = np.unique(key, return_inverse=True)
    vals = np.bincount(inv, weights=vals).astype(np.int64)
    for k in range(len(dims)):
        order = np.argsort(chain_src[k], kind="stable")
        src, anc = chain_src[k][order], chain_anc[k][order]
        start_of = np.searchsorted(src, np.arange(sizes[k]))
        count_of = np.bincount(src, minlength=sizes[k])
        c = (key // radix[k]) % sizes[k]
        reps = count_of[c]
        row = np.repeat(np.arange(len(key)), reps)
        offset = np.arange(len(row)) - np.repeat(np.cumsum(reps) - reps, reps)
        new_c = anc[start_of[c[row]] + offset]
        new_key = key[row] + (new_c - c[row]) * radix[k]
        key, inv = np.unique(new_key, return_inverse=True)
        vals = np.bincount(inv, weights=vals[row]).astype(np.int64)
    n = len(key)
    cell_codes = [(key // radix[k]) % sizes[k] for k in range(len(dims))]
    rows, cols, parent_ids, dim_ids = [], [], [], []
    n_constraints = 0
    for k in range(len(dims)):
        up = up_of[k][cell_codes[k]]
        child = np.flatnonzero(up >= 0)
        pkey = key[child] + (up[child] - cell_codes[k][child]) * radix[k]
        pid = np.searchsorted(key, pkey)
        if len(child) == 0:
            continue
        pids, r_local = np.unique(pid, return_inverse=True)
        r = r_local + n_constraints
        rows += [r, np.arange(len(pids)) + n_constraints]
        cols += [child, pids]
        parent_ids.append(pids)
        dim_ids.append(np.full(len(pids), k))
        n_constraints += len(pids)
    if n_constraints:
        data = np.concatenate(
            [np.ones(len(rows[i]), dtype=np.int8) * (1 if i % 2 == 0 else -1) for i in range(len(rows))]
        )
        matrix = sparse.csr_matrix(
            (data, (np.concatenate(rows), np.concatenate(cols))), shape=(n_constraints, n)
        )
        cp, cd = np.concatenate(parent_ids), np.concatenate(dim_ids)
    else:
        matrix = sparse.csr_matrix((0, n), dtype=np.int8)
        cp = cd = np.zeros(0, dtype=np.int64)
    cells = pl.DataFrame(
        {d: pl.Series(d, nodes_of[k][cell_codes[k]].tolist(), dtype=pl.Utf8) for k, d in enumerate(dims)}
        | {"value": vals}
    )
    return Table(dims, cells, matrix, cp, cd)


def combine(tables: Sequence[Table], dims: Sequence[str]) -> Table:
    """Several tables released together (e.g. area × period × sex, × age band, × citizenship) as one table.

    They share their common margins (the area × period cells of all people): an attacker holding every
    table can combine constraints across them, so they must be protected as one system. Each table's cells
    take the total on the dimensions it does not have; a cell present in several tables is one cell (its
    values must agree) and a constraint present in several tables is kept once.
    """
    dims = list(dims)
    frames = []
    for t in tables:
        missing = [d for d in t.dims if d not in dims]
        if missing:
            raise ValueError(f"dimensioni non previste nella tabella combinata: {', '.join(missing)}")
        frames.append(
            t.cells.select([pl.col(d) if d in t.dims else pl.lit(TOTAL).alias(d) for d in dims] + ["value"])
        )
    stacked = pl.concat(frames, how="vertical").with_row_index("local")
    cells = stacked.unique(subset=dims, keep="first", maintain_order=True).drop("local")
    conflicts = (
        stacked.group_by(dims).agg(pl.col("value").n_unique().alias("n")).filter(pl.col("n") > 1).height
    )
    if conflicts:
        raise ValueError(f"{conflicts} celle comuni a più tabelle hanno valori diversi: margini incoerenti")
    gid = stacked.join(cells.with_row_index("gid").select(*dims, "gid"), on=dims, how="left").sort("local")
    gid = gid["gid"].to_numpy().astype(np.int64)
    offsets = np.cumsum([0] + [t.cells.height for t in tables])
    rows, cols, data, parent, dim = [], [], [], [], []
    n_rows = 0
    for k, t in enumerate(tables):
        coo = t.constraints.tocoo()
        rows.append(coo.row + n_rows)
        cols.append(gid[offsets[k] + coo.col])
        data.append(coo.data)
        parent.append(gid[offsets[k] + t.constraint_parent])
        dim.append(np.array([dims.index(t.dims[j]) for j in t.constraint_dim], dtype=np.int64))
        n_rows += t.constraints.shape[0]
    parent_all, dim_all = np.concatenate(parent), np.concatenate(dim)
    # A constraint is identified by its parent cell and the dimension summed over: keep the first copy.
    _, keep = np.unique(parent_all * len(dims) + dim_all, return_index=True)
    keep = np.sort(keep)
    matrix = sparse.csr_matrix(
        (np.concatenate(data), (np.concatenate(rows), np.concatenate(cols))), shape=(n_rows, cells.height)
    )[keep]
    return Table(dims, cells, matrix, parent_all[keep], dim_all[keep])


def _previous_state(table: Table, previous: pl.DataFrame | None) -> tuple[np.ndarray, np.ndarray]:
    """(sticky, known): cells suppressed in the previous release, cells published there unchanged."""
    n = table.cells.height
    if previous is None or previous.height == 0:
        return np.zeros(n, bool), np.zeros(n, bool)
    prev = previous.select(
        [pl.col(d).cast(pl.Utf8) for d in table.dims]
        + [pl.col("value").cast(pl.Int64).alias("prev_value"), pl.col("suppressed").cast(pl.Boolean)]
    )
    joined = table.cells.with_row_index("id").join(prev, on=table.dims, how="left").sort("id")
    sticky = joined["suppressed"].fill_null(False).to_numpy()
    known = (
        ~joined["suppressed"].fill_null(True) & (joined["prev_value"] == joined["value"]).fill_null(False)
    ).to_numpy()
    return sticky, known


def _derived(a: sparse.csr_matrix, row_len: np.ndarray, known: np.ndarray) -> np.ndarray:
    """Everything the attacker can work out from `known` cells by differencing, repeated until nothing moves.

    A constraint whose cells are all known but one gives that one away, e.g. a margin whose only remaining
    child was published unchanged. Hiding such a cell protects nothing, whatever the rules say.
    """
    known = known.copy()
    while True:
        open_rows = np.flatnonzero(row_len - a @ known.astype(np.int64) == 1)
        if len(open_rows) == 0:
            return known
        sub = a[open_rows].tocoo()
        cells = np.unique(sub.col[~known[sub.col]])
        known[cells] = True


def _pick_complements(
    table: Table, bad_rows: np.ndarray, suppressed: np.ndarray, eligible: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """For each constraint row at fault, its smallest positive published eligible cell (row, cell)."""
    sub = table.constraints[bad_rows].tocoo()
    cells = sub.col
    values = table.values[cells]
    # Positive cells first; zeros only when the constraint has nothing else (a hidden zero is needed when
    # the rest of the row is public). Cells known from the previous release protect nothing.
    open_ = ~suppressed[cells] & eligible[cells]
    tier = np.full(len(cells), 9)
    tier[open_ & (values == 0)] = 1
    tier[open_ & (values > 0)] = 0
    best = np.full(len(bad_rows), 9)
    np.minimum.at(best, sub.row, tier)
    cand = (tier < 9) & (tier == best[sub.row])
    r, c, v = sub.row[cand], cells[cand], values[cand]
    if len(r) == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    order = np.lexsort((c, v, r))
    r, c = r[order], c[order]
    first = np.ones(len(r), bool)
    first[1:] = r[1:] != r[:-1]
    return bad_rows[r[first]], c[first]


def _local_index(groups: np.ndarray, n_groups: int) -> np.ndarray:
    """Position of each item within its group (items in index order)."""
    order = np.argsort(groups, kind="stable")
    sizes = np.bincount(groups, minlength=n_groups)
    starts = np.cumsum(sizes) - sizes
    local = np.empty(len(groups), dtype=np.int64)
    local[order] = np.arange(len(groups)) - starts[groups[order]]
    return local


def _fixed_by_null_space(dense: np.ndarray) -> np.ndarray:
    """Cells whose coordinate is zero on every vector of the null space (exact, by SVD).

    With at least as many constraints as cells the thin SVD already holds every right singular vector;
    skipping the left ones (one per constraint) makes it several times faster than a full SVD.
    """
    r, n = dense.shape
    _, sv, vh = np.linalg.svd(dense, full_matrices=r < n)
    tol = max(r, n) * np.finfo(float).eps * (sv[0] if len(sv) else 0.0)
    null = vh[int((sv > tol).sum()) :]
    if null.shape[0] == 0:
        return np.ones(n, bool)
    return np.max(np.abs(null), axis=0) < 1e-9


def _fixed_by_projection(m: sparse.csr_matrix, rng: np.random.Generator) -> tuple[np.ndarray, bool]:
    """Large components: project random vectors on the null space, v = r − Mᵀ(MMᵀ + εI)⁻¹Mr (sparse LU).

    A coordinate that is zero in the projections of random vectors is (with probability 1) zero on the
    whole null space, i.e. the cell is determined. The small regularisation only handles redundant
    constraints; anything not clearly non-zero counts as determined (conservative).
    """
    n = m.shape[1]
    mmt = (m @ m.T).tocsc() + 1e-10 * sparse.identity(m.shape[0], format="csc")
    r = rng.standard_normal((n, 2))
    try:
        w = splu(mmt).solve(np.asarray(m @ r))
    except RuntimeError:
        return np.ones(n, bool), False
    v = r - m.T @ w
    ok = np.linalg.norm(m @ v) <= 1e-8 * np.linalg.norm(r)
    # A determined coordinate is only rounding noise (~1e-9 on these tables), a free one is of the order of
    # the random vector (≥ 1e-3): a value in between means the solve was not accurate enough to tell.
    size = np.abs(v).max(axis=1)
    if not ok or np.any((size > 1e-7) & (size < 1e-4)):
        return np.ones(n, bool), False
    return size < 1e-4, True


LOCAL_CANDIDATES = 50
LOCAL_LIMIT = 600
LOCAL_TRIES = 3


def _certified_locally(m: sparse.csr_matrix, candidates: np.ndarray) -> np.ndarray:
    """Candidates shown free by a null vector supported near them (mask over `candidates`).

    The system restricted to a neighbourhood L (every constraint touching L, columns of L only) has null
    vectors that are null vectors of the whole component once padded with zeros outside L: a candidate
    with a non-zero coordinate in one is free. Failing to find one proves nothing.
    """
    csc, csr = m.tocsc(), m.tocsr()
    inside = np.zeros(m.shape[1], bool)
    inside[candidates] = True
    frontier = candidates
    while len(frontier):
        rows = np.unique(csc[:, frontier].indices)
        nxt = np.unique(csr[rows].indices)
        nxt = nxt[~inside[nxt]][: max(0, LOCAL_LIMIT - int(inside.sum()))]
        inside[nxt] = True
        frontier = nxt
    local = np.flatnonzero(inside)
    rows = np.unique(csc[:, local].indices)
    fixed = _fixed_by_null_space(csr[rows][:, local].toarray())
    return ~fixed[np.searchsorted(local, candidates)]


def _large_component(
    m: sparse.csr_matrix,
    cells: np.ndarray,
    free: np.ndarray,
    fails: np.ndarray,
    rng: np.random.Generator,
    exact: bool = False,
) -> tuple[np.ndarray, bool]:
    """Determined cells of a component above DENSE_LIMIT (mask, local order) and whether it was verified.

    Not verified: too large to project (its cells then count as free, and the component is reported), or
    a projection not accurate enough (its cells then count as determined).

    Hiding more cells never makes a free cell determined (a null vector padded with zeros stays one), so a
    cell shown free in an earlier round stays free (`free`, global). Only the other cells are checked: the
    first time by projecting random vectors on the null space (sparse LU) where the component is small or
    thin enough; afterwards, when few are left — typically the complements just added — by a null vector
    near them, counting a cell not certified as determined (it gets a complement; the whole component is
    projected again if a cell fails LOCAL_TRIES times). Without this a chain of complements cost one sparse
    LU per round: 200 rounds of 1.8 s for the quartieri of one ambito.
    """
    n = m.shape[1]
    candidates = np.flatnonzero(~free[cells])
    if len(candidates) == 0:
        return np.zeros(n, bool), True
    projectable = n <= SPARSE_LIMIT or (n <= THIN_LIMIT and m.nnz <= THIN_DEGREE * n)
    if (
        not exact
        and len(candidates) <= LOCAL_CANDIDATES
        and not (projectable and fails[cells[candidates]].max() >= LOCAL_TRIES)
    ):
        certified = _certified_locally(m, candidates)
        free[cells[candidates[certified]]] = True
        if certified.all():
            return np.zeros(n, bool), True
        if projectable:
            fails[cells[candidates[~certified]]] += 1
            fixed = np.zeros(n, bool)
            fixed[candidates[~certified]] = True
            return fixed, True
    if not projectable:
        return np.zeros(n, bool), False
    fixed, ok = _fixed_by_projection(m, rng)
    if ok:
        free[cells[~fixed]] = True
        fails[cells] = 0
    return fixed, ok


def _determined(
    table: Table, hidden: np.ndarray, rng: np.random.Generator, cache: dict | None = None, exact: bool = False
) -> tuple[np.ndarray, int]:
    """Hidden cells that are linear combinations of published ones (mask), and components not verified.

    Components of the hidden cells (linked by shared constraints) are checked independently: small ones in
    batches (one batched SVD per component size), mid-sized ones with a dense null space, the largest by
    projecting random vectors on the null space (sparse LU); a cell not clearly free counts as determined.
    `cache` keeps the answer for a component (its set of hidden cells fixes its system) from one round of
    secondary suppression to the next: most components are untouched by a round's new complements.
    """
    cache = {} if cache is None else cache
    idx = np.flatnonzero(hidden)
    out = np.zeros(len(hidden), bool)
    if len(idx) == 0:
        return out, 0
    a = table.constraints[:, idx].tocsr()
    touched = np.flatnonzero(np.diff(a.indptr) > 0)
    a = a[touched].astype(np.float64).tocoo()
    n_rows, n_cols = a.shape
    if n_rows == 0:
        return out, 0
    # Bipartite graph cells–constraints: its components are the independent sub-systems.
    bip = sparse.coo_matrix((np.ones(len(a.row)), (a.col, n_cols + a.row)), shape=(n_cols + n_rows,) * 2)
    _, labels = csgraph.connected_components(bip, directed=False)
    uniq = np.unique(labels[:n_cols])
    col_comp = np.searchsorted(uniq, labels[:n_cols])
    row_comp = np.searchsorted(uniq, labels[n_cols:])  # every touched row has a hidden cell: same labels
    n_comp = len(uniq)
    col_local = _local_index(col_comp, n_comp)
    row_local = _local_index(row_comp, n_comp)
    n_of = np.bincount(col_comp, minlength=n_comp)
    r_of = np.bincount(row_comp, minlength=n_comp)
    e_comp = col_comp[a.col]
    e_row, e_col, e_val = row_local[a.row], col_local[a.col], a.data
    determined_local = np.zeros(n_cols, bool)
    small = (n_of <= 24) & (r_of <= 96)
    # Batched SVD per component size for the (many) small components.
    for n in np.unique(n_of[small]):
        comps = np.flatnonzero(small & (n_of == n))
        r_max = int(r_of[comps].max())
        b_of = np.full(n_comp, -1)
        b_of[comps] = np.arange(len(comps))
        sel = b_of[e_comp] >= 0
        batch = np.zeros((len(comps), max(r_max, int(n)), int(n)))
        batch[b_of[e_comp[sel]], e_row[sel], e_col[sel]] = e_val[sel]
        _, sv, vh = np.linalg.svd(batch, full_matrices=True)
        rank = (sv > 1e-9 * np.maximum(1.0, sv[:, :1])).sum(axis=1)
        mask = np.arange(int(n))[None, :, None] >= rank[:, None, None]
        free = (np.abs(vh) * mask).max(axis=1) > 1e-9  # (batch, n)
        cols = np.flatnonzero(np.isin(col_comp, comps))
        determined_local[cols] = ~free[b_of[col_comp[cols]], col_local[cols]]
    unchecked = 0
    rest = np.flatnonzero(~small)
    if len(rest):
        order = np.argsort(e_comp, kind="stable")
        bounds = np.searchsorted(e_comp[order], np.arange(n_comp + 1))
        col_order = np.argsort(col_comp, kind="stable")
        col_bounds = np.searchsorted(col_comp[col_order], np.arange(n_comp + 1))
        free, fails = (
            cache.setdefault("free", np.zeros(len(hidden), bool)),
            cache.setdefault("fails", np.zeros(len(hidden), np.int64)),
        )
        for c in rest:
            members = col_order[col_bounds[c] : col_bounds[c + 1]]  # global hidden-column ids, local order
            key = idx[members].tobytes()
            if key in cache and not exact:
                fixed, was_unchecked = cache[key]
                unchecked += was_unchecked
                determined_local[members] = fixed[col_local[members]]
                continue
            ent = order[bounds[c] : bounds[c + 1]]
            m = sparse.csr_matrix((e_val[ent], (e_row[ent], e_col[ent])), shape=(int(r_of[c]), int(n_of[c])))
            before = unchecked
            if n_of[c] <= DENSE_LIMIT:
                fixed = _fixed_by_null_space(m.toarray())
            else:
                cells = np.empty(int(n_of[c]), np.int64)
                cells[col_local[members]] = idx[members]
                fixed, verified = _large_component(m, cells, free, fails, rng, exact)
                unchecked += not verified
            cache[key] = (fixed, unchecked - before)
            determined_local[members] = fixed[col_local[members]]
    out[idx[determined_local]] = True
    return out, unchecked


def _lp_exposed(table: Table, hidden: np.ndarray, limit: int = 300) -> tuple[np.ndarray, int]:
    """Hidden cells pinned to one value by the equations plus nonnegativity (the linear-programming attack).

    Only components holding a hidden zero can pin a cell this way (with all hidden cells positive the true
    table is interior, see the module docstring), so only those are solved: min and max of every hidden
    cell with HiGHS. Components above `limit` cells are counted as not verified.
    """
    values = table.values.astype(float)
    out = np.zeros(len(hidden), bool)
    zero_hidden = np.flatnonzero(hidden & (values == 0))
    if len(zero_hidden) == 0:
        return out, 0
    idx = np.flatnonzero(hidden)
    a = table.constraints[:, idx].tocsr()
    touched = np.flatnonzero(np.diff(a.indptr) > 0)
    a_h = a[touched].astype(np.float64).tocoo()
    n_rows, n_cols = a_h.shape
    bip = sparse.coo_matrix(
        (np.ones(len(a_h.row)), (a_h.col, n_cols + a_h.row)), shape=(n_cols + n_rows,) * 2
    )
    _, labels = csgraph.connected_components(bip, directed=False)
    pos = {int(c): k for k, c in enumerate(idx)}
    wanted = {int(labels[pos[int(z)]]) for z in zero_hidden}
    known = ~hidden
    rhs_all = -(table.constraints[touched][:, np.flatnonzero(known)] @ values[known])
    a_dense_rows = a_h.tocsr()
    unchecked = 0
    for lab in wanted:
        cols = np.flatnonzero(labels[:n_cols] == lab)
        rows = np.flatnonzero(labels[n_cols:] == lab)
        if len(cols) > limit:
            unchecked += 1
            continue
        m = a_dense_rows[rows][:, cols].toarray()
        b = np.asarray(rhs_all[rows]).ravel()
        for j in range(len(cols)):
            c = np.zeros(len(cols))
            c[j] = 1.0
            lo = linprog(c, A_eq=m, b_eq=b, bounds=(0, None), method="highs")
            hi = linprog(-c, A_eq=m, b_eq=b, bounds=(0, None), method="highs")
            if lo.status == 0 and hi.status == 0 and (-hi.fun - lo.fun) < 1e-6:
                out[idx[cols[j]]] = True
    return out, unchecked


def protect(
    table: Table,
    threshold: int = DEFAULT_THRESHOLD,
    previous: pl.DataFrame | None = None,
    seed: int = 0,
) -> Protection:
    """Primary and secondary suppression; `previous` = the previous release (dims, value, suppressed)."""
    if threshold < 1:
        raise ValueError("la soglia di riservatezza deve essere almeno 1 unità")
    values = table.values
    a = abs(table.constraints).astype(np.int64).tocsr()
    row_len = np.diff(a.indptr)
    sticky, known = _previous_state(table, previous)
    primary = (values > 0) & (values < threshold)
    derived = np.zeros(len(values), bool)
    if known.any():
        widened = _derived(a, row_len, known)
        derived = widened & ~known
        known = widened
    # A cell hidden last time whose value now follows from cells published unchanged is public anyway:
    # it is released (and logged) instead of being kept hidden in name only.
    released = sticky & derived & ~primary
    sticky = sticky & ~released
    suppressed = primary | sticky
    # Decisions are collected as (cell, reason, constraint row) arrays and turned into text once at the end.
    log_cells: list[np.ndarray] = [np.flatnonzero(primary), np.flatnonzero(sticky & ~primary)]
    log_reasons: list[np.ndarray] = [
        np.full(len(log_cells[0]), PRIMARY, object),
        np.full(len(log_cells[1]), PREVIOUS, object),
    ]
    log_rows: list[np.ndarray] = [np.full(len(log_cells[0]), -1), np.full(len(log_cells[1]), -1)]
    log_cells.append(np.flatnonzero(released))
    log_reasons.append(np.full(len(log_cells[-1]), DERIVED, object))
    log_rows.append(np.full(len(log_cells[-1]), -1))
    exposed = primary & derived
    eligible = ~known
    known_per_row = a @ known.astype(np.int64)
    rng = np.random.default_rng(seed)
    unchecked = 0
    checked: dict = {}
    while True:
        while True:
            hidden = suppressed & ~known
            count = a @ hidden.astype(np.int64)
            mass = a @ np.where(hidden, values, 0)
            at_fault = (count >= 1) & (count < row_len - known_per_row) & ((count == 1) | (mass < threshold))
            bad_rows = np.flatnonzero(at_fault)
            rows, chosen = _pick_complements(table, bad_rows, suppressed, eligible)
            fresh = ~suppressed[chosen]
            rows, chosen = rows[fresh], chosen[fresh]
            if len(chosen) == 0:
                break
            _, first = np.unique(chosen, return_index=True)
            log_cells.append(chosen[first])
            log_rows.append(rows[first])
            log_reasons.append(np.where(count[rows[first]] == 1, SINGLE, MASS).astype(object))
            suppressed[chosen] = True
        # Cells known from the previous release are known to the attacker, whatever this release says.
        hidden = suppressed & ~known
        determined, unchecked = _determined(table, hidden, rng, checked)
        if not determined.any():
            determined, lp_unchecked = _lp_exposed(table, hidden)
            unchecked += lp_unchecked
            if not determined.any():
                break
        csc = table.constraints.tocsc()
        picked: dict[int, int] = {}
        for i in np.flatnonzero(determined):
            rows_i = csc.indices[csc.indptr[i] : csc.indptr[i + 1]]
            rows, chosen = _pick_complements(table, rows_i, suppressed, eligible)
            if len(chosen) and int(chosen[0]) not in picked:
                picked[int(chosen[0])] = int(rows[0])
        if not picked:
            # Everything next to the exposed cells is hidden already: widen to any constraint of the pattern.
            touching = np.flatnonzero((a @ suppressed.astype(np.int64)) > 0)
            rows, chosen = _pick_complements(table, touching, suppressed, eligible)
            if len(chosen) == 0:
                # Nothing left to hide can help: the cells stay determined. Reported, never passed as safe —
                # after an exact check, since later rounds presume determined a cell they cannot certify.
                determined, _ = _determined(table, hidden, rng, checked, exact=True)
                exposed |= determined
                break
            picked[int(chosen[0])] = int(rows[0])
        cells_ = np.fromiter(picked.keys(), dtype=np.int64)
        log_cells.append(cells_)
        log_rows.append(np.fromiter(picked.values(), dtype=np.int64))
        log_reasons.append(np.full(len(cells_), LINEAR, object))
        suppressed[cells_] = True
    decisions = _decisions(
        table, np.concatenate(log_cells), np.concatenate(log_reasons), np.concatenate(log_rows), threshold
    )
    return Protection(table, suppressed, known, decisions, unchecked, np.flatnonzero(exposed))


def _decisions(
    table: Table, cells: np.ndarray, reasons: np.ndarray, rows: np.ndarray, threshold: int
) -> list[Decision]:
    keys = table.cells.select(table.dims)[cells.astype(np.int64)].rows() if len(cells) else []
    has_row = rows >= 0
    parents = np.where(has_row, table.constraint_parent[np.where(has_row, rows, 0)] if len(rows) else rows, 0)
    parent_keys = table.cells.select(table.dims)[parents.astype(np.int64)].rows() if len(cells) else []
    out = []
    for key, reason, r, pkey in zip(keys, reasons, rows, parent_keys, strict=True):
        desc = ""
        if r >= 0:
            coords = ", ".join(f"{d}={v}" for d, v in zip(table.dims, pkey, strict=True))
            desc = f"[{coords}] = somma per {table.dims[table.constraint_dim[r]]}"
        out.append(
            Decision(tuple(key), reason, desc, REASON_TEXT[reason].format(constraint=desc, k=threshold))
        )
    return out
