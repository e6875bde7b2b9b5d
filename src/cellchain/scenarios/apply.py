"""Apply a validated scenario to the network: a pure function from scenario to the
re-routing programme's changes and the scenario's plant table.

Cuts act on plants (the network's plant table, in model units with the battery chain's
share applied): an outage or sanction removes the plants' own capacity, never a
country's whole product; a new plant's capacity is converted from the unit it is given in
(``t/yr LiOH``, ``GWh/yr``, ...) and refused when the unit cannot measure its product.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cellchain.chain import model as registry
from cellchain.errors import InvalidInputError
from cellchain.network import products
from cellchain.network.network import Network, plant_rows
from cellchain.network.products import PRODUCTS, STAGE_OF, UNITS
from cellchain.optimize.reroute import Changes
from cellchain.scenarios.schema import Scenario

#: Share of a plant's equity held by covered-nation entities from which it counts as a
#: covered entity (DOE 89 FR 37079, sec. III.E: 25 % of equity, voting rights or board
#: seats).
COVERED_THRESHOLD = 0.25


@dataclass
class Applied:
    """A scenario applied to a network: the changes, the scenario's capacity by
    (product, country) [model unit/yr] and its plant table."""

    changes: Changes
    capacity: dict[tuple[str, str], float]
    plants: object


def _err(source, path, message, hint):
    raise InvalidInputError(f"{source}: {path}: {message}", hint)


def model_products(stages, names, source, path) -> list[str]:
    """Model products selected by stage and/or product names (model or registry ids)."""
    try:
        return products.select(stages, names)
    except KeyError as exc:
        chosen = products.select(stages)
        _err(source, path, f"unknown product {exc.args[0]!r} for stages {stages or 'any'}",
             f"use one of: {', '.join(chosen)}")


def _scale(plants, selected, factor: float) -> None:
    """Multiply the selected plants' capacity and nameplate by ``factor`` [-], in place."""
    plants.loc[selected, ["capacity", "nameplate"]] *= factor


def _check_country(code: str, source: str, path: str) -> str:
    from cellchain import countries

    try:
        return countries.resolve(code)
    except Exception as exc:
        _err(source, path, f"unknown country {code!r}", getattr(exc, "hint", "") or
             "use an ISO 3166 alpha-3 code")


def apply(scenario: Scenario, net: Network, source: str = "<scenario>") -> Applied:
    """The scenario's changes to the baseline and its plant table."""
    from cellchain.chain.describe import held_share

    year = net.year
    plants = net.plants.copy()
    demand = dict(net.demand)
    ch = Changes()
    g = registry.graph()
    new_ids: set[str] = set()
    for i, (kind, s) in enumerate(scenario.shocks):
        path = f"shocks[{i}].{kind}"
        if kind == "export_ban":
            origin = _check_country(s.from_, source, f"{path}.from")
            chosen = model_products(s.stages, s.products, source, f"{path}.products")
            targets = s.to or [c for c in net.countries if c != origin]
            for j, t in enumerate(targets):
                dest = t if t in net.markets else _check_country(t, source, f"{path}.to[{j}]")
                for p in chosen:
                    if net.has(origin) and (dest in net.markets or net.has(dest)):
                        ch.blocked.append((p, origin, dest))
        elif kind == "outage" and not s.facility:
            if not s.country or not s.stage:
                _err(source, path, "give a facility, or a country and a stage",
                     "e.g. {country: IDN, stage: refining, product: nickel_refined}")
            country = _check_country(s.country, source, f"{path}.country")
            chosen = model_products([s.stage], [s.product] if s.product else None, source,
                                    f"{path}.product")
            sel = (plants["country"] == country) & plants["product"].isin(chosen)
            _scale(plants, sel, 1.0 - s.fraction)
        elif kind == "outage":
            if s.facility not in g.facilities:
                _err(source, f"{path}.facility", f"unknown facility {s.facility!r}",
                     "use a facility id from registry/facilities.csv")
            sel = plants["facility"] == s.facility
            _scale(plants, sel, 1.0 - s.fraction)
        elif kind == "sanction":
            if s.entity not in g.entities:
                _err(source, f"{path}.entity", f"unknown entity {s.entity!r}",
                     "use an entity id from registry/entities.csv")
            memo: dict = {}
            held = np.array([held_share(g, s.entity, f, year, memo) if k == "plant" else 0.0
                             for f, k in plant_rows(plants, "facility", "kind")])
            cut = np.where(held >= 0.5, 1.0, held) * s.share
            plants["capacity"] = plants["capacity"] * (1.0 - cut)
            plants["nameplate"] = plants["nameplate"] * (1.0 - cut)
        elif kind == "new_facility":
            if s.id in g.facilities or s.id in g.entities or s.id in new_ids:
                _err(source, f"{path}.id", f"id {s.id!r} is already used",
                     "give the new facility an id no registry row or earlier shock uses")
            new_ids.add(s.id)
            plants = _new_plant(s, net, plants, g, source, path)
        elif kind == "capacity_change":
            country = _check_country(s.country, source, f"{path}.country")
            chosen = model_products([s.stage], [s.product] if s.product else None, source,
                                    f"{path}.product")
            sel = (plants["country"] == country) & plants["product"].isin(chosen)
            _scale(plants, sel, s.factor)
        elif kind == "demand_change":
            market = {"EU": "EU27"}.get(s.market, s.market)
            if market not in demand:
                _err(source, f"{path}.market", f"unknown market {s.market!r}",
                     f"use one of: {', '.join(demand)}")
            demand[market] *= s.factor
    cap = capacity_by_country(net, plants)
    for (p, c), v in cap.items():
        if abs(v - float(net.capacity[p][net.index(c)])) > 1e-9 * max(1.0, v):
            ch.capacity[(p, c)] = v
    ch.demand = {m: v for m, v in demand.items() if v != net.demand[m]}
    _apply_policies(scenario, net, plants, cap, ch, source)
    return Applied(ch, cap, plants)


def to_changes(scenario: Scenario, net: Network, source: str = "<scenario>"):
    """(changes, scenario capacity by (product, country)); see :func:`apply`."""
    applied = apply(scenario, net, source)
    return applied.changes, applied.capacity


def capacity_by_country(net: Network, plants) -> dict[tuple[str, str], float]:
    """Battery-chain capacity by (product, country) of a plant table [model unit/yr]; the
    baseline's own capacity where the plant table has no rows (a country's capacity is
    never below its baseline output unless its plants were cut)."""
    base_rows = net.plants.groupby(["product", "country"])["capacity"].sum()
    now_rows = plants.groupby(["product", "country"])["capacity"].sum()
    out = {}
    for p in PRODUCTS:
        for i, c in enumerate(net.countries):
            base = float(net.capacity[p][i])
            was = float(base_rows.get((p, c), 0.0))
            now = float(now_rows.get((p, c), 0.0))
            out[(p, c)] = max(0.0, base + (now - was))
    return out


def _new_plant(s, net: Network, plants, g, source: str, path: str):
    import pandas as pd

    country = _check_country(s.country, source, f"{path}.country")
    if s.operator not in g.entities:
        _err(source, f"{path}.operator", f"unknown entity {s.operator!r}",
             "use an entity id from registry/entities.csv")
    chosen = model_products([s.stage], s.products, source, f"{path}.products")
    p = chosen[0]
    try:
        nameplate = products.to_model_unit(p, s.capacity, s.unit)
    except ValueError:
        _err(source, f"{path}.unit", f"unit {s.unit!r} does not measure {p}",
             f"give the capacity in {UNITS[p]}/yr or a registry unit that converts to it")
    if not net.has(country):
        _err(source, f"{path}.country", f"{country} is not in the network's country list",
             "choose a country the registry or the bundle knows")
    if s.status != "operating":
        return plants
    owners: dict[str, float] = {}
    for u in g.ultimate(s.operator, net.year):
        owners[u.country] = owners.get(u.country, 0.0) + u.share
    if not owners:
        owners = {g.entities[s.operator]["country"]: 1.0}
    state = g.state_share(s.operator, net.year)
    if g.entities[s.operator]["kind"] == "state":
        state = {g.entities[s.operator]["country"]: 1.0}
    scale = 1.0 if STAGE_OF[p] == "mining" else net.chain_share[p]
    row = {"facility": s.id, "kind": "plant", "stage": STAGE_OF[p], "product": p,
           "country": country, "nameplate": nameplate, "capacity": nameplate * scale,
           "output": 0.0, "unit": f"{UNITS[p]}/yr", "owners": tuple(sorted(owners.items())),
           "state": tuple(sorted(state.items()))}
    return pd.concat([plants, pd.DataFrame([row])], ignore_index=True)


def _apply_policies(scenario: Scenario, net: Network, plants, cap, ch: Changes,
                    source: str) -> None:
    """Compliance tiers: tier-1 capacity where it complies; restrict the markets."""
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
            share = {(q, c): (1.0 if c in allowed else 0.0)
                     for q in PRODUCTS for c in net.countries}
        else:
            share = non_covered_share(net, plants, unknown_owners=p.unknown_owners)
        for key, frac in share.items():
            value = cap.get(key, 0.0) * frac
            compliant[key] = min(compliant.get(key, value), value)
    ch.compliant = {k: v for k, v in compliant.items() if v > 0}


def plant_is_covered(owners, state, country: str, covered=None) -> bool:
    """A plant is a covered entity when it sits in a covered nation, when a covered
    nation's state holds 25 % or more of it, or when entities based in covered nations
    (companies included: they are subject to that nation's jurisdiction) hold 25 % or more
    of it through the ownership chain."""
    from cellchain.chain.ownership import COVERED_NATIONS

    covered = covered or COVERED_NATIONS
    if country in covered:
        return True
    if sum(s for k, s in state if k in covered) >= COVERED_THRESHOLD - 1e-12:
        return True
    return sum(s for k, s in owners if k in covered) >= COVERED_THRESHOLD - 1e-12


def non_covered_share(net: Network, plants=None, unknown_owners: str = "location"
                      ) -> dict[tuple[str, str], float]:
    """Fraction of each (product, country) capacity that is not a covered entity
    (:func:`plant_is_covered`). Mines count by location; so do country remainders (cited
    country capacity beyond the named plants, owners unknown), unless ``unknown_owners``
    is ``"covered"``, which counts them as covered (the strict reading)."""
    plants = net.plants if plants is None else plants
    covered_cap: dict[tuple[str, str], float] = {}
    total: dict[tuple[str, str], float] = {}
    strict = unknown_owners == "covered"
    for p, c, capacity, owners, state, kind in plant_rows(
            plants, "product", "country", "capacity", "owners", "state", "kind"):
        total[(p, c)] = total.get((p, c), 0.0) + capacity
        if (strict and kind == "country_total") or plant_is_covered(owners, state, c):
            covered_cap[(p, c)] = covered_cap.get((p, c), 0.0) + capacity
    out = {}
    for p in PRODUCTS:
        for c in net.countries:
            t = total.get((p, c), 0.0)
            out[(p, c)] = 1.0 - covered_cap.get((p, c), 0.0) / t if t > 0 else 1.0
    return out


__all__ = ["Applied", "apply", "model_products", "non_covered_share", "to_changes"]
