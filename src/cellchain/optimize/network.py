"""The country-level network the flow model is built from: nodes, capacities, recipe, demand.

Products (each at country level, in its unit):

    mine_lithium [t LCE]  -> lithium_chemicals [t LCE] -+
    mine_nickel  [t Ni]   -> nickel_refined    [t Ni]  -+-> cathode [t] -+
    mine_cobalt  [t Co]   -> cobalt_refined    [t Co]  -+                +-> cells [GWh] -> markets
    mine_graphite [t]     ----------------------------------> anode [t] -+

Capacities: mines from World Mining Data production of the year (production stands in for
capacity); refining, materials and cells from the registry's named plants plus the
country totals it cites (see :mod:`cellchain.chain.shares`). Where a stage's capacity is
smaller than the baseline needs — the registry does not yet name every plant — every
country's capacity at that stage is scaled by one factor so that the stage has the same
headroom as the cell stage; each stage reports whether it is ``cited`` or ``scaled``.
The recipe (inputs per unit of output) comes from the sourced intensities and the
chemistry mix (see :mod:`cellchain.chain.valuechain`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

PRODUCTS = ("mine_lithium", "mine_nickel", "mine_cobalt", "mine_graphite",
            "lithium_chemicals", "nickel_refined", "cobalt_refined", "cathode", "anode",
            "cells")
UNITS = {"mine_lithium": "t LCE", "mine_nickel": "t Ni", "mine_cobalt": "t Co",
         "mine_graphite": "t", "lithium_chemicals": "t LCE", "nickel_refined": "t Ni",
         "cobalt_refined": "t Co", "cathode": "t", "anode": "t", "cells": "GWh"}
#: (stage, registry product, unit) of each non-mining product's registry capacity
REGISTRY_SOURCES = {
    "lithium_chemicals": ("refining", "lithium_chemicals", "t/yr LCE"),
    "nickel_refined": ("refining", None, "t/yr Ni"),
    "cobalt_refined": ("refining", None, "t/yr Co"),
    "cathode": ("materials", "cathode", "t/yr"),
    "anode": ("materials", "anode", "t/yr"),
    "cells": ("cells", "cells", "GWh/yr"),
}
MINE_SOURCES = {"mine_lithium": ("lithium", "lce_t"), "mine_nickel": ("nickel", "quantity"),
                "mine_cobalt": ("cobalt", "quantity"),
                "mine_graphite": ("natural_graphite", "quantity")}
STAGE_OF = {"mine_lithium": "mining", "mine_nickel": "mining", "mine_cobalt": "mining",
            "mine_graphite": "mining", "lithium_chemicals": "refining",
            "nickel_refined": "refining", "cobalt_refined": "refining",
            "cathode": "materials", "anode": "materials", "cells": "cells"}
MARKETS = ("CHN", "USA", "EU27", "JPN", "KOR", "IND", "RoW")


@dataclass
class Network:
    """Everything the flow model needs, as arrays over a fixed country list."""

    year: int
    countries: list[str]
    capacity: dict[str, np.ndarray]  # product -> capacity per country [product unit/yr]
    capacity_basis: dict[str, str]  # product -> "cited" or "scaled xN"
    recipe: dict[str, dict[str, float]]  # product -> {input product: units per unit}
    markets: dict[str, list[str]]  # market -> member countries
    demand: dict[str, float]  # market -> GWh
    coords: dict[str, tuple[float, float]] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)

    def index(self, country: str) -> int:
        return self.countries.index(country)


def market_of(country: str, markets: dict[str, list[str]]) -> str:
    for name, members in markets.items():
        if country in members:
            return name
    return "RoW"


def distance_km(a: tuple[float, float] | None, b: tuple[float, float] | None) -> float:
    """Great-circle distance [km]; 10,000 km when a location is unknown."""
    if a is None or b is None:
        return 10_000.0
    lat1, lon1, lat2, lon2 = map(np.radians, (a[0], a[1], b[0], b[1]))
    h = (np.sin((lat2 - lat1) / 2) ** 2
         + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2)
    return float(2 * 6371.0 * np.arcsin(np.sqrt(h)))


# ---------------------------------------------------------------------------------------
# assembling the network from the warehouse
# ---------------------------------------------------------------------------------------
def registry_capacity(product: str, year: int) -> dict[str, float]:
    """Country capacities of a non-mining product from the registry (named + reconciled)."""
    from cellchain.chain import shares

    stage, reg_product, unit = REGISTRY_SOURCES[product]
    if reg_product is None:
        reg_product = "nickel" if product == "nickel_refined" else "cobalt"
    df = shares.shares(stage, year, "location", product=reg_product)
    df = df[(df["unit"] == unit) & (df["group"] != shares.UNATTRIBUTED)]
    return dict(zip(df["group"], df["capacity"].astype(float), strict=True))


def mine_capacity(product: str, year: int) -> dict[str, float]:
    """Mine output by country from World Mining Data (production stands in for capacity)."""
    from cellchain.io import store

    material, column = MINE_SOURCES[product]
    (last,) = store.query_rows("SELECT max(year) FROM production WHERE quantity IS NOT NULL")[0]
    year = min(year, int(last))  # the latest World Mining Data year stands in for later ones
    rows = store.query_rows(
        f"SELECT iso3, {column} FROM production WHERE material = ? AND year = ? "
        f"AND NOT is_aggregate AND {column} > 0", [material, year])
    return {iso3: float(v) for iso3, v in rows}


def country_anchors() -> dict[str, tuple[float, float]]:
    """A location per country: the mean of its registry facilities' coordinates."""
    from cellchain.chain import model

    sums: dict[str, list[float]] = {}
    for fac in model.facilities().values():
        if fac["lat"] is not None and fac["lon"] is not None:
            s = sums.setdefault(fac["country"], [0.0, 0.0, 0])
            s[0] += fac["lat"]
            s[1] += fac["lon"]
            s[2] += 1
    return {c: (s[0] / s[2], s[1] / s[2]) for c, s in sums.items()}


def build_network(year: int = 2024) -> Network:
    """The network for ``year`` from the warehouse: capacities, recipe, markets, demand."""
    from cellchain import years
    from cellchain.chain import valuechain

    year = years.check(year, "model")
    recipe = valuechain.recipe(year)
    demand, demand_sources = valuechain.market_demand(year)
    markets = {m: ([m] if m not in ("EU27", "RoW") else []) for m in MARKETS}
    markets["EU27"] = [c for c in _eu_members(year)]
    raw: dict[str, dict[str, float]] = {}
    for p in PRODUCTS:
        raw[p] = mine_capacity(p, year) if p in MINE_SOURCES else registry_capacity(p, year)
    named = set(markets["EU27"]) | {m for m in MARKETS if len(m) == 3}
    countries = sorted({c for caps in raw.values() for c in caps} | named)
    markets["RoW"] = [c for c in countries if not any(c in mem for k, mem in markets.items()
                                                      if k != "RoW")]
    capacity = {p: np.array([raw[p].get(c, 0.0) for c in countries]) for p in PRODUCTS}
    basis = {p: "cited" for p in PRODUCTS}
    # scale stages the registry cannot yet cover to the cell stage's headroom
    total_demand = sum(demand.values())
    headroom = capacity["cells"].sum() / total_demand if total_demand else 1.0
    need = {"cells": total_demand}
    for p in reversed(PRODUCTS):  # downstream first
        for q, a in recipe.get(p, {}).items():
            need[q] = need.get(q, 0.0) + a * need.get(p, 0.0)
    for p in PRODUCTS:
        required = need.get(p, 0.0) * max(headroom, 1.0)
        have = capacity[p].sum()
        if p != "cells" and have > 0 and have < required:
            factor = required / have
            capacity[p] = capacity[p] * factor
            basis[p] = f"scaled x{factor:.2f}"
    return Network(year=year, countries=countries, capacity=capacity,
                   capacity_basis=basis, recipe=recipe, markets=markets, demand=demand,
                   coords=country_anchors(), sources=demand_sources)


def _eu_members(year: int) -> list[str]:
    from cellchain.chain import model

    return sorted({r["country"] for r in model.tables()["blocs"]
                   if r["bloc"] == "eu" and "eu" in model.blocs_of(r["country"], year)})
