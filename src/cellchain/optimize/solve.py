"""Solve the flow model, re-solve with changed bounds from a warm start, read results.

``FlowModel`` builds the LP once; ``solve(changes)`` applies bound changes (capacities,
blocked routes, demand), runs HiGHS from the previous basis and restores the baseline
bounds afterwards, so every scenario starts from the same model.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

import numpy as np

from cellchain.optimize.model import INF, build_model
from cellchain.optimize.network import PRODUCTS, Network


class Status(enum.Enum):
    """Outcome of a solve, in words a user can act on."""

    OPTIMAL = "optimal"
    INFEASIBLE = "infeasible"
    UNBOUNDED = "unbounded"
    FAILED = "failed"


@dataclass
class BoundChanges:
    """Changes to the baseline bounds.

    capacity : {(product, country): capacity}  replaces the baseline capacity
    compliant : {(product, country): capacity}  capacity that may serve tier 1 (default 0)
    blocked : [(product, origin, destination country or market)]  routes closed
    demand : {market: GWh}  replaces the baseline demand
    restricted_markets : markets that may only buy tier-1 (compliant) cells
    """

    capacity: dict[tuple[str, str], float] = field(default_factory=dict)
    compliant: dict[tuple[str, str], float] = field(default_factory=dict)
    blocked: list[tuple[str, str, str]] = field(default_factory=list)
    demand: dict[str, float] = field(default_factory=dict)
    restricted_markets: set[str] = field(default_factory=set)


@dataclass
class Solution:
    status: Status
    explanation: str
    objective: float
    flows: dict[str, np.ndarray]  # product -> matrix origin x destination
    unserved: dict[str, float]  # market -> GWh
    iterations: int


class FlowModel:
    """The LP for one network, built once and re-solved per scenario."""

    def __init__(self, net: Network, extra: frozenset = frozenset()):
        from cellchain.optimize.highs import new_highs

        self.net = net
        self.extra = extra
        self._variants: dict[frozenset, FlowModel] = {}
        self.lp, self.index = build_model(net, extra)
        self.highs = new_highs()
        self.highs.passModel(self.lp)
        self._row_lo = np.array(self.lp.row_lower_, dtype=float)
        self._row_hi = np.array(self.lp.row_upper_, dtype=float)
        self._col_hi = np.array(self.lp.col_upper_, dtype=float)
        self._markets = list(net.markets)
        self._gather = self._flow_gather()

    def _flow_gather(self) -> dict[str, tuple[np.ndarray, np.ndarray, tuple[int, int]]]:
        """Per product: its shipment columns (both tiers), each column's cell in the
        origin x destination matrix (flattened), and the matrix shape."""
        n = len(self.net.countries)
        idx = self.index
        out = {}
        for pi, p in enumerate(PRODUCTS):
            width = len(self._markets) if p == "cells" else n
            cols = np.concatenate([idx.flow_cols[(t, pi)] for t in (0, 1)]).astype(np.int64)
            out[p] = (cols, idx.col_origin[cols] * width + idx.col_dest[cols], (n, width))
        return out

    # ----------------------------------------------------------------------------------
    def solve(self, changes: BoundChanges | None = None) -> Solution:
        """Solve with ``changes`` applied (warm start), then restore the baseline.

        A change that gives capacity to a (product, country) without shipment columns
        (a new plant where there was none) is solved on a model built with those columns,
        kept for later scenarios that open the same pairs.
        """
        changes = changes or BoundChanges()
        opened = self._opened(changes)
        if opened:
            key = self.extra | opened
            if key not in self._variants:
                self._variants[key] = FlowModel(self.net, key)
            return self._variants[key].solve(changes)
        rows, row_hi, cols, col_hi, drows, dvals = self._translate(changes)
        h = self.highs
        if rows.size:
            h.changeRowsBounds(rows.size, rows, self._row_lo[rows], row_hi)
        if cols.size:
            h.changeColsBounds(cols.size, cols, np.zeros(cols.size), col_hi)
        if drows.size:
            h.changeRowsBounds(drows.size, drows, dvals, dvals)
        h.run()
        solution = self._read()
        if rows.size:
            h.changeRowsBounds(rows.size, rows, self._row_lo[rows], self._row_hi[rows])
        if cols.size:
            h.changeColsBounds(cols.size, cols, np.zeros(cols.size), self._col_hi[cols])
        if drows.size:
            h.changeRowsBounds(drows.size, drows, self._row_lo[drows], self._row_hi[drows])
        return solution

    def _opened(self, ch: BoundChanges) -> frozenset:
        """(product, country) pairs the changes give capacity but this model has no
        columns for."""
        active = self.index.active
        return frozenset(
            (p, c) for (p, c), v in list(ch.capacity.items()) + list(ch.compliant.items())
            if v > 0 and not active[p][self.net.index(c)])

    def _translate(self, ch: BoundChanges):
        idx, net = self.index, self.net
        pidx = {p: i for i, p in enumerate(PRODUCTS)}
        rows, row_hi = [], []
        for (product, country), cap in ch.capacity.items():
            rows.append(idx.cap_row[(pidx[product], net.index(country))])
            row_hi.append(max(0.0, float(cap)))
        for (product, country), cap in ch.compliant.items():
            rows.append(idx.ccap_row[(pidx[product], net.index(country))])
            row_hi.append(max(0.0, float(cap)))
        cols = set()
        for product, origin, dest in ch.blocked:
            for tier in (0, 1):
                cols.update(self._route_cols(tier, pidx[product], {net.index(origin)}, dest))
        everyone = set(range(len(net.countries)))
        for market in ch.restricted_markets:
            cols.update(self._route_cols(0, pidx["cells"], everyone, market))
        drows, dvals = [], []
        for market, value in ch.demand.items():
            drows.append(idx.demand_row[self._markets.index(market)])
            dvals.append(max(0.0, float(value)))
        cols_arr = np.array(sorted(cols), dtype=np.int32)
        return (np.array(rows, dtype=np.int32), np.array(row_hi, dtype=float), cols_arr,
                np.zeros(cols_arr.size), np.array(drows, dtype=np.int32),
                np.array(dvals, dtype=float))

    def _route_cols(self, tier: int, product: int, origins: set[int], dest: str) -> list[int]:
        idx, net = self.index, self.net
        flow = idx.flow_cols[(tier, product)]
        if PRODUCTS[product] == "cells":
            dests = {self._markets.index(dest)} if dest in self._markets else {
                self._markets.index(m) for m in self._markets
                if dest in net.markets[m]}
        else:
            members = net.markets.get(dest, [dest])
            dests = {net.index(c) for c in members if c in net.countries}
        sel = flow[np.isin(idx.col_origin[flow], list(origins))
                   & np.isin(idx.col_dest[flow], list(dests))]
        return sel.tolist()

    def _read(self) -> Solution:
        import highspy

        h = self.highs
        status = h.getModelStatus()
        info = h.getInfo()
        if status == highspy.HighsModelStatus.kOptimal:
            st, why = Status.OPTIMAL, "optimal"
        elif status == highspy.HighsModelStatus.kInfeasible:
            st, why = Status.INFEASIBLE, self._explain_infeasible()
        elif status == highspy.HighsModelStatus.kUnbounded:
            st, why = Status.UNBOUNDED, "the objective is unbounded: a cost is negative"
        else:
            st, why = Status.FAILED, f"the solver stopped: {h.modelStatusToString(status)}"
        x = np.array(h.getSolution().col_value) if st == Status.OPTIMAL else np.zeros(
            self.lp.num_col_)
        flows = {p: np.bincount(cell, weights=x[cols], minlength=shape[0] * shape[1])
                 .reshape(shape) for p, (cols, cell, shape) in self._gather.items()}
        unserved = {m: float(x[c]) for m, c in zip(self._markets,
                                                    self.index.unserved_col.values(),
                                                    strict=True)}
        return Solution(st, why, float(info.objective_function_value), flows, unserved,
                        int(info.simplex_iteration_count))

    def _explain_infeasible(self) -> str:
        # Unserved demand makes every market feasible, so infeasibility can only come from
        # an input balance that cannot hold: report the largest negative capacity.
        bad = [f"{p} in {c}" for p in PRODUCTS for c, v in
               zip(self.net.countries, self.net.capacity[p], strict=True) if v < 0]
        return ("no flow satisfies every balance" + (f" (negative capacity: {', '.join(bad)})"
                                                     if bad else ""))


__all__ = ["BoundChanges", "FlowModel", "INF", "Solution", "Status"]
