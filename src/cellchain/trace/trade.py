"""Observed sourcing of chain products from the bundle's bilateral trade (CEPII BACI).

For a product the bundle trades at the right stage, a country's supply of it is its own
output plus its imports. This module gives, per consuming country ``d``, the share of
that supply from each origin ``o`` (the *apparent-supply mix*):

    S[d, d] = C_d / (C_d + M_d)              own supply, C_d = cited capacity in d
    S[o, d] = M_od / (C_d + M_d)   (o != d)  imports from o, BACI tonnes of the year

``C_d`` is the country's capacity from the registry (named plants plus cited country
totals) for refined products, or its World Mining Data output for mined ones; ``M_od``
is BACI's reported quantity, converted to the product's unit. Capacity stands in for
output, so the own share is an upper bound where plants run below nameplate.

Traded products (HS 1992 codes in the bundle):

- ``lithium_chemicals`` [t LCE]: 283691 lithium carbonate (1 t = 1 t LCE) and 282520
  lithium oxide and hydroxide (as the monohydrate, 0.880 t LCE per t; see
  :mod:`cellchain.units`).
- ``mine_graphite`` [t]: 250410 natural graphite in powder or flakes.

Not traced from trade, and why: refined nickel (the bundle has ores, 260400, in gross
weight, not refined nickel), refined cobalt (282200 mixes the Congolese hydroxide
intermediate with refined oxides), mined lithium (no spodumene code), cathode, anode and
cells (no trade in the bundle). The observed baseline (:mod:`cellchain.network.baseline`)
draws those from the registry's ``flows`` table and the world pool.
"""

from __future__ import annotations

from functools import cache

import numpy as np

from cellchain import units

#: product -> {HS6 code: factor from t of the traded good to the product's unit}
TRADED = {
    "lithium_chemicals": {"283691": 1.0, "282520": units.LCE_PER_LIOH_H2O},
    "mine_graphite": {"250410": 1.0},
}


@cache
def last_trade_year() -> int:
    """The latest year with trade in the bundle."""
    from cellchain.io import store

    return int(store.query_rows("SELECT max(year) FROM trade")[0][0])


@cache
def imports(product: str, year: int) -> dict[tuple[str, str], float]:
    """BACI imports of a traded product [product unit]: {(origin, destination): quantity}.

    Uses ``year``, or the latest trade year before it. Rows without a reported quantity
    and trade with unmapped BACI areas are left out.
    """
    from cellchain.io import store

    codes = TRADED[product]
    year = min(year, last_trade_year())
    rows = store.query_rows(
        f"SELECT exporter, importer, hs6, sum(quantity_t) FROM trade_flows "
        f"WHERE year = ? AND hs6 IN ({', '.join('?' * len(codes))}) "
        f"AND quantity_t > 0 AND exporter IS NOT NULL AND importer IS NOT NULL "
        f"AND exporter <> importer GROUP BY 1, 2, 3", [year, *codes])
    out: dict[tuple[str, str], float] = {}
    for exporter, importer, hs6, qty in rows:
        key = (exporter, importer)
        out[key] = out.get(key, 0.0) + float(qty) * codes[hs6]
    return out


def sourcing_matrix(product: str, year: int, countries: list[str],
                    own_supply: np.ndarray) -> np.ndarray:
    """Apparent-supply mix ``S[o, d]`` over ``countries`` (columns sum to 1, or 0).

    ``own_supply`` is each country's cited capacity or output of the product [product
    unit]. A column is zero where a country has neither own supply nor imports; origins
    outside ``countries`` are left out of the mix.
    """
    index = {c: i for i, c in enumerate(countries)}
    m = np.zeros((len(countries), len(countries)))
    for (o, d), qty in imports(product, year).items():
        if o in index and d in index:
            m[index[o], index[d]] += qty
    m[np.diag_indices_from(m)] = np.asarray(own_supply, dtype=float)
    total = m.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(total > 0, m / total, 0.0)


@cache
def observed_sourcing(product: str, year: int, countries: tuple[str, ...]) -> np.ndarray:
    """:func:`sourcing_matrix` with the countries' cited own supply, computed once per
    product, year and country list (the capacities take a registry pass)."""
    countries = list(countries)
    matrix = sourcing_matrix(product, year, countries, own_supply(product, year, countries))
    matrix.flags.writeable = False
    return matrix


def own_supply(product: str, year: int, countries: list[str]) -> np.ndarray:
    """Each country's battery-chain output of the product in the network of ``year``."""
    from cellchain.network.build import build_network

    net = build_network(year)
    return np.array([float(net.output[product][net.index(c)]) if net.has(c) else 0.0
                     for c in countries])
