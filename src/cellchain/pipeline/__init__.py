"""The pipeline to 2035: capacity by year per plant from status history and dated
capacities, weighted by completion probability and delayed by status (config), against
sourced demand projections (demand), with jobs and capex by year (jobs).
"""

from cellchain.pipeline.capacity import excluded, expected_capacity, pipeline

__all__ = ["excluded", "expected_capacity", "pipeline"]
