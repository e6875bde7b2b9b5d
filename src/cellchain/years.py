"""One year policy for the whole tool: which years each kind of data answers for, and the
default year.

Each command accepts exactly the years its data has, and an error names them:

- ``production``, ``trade``, ``governance`` (the bundled public tables; ``production``,
  ``trade``, ``risk``): the years with rows in that table; default: the latest of them.
- ``registry`` (plant capacity, status and ownership; ``shares``, ``jobs``,
  ``facility show``, ``entity show``): every year from the first to the last year with a
  dated capacity figure in the registry; default :data:`DEFAULT_YEAR`.
- ``model`` (the flow model: ``exposure``, ``scenario``, ``report``, ``demand``,
  ``recipe``, ``risk montecarlo`` and the dashboard): the years a network can be built
  for, read from the data (:func:`model_span`). It starts in the first year from which
  every model product (:data:`cellchain.network.products.PRODUCTS`) has a capacity or
  output figure each year (:mod:`cellchain.network.coverage`), and not before the first
  observed (``actual``) split of cell demand by market. It ends in the last year the
  default demand projection (:data:`cellchain.pipeline.demand.DEFAULT_SCENARIO`) splits
  demand by market (up to :data:`HORIZON`): later years have world demand only, which the
  network cannot place (the pipeline, which needs only world demand, runs to
  :data:`HORIZON`). Up to :data:`AS_OF` (2026) the network holds the registry's reported
  capacities and observed demand; a later year is a projection: the pipeline's expected
  capacities and the demand projection (:func:`cellchain.network.build.build_network`,
  whose sources say which parts are projected); default :data:`DEFAULT_YEAR`. A year
  outside is refused at the year check, naming the range and why.

The same defaults hold for the Python API, the command line and the dashboard.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass

from cellchain import caches
from cellchain import nomenclature as nom
from cellchain.errors import InvalidInputError

#: The default year of registry and flow-model answers [calendar year].
DEFAULT_YEAR = nom.DEFAULT_YEAR
#: The last observed year: later model years are projections [calendar year].
AS_OF = nom.AS_OF
#: The last year of the pipeline, and the latest the flow model may reach [calendar year].
HORIZON = nom.HORIZON

KINDS = ("production", "trade", "governance", "registry", "model")
LABELS = {"production": "mine production data", "trade": "trade data",
          "governance": "governance data", "registry": "registry capacity data",
          "model": "flow-model data"}
#: End uses counted for a flow-model year, and how many must be split by market.
_MODEL_END_USES = ("ev_car", "ev_bus_truck", "storage", "ev_all")
_MIN_SPLIT_END_USES = 1


@caches.cached
def available(kind: str) -> tuple[int, ...]:
    """Years with data of ``kind`` (see the module docstring), ascending."""
    if kind in ("production", "trade", "governance"):
        from cellchain import api

        return tuple(int(y) for y in api.years(kind))
    if kind == "registry":
        from cellchain.chain import model

        dated = [int(r["year"]) for r in model.tables()["capacity"] if r["year"] is not None]
        return tuple(range(min(dated), max(dated) + 1)) if dated else ()
    if kind == "model":
        span = model_span()
        return tuple(range(span.first, span.last + 1)) if span is not None else ()
    raise InvalidInputError(f"Unknown kind of year {kind!r}.", f"Use one of {', '.join(KINDS)}.")


@dataclass(frozen=True)
class ModelSpan:
    """The flow model's years and why they start and end where they do.

    first, last : int — the first and the last year a network can be built for
        [calendar year]
    starts_because, ends_because : str — what the data lacks before ``first`` and after
        ``last`` ("the first year ...", "the last year ...")
    """

    first: int
    last: int
    starts_because: str
    ends_because: str

    def __str__(self) -> str:
        return f"{self.first}\u2013{self.last}"


@caches.cached
def model_span() -> ModelSpan | None:
    """The flow model's years, derived from the data (see the module docstring); None when
    the data cannot trace any year."""
    from cellchain.network.coverage import missing_products
    from cellchain.network.products import LABELS as PRODUCT_LABELS
    from cellchain.pipeline import demand

    split = _demand_split_years()
    if not split or not available("registry"):
        return None
    first, because = split[0], "the first year with an observed split of cell demand by market"
    missing = {y: missing_products(y) for y in range(first, AS_OF + 1)}
    for y in range(AS_OF, first - 1, -1):  # the years from the first on must all trace
        if missing[y]:
            if y == AS_OF:
                return None
            first = y + 1
            names = " and ".join(PRODUCT_LABELS[p] for p in missing[y])
            because = f"the first year the registry has {names} capacity or output"
            break
    last, scenario = AS_OF, demand.DEFAULT_SCENARIO
    while last < HORIZON and demand.splits_by_market(scenario, last + 1):
        last += 1
    if last == HORIZON:
        ends = "the pipeline's horizon"
    elif last == AS_OF:
        ends = (f"the last observed year; the demand projection ({scenario}) splits no "
                "later year by market")
    else:
        ends = (f"the last year with a regional demand projection ({scenario}); later "
                "years have world demand only")
    return ModelSpan(first, last, because, ends)


@caches.cached
def coverage_note(year: int) -> str | None:
    """A one-line caveat for a flow-model year in which a stage's leading country has no
    cited country total (:func:`cellchain.network.coverage.unmeasured_leaders`): its
    shares there are understated. None when every leader is measured (2023 on, with the
    bundled data)."""
    from cellchain.countries import country_name
    from cellchain.network.coverage import unmeasured_leaders
    from cellchain.network.products import LABELS as PRODUCT_LABELS

    gaps = unmeasured_leaders(int(year))
    if not gaps:
        return None
    by_country: dict[str, list[str]] = {}
    for product, country in gaps:
        by_country.setdefault(country, []).append(PRODUCT_LABELS[product])
    what = "; ".join(f"{country_name(c)}'s {_and(names)}" for c, names in by_country.items())
    return (f"{year}: no cited country total for {what}; these stages count the named "
            "plants only, so those countries' shares are understated that year")


def _and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _demand_split_years() -> list[int]:
    """Years with an observed (``actual``) split of cell demand by market: two or more
    markets for at least one end use the model counts, ascending."""
    from cellchain.chain import model
    from cellchain.nomenclature import WORLD

    split: dict[int, dict[str, set]] = {}
    for r in model.tables()["demand"]:
        if (r["measure"] == "demand" and (r["scenario"] or "actual") == "actual"
                and r["year"] is not None and r["end_use"] in _MODEL_END_USES
                and r["market"] != WORLD):
            split.setdefault(int(r["year"]), {}).setdefault(r["end_use"], set()).add(
                r["market"])
    return sorted(y for y, uses in split.items()
                  if sum(len(m) >= 2 for m in uses.values()) >= _MIN_SPLIT_END_USES)


def describe(years: tuple[int, ...]) -> str:
    """``2018 to 2024`` for a run of years, else the years listed."""
    if not years:
        return "no year"
    if list(years) == list(range(years[0], years[-1] + 1)):
        return f"{years[0]} to {years[-1]}" if len(years) > 1 else str(years[0])
    return ", ".join(str(y) for y in years)


def default(kind: str) -> int:
    """The default year of ``kind``: :data:`DEFAULT_YEAR`, or the latest year of a bundled
    table."""
    if kind in ("registry", "model"):
        return DEFAULT_YEAR
    return available(kind)[-1]


def check(year, kind: str) -> int:
    """``year`` if data of ``kind`` has it (the default when None); InvalidInputError
    naming the year and the years there are otherwise."""
    if year is None:
        return default(kind)
    valid = available(kind)
    try:
        number = None if isinstance(year, bool) else operator.index(year)
    except TypeError:
        number = None
    if kind == "model" and number is not None and valid and number not in valid:
        span = model_span()
        edge = (f"starts in {span.first}, {span.starts_because}" if number < span.first
                else f"ends in {span.last}, {span.ends_because}")
        raise InvalidInputError(f"The flow model has no year {number}: it {edge}.",
                                f"Use {span} (default {default(kind)}).")
    if number is None or number not in valid:
        raise InvalidInputError(
            f"No {LABELS[kind]} for year {year!r}.",
            f"Years with data: {describe(valid)} (default {default(kind)}).")
    return int(number)

