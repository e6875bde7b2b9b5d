"""JSON that always parses: no NaN, no Infinity, no lone surrogates.

Python's ``json`` writes ``NaN`` and ``Infinity`` by default, which JSON itself (and
``JSON.parse`` in a browser) refuses. Every JSON the web API sends, and every figure
embedded in a page, goes through :func:`finite` first.
"""

from __future__ import annotations

import json
import math


def finite(obj):
    """``obj`` with every non-finite float (NaN, +-Infinity) replaced by None (JSON null)
    and every lone surrogate in a string (from an escape like ``"\\\\ud800"`` in an
    upload) replaced by ``?``, so it can be encoded as UTF-8. NumPy scalars become Python
    numbers first; dicts, lists and tuples are walked."""
    if hasattr(obj, "item") and hasattr(obj, "dtype") and getattr(obj, "ndim", 1) == 0:
        obj = obj.item()  # a NumPy scalar
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, str):
        try:
            obj.encode("utf-8")
        except UnicodeEncodeError:
            return obj.encode("utf-8", "replace").decode("utf-8")
        return obj
    if isinstance(obj, dict):
        return {k: finite(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [finite(v) for v in obj]
    return obj


def dumps(obj, **kwargs) -> str:
    """``json.dumps`` of :func:`finite` ``(obj)``; raises rather than write NaN."""
    return json.dumps(finite(obj), allow_nan=False, **kwargs)
