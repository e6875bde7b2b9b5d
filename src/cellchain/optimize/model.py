"""The flow model: a linear programme over the country-level network, built once from
arrays and re-solved with changed bounds (warm start).

Products are split into two compliance tiers: tier 0 (any origin) and tier 1 (made from
compliant capacity out of tier-1 inputs). A policy such as "the USA buys only from its
free-trade partners" opens tier-1 capacity in the allowed countries and closes the market
to tier-0 cells; without a policy tier 1 has no capacity and the model is the plain one.

Variables
    f[t, p, o, d] >= 0  shipment of product p, tier t, from origin o to destination d
                        (a country, or a market for cells)  [product unit/yr]; only
                        for origins with capacity and destinations that can use p
    u[m] >= 0           unserved cell demand of market m  [GWh/yr]

Constraints (one family per function below)
    capacity           sum_{t,d} f[t, p, o, d] <= cap[p, o]                  all p, o
    compliant capacity sum_d f[1, p, o, d]    <= ccap[p, o]  (0 by default)  all p, o
    inputs             sum_{t,o} f[t, q, o, d] >= sum_p a[p, q] sum_{t,d'} f[t, p, d, d']
    compliant inputs   sum_o f[1, q, o, d]     >= sum_p a[p, q] sum_d' f[1, p, d, d']
    demand             sum_{t,o} f[t, cells, o, m] + u[m] = D[m]            all m

Objective
    minimise  sum f * w_p * (dist(o, d) / 1000 km + HANDLING)  +  PENALTY * sum_m u[m]
    with w_p = 1 per tonne, and for cells the tonnes of cathode and anode in a GWh (the
    recipe), so that shipping finished cells and shipping their materials compare fairly.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cellchain.optimize.network import PRODUCTS, Network, distance_km

#: Cost of one GWh of unserved cell demand, far above any transport cost of serving it.
PENALTY = 1.0e9
INF = 1.0e30
#: Cost of handling a unit even at home [1000 km equivalent], so no flow is free and the
#: model ships nothing it does not need.
HANDLING = 1.0e-3
TIERS = (0, 1)


@dataclass
class ModelIndex:
    """Where every variable and constraint lives in the arrays."""

    col_tier: np.ndarray
    col_product: np.ndarray  # product index per column (-1 for unserved)
    col_origin: np.ndarray  # origin country index (-1 for unserved)
    col_dest: np.ndarray  # destination country index, or market index for cells
    cap_row: dict[tuple[int, int], int]  # (product, origin) -> row
    ccap_row: dict[tuple[int, int], int]  # (product, origin) -> compliant-capacity row
    input_row: dict[tuple[int, int, int], int]  # (tier, input product, country) -> row
    demand_row: dict[int, int]  # market -> row
    unserved_col: dict[int, int]  # market -> column
    flow_cols: dict[tuple[int, int], np.ndarray]  # (tier, product) -> columns
    active: dict[str, np.ndarray]  # product -> countries that have shipment columns


def active_origins(net: Network, extra: frozenset = frozenset()) -> dict[str, np.ndarray]:
    """Per product, the countries that may ship it: those with capacity in the baseline,
    plus ``extra`` (product, country) pairs a scenario gives capacity to."""
    out = {}
    for p in PRODUCTS:
        mask = np.asarray(net.capacity[p]) > 0
        for q, c in extra:
            if q == p:
                mask[net.index(c)] = True
        out[p] = mask
    return out


def useful_destinations(net: Network, active: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Per input product, the countries where something that consumes it can be made; an
    input shipped anywhere else only adds cost, so those columns are left out."""
    n = len(net.countries)
    out = {p: np.zeros(n, bool) for p in PRODUCTS}
    for p, recipe in net.recipe.items():
        for q, amount in recipe.items():
            if amount:
                out[q] |= active[p]
    return out


def build_model(net: Network, extra: frozenset = frozenset()):
    """The LP as a ``highspy.HighsLp`` and the index to read it back.

    Shipment columns exist only where they can carry flow: from countries with capacity
    for the product (``active_origins``; ``extra`` adds pairs a scenario opens) to
    countries that can use it (``useful_destinations``) or, for cells, to every market.
    Leaving the rest out changes no optimal solution and makes re-solves faster.
    """
    import highspy

    n = len(net.countries)
    markets = list(net.markets)
    coords = [net.coords.get(c) for c in net.countries]
    dist = np.array([[0.0 if i == j else distance_km(coords[i], coords[j]) for j in range(n)]
                     for i in range(n)]) / 1000.0
    members = [[net.index(c) for c in net.markets[m] if c in net.countries] for m in markets]
    market_dist = np.array([[min((dist[o, d] for d in mem), default=10.0) for mem in members]
                            for o in range(n)])
    active = active_origins(net, extra)
    useful = useful_destinations(net, active)

    # A GWh of cells is shipped as mass: at least its cathode and anode [t/GWh].
    weight = {"cells": sum(net.recipe.get("cells", {}).values()) or 1.0}
    tiers, prods, origins, dests, costs = [], [], [], [], []
    flow_cols: dict[tuple[int, int], np.ndarray] = {}
    start = 0
    for t in TIERS:
        for pi, p in enumerate(PRODUCTS):
            to = (np.arange(len(markets)) if p == "cells" else np.flatnonzero(useful[p]))
            o, d = np.meshgrid(np.flatnonzero(active[p]), to, indexing="ij")
            o, d = o.ravel(), d.ravel()
            c = ((market_dist if p == "cells" else dist)[o, d] + HANDLING) * weight.get(p, 1.0)
            tiers.append(np.full(o.size, t))
            prods.append(np.full(o.size, pi))
            origins.append(o)
            dests.append(d)
            costs.append(c)
            flow_cols[(t, pi)] = np.arange(start, start + o.size)
            start += o.size
    n_flow = start
    k = len(markets)
    col_t = np.concatenate(tiers + [np.full(k, -1)])
    col_p = np.concatenate(prods + [np.full(k, -1)])
    col_o = np.concatenate(origins + [np.full(k, -1)])
    col_d = np.concatenate(dests + [np.arange(k)])
    col_cost = np.concatenate(costs + [np.full(k, PENALTY)])
    unserved_col = {m: n_flow + m for m in range(k)}

    b = _Rows()
    cap_row, ccap_row = add_capacity_constraints(net, col_t, col_p, col_o, n_flow, b)
    input_row = add_input_constraints(net, col_t, col_p, col_o, col_d, n_flow, b)
    demand_row = add_demand_constraints(net, col_p, col_d, n_flow, unserved_col, b)

    start_, index_, value_ = _csc(np.asarray(b.i), np.asarray(b.j),
                                  np.asarray(b.v, dtype=float), col_p.size)
    lp = highspy.HighsLp()
    lp.num_col_ = col_p.size
    lp.num_row_ = len(b.lo)
    lp.col_cost_ = col_cost
    lp.col_lower_ = np.zeros(col_p.size)
    lp.col_upper_ = np.full(col_p.size, INF)
    lp.row_lower_ = np.array(b.lo, dtype=float)
    lp.row_upper_ = np.array(b.hi, dtype=float)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = start_
    lp.a_matrix_.index_ = index_
    lp.a_matrix_.value_ = value_
    index = ModelIndex(col_t, col_p, col_o, col_d, cap_row, ccap_row, input_row, demand_row,
                       unserved_col, flow_cols, active)
    return lp, index


class _Rows:
    """Coordinate triplets and bounds of the constraint matrix being built."""

    def __init__(self):
        self.i, self.j, self.v, self.lo, self.hi = [], [], [], [], []

    def new(self, lo: float, hi: float) -> int:
        self.lo.append(lo)
        self.hi.append(hi)
        return len(self.lo) - 1

    def add(self, rows, cols, vals) -> None:
        self.i.extend(np.asarray(rows).tolist())
        self.j.extend(np.asarray(cols).tolist())
        self.v.extend(np.broadcast_to(vals, np.shape(cols)).tolist())


def _csc(rows: np.ndarray, cols: np.ndarray, vals: np.ndarray, n_cols: int):
    """Column-wise sparse arrays (start, index, value) from coordinate triplets."""
    order = np.lexsort((rows, cols))
    rows, cols, vals = rows[order], cols[order], vals[order]
    start = np.searchsorted(cols, np.arange(n_cols + 1)).astype(np.int32)
    return start, rows.astype(np.int32), vals


def add_capacity_constraints(net, col_t, col_p, col_o, n_flow, b: _Rows):
    """sum_{t,d} f[t,p,o,d] <= cap[p,o];  sum_d f[1,p,o,d] <= ccap[p,o] (default 0)."""
    cap_row, ccap_row = {}, {}
    n = len(net.countries)
    for pi, p in enumerate(PRODUCTS):
        first = len(b.lo)
        for o in range(n):
            cap_row[(pi, o)] = b.new(-INF, float(net.capacity[p][o]))
        sel = np.flatnonzero(col_p[:n_flow] == pi)
        b.add(first + col_o[sel], sel, 1.0)
        first = len(b.lo)
        for o in range(n):
            ccap_row[(pi, o)] = b.new(-INF, 0.0)
        sel = np.flatnonzero((col_p[:n_flow] == pi) & (col_t[:n_flow] == 1))
        b.add(first + col_o[sel], sel, 1.0)
    return cap_row, ccap_row


def add_input_constraints(net, col_t, col_p, col_o, col_d, n_flow, b: _Rows):
    """Inputs arriving at d cover the inputs its output needs, in total and in tier 1."""
    pidx = {p: i for i, p in enumerate(PRODUCTS)}
    inputs = sorted({q for recipe in net.recipe.values() for q in recipe}, key=pidx.get)
    n = len(net.countries)
    input_row = {}
    for tier in TIERS:
        keep = np.ones(n_flow, bool) if tier == 0 else col_t[:n_flow] == 1
        for q in inputs:
            first = len(b.lo)
            for d in range(n):
                input_row[(tier, pidx[q], d)] = b.new(0.0, INF)
            sel = np.flatnonzero((col_p[:n_flow] == pidx[q]) & keep)
            b.add(first + col_d[sel], sel, 1.0)
            for p, recipe in net.recipe.items():
                if recipe.get(q, 0.0) == 0.0:
                    continue
                sel = np.flatnonzero((col_p[:n_flow] == pidx[p]) & keep)
                b.add(first + col_o[sel], sel, -recipe[q])
    return input_row


def add_demand_constraints(net, col_p, col_d, n_flow, unserved_col, b: _Rows):
    """sum_{t,o} f[t, cells, o, m] + u[m] = D[m] for every market m."""
    cells = PRODUCTS.index("cells")
    first = len(b.lo)
    demand_row = {}
    for m, market in enumerate(net.markets):
        demand_row[m] = b.new(float(net.demand[market]), float(net.demand[market]))
    sel = np.flatnonzero(col_p[:n_flow] == cells)
    b.add(first + col_d[sel], sel, 1.0)
    for m, col in unserved_col.items():
        b.add([demand_row[m]], [col], 1.0)
    return demand_row
