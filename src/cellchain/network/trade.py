"""Observed bilateral trade of chain products from the bundle (CEPII BACI), in the
network's units: the baseline's step 2 (:mod:`cellchain.network.baseline`).

Traded products (HS 1992 codes in the bundle):

- ``lithium_chemicals`` [t LCE]: 283691 lithium carbonate (1 t = 1 t LCE) and 282520
  lithium oxide and hydroxide (as the monohydrate, 0.880 t LCE per t; see
  :mod:`cellchain.units`).
- ``mine_graphite`` [t]: 250410 natural graphite in powder or flakes.

Not read from the bundle, and why: refined nickel (the bundle has ores, 260400, in gross
weight, not refined nickel), refined cobalt (282200 mixes the Congolese hydroxide
intermediate with refined oxides), mined lithium (no spodumene code), cathode, anode and
cells (no trade in the bundle). The baseline takes those from the registry's ``flows``
table where it cites them, else from the world pool.
"""

from __future__ import annotations

from cellchain import caches, units

#: product -> {HS6 code: factor from t of the traded good to the product's unit}
TRADED = {
    "lithium_chemicals": {"283691": 1.0, "282520": units.LCE_PER_LIOH_H2O},
    "mine_graphite": {"250410": 1.0},
}


@caches.cached
def last_trade_year() -> int:
    """The latest year with trade in the bundle."""
    from cellchain.io import store

    return int(store.query_rows("SELECT max(year) FROM trade")[0][0])


@caches.cached
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
