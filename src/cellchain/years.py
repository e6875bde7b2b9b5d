"""One year policy for the whole tool: which years each kind of data answers for, and the
default year.

Each command accepts exactly the years its data has, and an error names them:

- ``production``, ``trade``, ``governance`` (the bundled public tables; ``production``,
  ``trade``, ``risk``): the years with rows in that table; default: the latest of them.
- ``registry`` (plant capacity, status and ownership; ``shares``, ``jobs``,
  ``facility show``, ``entity show``): every year from the first to the last year with a
  dated capacity figure in the registry; default :data:`DEFAULT_YEAR`.
- ``model`` (the flow model: ``exposure``, ``scenario``, ``report``, ``demand``,
  ``recipe`` and the dashboard): from the first year with an observed (``actual``)
  split of cell demand by market (two or more markets) to :data:`HORIZON` (2035). Up to
  :data:`AS_OF` (2026) the network holds the registry's reported capacities and observed
  demand; a later year is a projection: the pipeline's expected capacities and a named
  demand projection (:func:`cellchain.network.build.build_network`, whose sources say
  which parts are projected); default :data:`DEFAULT_YEAR`.

The same defaults hold for the Python API, the command line and the dashboard.
"""

from __future__ import annotations

import operator

from cellchain import caches
from cellchain import nomenclature as nom
from cellchain.errors import InvalidInputError

#: The default year of registry and flow-model answers [calendar year].
DEFAULT_YEAR = nom.DEFAULT_YEAR
#: The last observed year: later model years are projections [calendar year].
AS_OF = nom.AS_OF
#: The last year of the flow model (and of the pipeline) [calendar year].
HORIZON = nom.HORIZON

KINDS = ("production", "trade", "governance", "registry", "model")
LABELS = {"production": "mine production data", "trade": "trade data",
          "governance": "governance data", "registry": "registry capacity data",
          "model": "flow-model data (demand split by market and capacity)"}
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
        from cellchain.chain import model
        from cellchain.nomenclature import WORLD

        split: dict[int, dict[str, set]] = {}
        for r in model.tables()["demand"]:
            if (r["measure"] == "demand" and (r["scenario"] or "actual") == "actual"
                    and r["year"] is not None and r["end_use"] in _MODEL_END_USES
                    and r["market"] != WORLD):
                split.setdefault(int(r["year"]), {}).setdefault(r["end_use"], set()).add(
                    r["market"])
        first = [y for y, uses in split.items()
                 if sum(len(m) >= 2 for m in uses.values()) >= _MIN_SPLIT_END_USES]
        if not first or not available("registry"):
            return ()
        return tuple(range(min(first), HORIZON + 1))
    raise InvalidInputError(f"Unknown kind of year {kind!r}.", f"Use one of {', '.join(KINDS)}.")


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
    if number is None or number not in valid:
        raise InvalidInputError(
            f"No {LABELS[kind]} for year {year!r}.",
            f"Years with data: {describe(valid)} (default {default(kind)}).")
    return int(number)

