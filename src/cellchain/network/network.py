"""``Network``: the supply network of one year, as arrays over a fixed country list and a
plant table. Built by :func:`cellchain.network.build.build_network`; read by the baseline,
the re-routing programme, scenarios and tracing (none of them re-queries the registry).

Numbers stay numbers: the chain share and utilisation of each product are floats with a
separate word for their basis, formatted only at the edge.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from cellchain.network.products import PRODUCTS

#: Markets the cell stage serves; ``EU27`` and ``RoW`` are groups of countries.
MARKETS = ("CHN", "USA", "EU27", "JPN", "KOR", "IND", "RoW")
#: Columns of the plant table.
PLANT_COLUMNS = ("facility", "kind", "stage", "product", "country", "nameplate", "capacity",
                 "output", "unit", "owners", "state")


@dataclass
class Network:
    """The supply network of a year.

    year : int
    basis : str — capacity basis: ``reported`` (registry capacity as of the year)
    countries : list of ISO3 codes; every array below is indexed like it
    plants : pandas.DataFrame — one row per plant or cited country remainder: ``facility``
        (registry id; empty for a country remainder or a mine country), ``kind`` (``plant``,
        ``country_total``, ``mine_output``), ``stage``, ``product`` (model product),
        ``country``, ``nameplate`` [model unit/yr: the registry's capacity, or a mine
        country's output], ``capacity`` and ``output`` [model unit/yr, the battery chain's
        part],
        ``unit``, ``owners`` (tuple of (ultimate-owner country, share)), ``state`` (tuple of
        (state's country, look-through share))
    capacity : {product: array} — battery-chain capacity per country [model unit/yr]
    output : {product: array} — battery-chain output per country in the baseline year
    output_basis : {product: array of str} — per country: ``cited`` (published production),
        ``derived`` (capacity x utilisation) or ``observed`` (World Mining Data output)
    chain_share : {product: float} — the battery chain's part of the product's world
        production (world use / world production estimate) [fraction; > 1 means the
        registry's capacity falls short of the use and was scaled up]
    utilisation : {product: (float, str)} — utilisation applied to capacity without cited
        production, and how it was obtained
    recipe : {product: {input: units per unit}}
    markets : {market: member countries}
    demand : {market: GWh/yr}
    """

    year: int
    basis: str
    countries: list[str]
    plants: object
    capacity: dict[str, np.ndarray]
    output: dict[str, np.ndarray]
    output_basis: dict[str, np.ndarray]
    chain_share: dict[str, float]
    utilisation: dict[str, tuple[float, str]]
    recipe: dict[str, dict[str, float]]
    markets: dict[str, list[str]]
    demand: dict[str, float]
    sources: dict[str, str] = field(default_factory=dict)
    _index: dict[str, int] = field(default_factory=dict, repr=False)

    def __post_init__(self):
        self._index = {c: i for i, c in enumerate(self.countries)}

    def index(self, country: str) -> int:
        """Position of ``country`` in :attr:`countries` (KeyError when absent)."""
        return self._index[country]

    def has(self, country: str) -> bool:
        return country in self._index

    def market_of(self, country: str) -> str:
        """The market a country's cell purchases count in."""
        for name, members in self.markets.items():
            if country in members:
                return name
        return "RoW"

    def use(self, product: str, output: dict[str, np.ndarray] | None = None) -> np.ndarray:
        """What each country's output needs of ``product`` [model unit/yr]:
        sum_p recipe[p][product] x output[p] (for cells: see :attr:`demand`)."""
        output = output or self.output
        total = np.zeros(len(self.countries))
        for p, inputs in self.recipe.items():
            a = inputs.get(product, 0.0)
            if a:
                total += a * output[p]
        return total

    def capacity_scale(self, product: str) -> float:
        """Factor from registry capacity to the battery chain's capacity [fraction]."""
        return self.chain_share[product]

    def owner_shares(self, product: str) -> dict[str, dict[str, float]]:
        """Per location country, its battery-chain capacity of ``product`` by ultimate-owner
        country [fractions summing to one]."""
        return self._grouped(product, "owners")

    def state_shares(self, product: str) -> dict[str, dict[str, float]]:
        """Per location country, the share of its capacity held by each state [fraction;
        the rest is privately held and not listed]."""
        return self._grouped(product, "state", complete=False)

    def _grouped(self, product, column, complete=True):
        t = self.plants
        t = t[t["product"] == product]
        acc: dict[str, dict[str, float]] = {}
        total: dict[str, float] = {}
        for country, cap, groups in plant_rows(t, "country", "capacity", column):
            total[country] = total.get(country, 0.0) + cap
            slot = acc.setdefault(country, {})
            for k, w in groups:
                slot[k] = slot.get(k, 0.0) + cap * w
        out = {}
        for country, slot in acc.items():
            if total[country] <= 0:
                continue
            shares = {k: v / total[country] for k, v in slot.items() if v > 0}
            if complete:
                rest = 1.0 - sum(shares.values())
                if rest > 1e-12:
                    shares[country] = shares.get(country, 0.0) + rest
            out[country] = shares
        return out


def plant_rows(table, *names: str):
    """The rows of a plant table as tuples of the named columns, as plain Python values.

    Iterating a pandas column value by value goes through its array type (slow for
    Arrow-backed strings); converting each column to a list once keeps loops over 100k
    plants linear and cheap."""
    return zip(*(table[n].tolist() for n in names), strict=True)


def empty_arrays(n: int) -> dict[str, np.ndarray]:
    return {p: np.zeros(n) for p in PRODUCTS}
