"""The value chain as data: material intensities, chemistry mix and demand by market.

All three come from sourced registry tables (``intensities``, ``chemistry_mix``,
``demand``). This module turns them into the flow model's recipe and market demand.

Recipe (units of input per unit of output), for a year's world chemistry mix ``s_k``:

    cathode per GWh of cells            = 1000 * sum_k s_k c_k / sum_k s_k        [t/GWh]
    lithium (LCE) per t of cathode      = sum_k s_k li_k / sum_k s_k c_k          [t/t]
    nickel, cobalt per t of cathode     likewise                                  [t/t]
    anode per GWh of cells              = 1000 * sum_k s_k a_k / sum_k s_k        [t/GWh]
    graphite per t of anode             = sum_k s_k g_k / sum_k s_k a_k           [t/t]
    refining: 1 t of refined product per t of mined content (mass balance)

with c_k, a_k, li_k, ... the sourced kg per kWh of chemistry k (lithium in LCE; a source in
contained Li is converted with 5.323). Only chemistries with a cathode intensity count.
"""

from __future__ import annotations

from cellchain import units
from cellchain.chain import model
from cellchain.errors import DataError

MARKET_ALIASES = {"EU": "EU27", "EU27": "EU27", "Europe": "EU27"}
MODEL_MARKETS = ("CHN", "USA", "EU27", "JPN", "KOR", "IND", "RoW")


def _latest(rows: list[dict], year: int) -> list[dict]:
    years = sorted({r["year"] for r in rows if r["year"] is not None and r["year"] <= year})
    if not years:
        years = sorted({r["year"] for r in rows if r["year"] is not None})
        if not years:
            return []
        pick = years[0]
    else:
        pick = years[-1]
    return [r for r in rows if r["year"] == pick]


def chemistry_mix(year: int, market: str = "WLD") -> dict[str, float]:
    """Chemistry shares for a market, from the latest sourced year <= ``year``."""
    rows = _latest([r for r in model.tables()["chemistry_mix"] if r["market"] == market],
                   year)
    mix: dict[str, float] = {}
    for r in rows:
        mix[r["chemistry"]] = mix.get(r["chemistry"], 0.0) + r["share"]
    return mix


def intensity(chemistry: str, material: str) -> float | None:
    """Sourced kg per kWh of one material for one chemistry (lithium as LCE)."""
    best = None
    for r in model.tables()["intensities"]:
        if r["chemistry"] != chemistry or r["input"] != material:
            continue
        value = r["kg_per_kwh"]
        if material == "lithium" and "Li/" in (r["basis"] or "") and "LCE" not in r["basis"]:
            value = units.li_to_lce(value)
        rank = model.CONFIDENCE_RANK.get(r["confidence"], 3)
        if best is None or rank < best[0]:
            best = (rank, value)
    return None if best is None else best[1]


#: Composite cell used when the world chemistry mix cannot be priced chemistry by chemistry:
#: T&E's "average 2020 battery" (see registry/intensities.csv).
COMPOSITE = "AVG2020"
NEEDED = ("cathode", "lithium", "nickel", "cobalt", "graphite")


def recipe_basis(year: int) -> str:
    """Which intensities the recipe uses: the year's world mix, or the composite cell."""
    mix = chemistry_mix(year)
    if mix and all(intensity(k, m) is not None for k in mix for m in NEEDED):
        return "world chemistry mix"
    return f"composite cell {COMPOSITE} (per-chemistry intensities incomplete)"


def recipe(year: int) -> dict[str, dict[str, float]]:
    """Inputs per unit of output for the flow model's products (see module docstring).

    Uses the year's world chemistry mix when every chemistry in it has sourced
    intensities for cathode, lithium, nickel, cobalt and graphite; otherwise the composite
    cell (``COMPOSITE``), and :func:`recipe_basis` says so.
    """
    mix = chemistry_mix(year)
    weights = mix if recipe_basis(year) == "world chemistry mix" else {COMPOSITE: 1.0}
    if not intensity(next(iter(weights)), "cathode"):
        raise DataError("No cathode intensity for the recipe.",
                        "Add cathode rows to registry/intensities.csv.")
    total = sum(weights.values())

    def avg(material: str) -> float:
        return sum(s * (intensity(k, material) or 0.0) for k, s in weights.items()) / total

    cathode = avg("cathode")
    anode = avg("anode") or avg("graphite")
    graphite = avg("graphite")
    return {
        "cells": {"cathode": 1000.0 * cathode, "anode": 1000.0 * anode},
        "cathode": {"lithium_chemicals": avg("lithium") / cathode,
                    "nickel_refined": avg("nickel") / cathode,
                    "cobalt_refined": avg("cobalt") / cathode},
        "anode": {"mine_graphite": graphite / anode if anode else 1.0},
        "lithium_chemicals": {"mine_lithium": 1.0},
        "nickel_refined": {"mine_nickel": 1.0},
        "cobalt_refined": {"mine_cobalt": 1.0},
    }


def market_demand(year: int, end_use: str = "ev_all", scenario: str = "actual"
                  ) -> tuple[dict[str, float], dict]:
    """Cell demand by model market [GWh/yr] for one end use, and where each figure is from.

    All markets use one year: the latest year <= ``year`` with a sourced world figure and
    at least one regional figure for the end use (regional splits lag world totals), so
    the split adds up. ``RoW`` is the world figure minus the named markets; markets
    without a sourced figure (e.g. Japan, Korea) are inside ``RoW``. Where sources
    disagree for one slot the most confident row wins.
    """
    rows = [r for r in model.tables()["demand"] if r["scenario"] == scenario
            and r["measure"] == "demand" and r["end_use"] == end_use]
    best: dict[tuple[str, int], dict] = {}
    for r in rows:
        key = (MARKET_ALIASES.get(r["market"], r["market"]), r["year"])
        if key not in best or model.CONFIDENCE_RANK.get(r["confidence"], 3) < \
                model.CONFIDENCE_RANK.get(best[key]["confidence"], 3):
            best[key] = r
    complete = sorted({y for (m, y) in best if m == "WLD"
                       and any(m2 != "WLD" and y2 == y for (m2, y2) in best)})
    if not complete:
        raise DataError(f"No sourced {end_use} demand split by market.",
                        "Add world and regional rows to registry/demand.csv.")
    earlier = [y for y in complete if y <= year]
    pick = earlier[-1] if earlier else complete[0]  # else the nearest later year
    demand = {m: 0.0 for m in MODEL_MARKETS}
    sources = {"year": str(pick)}
    for (m, y), r in best.items():
        if y == pick and m in demand and m != "RoW":
            demand[m] = float(r["value"])
            sources[m] = r["source_url"]
    world = best[("WLD", pick)]
    demand["RoW"] = max(0.0, float(world["value"]) - sum(
        v for m, v in demand.items() if m != "RoW"))
    sources["RoW"] = f"world ({world['source_url']}) minus the named markets"
    return demand, sources
