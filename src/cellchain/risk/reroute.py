"""Long-run mode: each draw's capacity losses re-routed with the least change from the
observed baseline (:mod:`cellchain.optimize.reroute`).

A draw lowers every struck node's capacity by its direct loss; the re-routing programme,
built once per process and re-solved from a warm start, then finds what the market can
still be served after re-routing. The shortfall is the market's unserved cells [fraction of its
demand]; upstream losses reach it through the model's mass balances.
"""

from __future__ import annotations

import numpy as np

#: Flow models built in this process, by network token (one per worker process; HiGHS
#: objects are never pickled or shared between threads): (model, baseline unserved demand
#: by market [GWh/yr]).
_MODELS: dict[str, tuple] = {}


def flow_model(token: str, net):
    """The process's re-routing programme for ``net`` (built and solved at the baseline on
    first use) and the baseline's unserved demand."""
    from cellchain.network import baseline
    from cellchain.optimize.reroute import Reroute

    if token not in _MODELS:
        _MODELS.clear()
        fm = Reroute(net, baseline.build(net))
        base = fm.solve()
        _MODELS[token] = (fm, dict(base.unserved))
    return _MODELS[token]


def reroute(st, net, token: str, direct: np.ndarray, markets: tuple[str, ...]) -> np.ndarray:
    """(D, len(markets)) unserved share of each market's cell demand after re-routing."""
    from cellchain.optimize.reroute import Changes

    # every re-solve starts from the baseline's basis, so a draw's answer depends on the
    # draw alone, not on what the process solved before
    fm, base_unserved = flow_model(token, net)
    index = {c: i for i, c in enumerate(net.countries)}
    columns = [(p, c) for p in st.products for c in st.nodes[p]]
    base = np.array([net.capacity[p][index[c]] for p, c in columns])
    demand = np.array([net.demand.get(m, 0.0) for m in markets])
    out = np.zeros((direct.shape[0], len(markets)))
    for row in range(direct.shape[0]):
        struck = np.flatnonzero(direct[row] > 0)
        if struck.size == 0:
            continue
        changes = Changes(capacity={columns[k]: base[k] * (1.0 - direct[row, k])
                                         for k in struck if base[k] > 0})
        served = fm.unserved(changes)  # how much is served is stage 1's answer
        if served is None:
            out[row] = 1.0
            continue
        unserved = np.array([served.get(m, 0.0) for m in markets])
        with np.errstate(divide="ignore", invalid="ignore"):
            out[row] = np.where(demand > 0, unserved / demand, 0.0)
    base_unserved = np.array([base_unserved.get(m, 0.0) for m in markets])
    with np.errstate(divide="ignore", invalid="ignore"):
        base_share = np.where(demand > 0, base_unserved / demand, 0.0)
    # a draw that strikes nothing leaves the baseline; shortfall is measured against it
    return np.clip(out - np.where(out > 0, base_share, 0.0), 0.0, 1.0)
