"""Short-run mode: sourcing fixed, no re-routing; losses carried downstream.

With ``h_p`` the fraction of node j's output of product p lost in a draw, ``d_p`` the
direct loss at the node and ``S_q`` the fixed sourcing of input q,

    h_p[j] = 1 - (1 - d_p[j]) * min over inputs q of (1 - sum_i S_q[i, j] * h_q[i])

(a plant short of any input makes that much less: fixed recipes). A market's shortfall of
product p is ``sum_j shares_p[j] * h_p[j]`` [fraction of its need]. All of it is
vectorised over the draws of a chunk.
"""

from __future__ import annotations

import numpy as np


def propagate(st, direct: np.ndarray) -> dict[str, np.ndarray]:
    """Per product, (D, nodes) fraction of each node's output lost (upstream first)."""
    lost: dict[str, np.ndarray] = {}
    for p in st.products:
        kept_direct = 1.0 - direct[:, st.offsets[p]]
        inputs = st.inputs.get(p, ())
        if not inputs:
            lost[p] = 1.0 - kept_direct
            continue
        worst = None  # the smallest available share of any input
        for q in inputs:
            available = 1.0 - lost[q] @ st.sourcing[q].astype(lost[q].dtype)
            worst = available if worst is None else np.minimum(worst, available)
        np.clip(worst, 0.0, 1.0, out=worst)
        lost[p] = 1.0 - kept_direct * worst
    return lost


def market_shortfall(st, lost: dict[str, np.ndarray], market: str) -> np.ndarray:
    """(D, P) shortfall of every product for ``market`` [fraction of its need]."""
    return shortfall_by_product(st, lost, market).T


def shortfall_by_product(st, lost: dict[str, np.ndarray], market: str) -> np.ndarray:
    """(P, D) shortfall of every product for ``market`` [fraction of its need]; a product's
    draws are contiguous (the layout the statistics read)."""
    shares = st.shares[market]
    return np.vstack([lost[p] @ shares[p] for p in st.products])
