"""The value chain as data: material intensities, chemistry mix and demand by market.

All three come from sourced registry tables (``intensities``, ``chemistry_mix``,
``demand``). This module turns them into the flow model's recipe and market demand.

Recipe (units of input per unit of output), for a year's world chemistry mix ``s_k``:

    cathode per GWh of cells            = 1000 * sum_k s_k c_k / sum_k s_k        [t/GWh]
    lithium (LCE) per t of cathode      = sum_k s_k li_k / sum_k s_k c_k          [t/t]
    nickel, cobalt per t of cathode     likewise                                  [t/t]
    anode per GWh of cells              = 1000 * sum_k s_k a_k / sum_k s_k        [t/GWh]
    mined graphite per t of anode       = n * sum_k s_k g_k / sum_k s_k a_k       [t/t]
    refining: 1 t of refined product per t of mined content (mass balance)

with c_k, a_k, li_k, ... the sourced kg per kWh of chemistry k (lithium in LCE; a source in
contained Li is converted with 5.323): reported in ``intensities``, or worked out from the
cell inventories in ``cell_materials`` (:mod:`cellchain.chain.materials`). The mix is used
only when one source gives a complete mix and every chemistry in it has sourced
intensities; otherwise the recipe is that of the year's composite cell (``AVG<year>``: an
average over the chemistries sold, e.g. Wood Mackenzie's 2023 material totals divided by
the GWh they served).

``n`` is the share of anode material not made from synthetic graphite
(:func:`natural_graphite_share`): synthetic graphite is made from petroleum needle coke or
pitch coke, which the model does not carry as a constraint, so only the rest of the anode
needs mined natural graphite.

Demand: the flow model serves the sum over end uses that have a world figure and at least
one regional figure in one year (EV batteries and stationary storage today); the split is
per end use, with ``RoW`` the world figure minus the named markets. End uses with only a
world figure (consumer cells) are listed by :func:`demand_table` but not modelled, and so
are the parts of the EV total (cars; buses and trucks), which the model counts once, in
``ev_all``.
"""

from __future__ import annotations

import re

from cellchain import units
from cellchain.chain import materials, model
from cellchain.errors import DataError

MARKET_ALIASES = {"EU": "EU27", "EU27": "EU27", "Europe": "EU27"}
MODEL_MARKETS = ("CHN", "USA", "EU27", "JPN", "KOR", "IND", "RoW")
#: Markets with their own figures; ``RoW`` is the world figure minus these.
NAMED_MARKETS = tuple(m for m in MODEL_MARKETS if m != "RoW")
#: How far a source's shares may sum from one and still count as a complete mix.
MIX_TOLERANCE = 0.02


def chemistry_mix(year: int, market: str = "WLD") -> tuple[dict[str, float], str | None]:
    """A complete chemistry mix for a market and its source: from the latest year <=
    ``year`` where one source (URL and basis) gives shares that sum to one (within
    :data:`MIX_TOLERANCE`; the more confident source wins a tie). Bounds and partial
    splits never make a mix. ({}, None) when no source gives a complete one."""
    rows = [r for r in model.tables()["chemistry_mix"] if r["market"] == market
            and r["year"] is not None and r["year"] <= year]
    groups: dict[tuple, dict[str, float]] = {}
    worst: dict[tuple, int] = {}  # the least confident row of each source's mix
    for r in rows:
        key = (r["year"], r["source_url"], r["basis"])
        mix = groups.setdefault(key, {})
        mix[r["chemistry"]] = mix.get(r["chemistry"], 0.0) + r["share"]
        worst[key] = max(worst.get(key, 0), model.confidence_rank(r))
    # latest year first, then the most confident source
    complete = sorted((key for key, mix in groups.items()
                       if abs(sum(mix.values()) - 1.0) <= MIX_TOLERANCE),
                      key=lambda k: (k[0], -worst[k]))
    if not complete:
        return {}, None
    key = complete[-1]
    return groups[key], key[1]


def intensity(chemistry: str, material: str) -> float | None:
    """Sourced kg per kWh of one material for one chemistry (lithium as LCE): the most
    confident reported row, else the most confident row derived from cell inventories
    (:mod:`cellchain.chain.materials`); a reported row wins a tie."""
    best = None
    for r in materials.intensity_rows():
        if r["chemistry"] != chemistry or r["input"] != material:
            continue
        value = r["kg_per_kwh"]
        if material == "lithium" and "Li/" in (r["basis"] or "") and "LCE" not in r["basis"]:
            value = units.li_to_lce(value)
        rank = model.confidence_rank(r)
        if best is None or rank < best[0]:
            best = (rank, value)
    return None if best is None else best[1]


#: The registry products of the world totals behind :func:`natural_graphite_share`:
#: anode material shipped, and the part of it that is synthetic-graphite anode.
ANODE_TOTAL = ("materials", "anode")
SYNTHETIC_ANODE = ("refining", "synthetic_graphite")


def natural_graphite_share(year: int) -> tuple[float, str]:
    """Share of anode active material that needs mined natural graphite [0-1], and how it
    was obtained.

    One minus the world's synthetic-graphite anode shipments over its anode shipments, both
    cited in ``country_totals`` (``WLD`` production rows) for the same year by the same
    source, so the two figures share one basis: the latest such year <= ``year``, else the
    earliest later one. The remainder (natural graphite, and the few per cent of silicon
    and other anode) all counts as natural graphite, so the figure is an upper bound on
    the mined-graphite need. 1.0 (every anode counted as natural graphite) when no year has
    both figures.
    """
    rows = [r for r in model.tables()["country_totals"]
            if r["country"] == "WLD" and r["measure"] == "production"
            and r["year"] is not None and r["value"] is not None
            and r["value_kind"] in (None, "point")]
    totals = {(r["year"], r["source_url"]): r for r in rows
              if (r["stage"], r["product"]) == ANODE_TOTAL and r["value"] > 0}
    pairs = sorted((r["year"], r["source_url"], r["value"] / totals[key]["value"])
                   for r in rows if (r["stage"], r["product"]) == SYNTHETIC_ANODE
                   and (key := (r["year"], r["source_url"])) in totals
                   and r["value"] <= totals[key]["value"])
    if not pairs:
        return 1.0, "no cited split of anode shipments: all anode counted as natural graphite"
    earlier = [p for p in pairs if p[0] <= year]
    y, url, synthetic = earlier[-1] if earlier else pairs[0]
    return 1.0 - synthetic, (f"{y}: 1 - synthetic-graphite anode / all anode shipments "
                             f"({100 * synthetic:.1f} % synthetic; {url})")


#: Materials the recipe needs a sourced intensity for.
NEEDED = ("cathode", "lithium", "nickel", "cobalt", "graphite")
#: Composite cells are registry "chemistries" named AVG<year>: an average over the year's
#: sold chemistries (e.g. T&E's average 2020 battery, Wood Mackenzie's 2023 totals).
COMPOSITE_NAME = re.compile(r"^AVG(\d{4})")


def composite(year: int) -> str:
    """The composite cell for ``year``: the latest AVG<yyyy> with yyyy <= ``year`` that
    has a sourced intensity for every needed material (else the earliest such one)."""
    complete = sorted(
        (int(m.group(1)), name) for name in materials.chemistries()
        if (m := COMPOSITE_NAME.match(name))
        and all(intensity(name, mat) is not None for mat in NEEDED))
    if not complete:
        raise DataError("No composite cell with every needed intensity.",
                        "Add AVG<year> rows for cathode, lithium, nickel, cobalt and "
                        "graphite to registry/intensities.csv.")
    earlier = [name for y, name in complete if y <= year]
    return earlier[-1] if earlier else complete[0][1]


def recipe_weights(year: int) -> tuple[dict[str, float], str]:
    """The chemistries the recipe averages, with their weights, and a line saying which:
    the year's world chemistry mix when it is complete and every chemistry in it has a
    sourced intensity for each needed material, else the year's composite cell."""
    mix, _ = chemistry_mix(year)
    missing = sorted(k for k in mix if any(intensity(k, m) is None for m in NEEDED))
    if mix and not missing:
        return mix, "world chemistry mix"
    name = composite(year)
    why = (f"no intensities for {', '.join(missing)} in the latest complete world mix"
           if mix else f"no complete world chemistry mix for {year}")
    return {name: 1.0}, f"composite cell {name} ({why})"


def recipe_basis(year: int) -> str:
    """Which intensities the recipe uses: the year's world mix, or a composite cell."""
    return recipe_weights(year)[1]


def recipe(year: int) -> dict[str, dict[str, float]]:
    """Inputs per unit of output for the flow model's products (see module docstring).

    Uses the year's world chemistry mix when it is complete and every chemistry in it
    has sourced intensities for cathode, lithium, nickel, cobalt and graphite; otherwise
    the composite cell of the year (:func:`composite`), and :func:`recipe_basis` says so.
    Anode needs mined graphite only for its natural-graphite share
    (:func:`natural_graphite_share`).
    """
    weights, _ = recipe_weights(year)
    total = sum(weights.values())

    def avg(material: str) -> float:
        return sum(s * (intensity(k, material) or 0.0) for k, s in weights.items()) / total

    cathode = avg("cathode")
    anode = avg("anode") or avg("graphite")
    natural, _ = natural_graphite_share(year)
    graphite = avg("graphite") * natural
    return {
        "cells": {"cathode": 1000.0 * cathode, "anode": 1000.0 * anode},
        "cathode": {"lithium_chemicals": avg("lithium") / cathode,
                    "nickel_refined": avg("nickel") / cathode,
                    "cobalt_refined": avg("cobalt") / cathode},
        "anode": {"mine_graphite": graphite / anode if anode else natural},
        "lithium_chemicals": {"mine_lithium": 1.0},
        "nickel_refined": {"mine_nickel": 1.0},
        "cobalt_refined": {"mine_cobalt": 1.0},
    }


def recipe_table(year: int):
    """The recipe as rows: product, input, amount per unit, units, and its sources."""
    import pandas as pd

    from cellchain.network.products import UNITS

    used, basis = recipe_weights(year)
    sources = sorted({url for r in materials.intensity_rows() if r["chemistry"] in used
                      for url in r["sources"]})
    natural, how = natural_graphite_share(year)
    graphite_basis = f"{basis}; natural-graphite share of anode {natural:.3f} ({how})"
    rows = [{"year": year, "product": p, "input": q, "amount": a,
             "unit": f"{UNITS[q]} per {UNITS[p]}",
             "basis": graphite_basis if q == "mine_graphite" else basis,
             "sources": "; ".join(sources)}
            for p, inputs in recipe(year).items() for q, a in inputs.items()]
    return pd.DataFrame(rows)


#: End uses the flow model serves: each needs world and regional figures to be split.
MODEL_END_USES = ("ev_all", "storage")
#: End uses the demand table reports (rows without a regional split stay world-only).
END_USES = ("ev_all", "ev_car", "ev_bus_truck", "storage", "consumer", "backup_power")


def _slot_rows(end_use: str, scenario: str) -> dict[tuple[str, int], list[dict]]:
    """Every demand row per (market, year) for one end use and scenario, in file order."""
    slots: dict[tuple[str, int], list[dict]] = {}
    for r in model.tables()["demand"]:
        if r["end_use"] != end_use or r["measure"] != "demand" or r["year"] is None:
            continue
        if not _scenario_matches(r["scenario"], scenario):
            continue
        key = (MARKET_ALIASES.get(r["market"], r["market"]), r["year"])
        slots.setdefault(key, []).append(r)
    # A figure for the EU27 itself beats one for the wider Europe region (IEA's "Europe"
    # includes the UK, Norway, Switzerland, Turkey...): Europe stands in only without one.
    for key, rows in slots.items():
        exact = [r for r in rows if r["market"] == key[0]]
        if exact and len(exact) < len(rows):
            slots[key] = exact
    return slots


def market_label(row: dict) -> str:
    """What a demand row's market really is, where the model files it under another."""
    if row["market"] == "EU":
        return "Europe region (wider than the EU27: incl. UK, EFTA, Turkey)"
    return row["market"]


def _by_confidence(rows: list[dict]) -> list[dict]:
    """Rows, most confident first (file order among equally confident ones)."""
    return sorted(rows, key=model.confidence_rank)


def _scenario_matches(row_scenario: str, wanted: str) -> bool:
    """``actual`` matches only actuals; a projection name matches by prefix, so that
    ``IEA STEPS`` finds ``IEA STEPS (GEVO2025)``."""
    if wanted == "actual":
        return row_scenario == "actual"
    return row_scenario.lower().startswith(wanted.lower())


def _split(slots: dict[tuple[str, int], list[dict]], year: int
           ) -> tuple[int, dict, dict[str, dict]] | None:
    """The year, world row and regional rows (one per named market) of a split; see
    :func:`split_demand`."""
    splits: dict[int, tuple[dict, dict[str, dict]]] = {}
    for (m, y), rows in slots.items():
        if m != "WLD":
            continue
        # the most confident world figure whose scenario also has regional figures
        for world in _by_confidence(rows):
            parts = {}
            for market in NAMED_MARKETS:
                same = [r for r in slots.get((market, y), [])
                        if r["scenario"] == world["scenario"]]
                if same:
                    parts[market] = _by_confidence(same)[0]
            if parts:
                splits[y] = (world, parts)
                break
    if not splits:
        return None
    years = sorted(splits)
    pick = ([y for y in years if y <= year] or years[:1])[-1]
    return (pick, *splits[pick])


def _remainder(world: dict, parts: dict[str, dict]) -> float:
    """``RoW`` [GWh/yr]: the world figure minus the named markets' figures (not below 0)."""
    return max(0.0, float(world["value"]) - sum(float(r["value"]) for r in parts.values()))


def split_demand(year: int, end_use: str = "ev_all", scenario: str = "actual"
                 ) -> tuple[dict[str, float], dict] | None:
    """Demand by model market [GWh/yr] for one end use, and where each figure is from.

    All markets use one year: the latest year <= ``year`` with a sourced world figure and
    at least one regional figure for the end use (regional splits lag world totals), so
    the split adds up; else the nearest later such year. ``RoW`` is the world figure
    minus the named markets; markets without a sourced figure (e.g. Japan, Korea) are
    inside ``RoW``. The world figure and the regional ones come from one scenario (for
    projections, the world row's exact scenario name). Where sources disagree for one
    slot the most confident row wins. None when no year has such a split.
    """
    split = _split(_slot_rows(end_use, scenario), year)
    if split is None:
        return None
    pick, world, parts = split
    demand = {m: 0.0 for m in MODEL_MARKETS}
    sources = {"year": str(pick)}
    for m, r in parts.items():
        demand[m] = float(r["value"])
        sources[m] = r["source_url"]
    demand["RoW"] = _remainder(world, parts)
    sources["RoW"] = f"world ({world['source_url']}) minus the named markets"
    sources["scenario"] = world["scenario"]
    return demand, sources


def market_demand(year: int, scenario: str = "actual") -> tuple[dict[str, float], dict]:
    """Cell demand by model market [GWh/yr]: the sum over the end uses that have a
    sourced regional split (:data:`MODEL_END_USES`), and where each part is from."""
    total = {m: 0.0 for m in MODEL_MARKETS}
    sources: dict[str, str] = {}
    for end_use in MODEL_END_USES:
        split = split_demand(year, end_use, scenario)
        if split is None:
            continue
        demand, src = split
        for m, v in demand.items():
            total[m] += v
        sources.update({f"{end_use}:{k}": v for k, v in src.items() if k != "scenario"})
    if not any(total.values()):
        raise DataError(f"No sourced demand split by market for {year} ({scenario}).",
                        "Add world and regional rows to registry/demand.csv.")
    return total, sources


def demand_table(year: int, scenario: str = "actual"):
    """Demand by market and end use for ``year`` [GWh/yr], each row with the year and
    source it comes from, whether the flow model uses it, and how far the sources differ.

    Split end uses come from :func:`split_demand`; end uses with only a world figure
    are listed for the world (``in_model`` false: the model cannot place them).
    Markets without a sourced figure have no value: the model counts them in ``RoW``
    (the world figure minus the named markets). The ``WLD`` row of a split end use is
    the world figure itself (``in_model`` false, since its markets carry it).
    ``estimates`` counts the sourced figures for the same market, end use, year and
    scenario; ``low`` and ``high`` are their range (the row's ``value`` is the most
    confident one; empty for ``RoW``, which is a remainder).
    """
    import pandas as pd

    rows = []

    def add(market, end_use, year_, row, value, in_model, source, slot):
        values = [float(r["value"]) for r in slot if r["scenario"] == row["scenario"]]
        rows.append({"market": market, "end_use": end_use, "year": year_,
                     "scenario": row["scenario"],
                     "value": None if value is None else round(value, 3), "unit": "GWh",
                     "in_model": in_model, "source": source,
                     "estimates": len(values),
                     "low": min(values) if values else None,
                     "high": max(values) if values else None})

    for end_use in END_USES:
        slots = _slot_rows(end_use, scenario)
        split = _split(slots, year)
        if split is not None:
            y, world, parts = split
            modelled = end_use in MODEL_END_USES
            for m in NAMED_MARKETS:
                r = parts.get(m)
                source = "not sourced: counted in RoW" if r is None else r["source_url"]
                if r is not None and market_label(r) != r["market"] and market_label(r) != m:
                    source = f"{market_label(r)} figure standing in for {m}: {source}"
                add(m, end_use, y, world, None if r is None else float(r["value"]), modelled,
                    source, slots.get((m, y), []))
            add("RoW", end_use, y, world, _remainder(world, parts), modelled,
                f"world ({world['source_url']}) minus the named markets", [])
            add("WLD", end_use, y, world, float(world["value"]), False, world["source_url"],
                slots[("WLD", y)])
            continue
        years = sorted(y for (m, y) in slots if m == "WLD")
        if years:
            pick = ([y for y in years if y <= year] or years)[-1]
            world = _by_confidence(slots[("WLD", pick)])[0]
            add("WLD", end_use, pick, world, float(world["value"]), False,
                world["source_url"], slots[("WLD", pick)])
    return pd.DataFrame(rows, columns=["market", "end_use", "year", "scenario", "value",
                                       "unit", "in_model", "source", "estimates", "low",
                                       "high"])
