"""Trace a market's supply upstream through the chain of sourcing matrices.

For market m, ``v_cells[o]`` is the share of m's cells made in country o (from the flow
model's solution). For each input q of a product p, the sourcing matrix
``S_q[o, d] = f[q, o, d] / sum_o' f[q, o', d]`` says where country d gets q; the share of
m's supply whose q passes through country o is ``v_q[o] = sum_d v_p[d] * S_q[o, d]``.
Multiplying along the chain (cells <- cathode/anode <- refined lithium, nickel, cobalt <-
mines) gives every stage's shares, which sum to one.

``by="owner"`` re-attributes each country's share to the countries of its plants'
ultimate owners (registry look-through, capacity-weighted); capacity the registry knows
only as a country total, and all mines (no mine ownership in the registry yet), stay with
their location country.

Every row says how it was obtained (``method``). ``trade_data``: the stage's sourcing
matrix is the observed apparent-supply mix from BACI trade and cited capacity (lithium
chemicals and natural graphite; see :mod:`cellchain.trace.trade`), so each consuming
country's column reproduces its reported imports. ``flow_model``: the sourcing matrix
comes from the flow model's solution (cells, cathode, anode, refined nickel and cobalt,
mined lithium, nickel and cobalt; the bundle has no usable trade for them). Where a
country reached by the trace makes a product the solution does not route inputs to (it
supplies the market only in the trade data), it is taken to use its own output of the
input where it has any (Chile's brine for its carbonate), else the world mix of that
input in the solution.

Scenario comparisons use ``method="flow_model"`` throughout, so that baseline and
scenario differ only by what the scenario changes.
"""

from __future__ import annotations

import numpy as np

from cellchain.chain import model as registry_model
from cellchain.errors import unknown
from cellchain.metrics import concentration
from cellchain.optimize.network import MARKETS, STAGE_OF, UNITS

#: (product, the product it is an input of)
CHAIN = (("cathode", "cells"), ("anode", "cells"), ("lithium_chemicals", "cathode"),
         ("nickel_refined", "cathode"), ("cobalt_refined", "cathode"),
         ("mine_lithium", "lithium_chemicals"), ("mine_nickel", "nickel_refined"),
         ("mine_cobalt", "cobalt_refined"), ("mine_graphite", "anode"))
BY = ("location", "owner")


METHODS = ("auto", "flow_model")


def sourcing(net, solution, product: str, method: str = "auto") -> tuple[np.ndarray, str]:
    """``S[o, d]``: share of country d's supply of ``product`` from country o, and the
    method that produced it (``trade_data`` or ``flow_model``)."""
    from cellchain.trace import trade

    if method == "auto" and product in trade.TRADED:
        return (trade.observed_sourcing(product, net.year, tuple(net.countries)),
                "trade_data")
    f = solution.flows[product]
    supply = f.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(supply > 0, f / supply, 0.0), "flow_model"


def trace(net, solution, market: str, method: str = "auto"
          ) -> tuple[dict[str, np.ndarray], dict[str, str]]:
    """Share of ``market``'s supply passing through each country, per product, and the
    method behind each product's sourcing."""
    markets = list(net.markets)
    if market not in markets:
        raise unknown("market", market, markets)
    if method not in METHODS:
        raise unknown("tracing method", method, METHODS)
    cells = solution.flows["cells"][:, markets.index(market)]
    total = cells.sum()
    v = {"cells": cells / total if total > 0 else np.zeros_like(cells)}
    methods = {"cells": "flow_model"}
    for product, parent in CHAIN:
        s, methods[product] = sourcing(net, solution, product, method)
        gaps = np.flatnonzero((s.sum(axis=0) <= 0) & (v[parent] > 0))
        if gaps.size:
            made = solution.flows[product].sum(axis=1)
            world = made / made.sum() if made.sum() > 0 else np.zeros_like(made)
            s = s.copy()
            for d in gaps:
                if net.capacity[product][d] > 0:  # own output first (e.g. Chile's brine)
                    s[:, d] = 0.0
                    s[d, d] = 1.0
                else:
                    s[:, d] = world
        v[product] = s @ v[parent]
    return v, methods


def owner_matrix(net, product: str, year: int) -> dict[str, dict[str, float]]:
    """For each location country, the shares of its capacity by ultimate-owner country."""
    from cellchain.chain import shares
    from cellchain.optimize.network import REGISTRY_SOURCES

    if product not in REGISTRY_SOURCES:
        return {}
    stage, reg_product, unit = REGISTRY_SOURCES[product]
    reg_product = reg_product or ("nickel" if product == "nickel_refined" else "cobalt")
    g = registry_model.graph()
    owned: dict[str, dict[str, float]] = {}
    for fac, cap in shares.facility_capacities(stage, year, ("operating",), reg_product):
        if cap.unit != unit:
            continue
        slot = owned.setdefault(fac["country"], {})
        for u in g.ultimate(fac["id"], year):
            slot[u.country] = slot.get(u.country, 0.0) + cap.value * u.share
    out = {}
    for i, country in enumerate(net.countries):
        named = owned.get(country, {})
        total_named = sum(named.values())
        cap = net.capacity[product][i]
        # Capacity beyond the named plants stays with the location. For a scaled stage the
        # named plants stand for the country's mix, so the scaled-up part follows them.
        scaled = net.capacity_basis[product].startswith("scaled")
        rest = 0.0 if scaled and total_named > 0 else max(0.0, cap - total_named)
        denom = total_named + rest
        if denom <= 0:
            continue
        shares_ = {k: v / denom for k, v in named.items()}
        shares_[country] = shares_.get(country, 0.0) + rest / denom
        out[country] = shares_
    return out


def normalise_market(market: str) -> str:
    """A market id as the flow model names it (``usa`` -> ``USA``, ``EU`` -> ``EU27``,
    ``row`` -> ``RoW``); UnknownValueError for anything else."""
    key = str(market).strip().upper()
    market = {"EU": "EU27", "ROW": "RoW"}.get(key, key)
    if market not in MARKETS:
        raise unknown("market", market, MARKETS)
    return market


def exposure(market: str, year: int = 2024, by: str = "location", *, net=None,
             solution=None, method: str = "auto"):
    """Stage-by-stage shares of a market's supply by country (location or owner).

    Returns
    -------
    pandas.DataFrame
        ``market``, ``year``, ``stage``, ``product``, ``unit``, ``by``, ``group`` (ISO3),
        ``share`` [0-1; sums to one per product], ``method`` (``trade_data`` or
        ``flow_model``; ``method="flow_model"`` uses the flow model for every stage), and
        per product ``hhi`` [0-10,000], ``covered_share`` (from covered nations: China,
        Russia, Iran, North Korea) and ``capacity_basis`` (cited, or scaled where the
        registry is incomplete; stages traced from trade use the cited capacities).
    """
    import pandas as pd

    from cellchain.optimize.network import build_network
    from cellchain.optimize.solve import FlowModel

    if by not in BY:
        raise unknown("grouping", by, BY)
    market = normalise_market(market)
    if net is None:
        net = build_network(year)
    if solution is None:
        solution = FlowModel(net).solve()
    v, methods = trace(net, solution, market, method)
    covered = {r["country"] for r in registry_model.tables()["blocs"]
               if r["bloc"] == "covered_nations"}
    rows = []
    for product, shares_ in v.items():
        groups: dict[str, float] = {}
        owners = owner_matrix(net, product, year) if by == "owner" else {}
        for i, country in enumerate(net.countries):
            if shares_[i] <= 0:
                continue
            for k, w in (owners.get(country) or {country: 1.0}).items():
                groups[k] = groups.get(k, 0.0) + shares_[i] * w
        values = np.array(list(groups.values()))
        hhi = concentration.hhi(values) if values.size else 0.0
        cov = float(sum(s for k, s in groups.items() if k in covered))
        for group, share in sorted(groups.items(), key=lambda x: -x[1]):
            rows.append({"market": market, "year": year, "stage": STAGE_OF[product],
                         "product": product, "unit": UNITS[product], "by": by,
                         "group": group, "share": share, "method": methods[product],
                         "hhi": hhi, "covered_share": cov,
                         "capacity_basis": ("cited" if methods[product] == "trade_data"
                                            else net.capacity_basis[product])})
    return pd.DataFrame(rows, columns=["market", "year", "stage", "product", "unit", "by",
                                       "group", "share", "method", "hhi", "covered_share",
                                       "capacity_basis"])
