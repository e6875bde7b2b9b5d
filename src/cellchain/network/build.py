"""Build the supply network of a year from the warehouse (registry + bundle).

For each model product (see :mod:`cellchain.network.products`):

1. **Plants.** Registry plants counted in the year (status operating on 31 December, a
   nameplate or planned capacity by then), each mapped to one model product by its
   capacity unit; cited country capacity beyond the named plants is one ``country_total``
   row per country (owners unknown: they stay with the country). Mined products are one
   ``mine_output`` row per country from World Mining Data (production stands in for
   capacity; the latest year of the bundle stands in for later years).
2. **Production estimate** per country: cited production of the year (or a cited share
   of cited world production), else capacity x utilisation. The utilisation is derived
   from the countries that have both cited production and capacity (their production /
   their capacity), else from the world's use / the world's capacity.
3. **Battery-chain share.** The network carries only the battery chain: each product's
   world use (cell demand, or downstream output x the recipe) divided by the world
   production estimate gives ``chain_share``; output and capacity are the estimates and
   capacities times it, so world output equals world use (mass balance) and every country
   keeps its share of production. A share above one says the registry's capacity is short
   of the use and was scaled up.

``basis`` is the capacity basis: ``reported`` (registry capacities as of the year), or a
pipeline basis (:mod:`cellchain.pipeline.capacity`): ``expected`` (probability- and
delay-weighted, per plant), ``low`` (operating plus under construction or committed) or
``announced``. A pipeline basis counts every registry plant the pipeline gives a capacity
in the year, whatever its status then. A caller can pass its own capacities by plant with
``plant_capacity``.

**Years after the as-of year** (:data:`cellchain.nomenclature.AS_OF`) to the flow model's
last year (2027 to 2030, :func:`cellchain.years.model_span`) are projections: the capacity
basis defaults to ``expected`` and cell demand by market is a named projection
(:func:`cellchain.pipeline.demand.market_demand`, default the IEA GEVO 2025 STEPS). What
stays observed is carried from the latest observed year: mine output (World Mining Data's
latest year, scaled to the chain's use like any year), cited country totals (the latest
figure by then), ownership (as last recorded) and the trade pattern (BACI's latest year
seeds the baseline's bilateral step; the registry's cited flows are for the year they
cite, so none apply to a projected year and the rest is pooled). The
network's ``sources`` say so under ``capacity basis``, ``demand projection``, ``trade
pattern`` and ``mine output`` (:mod:`cellchain.network.projection`). Years up to the as-of
year are built exactly as before.
"""

from __future__ import annotations

import numpy as np

from cellchain.network.network import MARKETS, PLANT_COLUMNS, Network, plant_rows
from cellchain.network.products import (
    MINE_SOURCES,
    PRODUCTS,
    STAGE_OF,
    TOTALS_PRODUCT,
    UNITS,
    model_product,
    to_model_unit,
)
from cellchain.network.projection import (
    BASES,
    PIPELINE_BASES,
    capacity_scale,
    check_year,
    projection_sources,
    year_is_projected,
)

#: Downstream first: a product's use needs the output of what it goes into.
ORDER = ("cells", "cathode", "anode", "lithium_chemicals", "nickel_refined",
         "cobalt_refined", "mine_lithium", "mine_nickel", "mine_cobalt", "mine_graphite")


def build_network(year: int = 2024, basis: str | None = None, *,
                  plant_capacity=None, demand: str | None = None) -> Network:
    """The supply network for ``year``.

    Parameters
    ----------
    year : int — the year capacities, statuses, owners and demand are taken as of
        [calendar year; one of the flow model's years, :func:`cellchain.years.model_span`]
    basis : str, optional — capacity basis (:data:`BASES`); default ``reported`` up to the
        as-of year (2026), ``expected`` after it
    plant_capacity : callable(facility id, year) -> (value, canonical unit) or None,
        optional — replaces the registry's capacity per plant (e.g. a pipeline's expected
        capacity); plants it returns None for are left out
    demand : str, optional — the demand projection (a scenario of
        ``registry/demand.csv``, e.g. ``IEA STEPS (GEVO2025)``); default: observed demand
        up to the as-of year, :data:`cellchain.pipeline.demand.DEFAULT_SCENARIO` after it
    """
    from cellchain.chain import valuechain
    from cellchain.errors import unknown

    future = year_is_projected(year)
    basis = basis or ("expected" if future else "reported")
    if basis not in BASES and plant_capacity is None:
        raise unknown("capacity basis", basis, BASES)
    check_year(year, basis)
    sources: dict[str, str] = {}
    given = plant_capacity is not None
    if basis in PIPELINE_BASES and plant_capacity is None:
        from cellchain.pipeline.capacity import plant_capacity as pipeline_capacity

        plant_capacity = pipeline_capacity(basis=basis)
    recipe = valuechain.recipe(year)
    if demand is None and not future:
        demand_by_market, sources = valuechain.market_demand(year)
    else:
        from cellchain.pipeline import demand as demand_mod

        demand_by_market, sources = demand_mod.market_demand(
            year, demand or demand_mod.DEFAULT_SCENARIO, strict=True)
    if basis != "reported" or future:
        sources.update(projection_sources(year, basis, given))
    demand = demand_by_market
    eu = _eu_members(year)
    markets = {m: [m] for m in MARKETS if m not in ("EU27", "RoW")}
    markets["EU27"] = eu
    rows = _plant_rows(year, plant_capacity, basis in PIPELINE_BASES) + _mine_rows(year)
    cited_cap, cited_prod, stand_in = _cited_totals(year)
    rows += _remainder_rows(rows, cited_cap, {**stand_in, **cited_prod})
    countries = sorted({r["country"] for r in rows} | set(eu)
                       | {m for m in MARKETS if len(m) == 3})
    markets["RoW"] = [c for c in countries if c not in eu and c not in markets]
    idx = {c: i for i, c in enumerate(countries)}
    n = len(countries)
    raw = {p: np.zeros(n) for p in PRODUCTS}
    known = {p: np.zeros(n) for p in PRODUCTS}  # capacity not inferred from production
    for r in rows:
        raw[r["product"]][idx[r["country"]]] += r["capacity"]
        if not r.pop("from_production", False):
            known[r["product"]][idx[r["country"]]] += r["capacity"]
    prod = {p: np.full(n, np.nan) for p in PRODUCTS}
    for (p, c), v in cited_prod.items():
        if c in idx and c != "WLD":
            prod[p][idx[c]] = v
    for r in rows:
        if r["kind"] == "mine_output":
            prod[r["product"]][idx[r["country"]]] = r["capacity"]

    output, capacity, obasis, share, util = {}, {}, {}, {}, {}
    for p in ORDER:
        if p == "cells":
            world_use = float(sum(demand.values()))
        else:
            world_use = float(sum(a.get(p, 0.0) * output[q].sum()
                                  for q, a in recipe.items() if q in output))
        est, obasis[p], util[p] = _estimate(raw[p], known[p], prod[p], world_use,
                                            STAGE_OF[p] == "mining", cited_prod.get((p, "WLD")))
        total = est.sum()
        if total <= 0 < world_use:
            from cellchain.errors import DataError

            raise DataError(f"The registry counts no {p} capacity or output in {year}, so the "
                            f"chain cannot be traced for that year.",
                            "Add the plants or country totals of that year to the "
                            "registry, or give capacity to its plants.")
        share[p] = world_use / total if total > 0 else 0.0
        output[p] = est * share[p]
        capacity[p] = np.maximum(raw[p], est) * capacity_scale(p, share[p], future)
        # cited production above the known capacity: the plants run at least that much
        for i in np.flatnonzero(est > raw[p] * (1 + 1e-12)):
            rows.append({"facility": "", "kind": "country_total", "stage": STAGE_OF[p],
                         "product": p, "country": countries[i],
                         "capacity": float(est[i] - raw[p][i]), "output": 0.0,
                         "unit": f"{_unit(p)}/yr", "owners": ((countries[i], 1.0),),
                         "state": ()})
            raw[p][i] = est[i]
    import pandas as pd

    table = pd.DataFrame(rows, columns=list(PLANT_COLUMNS))
    scale = table["product"].map(share).astype(float)
    pairs = list(plant_rows(table, "product", "country"))
    by_pair = {pc: _plant_output_ratio(*pc, raw, prod, util, idx) for pc in set(pairs)}
    ratio = np.array([by_pair[pc] for pc in pairs], dtype=float)
    table["nameplate"] = table["capacity"]
    table["output"] = table["capacity"] * scale * ratio
    mined = table["stage"] == "mining"
    cap_scale = table["product"].map(
        {p: capacity_scale(p, share[p], future) for p in share}).astype(float)
    table["capacity"] = table["capacity"].where(mined, table["capacity"] * scale)
    table.loc[mined, "capacity"] = table.loc[mined, "capacity"] * cap_scale[mined]
    return Network(year=year, basis=basis, countries=countries, plants=table,
                   capacity=capacity, output=output, output_basis=obasis, chain_share=share,
                   utilisation=util, recipe=recipe, markets=markets, demand=demand,
                   sources=sources)


def _plant_output_ratio(product, country, raw, prod, util, idx) -> float:
    """Output per unit of capacity of a plant: its country's estimate / its capacity."""
    i = idx[country]
    cap = raw[product][i]
    p = prod[product][i]
    if cap <= 0:
        return 0.0
    return (p / cap) if not np.isnan(p) else util[product][0]


def _estimate(cap: np.ndarray, known: np.ndarray, cited: np.ndarray, world_use: float,
              mined: bool, world_prod: float | None = None):
    """Production estimate per country, its basis, and the utilisation used. ``known`` is
    the capacity that is not itself inferred from cited production."""
    has = ~np.isnan(cited)
    both = has & (known > np.nan_to_num(cited) * 1e-9) & (known > 0)
    if mined:
        util = (1.0, "mine output")
    elif both.any() and 0 < cited[both].sum() <= known[both].sum():
        util = (float(cited[both].sum() / known[both].sum()),
                f"derived: cited production / capacity of {int(both.sum())} countries")
    elif world_prod is not None and (rest := cap[~has].sum()) > 0 \
            and world_prod - np.nan_to_num(cited).sum() > 0:
        util = (float(min(1.0, (world_prod - np.nan_to_num(cited).sum()) / rest)),
                "derived: cited world production less cited countries / their capacity")
    elif cap.sum() > 0:
        util = (float(min(1.0, world_use / cap.sum())), "derived: world use / capacity")
    else:
        util = (0.0, "no capacity")
    est = np.where(has, np.nan_to_num(cited), cap * util[0])
    basis = np.where(has, "observed" if mined else "cited", "derived")
    basis = np.where(est > 0, basis, "")
    return est, basis, util


def _plant_rows(year: int, plant_capacity=None, every_status: bool = False) -> list[dict]:
    """Plant rows: the plants operating in ``year`` with a capacity by then, or with
    ``every_status`` every plant ``plant_capacity`` gives a capacity (a pipeline's, which
    weighs plants that are not built yet)."""
    from cellchain.chain import model, shares

    g = model.graph()
    rows = []
    for stage in ("refining", "materials", "cells"):
        if every_status:
            listed = [(fac, None) for _, fac in sorted(model.facilities().items())
                      if fac["stage"] == stage]
        else:
            listed = shares.facility_capacities(stage, year)
        for fac, cap in listed:
            value, unit = (cap.value, cap.unit) if cap is not None else (None, None)
            if plant_capacity is not None:
                got = plant_capacity(fac["id"], year)
                if got is None:
                    continue
                value, unit = got
            mapped = model_product(stage, fac["products"], unit)
            if mapped is None:
                continue
            p, factor = mapped
            owners: dict[str, float] = {}
            for u in g.ultimate(fac["id"], year):
                owners[u.country] = owners.get(u.country, 0.0) + u.share
            rows.append({"facility": fac["id"], "kind": "plant", "stage": stage,
                         "product": p, "country": fac["country"],
                         "capacity": value * factor, "output": 0.0,
                         "unit": f"{_unit(p)}/yr", "owners": tuple(sorted(owners.items())),
                         "state": tuple(sorted(g.state_share(fac["id"], year).items()))})
    return rows


def _unit(p: str) -> str:
    return UNITS[p]


def _mine_rows(year: int) -> list[dict]:
    from cellchain.io import store

    (last,) = store.query_rows("SELECT max(year) FROM production WHERE quantity IS NOT NULL")[0]
    y = min(year, int(last))
    rows = []
    for p, (material, column) in MINE_SOURCES.items():
        for iso3, v in store.query_rows(
                f"SELECT iso3, {column} FROM production WHERE material = ? AND year = ? "
                f"AND NOT is_aggregate AND {column} > 0 ORDER BY iso3", [material, y]):
            rows.append({"facility": "", "kind": "mine_output", "stage": "mining",
                         "product": p, "country": iso3, "capacity": float(v), "output": 0.0,
                         "unit": f"{_unit(p)}/yr", "owners": ((iso3, 1.0),), "state": ()})
    return rows


def _per_year(unit: str) -> str:
    """A production unit as a capacity unit: ``t Li2CO3`` -> ``t/yr Li2CO3``."""
    if "/yr" in unit:
        return unit
    head, _, rest = unit.partition(" ")
    return f"{head}/yr" + (f" {rest}" if rest else "")


def _cited_totals(year: int):
    """Cited capacity and production by (model product, country) [model unit].

    Capacity: the latest cited figure of the year or before (a plant does not vanish
    because a source is a year old). Production: the year's own figure (or a cited share of
    the year's cited world production) is the country's output; an older production figure
    stands in for capacity where no capacity is cited (``stand_in``). Per country and unit
    the most confident row counts; a figure in the model unit wins, else figures in
    different compounds add up (lithium carbonate + hydroxide).
    Returns (capacity, production of the year, production stand-ins).
    """
    from cellchain.chain import model

    latest: dict[tuple, int] = {}
    for r in model.tables()["country_totals"]:
        if r["year"] is not None and r["year"] <= year:
            key = (r["stage"], r["product"], r["measure"], r["country"])
            latest[key] = max(latest.get(key, r["year"]), r["year"])
    by_key: dict[tuple, list[dict]] = {}
    for r in model.tables()["country_totals"]:
        key = (r["stage"], r["product"], r["measure"], r["country"])
        if r["year"] is not None and latest.get(key) == r["year"]:
            by_key.setdefault(key, []).append(r)
    cap: dict[tuple[str, str], float] = {}
    prod: dict[tuple[str, str], float] = {}
    stand_in: dict[tuple[str, str], float] = {}
    for p, reg in TOTALS_PRODUCT.items():
        stage = STAGE_OF[p]
        wkey = (stage, reg, "production", "WLD")
        world = _value(p, by_key.get(wkey, [])) if latest.get(wkey) == year else None
        if world is not None:
            prod[(p, "WLD")] = world
        for (s, rp, measure, country), rows in by_key.items():
            if s != stage or rp != reg or country == "WLD":
                continue
            v = _value(p, rows) if measure in ("capacity", "production") else None
            if v is None:
                continue
            if measure == "capacity":
                cap[(p, country)] = v
            elif latest[(s, rp, measure, country)] == year:
                prod[(p, country)] = v
            else:
                stand_in[(p, country)] = v
        for (s, rp, measure, country), rows in by_key.items():
            if (s, rp, measure) == (stage, reg, "share") and country != "WLD" \
                    and world is not None and (p, country) not in prod \
                    and latest[(s, rp, measure, country)] == year:
                share = [r for r in rows if r["unit"] == "fraction of world production"]
                if share:
                    prod[(p, country)] = model.most_confident(share)["value"] * world
    return cap, prod, stand_in


def _value(p: str, rows: list[dict]) -> float | None:
    from cellchain.chain import model

    per_unit: dict[str, float] = {}
    for unit in sorted({r["unit"] for r in rows}):
        best = model.most_confident([r for r in rows if r["unit"] == unit])
        try:
            per_unit[unit] = to_model_unit(p, best["value"], _per_year(unit))
        except ValueError:
            continue
    if not per_unit:
        return None
    from cellchain.network.products import UNITS

    for exact in (UNITS[p], f"{UNITS[p]}/yr", _per_year(UNITS[p])):
        if exact in per_unit:
            return per_unit[exact]
    return sum(per_unit.values())


def _remainder_rows(rows, cited_cap, cited_prod) -> list[dict]:
    """Cited country capacity (or production, where no capacity is cited) beyond the named
    plants, one row per product and country."""
    named: dict[tuple[str, str], float] = {}
    for r in rows:
        named[(r["product"], r["country"])] = named.get((r["product"], r["country"]), 0.0) \
            + r["capacity"]
    out = []
    keys = sorted(k for k in set(cited_cap) | set(cited_prod) if k[1] != "WLD")
    for p, country in keys:
        inferred = (p, country) not in cited_cap
        total = cited_cap.get((p, country), cited_prod.get((p, country), 0.0))
        extra = total - named.get((p, country), 0.0)
        if extra > 0:
            out.append({"facility": "", "kind": "country_total", "stage": STAGE_OF[p],
                        "product": p, "country": country, "capacity": extra, "output": 0.0,
                        "unit": f"{_unit(p)}/yr", "owners": ((country, 1.0),), "state": (),
                        "from_production": inferred})
    return out


def _eu_members(year: int) -> list[str]:
    from cellchain.chain import model

    return sorted({r["country"] for r in model.tables()["blocs"]
                   if r["bloc"] == "eu" and "eu" in model.blocs_of(r["country"], year)})
