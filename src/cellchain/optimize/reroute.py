"""Least-change re-routing: the scenario's flows as the solution of a strictly convex QP
that stays as close as possible to the observed baseline (DESIGN.md section 7).

Variables (over the network's countries; ``t`` is the compliance tier)
    f[t, p, o, d] >= 0   flow of product p, tier t, from o to d (a market for cells)
                         [model unit/yr]; columns exist from countries with capacity
                         to countries that can use p (or every market), both tiers
    u[m] >= 0            unserved cell demand of market m [GWh/yr]

Two stages, each built once per network (columns in units of the product's world output
Q_p, so y = f / Q_p and beta = b / Q_p for the route's baseline b; unserved demand in
units of total demand D):

Stage 1, an LP (re-solved in HiGHS from the baseline's optimal basis). Each route's
tier-0 change is split into an increase p and a decrease n (f0 = b + p - n, n <= beta);
f1 is the tier-1 flow.
    minimise  sum_routes LAMBDA / sqrt(beta + EPS) (p + n + f1)   weighted absolute change
              + OPEN sum_{routes with b = 0} (p + f1)              routes that carried nothing
              + PENALTY sum_m u[m]                                 unserved demand
    PENALTY dominates, so stage 1 serves the most demand the constraints allow (cutting
    more never serves more); the absolute-change term leaves every product whose
    re-routing is not needed exactly where it was. A relative spread of TIE in the costs,
    by route order, makes its optimum unique. A scenario without compliance rules has no
    tier-1 flow, so its stage 1 is a smaller LP without the f1 columns and their rows
    (same optimum; built at once, the one with rules on first use).

Stage 2, the strictly convex QP, over the products stage 1 moved, with every other
product, the unserved demand and tier-1 flows from origins without compliant capacity
fixed (at stage 1's values, the baseline, zero):
    minimise  sum_routes (f0 + f1 - beta)^2 / (beta + EPS)        weighted least squares
              + ETA sum_routes f1^2 / (beta + EPS)                 unique tier split
              + OPEN sum_{routes with b = 0} (f0 + f1) + DELTA sum_m u[m]^2
    Its Hessian is positive definite, so its optimum is unique. The fixed columns are
    eliminated and the small QP left is solved by PIQP (:mod:`cellchain.optimize.qp`,
    interior point, cold, single-threaded: the same data give the same bits); flows are
    within 1e-7 of the product's world output of the optimum, and columns within ZERO of
    their bound are set to it. Its sparsity structure is kept per set of moved products.
    Should the QP stop short, the solution is stage 1's (unique too) and
    ``Solution.method`` says why.

Constraints (one ``add_*`` function each)
    capacity          sum_{t,d} f[t,p,o,d] <= cap[p,o]
    compliant cap.    sum_d f[1,p,o,d] <= ccap[p,o]                       (0 by default)
    mass balance      sum_{t,o} f[t,q,o,d] = sum_p a[p,q] sum_{t,d'} f[t,p,d,d']
    compliant inputs  sum_o f[1,q,o,d] >= sum_p a[p,q] sum_d' f[1,p,d,d']
    demand            sum_{t,o} f[t,cells,o,m] + u[m] = D[m]
    blocked routes, and tier 0 into a restricted market: column upper bound 0

Rows without an entry (a country without capacity for the product) are left out. Built
once per network (:class:`Reroute`); each scenario changes bounds only, re-solves warm and
restores the baseline bounds. With no change the baseline is the optimum (its
objective is zero), and the solution is the baseline exactly: values within a relative
``SNAP`` of the baseline are set to it. When the baseline serves all demand and still
satisfies every changed bound, it stays stage 1's unique optimum (objective zero), so it
is returned without solving (:meth:`Reroute.baseline_stands`).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

import numpy as np

from cellchain.network.products import PRODUCTS

INF = 1.0e30
EPS = 1.0e-3
ETA = 1.0e-3
#: Weight of the absolute change of each route [per unit of world output]: below it, a
#: product's flows do not move to ease another product's re-routing.
LAMBDA = 10.0
DELTA = 1.0e-6
#: Relative spread of the stage-1 costs that breaks ties between otherwise equal routes.
TIE = 1.0e-6
OPEN = 1.0
PENALTY = 1.0e4
SNAP = 1.0e-9
#: A stage-1 column above this [scaled units] marks its product as changed.
MOVED = 1.0e-9
#: Stage-2 columns within this of their lower bound [scaled units] are at it (the
#: interior-point solution approaches a bound without reaching it).
ZERO = 1.0e-9
#: Reduced stage-2 structures kept per programme (one per set of moved products).
REDUCED_KEPT = 64
#: Scaled bounds below this are rounding and count as zero.
TINY = 1.0e-10


class Status(enum.Enum):
    """Outcome of a solve, in words a user can act on."""

    OPTIMAL = "optimal"
    INFEASIBLE = "infeasible"
    FAILED = "failed"


@dataclass
class Changes:
    """Changes to the baseline.

    capacity : {(product, country): capacity [model unit/yr]} replaces the baseline's
    compliant : {(product, country): capacity} that may serve tier 1 (default 0)
    blocked : [(product, origin, destination country or market)] routes closed
    demand : {market: GWh/yr} replaces the baseline demand
    restricted_markets : markets that may buy only tier-1 (compliant) cells
    """

    capacity: dict[tuple[str, str], float] = field(default_factory=dict)
    compliant: dict[tuple[str, str], float] = field(default_factory=dict)
    blocked: list[tuple[str, str, str]] = field(default_factory=list)
    demand: dict[str, float] = field(default_factory=dict)
    restricted_markets: set[str] = field(default_factory=set)

    def is_empty(self) -> bool:
        return not (self.capacity or self.compliant or self.blocked or self.demand
                    or self.restricted_markets)


@dataclass
class Solution:
    status: Status
    explanation: str
    flows: dict[str, np.ndarray]  # product -> origin x destination, both tiers
    compliant: dict[str, np.ndarray]  # product -> tier-1 part of ``flows``
    unserved: dict[str, float]  # market -> GWh/yr
    method: str = "least squares"  # or "least absolute change" (stage 1's solution)


@dataclass
class Index:
    """Where every column and row lives."""

    col_t: np.ndarray
    col_p: np.ndarray
    col_o: np.ndarray
    col_d: np.ndarray
    base: np.ndarray  # baseline value of each column
    cap_row: dict[tuple[int, int], int]
    ccap_row: dict[tuple[int, int], int]
    demand_row: dict[int, int]
    unserved_col: np.ndarray
    n_flow: int
    col_scale: np.ndarray  # model value = scale x solver value
    row_scale: np.ndarray  # solver row = (model row - shift) / scale
    shift: np.ndarray  # the baseline's contribution to each row
    sign: np.ndarray  # +1 for increases and tier-1 columns, -1 for decreases
    n_routes: int
    col_lower: np.ndarray
    col_upper: np.ndarray
    kind: str


def _routes(net, baseline, extra: frozenset):
    """Per product, origin and destination index arrays of its columns (one tier)."""
    n = len(net.countries)
    cap = {p: np.asarray(net.capacity[p]) > 0 for p in PRODUCTS}
    for p, c in extra:
        cap[p][net.index(c)] = True
    dest = {p: np.zeros(n, bool) for p in PRODUCTS}
    for p, recipe in net.recipe.items():
        for q, a in recipe.items():
            if a:
                dest[q] |= cap[p]
    out = {}
    for p in PRODUCTS:
        width = len(net.markets) if p == "cells" else n
        to = np.arange(width) if p == "cells" else np.flatnonzero(dest[p])
        o, d = np.meshgrid(np.flatnonzero(cap[p]), to, indexing="ij")
        mask = np.zeros((n, width), bool)
        mask[o.ravel(), d.ravel()] = True
        mask |= baseline.flows[p] > 0
        oo, dd = np.nonzero(mask)
        out[p] = (oo, dd)
    return out


class _Rows:
    def __init__(self):
        self.i, self.j, self.v, self.lo, self.hi = [], [], [], [], []

    def new(self, count: int, lo, hi) -> int:
        first = len(self.lo)
        self.lo.extend(np.broadcast_to(lo, (count,)).tolist())
        self.hi.extend(np.broadcast_to(hi, (count,)).tolist())
        return first

    def add(self, rows, cols, vals) -> None:
        rows, cols = np.asarray(rows), np.asarray(cols)
        self.i.append(rows)
        self.j.append(cols)
        self.v.append(np.broadcast_to(np.asarray(vals, float), cols.shape).copy())

    def compact(self) -> np.ndarray:
        """Drop the rows without an entry (e.g. the capacity row of a country that makes
        nothing of the product: its bounds hold 0, so it constrains nothing) and renumber
        the rest; returns the new number of each old row (-1 when dropped)."""
        used = np.zeros(len(self.lo), bool)
        for r in self.i:
            used[r] = True
        new = np.where(used, np.cumsum(used) - 1, -1)
        self.i = [new[r] for r in self.i]
        self.lo = [v for v, u in zip(self.lo, used, strict=True) if u]
        self.hi = [v for v, u in zip(self.hi, used, strict=True) if u]
        return new


def _renumber(rows: dict, new: np.ndarray) -> dict:
    """A {key: row} map after :meth:`_Rows.compact` (keys of dropped rows left out)."""
    return {k: int(new[r]) for k, r in rows.items() if new[r] >= 0}


def build_model(net, baseline, extra: frozenset = frozenset(), kind: str = "qp",
                rules: bool = True):
    """The programme as a ``highspy.HighsModel`` and the index to read it back.

    ``kind="lp"`` (stage 1): per route an increase ``p``, a decrease ``n`` (at most the
    baseline) and a tier-1 flow ``c``; linear objective LAMBDA (p + n + c) + OPEN (p + c on
    routes that carried nothing) + PENALTY u. ``kind="qp"`` (stage 2): per route a change
    ``d`` (at least minus the baseline) and ``c``; objective (d + c)^2 / (beta + EPS) +
    ETA c^2 / (beta + EPS) + OPEN (d + c on fresh routes) + PENALTY u + DELTA u^2.
    Variables are in units of the product's world output (unserved: of total demand);
    rows are on route totals b + change, the baseline moved into their bounds. With
    ``rules=False`` (stage 1 of a scenario without compliance rules, whose tier-1 flows are
    all zero) the tier-1 columns and their rows are left out. Rows without an entry are
    dropped.
    """
    import highspy

    pidx = {p: i for i, p in enumerate(PRODUCTS)}
    routes = _routes(net, baseline, extra)
    p_, o_, d_, b_ = [], [], [], []
    for p in PRODUCTS:
        oo, dd = routes[p]
        p_.append(np.full(oo.size, pidx[p]))
        o_.append(oo)
        d_.append(dd)
        b_.append(baseline.flows[p][oo, dd])
    rp, ro, rd, rb = (np.concatenate(x) for x in (p_, o_, d_, b_))
    n_r = rp.size
    k = len(net.markets)
    tier1 = rules or kind == "qp"
    blocks = (3 if kind == "lp" else 2) - (not tier1)
    col_t = np.concatenate([np.zeros((blocks - tier1) * n_r, int),
                            np.ones(tier1 * n_r, int)])
    col_p, col_o, col_d = (np.tile(x, blocks) for x in (rp, ro, rd))
    sign = (np.concatenate([np.ones(n_r), -np.ones(n_r), np.ones(tier1 * n_r)])
            if kind == "lp" else np.ones(2 * n_r))
    n_flow = blocks * n_r
    n_col = n_flow + k
    world = np.array([max(float(net.output[p].sum()), 1e-9) for p in PRODUCTS])
    q = world[rp]
    beta = rb / q
    beta[beta < TINY] = 0.0
    demand_total = max(float(sum(net.demand.values())), 1e-9)
    col_scale = np.concatenate([np.tile(q, blocks), np.full(k, demand_total)])
    fresh = (rb == 0).astype(float)
    cost = np.zeros(n_col)
    lower = np.zeros(n_col)
    upper = np.full(n_col, INF)
    if kind == "lp":
        # weighted absolute change: a unit moved on a large route costs less than on a
        # small one (relative change), and a tiny tie-break by route order makes the
        # optimum unique, so that a warm and a cold solve find the same vertex
        unit = LAMBDA / np.sqrt(beta + EPS) * (1.0 + TIE * np.arange(n_r) / max(n_r, 1))
        cost[:n_r] = unit + OPEN * fresh
        cost[n_r:2 * n_r] = unit
        if tier1:
            cost[2 * n_r:n_flow] = unit + OPEN * fresh
        upper[n_r:2 * n_r] = beta
    else:
        # stage 2 works on the tier-0 flow itself, y0 = (b + d) / Q >= 0:
        # w (y0 + c - beta)^2 = w (y0 + c)^2 - 2 w beta (y0 + c) + constant
        w = 1.0 / (beta + EPS)
        cost[:n_r] = OPEN * fresh - 2 * w * beta
        cost[n_r:n_flow] = OPEN * fresh - 2 * w * beta
    cost[n_flow:] = PENALTY

    rows = _Rows()
    cap_row, ccap_row = add_capacity_constraints(net, col_t, col_p, col_o, rows, tier1)
    add_balance_constraints(net, col_t, col_p, col_o, col_d, rows, tier1)
    demand_row = add_demand_constraints(net, col_p, col_d, n_flow, rows)
    new = rows.compact()
    cap_row, ccap_row, demand_row = (_renumber(r, new) for r in (cap_row, ccap_row, demand_row))
    shift = np.zeros(len(rows.lo))
    base_full = np.concatenate([rb, np.zeros(n_col - n_r)])
    full_sign = np.concatenate([sign, np.ones(k)])
    for r_, c_, v_ in zip(rows.i, rows.j, rows.v, strict=True):
        if kind == "lp":
            tier0 = c_ < n_r
            np.add.at(shift, r_[tier0], v_[tier0] * base_full[c_[tier0]])
        v_ *= full_sign[c_] * col_scale[c_]
    row_scale = np.zeros(len(rows.lo))
    for r_, v_ in zip(rows.i, rows.v, strict=True):
        np.maximum.at(row_scale, r_, np.abs(v_))
    row_scale[row_scale == 0] = 1.0
    for r_, v_ in zip(rows.i, rows.v, strict=True):
        v_ /= row_scale[r_]
    lo_, hi_ = np.array(rows.lo, float), np.array(rows.hi, float)
    lo_ = np.where(lo_ <= -INF, -INF, (lo_ - shift) / row_scale)
    hi_ = np.where(hi_ >= INF, INF, (hi_ - shift) / row_scale)
    # rounding left by the baseline's balancing is not a bound
    lo_[np.abs(lo_) < TINY] = 0.0
    hi_[np.abs(hi_) < TINY] = 0.0
    start, index, value = _csc(rows, n_col)

    model = highspy.HighsModel()
    lp = model.lp_
    lp.num_col_, lp.num_row_ = n_col, len(lo_)
    lp.col_cost_ = cost
    lp.col_lower_ = lower
    lp.col_upper_ = upper
    lp.row_lower_ = lo_
    lp.row_upper_ = hi_
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_, lp.a_matrix_.index_, lp.a_matrix_.value_ = start, index, value
    if kind == "qp":
        model.hessian_ = _hessian(1.0 / (beta + EPS), n_r, k)
    idx = Index(col_t, col_p, col_o, col_d, np.tile(rb, blocks), cap_row, ccap_row,
                demand_row, np.arange(n_flow, n_col), n_flow, col_scale, row_scale, shift,
                sign, n_r, lower, upper, kind)
    return model, idx


def _hessian(w: np.ndarray, n_r: int, k: int):
    """Lower-triangular Hessian of the stage-2 objective: per route with change d and
    tier-1 flow c, w (d + c)^2 + ETA w c^2, doubled (HiGHS minimises c'x + x'Hx / 2);
    the unserved columns DELTA."""
    import highspy

    i = np.arange(n_r)
    index = np.concatenate([np.stack([i, n_r + i], 1).ravel(), n_r + i, 2 * n_r + np.arange(k)])
    value = np.concatenate([np.stack([2 * w, 2 * w], 1).ravel(), 2 * w * (1 + ETA),
                            np.full(k, 2 * DELTA)])
    counts = np.concatenate([np.full(n_r, 2), np.ones(n_r + k, int)])
    h = highspy.HighsHessian()
    h.dim_ = 2 * n_r + k
    h.format_ = highspy.HessianFormat.kTriangular
    h.start_ = np.concatenate([[0], np.cumsum(counts)]).astype(np.int32)
    h.index_ = index.astype(np.int32)
    h.value_ = value.astype(float)
    return h


def _csc(rows: _Rows, n_cols: int):
    i = np.concatenate(rows.i) if rows.i else np.zeros(0, int)
    j = np.concatenate(rows.j) if rows.j else np.zeros(0, int)
    v = np.concatenate(rows.v) if rows.v else np.zeros(0)
    order = np.lexsort((i, j))
    i, j, v = i[order], j[order], v[order]
    start = np.searchsorted(j, np.arange(n_cols + 1)).astype(np.int32)
    return start, i.astype(np.int32), v


def add_capacity_constraints(net, col_t, col_p, col_o, rows: _Rows, tier1: bool = True):
    """sum_{t,d} f[t,p,o,d] <= cap[p,o];  sum_d f[1,p,o,d] <= ccap[p,o] (default 0; only
    with ``tier1``)."""
    n = len(net.countries)
    cap_row, ccap_row = {}, {}
    for pi, p in enumerate(PRODUCTS):
        first = rows.new(n, -INF, np.asarray(net.capacity[p], float))
        cap_row.update({(pi, o): first + o for o in range(n)})
        sel = np.flatnonzero(col_p == pi)
        rows.add(first + col_o[sel], sel, 1.0)
        if not tier1:
            continue
        first = rows.new(n, -INF, 0.0)
        ccap_row.update({(pi, o): first + o for o in range(n)})
        sel = np.flatnonzero((col_p == pi) & (col_t == 1))
        rows.add(first + col_o[sel], sel, 1.0)
    return cap_row, ccap_row


def add_balance_constraints(net, col_t, col_p, col_o, col_d, rows: _Rows,
                            tier1: bool = True):
    """Inputs arriving at d equal what d's output needs (all tiers); tier-1 inputs cover
    tier-1 output (only with ``tier1``)."""
    pidx = {p: i for i, p in enumerate(PRODUCTS)}
    n = len(net.countries)
    inputs = [q for q in PRODUCTS if any(q in r for r in net.recipe.values())]
    for tier in (None, 1) if tier1 else (None,):
        keep = np.ones(col_t.size, bool) if tier is None else col_t == 1
        for q in inputs:
            first = rows.new(n, 0.0, 0.0 if tier is None else INF)
            sel = np.flatnonzero((col_p == pidx[q]) & keep)
            rows.add(first + col_d[sel], sel, 1.0)
            for p, recipe in net.recipe.items():
                a = recipe.get(q, 0.0)
                if a:
                    sel = np.flatnonzero((col_p == pidx[p]) & keep)
                    rows.add(first + col_o[sel], sel, -a)


def add_demand_constraints(net, col_p, col_d, n_flow, rows: _Rows):
    """sum_{t,o} f[t,cells,o,m] + u[m] = D[m]."""
    cells = PRODUCTS.index("cells")
    d = np.array([float(net.demand[m]) for m in net.markets])
    first = rows.new(d.size, d, d)
    sel = np.flatnonzero(col_p == cells)
    rows.add(first + col_d[sel], sel, 1.0)
    rows.add(first + np.arange(d.size), n_flow + np.arange(d.size), 1.0)
    return {m: first + m for m in range(d.size)}


class _Stage:
    """One built programme: stage 1 (the LP) in its own HiGHS object, or stage 2 (the QP)
    as sparse matrices for :func:`solve_reduced`."""

    def __init__(self, net, baseline, extra, kind, rules: bool = True):
        from cellchain.optimize.highs import new_highs

        self.model, self.index = build_model(net, baseline, extra, kind, rules)
        idx = self.index
        if kind == "lp":
            # stage 1 lives in HiGHS; every re-solve starts from the baseline's optimal
            # basis (solved once here), so its answer depends only on the changes, not
            # on what was solved before
            self.highs = new_highs()
            self.highs.passModel(self.model)
            self.highs.run()
            self.basis = (self.highs.getBasis() if _optimal(self.highs.getModelStatus())
                          else None)
        else:
            # stage 2 is reduced to the products that moved and solved by PIQP; keep its
            # data as sparse matrices (A: rows x columns; P: the symmetric Hessian)
            from cellchain.optimize import qp

            lp, h = self.model.lp_, self.model.hessian_
            shape = (lp.num_row_, lp.num_col_)
            self.A = qp.csc(np.asarray(lp.a_matrix_.start_), np.asarray(lp.a_matrix_.index_),
                            np.asarray(lp.a_matrix_.value_), shape)
            self.P = qp.symmetric(np.asarray(h.start_), np.asarray(h.index_),
                                  np.asarray(h.value_), h.dim_)
            self.cost = np.asarray(lp.col_cost_, float)
            # rows that are equalities (mass balance, demand) stay so under any change
            self._eq = (np.asarray(lp.row_lower_) == np.asarray(lp.row_upper_))
            self._reduced: dict[bytes, tuple] = {}
            self.col_lower = np.asarray(lp.col_lower_, float)
            self.col_upper = np.asarray(lp.col_upper_, float)
        self.row_lo = np.array(self.model.lp_.row_lower_, float)
        self.row_hi = np.array(self.model.lp_.row_upper_, float)
        n_r = idx.n_routes
        # the value of each column that makes its route carry nothing in tier 0 or 1
        self.block = np.zeros(idx.n_flow)
        # ... and the value that leaves its route as in the baseline
        self.keep = np.zeros(idx.n_flow)
        if kind == "lp":
            self.block[n_r:2 * n_r] = idx.col_upper[n_r:2 * n_r]
        else:
            self.keep[:n_r] = idx.base[:n_r] / idx.col_scale[:n_r]

    def reduced(self, free: np.ndarray):
        """Stage 2's rows that involve the ``free`` columns and the QP structure over
        them (built once per set of free columns, kept: a network has few such sets)."""
        from cellchain.optimize import qp

        key = free.tobytes()
        if key not in self._reduced:
            if len(self._reduced) >= REDUCED_KEPT:
                self._reduced.pop(next(iter(self._reduced)))
            a_free = self.A[:, free].tocsr()
            used = np.flatnonzero(np.diff(a_free.indptr) > 0)
            self._reduced[key] = (used, qp.Structure(self.P[free][:, free], a_free[used],
                                                     self._eq[used]))
        return self._reduced[key]

    def run(self, rows, lo, hi, fixed: dict[int, float]):
        """Solve with row bounds and fixed columns changed; restore; return (status, x)."""
        h = self.highs
        cols = np.array(sorted(fixed), np.int32)
        vals = np.array([fixed[c] for c in cols], float)
        idx = self.index
        if rows.size:
            sc, sh = idx.row_scale[rows], idx.shift[rows]
            h.changeRowsBounds(rows.size, rows, np.where(lo <= -INF, -INF, (lo - sh) / sc),
                               np.where(hi >= INF, INF, (hi - sh) / sc))
        if cols.size:
            h.changeColsBounds(cols.size, cols, vals, vals)
        if self.basis is not None:
            # forget what the last solve left (factorisation, edge weights), then start
            # from the baseline's basis: the same changes take the same path every time
            h.clearSolver()
            h.setBasis(self.basis)
        h.run()
        status = h.getModelStatus()
        x = np.array(h.getSolution().col_value) if _optimal(status) else None
        if rows.size:
            h.changeRowsBounds(rows.size, rows, self.row_lo[rows], self.row_hi[rows])
        if cols.size:
            h.changeColsBounds(cols.size, cols, idx.col_lower[cols], idx.col_upper[cols])
        return status, x


def solve_reduced(stage: _Stage, rows, lo, hi, x: np.ndarray, is_fixed: np.ndarray):
    """Solve stage 2 (the strictly convex QP) with the ``is_fixed`` columns held at their
    values in ``x`` (their contribution moved into the row bounds and the linear costs;
    rows without free columns dropped); returns (status in words, x over all columns or
    None). Stage 2 involves only the products stage 1 changed, so the problem solved is
    small; it is solved from a cold start, so its answer does not depend on earlier
    solves."""
    from cellchain.optimize import qp

    idx = stage.index
    x = x.copy()
    row_lo, row_hi = stage.row_lo.copy(), stage.row_hi.copy()
    if rows.size:
        sc, sh = idx.row_scale[rows], idx.shift[rows]
        row_lo[rows] = np.where(lo <= -INF, -INF, (lo - sh) / sc)
        row_hi[rows] = np.where(hi >= INF, INF, (hi - sh) / sc)
    free = np.flatnonzero(~is_fixed)
    if free.size == 0:
        return "optimal", x
    held = np.where(is_fixed, x, 0.0)
    fixed_part = stage.A @ held
    used, structure = stage.reduced(free)
    lo_ = row_lo[used] - fixed_part[used]
    hi_ = row_hi[used] - fixed_part[used]
    lo_[np.abs(lo_) < TINY] = 0.0
    hi_[np.abs(hi_) < TINY] = 0.0
    lo_ = np.where(row_lo[used] <= -INF, -INF, lo_)
    hi_ = np.where(row_hi[used] >= INF, INF, hi_)
    # fixed columns coupled to free ones through the Hessian add to the free costs
    cost = stage.cost[free] + (stage.P @ held)[free]
    why, y = qp.solve(structure, cost, lo_, hi_, stage.col_lower[free],
                      stage.col_upper[free], INF)
    if y is None:
        return why, None
    # interior-point values of columns at a bound: the bound (within the QP's tolerance)
    at_lower = np.abs(y - stage.col_lower[free]) <= ZERO
    y[at_lower] = stage.col_lower[free][at_lower]
    x[free] = y
    return why, x


def _optimal(status) -> bool:
    import highspy

    return status == highspy.HighsModelStatus.kOptimal


class Reroute:
    """The re-routing programme of one network and baseline, built once, re-solved warm.

    Stage 1 (an LP) finds the least absolute change that serves the most demand; the
    products it leaves unchanged stay fixed, and so does the unserved demand. Stage 2 (the
    strictly convex QP) spreads the changes of the remaining products by weighted least
    squares. Products a shock does not bind therefore keep their baseline flows exactly,
    and serving never improves when more is cut (stage 1 maximises what is served).
    """

    def __init__(self, net, baseline, extra: frozenset = frozenset()):
        self.net, self.baseline, self.extra = net, baseline, extra
        # stage 1 without compliance rules (no tier-1 columns); the one with them is built
        # on first use
        self.lp = _Stage(net, baseline, extra, "lp", rules=False)
        self._lp_rules: _Stage | None = None
        self.qp = _Stage(net, baseline, extra, "qp")
        self.index = self.qp.index
        # stage 2's tier-1 flow columns
        self._tier1 = self.index.col_t == 1
        self._markets = list(net.markets)
        self._variants: dict[frozenset, Reroute] = {}
        # baseline output of each (product, country) [model unit/yr], and whether the
        # baseline serves every market's demand (within SNAP)
        self._output = {p: np.asarray(baseline.flows[p], float).sum(axis=1) for p in PRODUCTS}
        served = np.asarray(baseline.flows["cells"], float).sum(axis=0)
        self._served_fully = all(
            abs(float(net.demand[m]) - served[j]) <= SNAP * max(float(net.demand[m]), 1.0)
            for j, m in enumerate(self._markets))
        n = len(net.countries)
        self._gather = {}
        idx = self.index
        for pi, p in enumerate(PRODUCTS):
            width = len(self._markets) if p == "cells" else n
            cols = np.flatnonzero(idx.col_p[:idx.n_flow] == pi)
            self._gather[p] = (cols, idx.col_o[cols] * width + idx.col_d[cols], (n, width))
        # per product: the snap tolerance and rounding grid [model unit/yr], and which of
        # its columns are tier 1
        self._grain = {}
        for p, (cols, _, _) in self._gather.items():
            world = max(float(net.output[p].sum()), 1.0)
            self._grain[p] = (SNAP * world, 1e-10 * world, idx.col_t[cols] == 1)

    def solve(self, changes: Changes | None = None) -> Solution:
        """Solve with ``changes`` applied, then restore the baseline bounds. Capacity given
        to a (product, country) without columns (a new plant where there was none) is
        solved on a variant built with those columns, kept for reuse."""
        changes = changes or Changes()
        if self.baseline_stands(changes):
            return self._read_baseline()
        variant = self._variant(changes)
        if variant is not self:
            return variant.solve(changes)
        stage1, blocked, status, x = self._run_stage1(changes)
        if x is None:
            return self._failed(stage1, status)
        li = stage1.index
        moved = np.abs(x[:li.n_flow]) > MOVED
        # products with a column stage 1 moved
        changed = np.bincount(li.col_p[:li.n_flow][moved], minlength=len(PRODUCTS)) > 0
        # stage 2: products stage 1 left alone keep the baseline, blocked routes carry
        # nothing, unserved demand stays at stage 1's
        qi = self.qp.index
        held = np.zeros(qi.n_flow + len(self._markets))
        is_fixed = np.zeros(held.size, bool)
        unmoved = ~changed[qi.col_p[:qi.n_flow]]
        held[:qi.n_flow] = np.where(unmoved, self.qp.keep, 0.0)
        is_fixed[:qi.n_flow] = unmoved
        # tier-1 flows from an origin without compliant capacity are zero
        no_ccap = self._tier1.copy()
        for (p, c), v in changes.compliant.items():
            if v > 0:
                no_ccap &= (qi.col_p[:qi.n_flow] != PRODUCTS.index(p)) | (
                    qi.col_o[:qi.n_flow] != self.net.index(c))
        held[:qi.n_flow][no_ccap] = 0.0
        is_fixed[:qi.n_flow] |= no_ccap
        blocked_cols = np.array(self._stage_cols(self.qp, blocked), int)
        held[blocked_cols] = self.qp.block[blocked_cols]
        is_fixed[blocked_cols] = True
        held[qi.unserved_col] = x[li.n_flow:]
        is_fixed[qi.unserved_col] = True
        rows, lo, hi, _ = self._translate(changes, qi)
        why, y = solve_reduced(self.qp, rows, lo, hi, held, is_fixed)
        if y is None:
            # stage 1's solution is feasible and unique too; say why it is the answer
            return self._read(self._lp_as_qp(x, li),
                              method=f"least absolute change: {why}")
        return self._read(y, moved=set(np.flatnonzero(changed).tolist()))

    def baseline_stands(self, ch: Changes) -> bool:
        """Whether the baseline is the answer without solving: it serves all demand (so
        it is stage 1's unique optimum, objective zero, when nothing changes) and it still
        satisfies every changed bound (a capacity at least the baseline's output, the same
        demand, blocked routes and restricted markets that carried nothing). Compliant
        capacity never excludes it (the baseline's flows are tier 0)."""
        if not self._served_fully:
            return False
        net, base = self.net, self.baseline
        for (p, c), v in ch.capacity.items():
            if not net.has(c) or float(v) < self._output[p][net.index(c)]:
                return False
        for m, v in ch.demand.items():
            if float(v) != float(net.demand[m]):
                return False
        for p, origin, dest in ch.blocked:
            if net.has(origin) and (base.flows[p][net.index(origin), self._dests(p, dest)]
                                    > 0).any():
                return False
        for m in ch.restricted_markets:
            if (base.flows["cells"][:, self._dests("cells", m)] > 0).any():
                return False
        return True

    def _read_baseline(self) -> Solution:
        flows = {p: self.baseline.flows[p].copy() for p in PRODUCTS}
        compliant = {p: np.zeros_like(f) for p, f in flows.items()}
        return Solution(Status.OPTIMAL, "optimal", flows, compliant,
                        dict.fromkeys(self._markets, 0.0))

    def _variant(self, changes: Changes) -> Reroute:
        """This programme, or the variant with columns for the (product, country) pairs
        that ``changes`` give capacity where there was none (built once, kept for reuse)."""
        opened = frozenset(
            (p, c) for (p, c), v in [*changes.capacity.items(), *changes.compliant.items()]
            if v > 0 and not (np.asarray(self.net.capacity[p])[self.net.index(c)] > 0)
            and (p, c) not in self.extra)
        if not opened:
            return self
        key = self.extra | opened
        if key not in self._variants:
            self._variants[key] = Reroute(self.net, self.baseline, key)
        return self._variants[key]

    def _run_stage1(self, changes: Changes):
        """Stage 1 under ``changes``: (the stage solved, blocked selections, status,
        solution or None)."""
        stage1 = self._stage1(changes)
        rows, lo, hi, blocked = self._translate(changes, stage1.index)
        fixed = {int(c): float(stage1.block[c]) for c in self._stage_cols(stage1, blocked)}
        status, x = stage1.run(rows, lo, hi, fixed)
        return stage1, blocked, status, x

    def _stage1(self, changes: Changes) -> _Stage:
        """Stage 1 for ``changes``: the programme with tier-1 (compliant) columns when they
        set compliance rules, else the smaller one without (its tier-1 flows would all be
        zero)."""
        if not (changes.restricted_markets or any(v > 0 for v in changes.compliant.values())):
            return self.lp
        return self._stage_with_rules()

    def _stage_with_rules(self) -> _Stage:
        """Stage 1 with tier-1 (compliant) columns, built on first use."""
        if self._lp_rules is None:
            self._lp_rules = _Stage(self.net, self.baseline, self.extra, "lp")
        return self._lp_rules

    def _lp_as_qp(self, x: np.ndarray, li: Index) -> np.ndarray:
        """The stage-1 solution ``x`` (columns ``li``) in stage 2's columns: tier-0 flow
        (b + p - n) / Q, tier 1, unserved."""
        n_r = li.n_routes
        y = np.zeros(self.index.n_flow + len(self._markets))
        y[:n_r] = li.base[:n_r] / li.col_scale[:n_r] + x[:n_r] - x[n_r:2 * n_r]
        if li.n_flow > 2 * n_r:  # a stage 1 with tier-1 columns
            y[n_r:2 * n_r] = x[2 * n_r:li.n_flow]
        y[2 * n_r:] = x[li.n_flow:]
        return y

    def unserved(self, changes: Changes | None = None) -> dict[str, float] | None:
        """Unserved cell demand by market [GWh/yr] under ``changes``, from stage 1 alone
        (stage 2 never changes it); None when stage 1 finds no optimum. For callers that
        need only how much is served (e.g. Monte Carlo draws)."""
        changes = changes or Changes()
        if self.baseline_stands(changes):
            return dict.fromkeys(self._markets, 0.0)
        variant = self._variant(changes)
        if variant is not self:
            return variant.unserved(changes)
        stage1, _, _, x = self._run_stage1(changes)
        if x is None:
            return None
        li = stage1.index
        total = float(sum(self.net.demand.values()))
        return {m: max(0.0, float(x[c]) * li.col_scale[c])
                if float(x[c]) * li.col_scale[c] > SNAP * max(total, 1.0) else 0.0
                for m, c in zip(self._markets, li.unserved_col, strict=True)}

    def _stage_cols(self, stage: _Stage, blocked: list[tuple[int, int, int, tuple]]):
        """Columns of ``stage`` for the blocked (product, origin set, destination set,
        tiers) selections."""
        idx = stage.index
        out: set[int] = set()
        for pi, origins, dests, tiers in blocked:
            sel = ((idx.col_p[:idx.n_flow] == pi) & np.isin(idx.col_t, tiers)
                   & np.isin(idx.col_o[:idx.n_flow], origins)
                   & np.isin(idx.col_d[:idx.n_flow], dests))
            out |= set(np.flatnonzero(sel).tolist())
        return sorted(out)

    def _translate(self, ch: Changes, idx: Index):
        """``ch`` as changed row bounds of the programme with index ``idx`` (rows, lower,
        upper) and blocked column selections. A capacity without a row (a country without
        columns for the product, so the change is zero or opens a variant) changes
        nothing."""
        net = self.net
        pidx = {p: i for i, p in enumerate(PRODUCTS)}
        rows: dict[int, tuple[float, float]] = {}
        for table, changed in ((idx.cap_row, ch.capacity), (idx.ccap_row, ch.compliant)):
            for (p, c), v in changed.items():
                row = table.get((pidx[p], net.index(c)))
                if row is not None:
                    rows[row] = (-INF, max(0.0, float(v)))
        for m, v in ch.demand.items():
            v = max(0.0, float(v))
            rows[idx.demand_row[self._markets.index(m)]] = (v, v)
        blocked = []
        n = len(net.countries)
        for p, origin, dest in ch.blocked:
            if net.has(origin):
                blocked.append((pidx[p], [net.index(origin)], self._dests(p, dest), (0, 1)))
        for m in sorted(ch.restricted_markets):
            blocked.append((pidx["cells"], list(range(n)), self._dests("cells", m), (0,)))
        r = np.array(sorted(rows), np.int32)
        lo = np.array([rows[i][0] for i in r], float)
        hi = np.array([rows[i][1] for i in r], float)
        return r, lo, hi, blocked

    def _dests(self, product: str, dest: str) -> list[int]:
        net = self.net
        if product == "cells":
            return [self._markets.index(dest) if dest in self._markets
                    else self._markets.index(net.market_of(dest))]
        members = net.markets.get(dest, [dest])
        return [net.index(c) for c in members if net.has(c)]

    def _failed(self, stage1: _Stage, status) -> Solution:
        h = stage1.highs
        why = (self._explain_infeasible() if "nfeasible" in h.modelStatusToString(status)
               else f"the solver stopped before the optimum: {h.modelStatusToString(status)}")
        shape = {p: g[2] for p, g in self._gather.items()}
        st = Status.INFEASIBLE if "nfeasible" in h.modelStatusToString(status) else \
            Status.FAILED
        return Solution(st, why, {p: np.zeros(s) for p, s in shape.items()},
                        {p: np.zeros(s) for p, s in shape.items()},
                        {m: float(self.net.demand[m]) for m in self._markets})

    def _read(self, y: np.ndarray, method: str = "least squares",
              moved=None) -> Solution:
        """The solution from solver columns ``y``; products not in ``moved`` (all when
        None) are known to keep their baseline flows and are copied from it."""
        idx = self.index
        x = np.maximum(y, 0.0) * idx.col_scale
        flows, compliant = {}, {}
        for pi, (p, (cols, cell, shape)) in enumerate(self._gather.items()):
            base = self.baseline.flows[p]
            if moved is not None and pi not in moved:
                flows[p], compliant[p] = base.copy(), np.zeros(shape)
                continue
            size = shape[0] * shape[1]
            tol, grid, t1 = self._grain[p]
            total = np.bincount(cell, weights=x[cols], minlength=size).reshape(shape)
            total = np.where(np.abs(total - base) <= tol, base, total)
            # round what moved to a grid of the product's world output x 1e-10, so that
            # solver rounding below the tolerance does not show
            flows[p] = np.where(total == base, base, np.round(total / grid) * grid)
            c1 = np.bincount(cell[t1], weights=x[cols[t1]], minlength=size).reshape(shape)
            c1[c1 < tol] = 0.0
            compliant[p] = np.minimum(c1, total)
        unserved = {}
        for m, c in zip(self._markets, idx.unserved_col, strict=True):
            u = max(0.0, float(x[c]))
            unserved[m] = 0.0 if u <= SNAP * max(self.net.demand[m], 1.0) else u
        return Solution(Status.OPTIMAL, "optimal", flows, compliant, unserved, method)

    def _explain_infeasible(self) -> str:
        bad = [f"{p} in {c}" for p in PRODUCTS
               for c, v in zip(self.net.countries, self.net.capacity[p], strict=True) if v < 0]
        return ("no flows satisfy every capacity and mass balance at once"
                + (f": negative capacity of {', '.join(bad)}" if bad else
                   "; unserved demand should always make the programme feasible, so check "
                   "the scenario's capacities and demand for impossible values"))


__all__ = ["Changes", "Reroute", "Solution", "Status", "build_model"]
