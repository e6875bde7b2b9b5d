"""The registry as of a year: facility status, capacity in canonical units, the ownership
graph and bloc membership, read from the warehouse.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache

from cellchain import units
from cellchain.chain.ownership import OwnershipGraph
from cellchain.io import store
from cellchain.io.registry import start_of

#: Capacity bases that count as existing or scheduled capacity for a year ("target" is an
#: ambition and never counts).
COUNTED_BASES = ("nameplate", "planned")


def _records(table: str) -> list[dict]:
    cur = store.connection().execute(f'SELECT * FROM "{table}"')
    names = [d[0] for d in cur.description]
    return [{k: _plain(v) for k, v in zip(names, row, strict=True)} for row in cur.fetchall()]


def _plain(v):
    """Dates as ISO strings; NaN as None; everything else unchanged."""
    if hasattr(v, "isoformat"):
        return v.isoformat()
    return None if _missing(v) else v


def _missing(v) -> bool:
    try:
        return v is None or v != v
    except (TypeError, ValueError):
        return False


@cache
def tables() -> dict[str, list[dict]]:
    """Every registry table as a list of row dicts (cached per process)."""
    from cellchain.io.registry import TABLES

    return {t: _records(t) for t in TABLES}


@cache
def graph() -> OwnershipGraph:
    """The ownership graph of the registry."""
    t = tables()
    return OwnershipGraph.from_records(t["entities"], t["facilities"], t["ownership"])


def facilities() -> dict[str, dict]:
    return graph().facilities


def entities() -> dict[str, dict]:
    return graph().entities


#: Statuses that, dated after a plant started operating, describe a new phase of it.
EXPANSION_STATUSES = ("construction", "announced", "considered")


#: Years the registry answers for [calendar years, inclusive].
YEARS = (1990, 2100)


def check_year(year: int | None) -> int:
    """The year if the registry's capacity figures cover it (the default year when None);
    InvalidInputError naming the years there are otherwise (:mod:`cellchain.years`)."""
    from cellchain import years

    return years.check(year, "registry")


def status_as_of(facility: str, year: int) -> str | None:
    """Status on 31 Dec of ``year``: the latest dated status by then (but a plant that has
    operated stays ``operating`` while a later phase is announced or under construction,
    until it is recorded idle or closed); an undated status counts when no dated one
    applies; None when the plant did not exist yet."""
    rows = [r for r in tables()["status"] if r["facility"] == facility]
    moment = date(year, 12, 31)
    dated = sorted((start_of(r["date"]), i, r["status"]) for i, r in enumerate(rows)
                   if r["date"])
    live = [s for d, _, s in dated if d <= moment]
    if live:
        # A plant that has operated stays operating while a later phase is announced or
        # built; only idle or closed ends that.
        if live[-1] in EXPANSION_STATUSES and "operating" in live:
            since = max(i for i, s in enumerate(live) if s == "operating")
            if not any(s in ("idle", "closed") for s in live[since:]):
                return "operating"
        return live[-1]
    undated = [r["status"] for r in rows if not r["date"]]
    if undated and not dated:
        return undated[-1]
    return None


@dataclass(frozen=True)
class Capacity:
    """A facility's capacity for a year, in canonical units."""

    value: float
    unit: str
    year: int
    basis: str
    source_url: str


def capacity_as_of(facility: str, year: int) -> Capacity | None:
    """The latest nameplate or planned capacity with a year <= ``year`` (in a tie,
    nameplate beats planned, then the more confident source wins, then the earlier row);
    None when the registry has none."""
    best = None
    for r in tables()["capacity"]:
        if (r["facility"] != facility or r["year"] is None or r["year"] > year
                or r["basis"] not in COUNTED_BASES):
            continue
        rank = (r["year"], r["basis"] == "nameplate",
                -confidence_rank(r))
        if best is None or rank > best[0]:
            best = (rank, r)
    if best is None:
        return None
    r = best[1]
    value, unit = units.to_canonical_capacity(r["capacity"], r["unit"])
    return Capacity(value, unit, int(r["year"]), r["basis"], r["source_url"])


def blocs_of(country: str, year: int) -> list[str]:
    """Blocs the country belongs to on 31 Dec of ``year``."""
    moment = date(year, 12, 31)
    out = []
    for r in tables()["blocs"]:
        if r["country"] != country:
            continue
        start = start_of(r["valid_from"]) or date.min
        end = start_of(r["valid_to"]) or date.max
        if start <= moment < end:
            out.append(r["bloc"])
    return sorted(out)


def bloc_ids() -> list[str]:
    return sorted({r["bloc"] for r in tables()["blocs"]})


#: Where sources disagree, the most confident row wins; ties go to the first in the file.
CONFIDENCE_RANK = {"high": 0, "medium": 1, "low": 2}


def confidence_rank(row: dict) -> int:
    """A row's place in :data:`CONFIDENCE_RANK` (0 = high); an unknown confidence last."""
    return CONFIDENCE_RANK.get(row["confidence"], 3)


def most_confident(rows: list[dict]) -> dict | None:
    """The most confident of ``rows`` (the first on a tie); None for no rows."""
    return min(rows, key=confidence_rank, default=None)


def world_total(stage: str, unit: str, year: int) -> dict | None:
    """The most confident sourced world capacity total for the stage, unit and year."""
    return most_confident([r for r in tables()["country_totals"]
                  if r["country"] == "WLD" and r["stage"] == stage
                  and r["measure"] == "capacity" and r["year"] == year and r["unit"] == unit])


def country_totals(stage: str, unit: str, year: int) -> dict[str, dict]:
    """Sourced capacity totals by country for a stage, unit and year.

    A country's ``share`` of world capacity counts when a world capacity total in the same
    unit and year is cited too (value = share x world total). Where no capacity figure is
    cited, the country's production (or its share of a cited world production) stands in
    as a lower bound. Returns
    ``{iso3: {"value": ..., "source_url": ..., "derived": bool}}``; the world is excluded.
    """
    world = world_total(stage, unit, year)
    direct: dict[str, list[dict]] = {}
    via_share: dict[str, list[dict]] = {}
    for r in tables()["country_totals"]:
        if r["country"] == "WLD" or r["stage"] != stage or r["year"] != year:
            continue
        if r["measure"] == "capacity" and r["unit"] == unit:
            direct.setdefault(r["country"], []).append(r)
        elif r["measure"] == "share" and r["unit"] == "fraction of world capacity":
            via_share.setdefault(r["country"], []).append(r)
    out: dict[str, dict] = {}
    _fill(out, direct, 1.0, derived=False)
    if world is not None:
        _fill(out, via_share, world["value"])
    # Production stands in for capacity where no capacity figure is cited (a lower bound):
    # a country's own output, else its share of a cited world output.
    prod_unit = unit.replace("/yr", "")
    produced: dict[str, list[dict]] = {}
    prod_share: dict[str, list[dict]] = {}
    world_prod = None
    for r in tables()["country_totals"]:
        if r["stage"] != stage or r["year"] != year:
            continue
        if r["measure"] == "production" and r["unit"] == prod_unit:
            if r["country"] == "WLD":
                world_prod = most_confident([world_prod, r] if world_prod else [r])
            else:
                produced.setdefault(r["country"], []).append(r)
        elif r["measure"] == "share" and r["unit"] == "fraction of world production":
            prod_share.setdefault(r["country"], []).append(r)
    _fill(out, produced, 1.0)
    if world_prod is not None:
        _fill(out, prod_share, world_prod["value"])
    return out


def _fill(out: dict, rows_by_country: dict[str, list[dict]], scale: float,
          derived: bool = True) -> None:
    """For countries not yet in ``out``: the most confident row's value x ``scale``."""
    for country, rows in rows_by_country.items():
        if country not in out:
            r = most_confident(rows)
            out[country] = {"value": r["value"] * scale, "source_url": r["source_url"],
                            "derived": derived}
