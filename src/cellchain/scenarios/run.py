"""Run a scenario: baseline and scenario solves of one model, compared per market and stage.

Served quantities: at the cell stage, the market's demand met [GWh]; upstream, what that
served demand needs of each product (served GWh x the recipe's chain of intensities)
[product unit]. ``unserved_share`` is the share of the scenario's demand not met.
Concentration (HHI) and the covered-nation share come from tracing the market's supply
in each solution (:mod:`cellchain.trace.exposure`). Jobs: world production of each product
in each solution times the median jobs per unit of capacity of sourced registry plants.
"""

from __future__ import annotations

from cellchain.optimize.network import PRODUCTS, STAGE_OF, UNITS
from cellchain.scenarios.apply import to_changes
from cellchain.scenarios.schema import Scenario


def requirement(recipe: dict, product: str) -> float:
    """Units of ``product`` needed per GWh of cells along the recipe."""
    if product == "cells":
        return 1.0
    total = 0.0
    for parent, inputs in recipe.items():
        if product in inputs:
            total += inputs[product] * requirement(recipe, parent)
    return total


def run(scenario: Scenario, source: str = "<scenario>", *, network=None, flow_model=None):
    """Compare the scenario with the baseline; returns (per-market table, summary dict)."""
    import pandas as pd

    from cellchain.chain.jobs import intensities
    from cellchain.optimize.network import build_network
    from cellchain.optimize.solve import FlowModel
    from cellchain.trace.exposure import exposure

    net = network or build_network(scenario.year)
    fm = flow_model or FlowModel(net)
    changes, _ = to_changes(scenario, net, source)
    base = fm.solve()
    scen = fm.solve(changes)
    demand_s = {m: changes.demand.get(m, net.demand[m]) for m in net.markets}
    jobs_per = intensities(net.year)
    rows = []
    for market in net.markets:
        if net.demand[market] <= 0 and demand_s[market] <= 0:
            continue
        served_b = net.demand[market] - base.unserved[market]
        served_s = demand_s[market] - scen.unserved[market]
        exp_b = exposure(market, net.year, net=net, solution=base, method="flow_model")
        exp_s = (exposure(market, net.year, net=net, solution=scen, method="flow_model")
                 if served_s > 1e-9 else None)
        for product in PRODUCTS:
            need = requirement(net.recipe, product)
            eb = exp_b[exp_b["product"] == product]
            es = exp_s[exp_s["product"] == product] if exp_s is not None else eb.iloc[0:0]
            rows.append({
                "market": market, "stage": STAGE_OF[product], "product": product,
                "unit": UNITS[product], "baseline_served": served_b * need,
                "scenario_served": served_s * need,
                "unserved_share": (1 - served_s / demand_s[market]) if demand_s[market] else 0.0,
                "hhi_baseline": float(eb["hhi"].iloc[0]) if len(eb) else None,
                "hhi_scenario": float(es["hhi"].iloc[0]) if len(es) else None,
                "covered_share_baseline": float(eb["covered_share"].iloc[0]) if len(eb) else None,
                "covered_share_scenario": float(es["covered_share"].iloc[0]) if len(es) else None,
                "top_supplier_baseline": eb["group"].iloc[0] if len(eb) else None,
                "top_supplier_scenario": es["group"].iloc[0] if len(es) else None,
            })
    jobs = []
    for product in PRODUCTS:
        unit = UNITS[product] + ("/yr" if product != "cells" else "/yr")
        key = (STAGE_OF[product], "GWh/yr" if product == "cells" else
               {"t LCE": "t/yr LCE", "t Ni": "t/yr Ni", "t Co": "t/yr Co"}.get(UNITS[product],
                                                                            "t/yr"))
        per = jobs_per.get(key, (None, 0))[0]
        made_b = base.flows[product].sum()
        made_s = scen.flows[product].sum()
        jobs.append({"product": product, "unit": unit, "production_baseline": made_b,
                     "production_scenario": made_s,
                     "jobs_change": None if per is None else (made_s - made_b) * per})
    capacity_lost = {p: float(net.capacity[p].sum()) - sum(
        v for (q, _), v in _scenario_capacity(changes, net).items() if q == p)
        for p in PRODUCTS}
    summary = {"scenario": scenario.name, "year": net.year, "status": scen.status.value,
               "explanation": scen.explanation, "jobs": jobs,
               "capacity_change": {p: -v for p, v in capacity_lost.items() if abs(v) > 1e-9},
               "bottlenecks": bottlenecks(net, changes, demand_s),
               "capacity_basis": net.capacity_basis}
    return pd.DataFrame(rows), summary


def _scenario_capacity(changes, net) -> dict[tuple[str, str], float]:
    out = {(p, c): float(net.capacity[p][i]) for p in PRODUCTS
           for i, c in enumerate(net.countries)}
    out.update(changes.capacity)
    return out


def bottlenecks(net, changes, demand) -> dict[str, list[dict]]:
    """For each market restricted by a policy: compliant capacity against what its demand
    needs, per product, tightest first (ratio < 1 means the policy cannot be met there)."""
    out = {}
    for market in sorted(changes.restricted_markets):
        rows = []
        for p in PRODUCTS:
            need = requirement(net.recipe, p) * demand[market]
            have = sum(v for (q, _), v in changes.compliant.items() if q == p)
            rows.append({"product": p, "unit": UNITS[p], "compliant_capacity": have,
                         "needed": need, "ratio": have / need if need else None})
        out[market] = sorted(rows, key=lambda r: (r["ratio"] is None, r["ratio"] or 0))
    return out
