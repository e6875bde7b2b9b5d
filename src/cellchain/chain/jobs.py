"""Jobs at plants: the plant's own figure where a source gives one, else an estimate.

The estimate multiplies the plant's capacity by the median jobs-per-capacity ratio of the
registry plants of the same stage and unit that have both a sourced jobs figure and a
capacity; the number of plants behind each ratio is reported with it.
"""

from __future__ import annotations

import statistics

from cellchain.chain import model
from cellchain.chain.shares import check_statuses
from cellchain.errors import unknown
from cellchain.nomenclature import STAGES


def intensities(year: int) -> dict[tuple[str, str], tuple[float, int]]:
    """Median jobs per unit of capacity by (stage, unit), with the number of plants."""
    ratios: dict[tuple[str, str], list[float]] = {}
    for fid, fac in model.facilities().items():
        cap = model.capacity_as_of(fid, max(year, fac["jobs_year"] or year))
        if fac["jobs"] and cap is not None and cap.value > 0:
            ratios.setdefault((fac["stage"], cap.unit), []).append(fac["jobs"] / cap.value)
    return {k: (statistics.median(v), len(v)) for k, v in ratios.items()}


def jobs(stage: str = "cells", country: str | None = None, year: int = 2024,
         status: str | None = None):
    """Jobs per plant of a stage (optionally one country) counted in ``year``.

    Returns
    -------
    pandas.DataFrame
        ``facility``, ``name``, ``country``, ``status``, ``capacity``, ``unit``, ``jobs``,
        ``basis`` (``reported`` with the year, or ``estimated`` from the median intensity of
        N plants), ``jobs_per_unit``.
    """
    import pandas as pd

    from cellchain import countries

    if stage not in STAGES:
        raise unknown("stage", stage, STAGES)
    iso3 = countries.resolve(country) if country else None
    statuses = check_statuses(status)
    year = model.check_year(year)
    ratios = intensities(year)
    rows = []
    for fid, fac in model.index().stages.get(stage, ()):
        if iso3 and fac["country"] != iso3:
            continue
        st = model.status_as_of(fid, year)
        if st not in statuses:
            continue
        cap = model.capacity_as_of(fid, year)
        if fac["jobs"]:
            value, basis = float(fac["jobs"]), f"reported ({fac['jobs_year'] or 'year n/a'})"
            per = value / cap.value if cap and cap.value else None
        elif cap is not None and (stage, cap.unit) in ratios:
            per, n = ratios[(stage, cap.unit)]
            value, basis = cap.value * per, f"estimated (median of {n} plants)"
        else:
            value, basis, per = None, "unknown (no jobs figure or capacity)", None
        rows.append({"facility": fid, "name": fac["name"], "country": fac["country"],
                     "status": st, "capacity": None if cap is None else cap.value,
                     "unit": None if cap is None else cap.unit, "jobs": value,
                     "basis": basis, "jobs_per_unit": per})
    return pd.DataFrame(rows, columns=["facility", "name", "country", "status", "capacity",
                                       "unit", "jobs", "basis", "jobs_per_unit"])
