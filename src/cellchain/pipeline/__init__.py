"""The pipeline to 2035: capacity by year per plant from status history and dated
capacities, weighted by completion probability and delayed by status (:mod:`.config`),
against sourced demand projections (:mod:`.demand`), with jobs and capex by year
(:mod:`.jobs`).

``cellchain.pipeline(...)`` is the API function :func:`pipeline` (the ``cellchain
pipeline`` command, with the same keywords): this package module is callable, so the name
works both as the package and as the function (``cellchain.pipeline("USA")``,
``cellchain.pipeline.expected_capacity(2030)``).
"""

import inspect
import sys
import types
from pathlib import Path

from cellchain.pipeline.capacity import excluded, expected_capacity, plant_capacity
from cellchain.pipeline.config import HORIZON, PipelineConfig

__all__ = ["excluded", "expected_capacity", "output_records", "pipeline", "plant_capacity"]


def _config(config, probability, delay) -> PipelineConfig:
    from cellchain.pipeline import config as config_mod

    def items(x):
        return [f"{k}={v}" for k, v in x.items()] if isinstance(x, dict) else list(x or [])

    if isinstance(config, PipelineConfig):
        data = config.model_dump()
        data["probability"].update(config_mod.parse_overrides(items(probability)))
        data["delay"].update(config_mod.parse_overrides(items(delay), "delay"))
        return config_mod.from_dict(data, "arguments")
    if isinstance(config, dict):
        base = config_mod.from_dict(config, "config")
        return _config(base, probability, delay)
    return config_mod.build(config, items(probability), items(delay))


def pipeline(market: str = "world", stage: str = "cells", to: int = HORIZON,
             by: str = "location", scenario: str | None = None,
             end_use: list[str] | tuple[str, ...] | str | None = None,
             probability: dict | list[str] | None = None,
             delay: dict | list[str] | None = None,
             config: PipelineConfig | dict | Path | str | None = None,
             excluded: bool = False, demand: bool = False):
    """Capacity by year to ``to`` against demand for a market and stage (the ``cellchain
    pipeline`` command; see :func:`cellchain.pipeline.capacity.pipeline` for the columns).

    Parameters
    ----------
    market, stage, to, by, scenario
        As for the command: ``world``/country/bloc; product; last year (<= 2035);
        ``location`` or ``owner``; demand projection (default IEA STEPS (GEVO2025);
        ``none`` for capacity only).
    end_use : str or list of str, optional
        Demand end uses summed (default ``ev_all``).
    probability, delay : dict or list of "STATUS=VALUE", optional
        Overrides of the completion probabilities [0-1] and expected delays [years].
    config : PipelineConfig, dict or path of a YAML file, optional
        The assumptions (defaults: labelled, see docs/pipeline.md).
    excluded : bool
        Return the plants left out of the sums, with the reason, instead.
    demand : bool
        Return the demand projection by year and end use instead [GWh/yr of cells].
    """
    from cellchain.pipeline import capacity
    from cellchain.pipeline import demand as demand_mod

    cfg = _config(config, probability, delay)
    end_uses = (end_use,) if isinstance(end_use, str) else tuple(
        end_use or demand_mod.DEFAULT_END_USES)
    scenario = scenario or demand_mod.DEFAULT_SCENARIO
    if demand:
        return demand_mod.demand_table(market, end_uses, scenario, to, cfg.as_of - 2)
    if excluded:
        return capacity.excluded(market, stage, cfg, by)
    return capacity.pipeline(market, stage, to, by, scenario, end_uses, cfg)


def output_records(df) -> list[dict]:
    """A pipeline table as JSON-ready row dicts (NaN as None)."""
    import math

    return [{k: (None if isinstance(v, float) and math.isnan(v) else
                 v.item() if hasattr(v, "item") else v) for k, v in row.items()}
            for row in df.to_dict("records")]


class _CallableModule(types.ModuleType):
    """The package, callable as :func:`pipeline` (with its signature)."""

    __signature__ = inspect.signature(pipeline)

    def __call__(self, *args, **kwargs):
        return pipeline(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
