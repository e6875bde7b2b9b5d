"""Jobs and capex by year from the pipeline: the plant's own figures where a source gives
them, else sourced intensities, marked ``estimated``.

For a plant in year ``y`` with announced capacity ``L`` and expected capacity ``E``
(:mod:`cellchain.pipeline.plants`):

- ``jobs``: the plant's own jobs figure; else ``L`` times an intensity [jobs per unit of
  capacity]: a sourced regional figure where one applies (``intensities.csv`` beside this
  module, e.g. the JRC's 90-180 direct jobs per GWh/yr for cell plants in the EU, central
  140), else the median jobs per capacity of the registry plants of the same stage and
  unit that have both figures (:func:`cellchain.chain.jobs.intensities`).
- ``capex_musd``: the plant's own investment figure [million USD]; else ``L`` times the
  median capex per unit of capacity of the registry plants that have both.
- ``expected_jobs = jobs x E / L`` and ``expected_capex_musd = capex_musd x E / L``: the
  figures weighted by the plant's probability of being built by ``y``.
"""

from __future__ import annotations

import csv
import statistics
from pathlib import Path

from cellchain import caches
from cellchain.chain import jobs as chain_jobs
from cellchain.chain import model
from cellchain.errors import InvalidInputError
from cellchain.pipeline.capacity import check_stage, paths, registry_stage
from cellchain.pipeline.config import HORIZON, PipelineConfig

INTENSITIES = Path(__file__).with_name("intensities.csv")


@caches.cached
def sourced_intensities() -> tuple[dict, ...]:
    """Sourced jobs intensities: one dict per row of ``intensities.csv``."""
    with INTENSITIES.open(encoding="utf-8", newline="") as fh:
        rows = []
        for r in csv.DictReader(fh):
            for k in ("low", "central", "high"):
                r[k] = float(r[k])
            rows.append(r)
    return tuple(rows)


def regional_intensity(product: str, country: str, year: int) -> dict | None:
    """The sourced jobs intensity row for a plant making ``product`` in ``country``
    (its region a bloc of the country in ``year``, or the country), or None."""
    for r in sourced_intensities():
        if r["product"] == product and r["measure"] == "direct_jobs" and (
                r["region"] in model.blocs_of(country, year) or r["region"] == country):
            return r
    return None


def capex_intensities(year: int) -> dict[tuple[str, str], tuple[float, int]]:
    """Median capex per unit of capacity by (stage, unit) [million USD per unit], with the
    number of registry plants behind it."""
    ratios: dict[tuple[str, str], list[float]] = {}
    for fid, fac in model.facilities().items():
        cap = model.capacity_as_of(fid, year)
        if fac["capex_musd"] and cap is not None and cap.value > 0:
            ratios.setdefault((fac["stage"], cap.unit), []).append(fac["capex_musd"]
                                                                   / cap.value)
    return {k: (statistics.median(v), len(v)) for k, v in ratios.items()}


COLUMNS = ["year", "facility", "name", "country", "status", "announced_capacity",
           "expected_capacity", "unit", "probability", "jobs", "jobs_low", "jobs_high",
           "expected_jobs", "jobs_basis", "jobs_source", "capex_musd", "expected_capex_musd",
           "capex_basis"]


def jobs(year: int, stage: str = "cells", country: str | None = None,
         config: PipelineConfig | None = None):
    """Jobs and capex per plant in ``year`` from the pipeline (see module docstring).

    Returns
    -------
    pandas.DataFrame
        One row per plant with announced capacity in ``year``: the columns of
        :data:`COLUMNS`; ``jobs_low``/``jobs_high`` span a sourced range where the
        intensity has one; ``*_basis`` says ``reported`` or ``estimated`` and from what.
    """
    import pandas as pd

    from cellchain import countries

    cfg = config or PipelineConfig()
    product = check_stage(stage)
    if isinstance(year, bool) or not isinstance(year, int) or not cfg.as_of <= year <= HORIZON:
        raise InvalidInputError(f"Year {year!r} is outside the pipeline.",
                                f"Use a year from {cfg.as_of} to {HORIZON}.")
    iso3 = countries.resolve(country) if country else None
    reg_stage = registry_stage(product)
    medians = chain_jobs.intensities(cfg.as_of)
    capex_medians = capex_intensities(cfg.as_of)
    rows = []
    for fac, p in paths(cfg, HORIZON, product):
        if p.reason is not None or (iso3 and fac["country"] != iso3):
            continue
        ann, exp = p.announced[year], p.expected[year]
        if ann <= 0:
            continue
        share = exp / ann
        low = high = None
        source = fac["source_url"]
        if fac["jobs"]:
            value = float(fac["jobs"])
            basis = f"reported ({fac['jobs_year'] or 'year n/a'})"
        elif (r := regional_intensity(product, fac["country"], year)) is not None:
            value, low, high = ann * r["central"], ann * r["low"], ann * r["high"]
            basis = f"estimated: {r['central']:g} ({r['low']:g}-{r['high']:g}) {r['unit']}"
            source = r["source_url"]
        elif (reg_stage, p.unit) in medians:
            per, n = medians[(reg_stage, p.unit)]
            value, basis = ann * per, f"estimated: median of {n} registry plants"
            source = "registry plants with jobs and capacity"
        else:
            value, basis, source = None, "unknown (no jobs figure or intensity)", ""
        if fac["capex_musd"]:
            capex, capex_basis = float(fac["capex_musd"]), "reported"
        elif (reg_stage, p.unit) in capex_medians:
            per, n = capex_medians[(reg_stage, p.unit)]
            capex, capex_basis = ann * per, f"estimated: median of {n} registry plants"
        else:
            capex, capex_basis = None, "unknown (no capex figure or intensity)"
        rows.append({
            "year": year, "facility": fac["id"], "name": fac["name"],
            "country": fac["country"], "status": p.status, "announced_capacity": ann,
            "expected_capacity": exp, "unit": p.unit, "probability": share, "jobs": value,
            "jobs_low": low, "jobs_high": high,
            "expected_jobs": None if value is None else value * share,
            "jobs_basis": basis, "jobs_source": source, "capex_musd": capex,
            "expected_capex_musd": None if capex is None else capex * share,
            "capex_basis": capex_basis})
    return pd.DataFrame(rows, columns=COLUMNS)
