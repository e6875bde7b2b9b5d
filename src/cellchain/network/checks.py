"""Invariant checks of the supply network and its flows: warn by default, raise when strict.

- **mass balance**: per product, what each origin ships equals its output and what each
  destination receives equals its use (cells: demand met plus unserved equals demand)
- **shares sum to one**: every traced stage's shares, within :data:`TOLERANCE`
- **HHI range**: 0 <= HHI <= 10,000

Tests run strict (``CELLCHAIN_STRICT=1`` in ``tests/conftest.py``, or ``strict=True``).
"""

from __future__ import annotations

import logging
import os
import warnings

import numpy as np

from cellchain.errors import CellchainError

log = logging.getLogger(__name__)
#: Relative tolerance of the balance and share checks.
TOLERANCE = 1e-6


class InvariantError(CellchainError):
    """An invariant of the network or its flows does not hold."""


class InvariantWarning(UserWarning):
    """An invariant of the network or its flows does not hold (non-strict mode)."""


def strict_default() -> bool:
    return os.environ.get("CELLCHAIN_STRICT", "") not in ("", "0")


def _report(problems: list[str], strict: bool | None) -> list[str]:
    if problems:
        message = "; ".join(problems[:5]) + (f" (and {len(problems) - 5} more)"
                                            if len(problems) > 5 else "")
        if strict if strict is not None else strict_default():
            raise InvariantError(message, "This is a bug in the model or the data; "
                                          "report it with the command that showed it.")
        warnings.warn(message, InvariantWarning, stacklevel=3)
    return problems


def mass_balance(flows: dict[str, np.ndarray], supply: dict[str, np.ndarray],
                 use: dict[str, np.ndarray], strict: bool | None = None) -> list[str]:
    """Rows of ``flows[p]`` sum to ``supply[p]`` and columns to ``use[p]`` [model units]."""
    problems = []
    for p, f in flows.items():
        scale = max(float(np.abs(supply[p]).sum()), 1.0)
        out_gap = float(np.abs(f.sum(axis=1) - supply[p]).max(initial=0.0))
        in_gap = float(np.abs(f.sum(axis=0) - use[p]).max(initial=0.0))
        if out_gap > TOLERANCE * scale:
            problems.append(f"{p}: shipments differ from output by {out_gap:.6g}")
        if in_gap > TOLERANCE * scale:
            problems.append(f"{p}: arrivals differ from use by {in_gap:.6g}")
        if (f < -TOLERANCE * scale).any():
            problems.append(f"{p}: negative flow {float(f.min()):.6g}")
    return _report(problems, strict)


def shares_sum_to_one(df, keys=("market", "product", "by"), strict: bool | None = None
                      ) -> list[str]:
    """Every group of ``df`` (by ``keys``) has ``share`` summing to one."""
    problems = []
    if len(df):
        sums = df.groupby(list(keys))["share"].sum()
        for key, total in sums.items():
            if abs(total - 1.0) > TOLERANCE * 10:
                problems.append(f"shares of {key} sum to {total:.9f}, not 1")
    return _report(problems, strict)


def hhi_range(values, strict: bool | None = None) -> list[str]:
    """Every HHI lies in [0, 10,000]."""
    v = np.asarray(list(values), dtype=float)
    v = v[~np.isnan(v)]
    bad = v[(v < -1e-6) | (v > 10_000 + 1e-6)]
    return _report([f"HHI {x:.6g} outside [0, 10000]" for x in bad], strict)
