"""Shares and concentration of a set of quantities (pure Python; no I/O, no numpy import).

- share_i = x_i / sum(x), a fraction in [0, 1];
- HHI = sum((100 * share_i)^2), from 0 (atomistic) to 10,000 (one supplier);
- top-N share = sum of the N largest shares.

The functions take any iterable of numbers (lists, numpy arrays, pandas Series). They are
written without numpy so that the everyday commands (``cellchain production``) need not
import it; :func:`shares` alone returns a numpy array, for callers that compute with it.
"""

from __future__ import annotations

import math

from cellchain.errors import InvalidInputError


def _floats(values, nan_as_zero: bool) -> list[float]:
    """The values as floats, NaN dropped (or zero); InvalidInputError on a negative one."""
    out = []
    for v in values:
        x = float(v)
        if math.isnan(x):
            if not nan_as_zero:
                continue
            x = 0.0
        if x < 0:
            raise InvalidInputError("Quantities must be non-negative to compute shares.",
                                    "Remove or correct the negative values.")
        out.append(x)
    return out


def share_list(values) -> list[float]:
    """Fraction of the total held by each value [0-1], as a list; NaN counts as zero.

    All zeros (or empty) give all-zero shares rather than a division by zero.
    """
    arr = _floats(values, nan_as_zero=True)
    total = math.fsum(arr)
    return [x / total for x in arr] if total > 0 else [0.0] * len(arr)


def shares(values):
    """:func:`share_list` as a numpy array [0-1]."""
    import numpy as np

    return np.asarray(share_list(values), dtype=float)


def hhi(values) -> float:
    """Herfindahl-Hirschman index of the quantities' shares [0-10,000]."""
    arr = _floats(values, nan_as_zero=False)
    total = math.fsum(arr)
    if total <= 0:
        return 0.0
    return math.fsum((100.0 * x / total) ** 2 for x in arr)


def top_n_share(values, n: int = 3) -> float:
    """Sum of the ``n`` largest shares [0-1]."""
    if n < 1:
        raise InvalidInputError(f"top-N needs n >= 1, got {n}.", "Use n = 1, 2, 3, ...")
    arr = sorted(_floats(values, nan_as_zero=False), reverse=True)
    total = math.fsum(arr)
    if total <= 0:
        return 0.0
    # the n largest over the whole: monotone in n and exactly 1 when n covers every value
    return math.fsum(arr[:n]) / total
