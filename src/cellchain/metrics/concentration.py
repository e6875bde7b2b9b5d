"""Shares and concentration of a set of quantities (pure numpy; no I/O).

- share_i = x_i / sum(x), a fraction in [0, 1];
- HHI = sum((100 * share_i)^2), from 0 (atomistic) to 10,000 (one supplier);
- top-N share = sum of the N largest shares.
"""

from __future__ import annotations

import numpy as np

from cellchain.errors import InvalidInputError


def _as_quantities(values) -> np.ndarray:
    arr = np.asarray(values, dtype=float)
    arr = arr[~np.isnan(arr)]
    if (arr < 0).any():
        raise InvalidInputError("Quantities must be non-negative to compute shares.",
                                "Remove or correct the negative values.")
    return arr


def shares(values) -> np.ndarray:
    """Fraction of the total held by each value [0-1]; NaN counts as zero.

    All zeros (or empty) give all-zero shares rather than a division by zero.
    """
    arr = np.nan_to_num(np.asarray(values, dtype=float), nan=0.0)
    if (arr < 0).any():
        raise InvalidInputError("Quantities must be non-negative to compute shares.",
                                "Remove or correct the negative values.")
    total = arr.sum()
    return arr / total if total > 0 else np.zeros_like(arr)


def hhi(values) -> float:
    """Herfindahl-Hirschman index of the quantities' shares [0-10,000]."""
    arr = _as_quantities(values)
    total = arr.sum()
    if total <= 0:
        return 0.0
    s = arr / total
    return float(np.sum((100.0 * s) ** 2))


def top_n_share(values, n: int = 3) -> float:
    """Sum of the ``n`` largest shares [0-1]."""
    if n < 1:
        raise InvalidInputError(f"top-N needs n >= 1, got {n}.", "Use n = 1, 2, 3, ...")
    arr = _as_quantities(values)
    if arr.size == 0:
        return 0.0
    # cumulative sums of the sorted values: monotone in n and exactly 1 at the end
    cum = np.cumsum(np.sort(arr)[::-1])
    if cum[-1] <= 0:
        return 0.0
    return float(cum[min(n, arr.size) - 1] / cum[-1])
