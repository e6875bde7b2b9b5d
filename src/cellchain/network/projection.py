"""Which network years are projections, and what a projected network takes from where
(:func:`cellchain.network.build.build_network`).

A year after the as-of year (:data:`cellchain.nomenclature.AS_OF`, 2026) up to the
flow model's last year (:func:`cellchain.years.model_span`: 2030, the last year a demand
projection splits by market) is a projection: plant capacities are the pipeline's (``expected`` by
default), demand a named projection, and what is observed is carried from the latest
observed year (mine output, trade pattern, country totals, ownership).
"""

from __future__ import annotations

from cellchain.network.products import STAGE_OF
from cellchain.nomenclature import AS_OF

#: Capacity bases: the registry's reported capacities, or the pipeline's per plant.
BASES = ("reported", "expected", "low", "announced")
#: The pipeline's bases (:data:`cellchain.pipeline.capacity.BASES`).
PIPELINE_BASES = BASES[1:]


def year_is_projected(year) -> bool:
    """Whether ``year`` is after the as-of year (a projection) [calendar year]."""
    return isinstance(year, int) and not isinstance(year, bool) and year > AS_OF


def check_year(year, basis: str) -> int:
    """The year if the basis answers for it; InvalidInputError naming the years else.
    Every basis: the flow model's years (:func:`cellchain.years.model_span`, refused
    before any work); a pipeline basis only from the as-of year on."""
    from cellchain import years
    from cellchain.errors import InvalidInputError

    year = years.check(year, "model")
    if basis in PIPELINE_BASES and year < AS_OF:
        raise InvalidInputError(
            f"The pipeline's {basis} capacity starts in {AS_OF}; {year} is before it.",
            f"Use basis 'reported' for {year}, or a year from {AS_OF} to "
            f"{years.available('model')[-1]}.")
    return year


def capacity_scale(product: str, share: float, future: bool) -> float:
    """Factor from the production estimate to the network's capacity: the battery-chain
    share; for mines 1 (their output is the capacity), except in a projected year, where
    the latest observed mine output stands in and grows with the chain's use (never
    below it), so capacity stays at least output."""
    if STAGE_OF[product] != "mining":
        return share
    return max(1.0, share) if future else 1.0


def projection_sources(year: int, basis: str, given: bool = False) -> dict[str, str]:
    """What a network of a projected year (or on a pipeline basis) takes from where;
    ``given``: the caller passed its own capacity per plant."""
    from cellchain.io import store
    from cellchain.network import trade

    if given:
        cap = f"capacity per plant in {year} as given by the caller ({basis})"
    elif basis in PIPELINE_BASES:
        cap = (f"pipeline {basis} capacity per plant in {year} (statuses as of 31 Dec "
               f"{AS_OF}; default probabilities and delays, docs/pipeline.md)")
    else:
        cap = f"registry reported capacity as of {year}"
    out = {"capacity basis": cap}
    if year_is_projected(year):
        last_trade = trade.last_trade_year()
        (last_mine,) = store.query_rows(
            "SELECT max(year) FROM production WHERE quantity IS NOT NULL")[0]
        out["trade pattern"] = (
            f"projected year: no observed trade; the baseline's bilateral step uses BACI "
            f"trade of {min(year, last_trade)} (the latest observed), the registry's cited "
            "flows do not apply, the rest is pooled from net exporters")
        out["mine output"] = (f"World Mining Data {last_mine} (the latest bundled year), "
                              "scaled to the chain's use")
    return out
