"""Run a scenario: the baseline and the re-routed flows of one network, compared in the
sections the question needs (DESIGN.md section 8).

Every row has a ``section``:

``supply``
    per market, stage and product: ``baseline_served`` and ``scenario_served`` (at the
    cell stage the market's demand met [GWh]; upstream what that needs of the product
    along the recipe [product unit]), ``unserved_share`` of the scenario's demand, ``hhi``
    and ``covered_share`` before and after (tracing the market's supply through each set
    of flows) and the ``top_suppliers`` before and after;
``capacity``
    per stage and product, ``by`` location, owner or state: ``group``,
    ``baseline_capacity``, ``scenario_capacity`` [nameplate, product unit/yr],
    ``baseline_share``, ``scenario_share``; for ``by="state"`` the groups are states
    (look-through equity of state entities) and ``private``;
``jobs``
    per country and stage: ``jobs_baseline``, ``jobs_scenario``, ``capex_baseline_musd``,
    ``capex_scenario_musd`` (a plant's own figure, else the registry's median per unit of
    capacity, scaled with the plant's capacity) and ``jobs_basis`` (``reported``, or how
    many plants are ``estimated`` and from what). In a projected year the plants are the
    year's pipeline plants at their expected capacity: a plant's own figures are weighted
    by its expected / announced capacity, and a plant without one takes a sourced
    regional intensity (``pipeline/intensities.csv``, e.g. the JRC's 140 direct jobs per
    GWh/yr for EU cell plants) before the registry's median;
``bottleneck``
    per policy and market, per stage and product: ``compliant_supply`` (compliant
    capacity, wherever it is) against ``needed`` (what the market's demand needs),
    ``served_share`` (their ratio, at most one) and, in ``text``, the tightest stage in
    words.
"""

from __future__ import annotations

import numpy as np

from cellchain.network.network import plant_rows
from cellchain.network.products import PRODUCTS, STAGE_OF, UNITS
from cellchain.scenarios.schema import Scenario

SECTIONS = ("supply", "capacity", "jobs", "bottleneck")
COLUMNS = ["section", "market", "policy", "stage", "product", "unit", "by", "group",
           "country", "baseline_served", "scenario_served", "unserved_share",
           "hhi_baseline", "hhi_scenario", "covered_share_baseline",
           "covered_share_scenario", "top_suppliers_baseline", "top_suppliers_scenario",
           "baseline_capacity", "scenario_capacity", "baseline_share", "scenario_share",
           "jobs_baseline", "jobs_scenario", "capex_baseline_musd", "capex_scenario_musd",
           "jobs_basis", "compliant_supply", "needed", "served_share", "text"]


def requirement(recipe: dict, product: str) -> float:
    """Units of ``product`` needed per GWh of cells along the recipe."""
    if product == "cells":
        return 1.0
    return sum(inputs[product] * requirement(recipe, parent)
               for parent, inputs in recipe.items() if product in inputs)


def scenario_network(scenario: Scenario):
    """The network a scenario runs on: its year's, on its capacity basis and demand
    projection (defaults: :func:`cellchain.network.build.build_network`'s)."""
    from cellchain.network.build import build_network

    return build_network(scenario.year, scenario.capacity,
                         demand=scenario.demand.projection if scenario.demand else None)


def run(scenario: Scenario, source: str = "<scenario>", *, network=None, baseline=None,
        reroute=None):
    """Compare the scenario with the baseline; returns (rows with a ``section``, summary).

    The summary holds ``status``, ``explanation``, ``method`` (least squares, or least
    absolute change, with the reason, should the QP stop short), ``year`` and the largest
    moves.
    """
    import pandas as pd

    from cellchain.network import baseline as baseline_mod
    from cellchain.network import checks
    from cellchain.network.projection import year_is_projected
    from cellchain.optimize.reroute import Reroute
    from cellchain.scenarios.apply import apply

    net = network or scenario_network(scenario)
    base = baseline or baseline_mod.build(net)
    rr = reroute or Reroute(net, base)
    applied = apply(scenario, net, source)
    sol = rr.solve(applied.changes)
    demand = {m: applied.changes.demand.get(m, net.demand[m]) for m in net.markets}
    if sol.status.value == "optimal":
        out = {p: sol.flows[p].sum(axis=1) for p in PRODUCTS}
        use = {p: (sol.flows[p].sum(axis=0) if p == "cells" else net.use(p, out))
               for p in PRODUCTS}
        checks.mass_balance(sol.flows, out, use)
    rows = supply_rows(net, base, sol, demand, applied.changes.restricted_markets)
    rows += capacity_rows(net.plants, applied.plants)
    rows += jobs_rows(net, applied.plants, scenario)
    rows += bottleneck_rows(net, applied, scenario, sol, demand)
    df = pd.DataFrame(rows, columns=COLUMNS)
    summary = {"scenario": scenario.name, "description": scenario.description,
               "year": net.year, "status": sol.status.value, "explanation": sol.explanation,
               "method": sol.method, "capacity_basis": net.basis,
               "projected": year_is_projected(net.year),
               "sources": dict(net.sources), "largest_moves": largest_moves(df)}
    return df, summary


def _top(groups: dict[str, float], n: int = 3) -> str:
    return ", ".join(f"{g} {100 * s:.0f} %" for g, s in
                     sorted(groups.items(), key=lambda x: (-x[1], x[0]))[:n] if s >= 0.005)


def supply_rows(net, base, sol, demand, restricted=frozenset()) -> list[dict]:
    from cellchain.trace.exposure import covered_nations, group_shares, trace

    covered = covered_nations(net.year)
    rows = []
    for market in net.markets:
        if net.demand[market] <= 0 and demand[market] <= 0:
            continue
        served_b = net.demand[market]
        served_s = demand[market] - sol.unserved[market]
        vb = trace(net, base.flows, market)
        # a market restricted by a policy buys tier-1 goods: trace the compliant flows
        flows = sol.compliant if market in restricted else sol.flows
        vs = trace(net, flows, market) if served_s > 1e-9 else None
        for p in PRODUCTS:
            need = requirement(net.recipe, p)
            gb = group_shares(net, p, vb[p], "location")
            gs = group_shares(net, p, vs[p], "location") if vs is not None else {}
            rows.append({
                "section": "supply", "market": market, "stage": STAGE_OF[p], "product": p,
                "unit": UNITS[p], "baseline_served": served_b * need,
                "scenario_served": served_s * need,
                "unserved_share": 1 - served_s / demand[market] if demand[market] else 0.0,
                "hhi_baseline": _hhi(gb), "hhi_scenario": _hhi(gs) if gs else None,
                "covered_share_baseline": sum(s for k, s in gb.items() if k in covered),
                "covered_share_scenario": (sum(s for k, s in gs.items() if k in covered)
                                           if gs else None),
                "top_suppliers_baseline": _top(gb), "top_suppliers_scenario": _top(gs)})
    return rows


def _hhi(groups: dict[str, float]) -> float:
    return float(sum((100 * s) ** 2 for s in groups.values()))


def _groups(plants, by: str) -> dict[tuple[str, str], dict[str, float]]:
    """Nameplate capacity by (product, group) for a plant table."""
    out: dict[tuple[str, str], dict[str, float]] = {}
    for p, c, cap, owners, state in plant_rows(plants, "product", "country", "nameplate",
                                               "owners", "state"):
        if by == "location":
            parts = {c: 1.0}
        elif by == "owner":
            parts = dict(owners) or {c: 1.0}
            rest = 1.0 - sum(parts.values())
            if rest > 1e-12:
                parts[c] = parts.get(c, 0.0) + rest
        else:
            parts = dict(state)
            rest = 1.0 - sum(parts.values())
            if rest > 1e-12:
                parts["private"] = parts.get("private", 0.0) + rest
        slot = out.setdefault(p, {})
        for g, w in parts.items():
            slot[g] = slot.get(g, 0.0) + cap * w
    return out


def capacity_rows(before, after) -> list[dict]:
    rows = []
    for by in ("location", "owner", "state"):
        gb, ga = _groups(before, by), _groups(after, by)
        for p in PRODUCTS:
            b, a = gb.get(p, {}), ga.get(p, {})
            tb, ta = sum(b.values()), sum(a.values())
            for g in sorted(set(b) | set(a)):
                rows.append({"section": "capacity", "stage": STAGE_OF[p], "product": p,
                             "unit": f"{UNITS[p]}/yr", "by": by, "group": g,
                             "baseline_capacity": b.get(g, 0.0),
                             "scenario_capacity": a.get(g, 0.0),
                             "baseline_share": b.get(g, 0.0) / tb if tb else 0.0,
                             "scenario_share": a.get(g, 0.0) / ta if ta else 0.0})
    return rows


def _intensity(values: list[float]) -> float | None:
    return float(np.median(values)) if values else None


def _pipeline_share(year: int, basis: str) -> dict[str, float]:
    """Per plant of a projected year: its capacity on the network's basis / its announced
    capacity [0-1] (the weight its own jobs and capex figures take)."""
    from cellchain.pipeline.capacity import plant_capacity

    if basis == "reported":
        return {}
    on_basis, announced = plant_capacity(basis=basis), plant_capacity(basis="announced")
    out = {}
    from cellchain.chain import model

    for fid in model.facilities():
        a = announced(fid, year)
        b = on_basis(fid, year)
        if a and b:
            out[fid] = b[0] / a[0]
    return out


def jobs_rows(net, plants, scenario) -> list[dict]:
    """Jobs and capex per country and stage, before and after, with their basis."""
    from cellchain.chain import model
    from cellchain.network.projection import year_is_projected
    from cellchain.pipeline.jobs import regional_intensity

    facs = model.facilities()
    projected = year_is_projected(net.year)
    weight = _pipeline_share(net.year, net.basis) if projected else {}
    jobs_per: dict[str, list[float]] = {}
    capex_per: dict[str, list[float]] = {}
    base = net.plants
    for f, p, cap in plant_rows(base, "facility", "product", "nameplate"):
        fac = facs.get(f)
        if fac is None or cap <= 0:
            continue
        full = cap / weight.get(f, 1.0)  # the plant's capacity as announced
        if fac.get("jobs"):
            jobs_per.setdefault(p, []).append(fac["jobs"] / full)
        if fac.get("capex_musd"):
            capex_per.setdefault(p, []).append(fac["capex_musd"] / full)
    new_jobs = {s.id: s.jobs for kind, s in scenario.shocks if kind == "new_facility"}
    jobs_per = {p: _intensity(v) for p, v in jobs_per.items()}
    capex_per = {p: _intensity(v) for p, v in capex_per.items()}

    def per_plant(table):
        out: dict[tuple[str, str], list] = {}
        for f, p, c, cap in plant_rows(table, "facility", "product", "country", "nameplate"):
            fac = facs.get(f) or {}
            was = base_cap.get(f)
            ratio = (cap / was if was else 1.0) * weight.get(f, 1.0)
            own = fac.get("jobs") or new_jobs.get(f)
            regional = regional_intensity(p, c, net.year) if projected and not own else None
            if own:
                j, how = own * (ratio if f in facs else 1.0), "reported"
            elif regional is not None:
                j = cap * regional["central"]
                how = (f"estimated: {regional['central']:g} {regional['unit']} "
                       f"({regional['source_url']})")
            elif jobs_per.get(p) is not None:
                j, how = cap * jobs_per[p], "estimated: registry median per unit"
            else:
                j, how = None, None
            k = (fac["capex_musd"] * ratio if fac.get("capex_musd") else
                 cap * capex_per[p] if capex_per.get(p) is not None else None)
            slot = out.setdefault((c, STAGE_OF[p]), [0.0, 0.0, False, False, {}])
            if j is not None:
                slot[0] += j
                slot[2] = True
                slot[4][how] = slot[4].get(how, 0) + 1
            if k is not None:
                slot[1] += k
                slot[3] = True
        return out

    base_cap = {f: cap for f, cap in plant_rows(base, "facility", "nameplate") if f}
    b, a = per_plant(base), per_plant(plants)
    rows = []
    for key in sorted(set(b) | set(a)):
        vb = b.get(key, [0, 0, False, False, {}])
        va = a.get(key, [0, 0, False, False, {}])
        if not (vb[2] or va[2] or vb[3] or va[3]):
            continue
        rows.append({"section": "jobs", "country": key[0], "stage": key[1],
                     "jobs_baseline": vb[0] if vb[2] else None,
                     "jobs_scenario": va[0] if va[2] else None,
                     "capex_baseline_musd": vb[1] if vb[3] else None,
                     "capex_scenario_musd": va[1] if va[3] else None,
                     "jobs_basis": _basis_text(va[4] or vb[4], projected)})
    return rows


def _basis_text(counts: dict[str, int], projected: bool) -> str | None:
    """``reported``, or the plants by basis: ``reported 2; estimated: ... 3``; in a
    projected year, prefixed with the capacity weighting."""
    if not counts:
        return None
    if set(counts) == {"reported"}:
        text = "reported"
    else:
        text = "; ".join(f"{how} ({n} plant{'s' if n > 1 else ''})"
                         for how, n in sorted(counts.items()))
    return ("expected (pipeline-weighted) capacity; " + text) if projected else text


def bottleneck_rows(net, applied, scenario, sol, demand) -> list[dict]:
    """Per policy: compliant capacity against the market's need, stage by stage."""
    rows = []
    for kind, rule in scenario.policy:
        market = {"EU": "EU27"}.get(rule.market, rule.market)
        label = kind + (f" {rule.bloc}" if kind == "bloc_only" else "")
        stage_rows = []
        for p in PRODUCTS:
            need = requirement(net.recipe, p) * demand[market]
            have = sum(v for (q, _), v in applied.changes.compliant.items() if q == p)
            share = min(1.0, have / need) if need else None
            stage_rows.append({"section": "bottleneck", "market": market, "policy": label,
                               "stage": STAGE_OF[p], "product": p, "unit": UNITS[p],
                               "compliant_supply": have, "needed": need,
                               "served_share": share})
        tight = min((r for r in stage_rows if r["served_share"] is not None),
                    key=lambda r: r["served_share"], default=None)
        served = 1 - sol.unserved[market] / demand[market] if demand[market] else 1.0
        if tight is not None:
            text = (f"Under {label}, {market} can be served {100 * served:.0f} % of its "
                    f"{demand[market]:,.0f} GWh after re-routing. The tightest stage is "
                    f"{tight['stage']} ({tight['product']}): compliant capacity of "
                    f"{tight['compliant_supply']:,.0f} {tight['unit']} against "
                    f"{tight['needed']:,.0f} {tight['unit']} needed "
                    f"({100 * tight['served_share']:.0f} %).")
            for r in stage_rows:
                r["text"] = text if r is tight else None
        rows += stage_rows
    return rows


def _pct(x: float) -> str:
    """A share as a percentage, with two decimals below 1 %."""
    return f"{100 * x:.1f} %" if x >= 0.01 or x == 0 else f"{100 * x:.2f} %"


def largest_moves(df, n: int = 12) -> list[dict]:
    """The rows that changed most: supply rows by change of served quantity or covered
    share, capacity rows by change of share [fraction points]."""
    from cellchain.trace.exposure import PRIVATE, PRIVATE_LABEL

    moves = []
    for r in df.to_dict("records"):
        if r["section"] == "supply":
            served = r["baseline_served"] or 0.0
            d1 = abs((r["scenario_served"] or 0.0) - served) / served if served else 0.0
            cov = r["covered_share_scenario"]
            d2 = (0.0 if cov is None or cov != cov else
                  abs(cov - (r["covered_share_baseline"] or 0.0)))
            after = r["covered_share_scenario"]
            after = "-" if after is None or after != after else f"{100 * after:.0f} %"
            size, what = max(d1, d2), (
                f"{r['market']} {r['product']}: served {served:,.0f} -> "
                f"{r['scenario_served'] or 0:,.0f} {r['unit']}; covered share "
                f"{100 * (r['covered_share_baseline'] or 0):.0f} % -> {after}; top "
                f"{r['top_suppliers_scenario'] or 'none'}")
        elif r["section"] == "capacity":
            size = abs(r["scenario_share"] - r["baseline_share"])
            group = PRIVATE_LABEL if r["group"] == PRIVATE else r["group"]
            what = (f"{r['product']} capacity by {r['by']}, {group}: "
                    f"{_pct(r['baseline_share'])} -> {_pct(r['scenario_share'])}")
        else:
            continue
        if size > 1e-4:
            moves.append({"size": size, "move": what})
    moves.sort(key=lambda m: (-m["size"], m["move"]))
    return moves[:n]
