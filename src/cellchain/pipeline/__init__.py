"""The pipeline to 2035: capacity by year per plant from status history and dated
capacities, weighted by completion probability and delayed by status (:mod:`.config`),
against sourced demand projections (:mod:`.demand`), with jobs and capex by year
(:mod:`.jobs`).

``cellchain.pipeline(...)`` is the API function :func:`cellchain.pipeline.capacity.pipeline`:
this package module is callable, so the name works both as the package and as the
function (``cellchain.pipeline("USA")``, ``cellchain.pipeline.expected_capacity(2030)``).
"""

import sys
import types

from cellchain.pipeline.capacity import excluded, expected_capacity, pipeline, plant_capacity

__all__ = ["excluded", "expected_capacity", "output_records", "pipeline", "plant_capacity"]


def output_records(df) -> list[dict]:
    """A pipeline table as JSON-ready row dicts (NaN as None)."""
    import math

    return [{k: (None if isinstance(v, float) and math.isnan(v) else
                 v.item() if hasattr(v, "item") else v) for k, v in row.items()}
            for row in df.to_dict("records")]


class _CallableModule(types.ModuleType):
    """The package, callable as :func:`pipeline`."""

    def __call__(self, *args, **kwargs):
        return pipeline(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
