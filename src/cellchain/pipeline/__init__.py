"""The pipeline to 2035: capacity by year per plant from status history and dated
capacities, weighted by completion probability and delayed by status (config), against
sourced demand projections (demand), with jobs and capex by year (jobs).
"""

from cellchain.pipeline.capacity import excluded, expected_capacity, pipeline

__all__ = ["excluded", "expected_capacity", "output_records", "pipeline"]


def output_records(df) -> list[dict]:
    """A pipeline table as JSON-ready row dicts (NaN as None)."""
    import math

    return [{k: (None if isinstance(v, float) and math.isnan(v) else
                 v.item() if hasattr(v, "item") else v) for k, v in row.items()}
            for row in df.to_dict("records")]
