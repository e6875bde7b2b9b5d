"""Trace a market's supply upstream through the chain of sourcing matrices of the
observed baseline (:mod:`cellchain.network.baseline`) or of a scenario's flows.

For market m, ``v_cells[o]`` is the share of m's cells made in country o. For each input q
of a product p, the sourcing matrix ``S_q[o, d] = F_q[o, d] / sum_o' F_q[o', d]`` is
row-stochastic in d (each column sums to one) and says where country d gets q; the share of
m's supply whose q passes through country o is ``v_q[o] = sum_d v_p[d] S_q[o, d]``.
Multiplying along the chain (cells <- cathode/anode <- refined lithium, nickel, cobalt <-
mines) gives every stage's shares, which sum to one.

``by="owner"`` re-attributes each country's share to the countries of its plants' ultimate
owners (the network's plant table, capacity-weighted); capacity the registry knows only as
a country total, and all mines, stay with their location country. ``by="state"`` gives the
share held by each state (look-through equity of state entities), with the rest as
``private``: privately held, or held by owners the registry does not know (country totals,
mines), so ``private`` is an upper bound of private ownership.
"""

from __future__ import annotations

import numpy as np

from cellchain.errors import unknown
from cellchain.metrics import concentration
from cellchain.network.network import MARKETS
from cellchain.network.products import STAGE_OF, UNITS

#: (product, the product it is an input of)
CHAIN = (("cathode", "cells"), ("anode", "cells"), ("lithium_chemicals", "cathode"),
         ("nickel_refined", "cathode"), ("cobalt_refined", "cathode"),
         ("mine_lithium", "lithium_chemicals"), ("mine_nickel", "nickel_refined"),
         ("mine_cobalt", "cobalt_refined"), ("mine_graphite", "anode"))
BY = ("location", "owner", "state")
PRIVATE = "private"
#: How :data:`PRIVATE` reads to a user (charts, sentences).
PRIVATE_LABEL = "private or owner unknown"


def sourcing(flows: np.ndarray) -> np.ndarray:
    """``S[o, d]``: share of destination d's supply from origin o (columns sum to 1, or 0
    where d receives nothing)."""
    supply = flows.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(supply > 0, flows / supply, 0.0)


def trace(net, flows: dict[str, np.ndarray], market: str) -> dict[str, np.ndarray]:
    """Share of ``market``'s supply passing through each country, per product."""
    markets = list(net.markets)
    if market not in markets:
        raise unknown("market", market, markets)
    cells = flows["cells"][:, markets.index(market)]
    total = cells.sum()
    v = {"cells": cells / total if total > 0 else np.zeros_like(cells)}
    for product, parent in CHAIN:
        v[product] = sourcing(flows[product]) @ v[parent]
    return v


def normalise_market(market: str) -> str:
    """A market id as the network names it (``usa`` -> ``USA``, ``EU`` -> ``EU27``,
    ``row`` -> ``RoW``); UnknownValueError for anything else."""
    key = str(market).strip().upper()
    market = {"EU": "EU27", "ROW": "RoW"}.get(key, key)
    if market not in MARKETS:
        raise unknown("market", market, MARKETS)
    return market


def covered_nations(year: int) -> set[str]:
    from cellchain.chain import model

    return {r["country"] for r in model.tables()["blocs"] if r["bloc"] == "covered_nations"}


def group_shares(net, product: str, shares_: np.ndarray, by: str) -> dict[str, float]:
    """A product's shares by location re-grouped ``by`` location, owner or state."""
    groups: dict[str, float] = {}
    split = (net.owner_shares(product) if by == "owner"
             else net.state_shares(product) if by == "state" else {})
    for i in np.flatnonzero(shares_ > 0):
        country = net.countries[i]
        parts = split.get(country) if by != "location" else None
        if by == "state":
            parts = dict(parts or {})
            rest = 1.0 - sum(parts.values())
            if rest > 1e-12:
                parts[PRIVATE] = parts.get(PRIVATE, 0.0) + rest
        for k, w in (parts or {country: 1.0}).items():
            groups[k] = groups.get(k, 0.0) + float(shares_[i]) * w
    return groups


def exposure(market: str, year: int = 2024, by: str = "location", *, net=None,
             flows=None, basis=None):
    """Stage-by-stage shares of a market's supply by country (location or owner) or state.

    Returns
    -------
    pandas.DataFrame
        ``market``, ``year``, ``stage``, ``product``, ``unit``, ``by``, ``group`` (ISO3, or
        for ``by="state"`` the state's country or ``private``), ``share`` [0-1; sums to one
        per product], ``hhi`` [0-10,000; for ``by="state"`` among the states only:
        ``private`` left out and the states' shares rescaled to sum to one, so a single
        state holding 1 % gives 10,000], ``covered_share`` (from covered nations: China,
        Russia, Iran, North Korea) and ``basis`` (the flows' basis weighted by share:
        ``observed``, ``cited``, ``pooled`` or a mix such as ``observed 62 % / pooled 38 %``).
    """
    import pandas as pd

    from cellchain.network import baseline as baseline_mod
    from cellchain.network import checks
    from cellchain.network.build import build_network

    if by not in BY:
        raise unknown("grouping", by, BY)
    market = normalise_market(market)
    if net is None:
        net = build_network(year)
    if flows is None:
        base = baseline_mod.build(net)
        flows, basis = base.flows, base.basis
    v = trace(net, flows, market)
    covered = covered_nations(net.year)
    rows = []
    for product, shares_ in v.items():
        groups = group_shares(net, product, shares_, by)
        values = np.array([s for k, s in groups.items() if k != PRIVATE])
        hhi = concentration.hhi(values) if values.size else 0.0
        located = group_shares(net, product, shares_, "location")
        cov = float(sum(s for k, s in located.items() if k in covered))
        how = _basis_mix(flows, basis, product, shares_, v, net, market)
        for group, share in sorted(groups.items(), key=lambda x: (-x[1], x[0])):
            rows.append({"market": market, "year": net.year, "stage": STAGE_OF[product],
                         "product": product, "unit": UNITS[product], "by": by,
                         "group": group, "share": share, "hhi": hhi, "covered_share": cov,
                         "basis": how})
    df = pd.DataFrame(rows, columns=["market", "year", "stage", "product", "unit", "by",
                                     "group", "share", "hhi", "covered_share", "basis"])
    checks.shares_sum_to_one(df)
    checks.hhi_range(df["hhi"])
    return df


def _basis_mix(flows, basis, product, shares_, v, net, market) -> str:
    """How the flows behind a product's shares were obtained, weighted by the flow; in a
    projected year prefixed ``projected:`` (the flows are the observed pattern applied to
    projected output and demand, see :mod:`cellchain.network.projection`)."""
    from cellchain.network.projection import year_is_projected

    how = _mix(flows, basis, product, v, net, market)
    return f"projected: {how}" if how and year_is_projected(net.year) else how


def _mix(flows, basis, product, v, net, market) -> str:
    if basis is None:
        return "scenario"
    from cellchain.network.baseline import BASES

    f, b = flows[product], basis[product]
    if product == "cells":
        col = list(net.markets).index(market)
        weights = f[:, col]
        kinds = b[:, col]
    else:
        parent = dict(CHAIN)[product]
        weights = (sourcing(f) * v[parent][None, :]).ravel()
        kinds = b.ravel()
    total = weights.sum()
    if total <= 0:
        return ""
    parts = {BASES[k]: weights[kinds == k].sum() / total for k in np.unique(kinds) if k}
    parts = {k: s for k, s in parts.items() if s >= 0.005}
    if len(parts) == 1:
        return next(iter(parts))
    return " / ".join(f"{k} {100 * s:.0f} %" for k, s in
                      sorted(parts.items(), key=lambda x: -x[1]))
