"""cellchain: map, measure and stress-test the global lithium-ion battery supply chain.

The public Python API lives in :mod:`cellchain.api`; it is imported lazily so that
``import cellchain`` (and ``cellchain --help``) stay fast.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__", "production", "risk_montecarlo", "trade"]


def __getattr__(name: str):
    if name in ("production", "risk_montecarlo", "trade"):
        from cellchain import api

        return getattr(api, name)
    raise AttributeError(f"module 'cellchain' has no attribute {name!r}")
