"""The observed baseline: how the chain ran in a year (DESIGN.md section 6).

For every model product ``p`` with output ``O[o]`` (see :mod:`cellchain.network.build`) and
use ``U[d]`` (cells: demand by market; otherwise downstream output x the recipe), the flows
``F[o, d]`` [model unit/yr] are built in this order:

1. **Home supply.** ``F[d, d] = min(O[d], U[d])``; for cells, a market's member countries
   serve it first, in proportion to their output.
2. **Bilateral trade.** Observed imports (CEPII BACI in the bundle, for lithium chemicals
   and natural graphite, see :mod:`cellchain.network.trade`) and the registry's ``flows``
   table of published figures, each limited to what the exporter has left after home
   supply and what the importer still needs: ``T'[o, d] = T[o, d] x min(1, X[o] / sum_d
   T[o, d], N[d] / sum_o T[o, d])``.
3. **World pool.** What importers still need is drawn from the countries with output
   left, in proportion to it: ``F[o, d] += N'[d] X'[o] / sum X'``.
4. **Balance.** Biproportional (RAS) scaling of the whole matrix to rows ``O`` and columns
   ``U`` (world output equals world use by construction, so the margins agree); after
   steps 1-3 the margins already hold and the scaling only removes rounding.

Each flow's ``basis`` is the step that carried most of it: ``observed`` (home supply of a
country's own output, BACI trade), ``cited`` (the ``flows`` table) or ``pooled``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cellchain.network.network import Network
from cellchain.network.products import PRODUCTS

BASES = ("", "observed", "cited", "pooled")
#: Relative tolerance of the RAS balancing.
RAS_TOLERANCE = 1e-12


@dataclass
class Baseline:
    """Flows of one year: ``flows[p]`` is origin country x destination (a country, or a
    market for cells) [model unit/yr]; ``basis[p]`` the same shape of indices into
    :data:`BASES`; ``destinations[p]`` the column labels."""

    net: Network
    flows: dict[str, np.ndarray]
    basis: dict[str, np.ndarray]
    destinations: dict[str, list[str]]

    def table(self):
        """The flows as rows: product, exporter, importer, value, unit, basis."""
        import pandas as pd

        from cellchain.network.products import STAGE_OF, UNITS

        rows = []
        for p in PRODUCTS:
            f = self.flows[p]
            for o, d in zip(*np.nonzero(f > 0), strict=True):
                rows.append({"year": self.net.year, "stage": STAGE_OF[p], "product": p,
                             "exporter": self.net.countries[o],
                             "importer": self.destinations[p][d], "value": float(f[o, d]),
                             "unit": UNITS[p], "basis": BASES[self.basis[p][o, d]]})
        return pd.DataFrame(rows, columns=["year", "stage", "product", "exporter",
                                           "importer", "value", "unit", "basis"])


def use_of(net: Network, product: str, output=None) -> np.ndarray:
    """Use per destination: demand per market for cells, else :meth:`Network.use`."""
    if product == "cells":
        return np.array([float(net.demand[m]) for m in net.markets])
    return net.use(product, output)


def home_matrix(net: Network, product: str, out: np.ndarray, use: np.ndarray) -> np.ndarray:
    """Step 1: each country's (market's) own output serving its own use."""
    n = len(net.countries)
    if product != "cells":
        h = np.zeros((n, n))
        h[np.diag_indices(n)] = np.minimum(out, use)
        return h
    h = np.zeros((n, len(net.markets)))
    for m, members in enumerate(net.markets.values()):
        rows = [net.index(c) for c in members if net.has(c)]
        made = out[rows].sum()
        if made > 0:
            h[rows, m] = out[rows] * min(1.0, use[m] / made)
    return h


def trade_matrix(net: Network, product: str) -> tuple[np.ndarray, np.ndarray]:
    """Step 2's raw observed trade ``T`` and, per entry, its basis (observed or cited)."""
    from cellchain.network import trade

    n = len(net.countries)
    width = len(net.markets) if product == "cells" else n
    t = np.zeros((n, width))
    b = np.zeros((n, width), dtype=np.int8)
    dest_index = _dest_index(net, product)
    if product in trade.TRADED:
        for (o, d), qty in trade.imports(product, net.year).items():
            if net.has(o) and d in dest_index and dest_index[d] != _home(net, product, o):
                t[net.index(o), dest_index[d]] += qty
                b[net.index(o), dest_index[d]] = 1
    for (o, d), qty in cited_flows(net, product).items():
        if net.has(o) and d in dest_index and dest_index[d] != _home(net, product, o):
            t[net.index(o), dest_index[d]] = qty  # a published figure replaces the bundle's
            b[net.index(o), dest_index[d]] = 2
    return t, b


def _dest_index(net: Network, product: str) -> dict[str, int]:
    if product != "cells":
        return {c: i for i, c in enumerate(net.countries)}
    out = {m: i for i, m in enumerate(net.markets)}
    for i, members in enumerate(net.markets.values()):
        for c in members:
            out.setdefault(c, i)
    return out


def _home(net: Network, product: str, origin: str) -> int:
    if product != "cells":
        return net.index(origin)
    return list(net.markets).index(net.market_of(origin))


def cited_flows(net: Network, product: str) -> dict[tuple[str, str], float]:
    """Published bilateral figures for ``product`` and the network's year from the
    registry's ``flows`` table (schema ``exporter, importer, product, year, measure,
    value, unit, scope, ...``), when the table exists.

    - ``measure: quantity`` in a unit of the product (``t LCE``, ``GWh``, ``t Co``, ...) is a
      quantity [model unit];
    - ``measure: share`` with a unit ``fraction of <importer> import ...`` is the exporter's
      share of the importer's imports;
    - values (any currency) and quantities in other units (tonnes of concentrate) count as
      shares when the table gives the importer's total (exporter ``WLD``) with the same
      measure, unit and scope (e.g. the same months).

    Where several rows give one pair, a quantity beats a share, a share by quantity beats
    one by value, and the more confident row wins. Returns {(exporter, importer):
    quantity}, and {(exporter, importer): -share} for shares (made quantities in
    :func:`product_flows`, from the importer's remaining need).
    """
    from cellchain.chain import model
    from cellchain.network.products import to_model_unit

    names = _registry_names(product)
    rows = [r for r in model.tables().get("flows", [])
            if r.get("product") in names and r.get("year") == net.year
            and r.get("value") is not None and r.get("importer") != "WLD"]
    quantity: dict[tuple[str, str], tuple[int, float]] = {}
    shares: dict[tuple[str, str], tuple[tuple[int, int], float]] = {}
    totals: dict[tuple, float] = {}
    for r in rows:
        if r["exporter"] == "WLD":
            totals[(r["importer"], r["measure"], r["unit"], r.get("scope"))] = float(r["value"])
    for r in rows:
        pair, rank = (r["exporter"], r["importer"]), model.confidence_rank(r)
        if r["exporter"] == "WLD":
            continue
        if r["measure"] == "quantity":
            try:
                v = to_model_unit(product, r["value"], r["unit"])
            except ValueError:
                v = None
            if v is not None:
                if pair not in quantity or rank < quantity[pair][0]:
                    quantity[pair] = (rank, v)
                continue
        unit = str(r["unit"])
        if r["measure"] == "share" and unit.startswith("fraction of") and "import" in unit:
            share = float(r["value"])
        else:
            total = totals.get((r["importer"], r["measure"], r["unit"], r.get("scope")))
            if not total:
                continue
            share = float(r["value"]) / total
        key = (0 if "quantity" in unit or r["measure"] == "quantity" else 1, rank)
        if 0 < share <= 1 and (pair not in shares or key < shares[pair][0]):
            shares[pair] = (key, share)
    out = {pair: -share for pair, (_, share) in shares.items()}
    out.update({pair: v for pair, (_, v) in quantity.items()})
    return out


def _registry_names(product: str) -> set[str]:
    """Product names the ``flows`` table may use for a model product."""
    from cellchain.network.products import REGISTRY_PRODUCTS

    names = {product} | {r for (_, r), ms in REGISTRY_PRODUCTS.items() if product in ms}
    names |= {"mine_lithium": {"spodumene", "lithium_concentrate"},
              "mine_graphite": {"natural_graphite"}}.get(product, set())
    return names


def ras(seed: np.ndarray, rows: np.ndarray, cols: np.ndarray, iterations: int = 1000
        ) -> np.ndarray:
    """Scale ``seed`` biproportionally so its row sums are ``rows`` and its column sums
    ``cols`` (both non-negative with equal totals); zeros stay zero."""
    f = seed.copy()
    scale = max(float(rows.sum()), 1e-300)
    for _ in range(iterations):
        r = f.sum(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            f *= np.where(r > 0, rows / r, 0.0)[:, None]
        c = f.sum(axis=0)
        with np.errstate(divide="ignore", invalid="ignore"):
            f *= np.where(c > 0, cols / c, 0.0)[None, :]
        if np.abs(f.sum(axis=1) - rows).sum() <= RAS_TOLERANCE * scale:
            break
    return f


def product_flows(net: Network, product: str, out=None, use=None
                  ) -> tuple[np.ndarray, np.ndarray]:
    """Flows and basis of one product (steps 1-4 of the module docstring)."""
    out = net.output[product] if out is None else out
    use = use_of(net, product) if use is None else use
    home = home_matrix(net, product, out, use)
    x = out - home.sum(axis=1)
    need = use - home.sum(axis=0)
    t, tb = trade_matrix(net, product)
    shares = t < 0  # cited value shares of the importer's needs
    t = np.where(shares, -t * need[None, :], t)
    t[x <= 0, :] = 0.0
    t[:, need <= 0] = 0.0
    rsum, csum = t.sum(axis=1), t.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        rf = np.where(rsum > 0, np.minimum(1.0, x / rsum), 0.0)
        cf = np.where(csum > 0, np.minimum(1.0, need / csum), 0.0)
    t = t * np.minimum(rf[:, None], cf[None, :])
    x = np.maximum(0.0, x - t.sum(axis=1))
    need = np.maximum(0.0, need - t.sum(axis=0))
    pool = np.outer(x / x.sum(), need) if x.sum() > 0 else np.zeros_like(t)
    flows = ras(home + t + pool, out, use)
    flows[flows < 1e-12 * max(out.sum(), 1.0)] = 0.0
    parts = np.stack([home, np.where(tb == 1, t, 0.0), np.where(tb == 2, t, 0.0), pool])
    basis = (np.argmax(parts, axis=0) + 1).astype(np.int8)
    basis[basis == 1] = 1  # home supply counts as observed
    basis[basis == 2] = 1
    basis[basis == 3] = 2
    basis[basis == 4] = 3
    basis[flows <= 0] = 0
    return flows, basis


def build(net: Network) -> Baseline:
    """The observed baseline of the network's year (mass balance checked: a warning, or an
    error in strict mode, when a product's flows do not add up to its output and use)."""
    from cellchain.network import checks

    flows, basis, dests = {}, {}, {}
    for p in PRODUCTS:
        flows[p], basis[p] = product_flows(net, p)
        dests[p] = list(net.markets) if p == "cells" else list(net.countries)
    checks.mass_balance(flows, {p: net.output[p] for p in PRODUCTS},
                        {p: use_of(net, p) for p in PRODUCTS})
    return Baseline(net, flows, basis, dests)
