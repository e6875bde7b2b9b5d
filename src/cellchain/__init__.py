"""cellchain: map, measure and stress-test the global lithium-ion battery supply chain.

Every command of the ``cellchain`` command line is a function here, with the same keyword
names as its options, returning tidy pandas DataFrames (see :mod:`cellchain.api`)::

    import cellchain
    cellchain.production("lithium", year=2023)
    cellchain.exposure("USA", year=2024, by="owner")
    cellchain.scenario_run("scenarios/us_fta_only.yaml").table

They are imported lazily, on first use, so that ``import cellchain`` (and
``cellchain --help``) stay fast.
"""

from __future__ import annotations

__version__ = "0.1.0"

#: Top-level names, each loaded from its module on first use: one function per command
#: (``cellchain.api.COMMANDS`` maps commands to these names).
_LAZY = {name: "cellchain.api" for name in (
    "data_build", "data_path", "data_sources", "data_validate", "demand", "entity_show",
    "exposure", "facility_show", "intensities", "jobs", "market_report", "production",
    "recipe", "risk_concentration", "risk_geopolrisk", "risk_montecarlo", "scenario_run",
    "scenario_validate", "serve", "shares", "trade")}
_LAZY["news_extract"] = "cellchain.news.extract"

__all__ = ["__version__", "pipeline", *sorted(_LAZY)]


def __getattr__(name: str):
    module = _LAZY.get(name)
    if module is not None:
        from importlib import import_module

        return getattr(import_module(module), name)
    if name == "pipeline":  # the package is callable: cellchain.pipeline("USA")
        import cellchain.pipeline

        return cellchain.pipeline
    raise AttributeError(f"module 'cellchain' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})
