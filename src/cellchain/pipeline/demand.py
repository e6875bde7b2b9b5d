"""Battery demand to the horizon per market and end use, from sourced projections.

Anchors are the registry's ``demand`` rows (``registry/demand.csv``, measure ``demand``):
the actual figures up to the latest actual year, then the chosen projection scenario's
figures (one scenario, named in every row). Between two anchors the value is
interpolated at a constant growth rate,

    D(y) = D(y0) * (D(y1) / D(y0)) ** ((y - y0) / (y1 - y0))          [GWh/yr]

and marked ``interpolated``; after the last anchor there is no value (``basis`` says so),
never an extrapolation. Where several sources give one slot, the most confident row wins
(the first in the file on a tie). A market without any sourced figure for the end use
and scenario is an error that names the markets that have one.

Material stages' demand is the cell demand times the recipe's sourced intensities
(:func:`cellchain.chain.valuechain.recipe`): tonnes of cathode or anode active material
per GWh of cells, and tonnes of LCE per tonne of cathode.
"""

from __future__ import annotations

from cellchain.chain import model, valuechain
from cellchain.errors import InvalidInputError, UnknownValueError, unknown

#: The projection used unless another is chosen: the IEA Global EV Outlook 2025 data
#: explorer's Stated Policies Scenario (regional battery demand to 2030).
DEFAULT_SCENARIO = "IEA STEPS (GEVO2025)"
DEFAULT_END_USES = ("ev_all",)
WORLD_NAMES = {"world": "WLD", "wld": "WLD"}


def demand_market(market: str) -> str:
    """The demand table's code for a pipeline market (``world`` -> ``WLD``; ``EU`` rows,
    the IEA's Europe region, stand for ``EU27``)."""
    key = market.strip()
    if key.lower() in WORLD_NAMES:
        return "WLD"
    return valuechain.MARKET_ALIASES.get(key, key.upper())


def _rows(end_use: str) -> list[dict]:
    return [r for r in model.tables()["demand"] if r["end_use"] == end_use
            and r["measure"] == "demand" and r["year"] is not None]


def scenarios(end_use: str = "ev_all", market: str | None = None) -> list[str]:
    """Projection scenarios with at least one figure for the end use (and market)."""
    m = demand_market(market) if market else None
    return sorted({r["scenario"] for r in _rows(end_use) if r["scenario"] != "actual"
                   and (m is None or demand_market(r["market"]) == m)})


def resolve_scenario(scenario: str, end_use: str, market: str) -> str:
    """The one scenario name ``scenario`` means: an exact name, or a prefix that matches
    exactly one scenario with figures for the market and end use."""
    from cellchain.nomenclature import DEMAND_END_USES

    if end_use not in DEMAND_END_USES:
        raise unknown("demand end use", end_use, DEMAND_END_USES)
    names = scenarios(end_use, market)
    if not names:
        have = sorted({demand_market(r["market"]) for r in _rows(end_use)
                       if r["scenario"] != "actual"})
        raise UnknownValueError(f"No projection of {end_use} demand for {market}.",
                                f"Markets with one: {', '.join(have) or 'none'}.")
    if scenario in names:
        return scenario
    hits = [n for n in names if n.lower().startswith(scenario.lower())]
    if len(hits) == 1:
        return hits[0]
    if len(hits) > 1:
        raise InvalidInputError(f"Scenario {scenario!r} matches {len(hits)} projections for "
                                f"{market} {end_use}: {'; '.join(hits)}.",
                                "Give the full name, e.g. --scenario "
                                f"{hits[-1]!r}.")
    raise unknown(f"demand scenario for {market} {end_use}", scenario, names)


def _best(rows: list[dict]) -> dict:
    return min(rows, key=model.confidence_rank)


def _region_note(row: dict) -> str:
    return " (IEA 'Europe' region, wider than EU27)" if row["market"] == "EU" else ""


def anchors(market: str, end_use: str, scenario: str) -> dict[int, dict]:
    """Sourced demand figures by year for one market, end use and scenario: actuals up
    to the latest actual year, the scenario's figures after it."""
    m = demand_market(market)
    rows = [r for r in _rows(end_use) if demand_market(r["market"]) == m]
    actual: dict[int, list[dict]] = {}
    projected: dict[int, list[dict]] = {}
    for r in rows:
        if r["scenario"] == "actual":
            actual.setdefault(int(r["year"]), []).append(r)
        elif r["scenario"] == scenario:
            projected.setdefault(int(r["year"]), []).append(r)
    last_actual = max(actual, default=None)
    out = {y: _best(rs) for y, rs in actual.items()}
    for y, rs in projected.items():
        if last_actual is None or y > last_actual:
            out[y] = _best(rs)
    return dict(sorted(out.items()))


def interpolate(y0: int, v0: float, y1: int, v1: float, y: int) -> float:
    """Demand in year ``y`` between sourced figures ``v0`` (year ``y0``) and ``v1`` (year
    ``y1``) at a constant growth rate [GWh/yr]; linear where either figure is 0."""
    import math

    t = (y - y0) / (y1 - y0)
    if v0 > 0 and v1 > 0:  # in logs, so that no ratio overflows
        return min(max(v0, v1), max(min(v0, v1),
                                    math.exp(math.log(v0) + t * (math.log(v1) - math.log(v0)))))
    return v0 + (v1 - v0) * t


def markets_with_source(end_use: str, scenario: str) -> list[str]:
    """Demand markets with at least one figure in ``scenario`` for the end use."""
    return sorted({demand_market(r["market"]) for r in _rows(end_use)
                   if r["scenario"] == scenario})


def projection(market: str, end_use: str = "ev_all", scenario: str = DEFAULT_SCENARIO,
               years: range | None = None) -> list[dict]:
    """Demand for each year of ``years`` [GWh/yr] with its basis and source.

    Each dict: ``year``, ``market``, ``end_use``, ``scenario``, ``value`` (None where no
    source reaches), ``unit``, ``basis`` (``actual``, ``projection``, ``interpolated`` or
    ``no source``), ``source`` (URLs; for interpolated years both anchors').
    """
    from cellchain.nomenclature import DEMAND_END_USES

    if end_use not in DEMAND_END_USES:
        raise unknown("demand end use", end_use, DEMAND_END_USES)
    m = demand_market(market)
    years = years or range(2024, 2036)
    if scenario != "actual":
        try:
            scenario = resolve_scenario(scenario, end_use, m)
        except UnknownValueError:
            have = markets_with_source(end_use, scenario) or sorted(
                {demand_market(r["market"]) for r in _rows(end_use)
                 if r["scenario"].lower().startswith(scenario.lower())})
            if have:
                raise UnknownValueError(
                    f"No sourced {end_use} demand for market {market!r} in scenario "
                    f"{scenario!r}.",
                    f"Markets with one: {', '.join(have)}.") from None
            raise
    points = anchors(m, end_use, scenario)
    if not any(r["scenario"] == scenario for r in points.values()):
        have = markets_with_source(end_use, scenario)
        raise UnknownValueError(
            f"No sourced {end_use} demand for market {market!r} in scenario {scenario!r}.",
            f"Markets with one: {', '.join(have) or 'none'}.")
    known = sorted(points)
    out = []
    for y in years:
        row = {"year": y, "market": m, "end_use": end_use, "scenario": scenario,
               "value": None, "unit": "GWh/yr", "basis": "no source", "source": ""}
        if y in points:
            r = points[y]
            row.update(value=float(r["value"]),
                       basis=("actual" if r["scenario"] == "actual" else "projection")
                       + _region_note(r), source=r["source_url"])
        else:
            before = [k for k in known if k < y]
            after = [k for k in known if k > y]
            if before and after:
                y0, y1 = before[-1], after[0]
                r0, r1 = points[y0], points[y1]
                value = interpolate(y0, float(r0["value"]), y1, float(r1["value"]), y)
                row.update(value=value,
                           basis=f"interpolated between {y0} and {y1}" + _region_note(r1),
                           source=f"{r0['source_url']}; {r1['source_url']}")
            elif before:
                row["basis"] = f"no source after {before[-1]}"
            else:
                row["basis"] = f"no source before {after[0]}" if after else "no source"
        out.append(row)
    return out


def demand_table(market: str, end_uses=DEFAULT_END_USES, scenario: str = DEFAULT_SCENARIO,
                 to: int = 2035, start: int = 2024):
    """Demand by year and end use [GWh/yr] for a market, every row naming its scenario
    and whether it is sourced or interpolated (the API behind ``cellchain pipeline
    demand``)."""
    import pandas as pd

    rows = []
    for end_use in end_uses:
        rows += projection(market, end_use, scenario, range(start, to + 1))
    return pd.DataFrame(rows, columns=["year", "market", "end_use", "scenario", "value",
                                       "unit", "basis", "source"])


#: Stages the pipeline answers for, with the recipe path from cells to that product.
STAGE_UNITS = {"cells": "GWh/yr", "cathode": "t/yr", "anode": "t/yr",
               "lithium_chemicals": "t/yr LCE"}


def per_gwh(stage: str, year: int) -> tuple[float, str]:
    """Units of ``stage`` product needed per GWh of cells in ``year`` and the recipe's
    basis (1 for cells)."""
    if stage == "cells":
        return 1.0, "cells"
    r = valuechain.recipe(year)
    basis = f"recipe: {valuechain.recipe_basis(year)}"
    if stage == "cathode":
        return r["cells"]["cathode"], basis
    if stage == "anode":
        return r["cells"]["anode"], basis
    if stage == "lithium_chemicals":
        return r["cells"]["cathode"] * r["cathode"]["lithium_chemicals"], basis
    raise unknown("pipeline stage with a demand recipe", stage, STAGE_UNITS)


def regional_projections(year: int, end_use: str = "ev_all") -> list[str]:
    """Projections that give (or interpolate) a figure for the world and at least one
    named market in ``year``: those a network of that year can place by market."""
    return [name for name in scenarios(end_use) if splits_by_market(name, year, end_use)]


def splits_by_market(scenario: str, year: int, end_use: str = "ev_all") -> bool:
    """Whether the projection ``scenario`` gives (or interpolates) a figure for the world
    and at least one named market in ``year`` (a network of that year can place its
    demand by market)."""
    try:
        world = projection("WLD", end_use, scenario, range(year, year + 1))[0]
    except UnknownValueError:
        return False
    if world["value"] is None:
        return False
    for m in valuechain.NAMED_MARKETS:
        try:
            row = projection(m, end_use, scenario, range(year, year + 1))[0]
        except UnknownValueError:
            continue
        if row["value"] is not None and scenario in row["scenario"]:
            return True
    return False


def check_projection(name: str, end_use: str = "ev_all") -> str:
    """The projection ``name`` means (exact, or a unique prefix) among the scenarios with
    a world figure for the end use; UnknownValueError naming them otherwise."""
    names = scenarios(end_use, "WLD")
    if name in names:
        return name
    hits = [n for n in names if n.lower().startswith(str(name).lower())]
    if len(hits) == 1:
        return hits[0]
    raise UnknownValueError(
        f"Unknown demand projection {name!r}" + (f" ({len(hits)} match)" if hits else "")
        + ".", f"Use one of: {'; '.join(hits or names)}.")


def market_demand(year: int, scenario: str = DEFAULT_SCENARIO,
                  end_uses=DEFAULT_END_USES, strict: bool = False
                  ) -> tuple[dict[str, float], dict[str, str]]:
    """Cell demand by model market in ``year`` [GWh/yr] from the projection, in the form
    :func:`cellchain.chain.valuechain.market_demand` returns, for a network built for a
    pipeline year: each named market's projected (or interpolated) figure, ``RoW`` the
    world figure minus them (not below 0); markets without a sourced figure (e.g. Japan,
    Korea) are inside ``RoW``. ``sources`` names each figure's basis and source.

    With ``strict`` (a network's demand), a projection that gives no named market a
    figure for the year (a world figure only) is a DataError naming the projections that
    have a regional split for that year, instead of a world counted as ``RoW``.
    """
    from cellchain.errors import DataError

    total = {m: 0.0 for m in valuechain.MODEL_MARKETS}
    sources: dict[str, str] = {"scenario": scenario, "year": str(year)}
    for end_use in end_uses:
        world = projection("WLD", end_use, scenario, range(year, year + 1))[0]
        if world["value"] is None:
            hint = "Choose a year the scenario reaches, or another scenario."
            if strict:
                have = regional_projections(year, end_use)
                hint = (f"Projections with a regional split for {year}: "
                        f"{'; '.join(have) if have else 'none in registry/demand.csv'}.")
            raise DataError(f"No {end_use} demand for the world in {year} in {scenario!r} "
                            f"({world['basis']}).", hint)
        named = 0.0
        for m in valuechain.NAMED_MARKETS:
            try:
                row = projection(m, end_use, scenario, range(year, year + 1))[0]
            except UnknownValueError:
                continue
            if row["value"] is None:
                continue
            total[m] += row["value"]
            named += row["value"]
            sources[f"{end_use}:{m}"] = f"{row['basis']}: {row['source']}"
        if strict and not any(k.startswith(f"{end_use}:") for k in sources):
            have = regional_projections(year, end_use)
            raise DataError(
                f"{scenario!r} gives {end_use} demand for {year} for the world only, with no "
                "market's share, so the network cannot place it.",
                f"Projections with a regional split for {year}: "
                f"{'; '.join(have) if have else 'none in registry/demand.csv'}.")
        total["RoW"] += max(0.0, world["value"] - named)
        sources[f"{end_use}:RoW"] = (f"world ({world['basis']}: {world['source']}) minus the "
                                     "named markets")
    sources["demand projection"] = (f"{scenario}, {year} ({', '.join(end_uses)}); markets "
                                    "without a sourced figure are in RoW")
    return total, sources
