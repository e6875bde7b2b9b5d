"""Apply a validated scenario to the network: a pure function from scenario to bound
changes, then baseline and scenario solves of one model and their comparison."""

from __future__ import annotations

import re

from cellchain.chain import model as registry
from cellchain.errors import InvalidInputError
from cellchain.optimize.network import PRODUCTS, STAGE_OF, UNITS, Network
from cellchain.optimize.solve import BoundChanges
from cellchain.scenarios.schema import Scenario

#: (stage, registry product) -> model product
PRODUCT_MAP = {
    ("mining", "lithium"): "mine_lithium", ("mining", "nickel"): "mine_nickel",
    ("mining", "cobalt"): "mine_cobalt", ("mining", "natural_graphite"): "mine_graphite",
    ("refining", "lithium_chemicals"): "lithium_chemicals",
    ("refining", "nickel"): "nickel_refined", ("refining", "nickel_sulfate"): "nickel_refined",
    ("refining", "cobalt"): "cobalt_refined", ("refining", "cobalt_sulfate"): "cobalt_refined",
    ("materials", "cathode"): "cathode", ("materials", "precursor"): "cathode",
    ("materials", "anode"): "anode", ("cells", "cells"): "cells",
}


def _err(source, path, message, hint):
    raise InvalidInputError(f"{source}: {path}: {message}", hint)


def model_products(stages, products, source, path) -> list[str]:
    """Model products selected by stage and/or product names (model or registry ids)."""
    chosen = [p for p in PRODUCTS if stages is None or STAGE_OF[p] in stages]
    if products:
        picked = []
        for name in products:
            matches = [p for p in chosen if p == name] + [
                m for (s, r), m in PRODUCT_MAP.items() if r == name and m in chosen]
            if not matches:
                _err(source, path, f"unknown product {name!r} for stages {stages or 'any'}",
                     f"use one of: {', '.join(sorted(set(chosen)))}")
            picked += matches
        chosen = sorted(set(picked), key=PRODUCTS.index)
    return chosen


def _scale(net: Network, product: str) -> float:
    m = re.match(r"scaled x([0-9.]+)", net.capacity_basis[product])
    return float(m.group(1)) if m else 1.0


def _facility_product(fac: dict) -> str | None:
    for product in (fac["products"] or "").split(";"):
        if (fac["stage"], product) in PRODUCT_MAP:
            return PRODUCT_MAP[(fac["stage"], product)]
    return None


def _check_country(code: str, source: str, path: str) -> str:
    from cellchain import countries

    try:
        return countries.resolve(code)
    except Exception as exc:
        _err(source, path, f"unknown country {code!r}", getattr(exc, "hint", "") or
             "use an ISO 3166 alpha-3 code")


def to_changes(scenario: Scenario, net: Network, source: str = "<scenario>"
               ) -> tuple[BoundChanges, dict[tuple[str, str], float]]:
    """Bound changes for the scenario, and the scenario's capacity by (product, country)."""
    from cellchain.chain.describe import held_share

    year = net.year
    cap = {(p, c): float(net.capacity[p][i]) for p in PRODUCTS
           for i, c in enumerate(net.countries)}
    demand = dict(net.demand)
    ch = BoundChanges()
    g = registry.graph()
    new_ids: set[str] = set()
    for i, (kind, s) in enumerate(scenario.shocks):
        path = f"shocks[{i}].{kind}"
        if kind == "export_ban":
            origin = _check_country(s.from_, source, f"{path}.from")
            products = model_products(s.stages, s.products, source, f"{path}.products")
            targets = s.to or [c for c in net.countries if c != origin]
            for j, t in enumerate(targets):
                dest = t if t in net.markets else _check_country(t, source, f"{path}.to[{j}]")
                for p in products:
                    if origin in net.countries and (dest in net.markets
                                                     or dest in net.countries):
                        ch.blocked.append((p, origin, dest))
        elif kind == "outage" and not s.facility:
            if not s.country or not s.stage:
                _err(source, path, "give a facility, or a country and a stage",
                     "e.g. {country: IDN, stage: refining, product: nickel_refined}")
            country = _check_country(s.country, source, f"{path}.country")
            for p in model_products([s.stage], [s.product] if s.product else None, source,
                                    f"{path}.product"):
                if (p, country) in cap:
                    cap[(p, country)] *= 1.0 - s.fraction
        elif kind in ("sanction", "outage"):
            cuts = _cuts(kind, s, year, g, source, path, held_share)
            for (p, country), amount in cuts.items():
                if (p, country) in cap:
                    cap[(p, country)] = max(0.0, cap[(p, country)] - amount * _scale(net, p))
        elif kind == "new_facility":
            if s.id in g.facilities or s.id in g.entities or s.id in new_ids:
                _err(source, f"{path}.id", f"id {s.id!r} is already used",
                     "give the new facility an id no registry row or earlier shock uses")
            new_ids.add(s.id)
            country = _check_country(s.country, source, f"{path}.country")
            if s.operator not in g.entities:
                _err(source, f"{path}.operator", f"unknown entity {s.operator!r}",
                     "use an entity id from registry/entities.csv")
            products = model_products([s.stage], s.products, source, f"{path}.products")
            p = products[0]
            if s.unit.replace("/yr", "") != UNITS[p] and not (p == "cells" and s.unit == "GWh/yr"):
                _err(source, f"{path}.unit", f"unit {s.unit!r} does not fit {p}",
                     f"give the capacity in {UNITS[p]}/yr")
            if country not in net.countries:
                _err(source, f"{path}.country",
                     f"{country} is not in the model's country list", "rebuild with it")
            if s.status == "operating":
                cap[(p, country)] = cap.get((p, country), 0.0) + s.capacity
        elif kind == "capacity_change":
            country = _check_country(s.country, source, f"{path}.country")
            for p in model_products([s.stage], [s.product] if s.product else None, source,
                                    f"{path}.product"):
                if (p, country) in cap:
                    cap[(p, country)] *= s.factor
        elif kind == "demand_change":
            market = {"EU": "EU27"}.get(s.market, s.market)
            if market not in demand:
                _err(source, f"{path}.market", f"unknown market {s.market!r}",
                     f"use one of: {', '.join(demand)}")
            demand[market] *= s.factor
    ch.capacity = {k: v for k, v in cap.items()
                   if v != float(net.capacity[k[0]][net.index(k[1])])}
    ch.demand = {m: v for m, v in demand.items() if v != net.demand[m]}
    _apply_policies(scenario, net, cap, ch, source)
    return ch, cap


def _cuts(kind, s, year, g, source, path, held_share) -> dict[tuple[str, str], float]:
    """Capacity lost by product and country [model units] for a sanction or outage."""
    cuts: dict[tuple[str, str], float] = {}

    def add(fid: str, fraction: float):
        fac = g.facilities[fid]
        p = _facility_product(fac)
        capacity = registry.capacity_as_of(fid, year)
        if p is None or capacity is None or registry.status_as_of(fid, year) != "operating":
            return
        key = (p, fac["country"])
        cuts[key] = cuts.get(key, 0.0) + capacity.value * fraction

    if kind == "sanction":
        if s.entity not in g.entities:
            _err(source, f"{path}.entity", f"unknown entity {s.entity!r}",
                 "use an entity id from registry/entities.csv")
        for fid in g.facilities:
            held = held_share(g, s.entity, fid, year)
            if held > 0:
                add(fid, (1.0 if held >= 0.5 else held) * s.share)
    else:
        if s.facility not in g.facilities:
            _err(source, f"{path}.facility", f"unknown facility {s.facility!r}",
                 "use a facility id from registry/facilities.csv")
        add(s.facility, s.fraction)
    return cuts


def _apply_policies(scenario: Scenario, net: Network, cap, ch: BoundChanges, source: str):
    """Compliance tiers: open tier-1 capacity where it complies; restrict the markets."""
    if not scenario.policy:
        return
    compliant: dict[tuple[str, str], float] = {}
    for i, (kind, p) in enumerate(scenario.policy):
        path = f"policy[{i}].{kind}"
        market = {"EU": "EU27"}.get(p.market, p.market)
        if market not in net.markets:
            _err(source, f"{path}.market", f"unknown market {p.market!r}",
                 f"use one of: {', '.join(net.markets)}")
        ch.restricted_markets.add(market)
        if kind == "bloc_only":
            blocs = registry.bloc_ids()
            if p.bloc not in blocs:
                _err(source, f"{path}.bloc", f"unknown bloc {p.bloc!r}",
                     f"use one of: {', '.join(blocs)}")
            allowed = {c for c in net.countries if p.bloc in registry.blocs_of(c, net.year)}
            allowed |= set(net.markets[market])
            share = {(prod, c): (1.0 if c in allowed else 0.0)
                     for prod in PRODUCTS for c in net.countries}
        else:
            share = non_covered_share(net)
        for key, frac in share.items():
            value = cap.get(key, 0.0) * frac
            compliant[key] = min(compliant.get(key, value), value)
    ch.compliant = compliant


def non_covered_share(net: Network) -> dict[tuple[str, str], float]:
    """Fraction of each (product, country) capacity not controlled by a covered nation.

    Capacity located in a covered nation (China, Russia, Iran, North Korea) counts as
    covered (DOE's jurisdiction test); elsewhere, named plants controlled by a covered
    government (equity test, 25 %) or held 25 % or more by entities incorporated in a
    covered nation count as covered, the rest of the country's capacity as not covered.
    """
    from cellchain.chain import shares
    from cellchain.chain.ownership import COVERED_NATIONS
    from cellchain.optimize.network import REGISTRY_SOURCES

    g = registry.graph()
    out = {}
    for p in PRODUCTS:
        covered_cap: dict[str, float] = {}
        if p in REGISTRY_SOURCES:
            stage, reg_product, unit = REGISTRY_SOURCES[p]
            reg_product = reg_product or ("nickel" if p == "nickel_refined" else "cobalt")
            for fac, capacity in shares.facility_capacities(stage, net.year, ("operating",),
                                                            reg_product):
                if capacity.unit != unit:
                    continue
                gov, _, _ = g.controlled_by(fac["id"], net.year)
                foreign = sum(u.share for u in g.ultimate(fac["id"], net.year)
                              if u.country in COVERED_NATIONS)
                if gov or foreign >= 0.25:
                    covered_cap[fac["country"]] = covered_cap.get(fac["country"], 0.0) + \
                        capacity.value * _scale(net, p)
        for i, c in enumerate(net.countries):
            total = float(net.capacity[p][i])
            if c in COVERED_NATIONS:
                out[(p, c)] = 0.0
            elif total > 0:
                out[(p, c)] = max(0.0, 1.0 - covered_cap.get(c, 0.0) / total)
            else:
                out[(p, c)] = 1.0
    return out


__all__ = ["model_products", "non_covered_share", "to_changes"]
