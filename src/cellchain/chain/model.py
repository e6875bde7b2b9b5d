"""The registry as of a year: facility status, capacity in canonical units, the ownership
graph and bloc membership, read from the warehouse.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from cellchain import caches, units
from cellchain.chain.ownership import OwnershipGraph
from cellchain.io import store
from cellchain.io.registry import start_of

#: Capacity bases that count as existing or scheduled capacity for a year (a mine's
#: "production" figure stands in for its capacity; "target" is an ambition and never
#: counts).
COUNTED_BASES = ("nameplate", "planned", "production")


#: Column types whose values come back from the warehouse as plain Python values already
#: (no date to format, no NaN to blank).
_PLAIN_TYPES = ("VARCHAR", "INTEGER", "BIGINT", "SMALLINT", "BOOLEAN")


def _records(table: str) -> list[dict]:
    cur = store.connection().execute(f'SELECT * FROM "{table}"')
    names = [d[0] for d in cur.description]
    convert = [k for k, d in zip(names, cur.description, strict=True)
               if str(d[1]) not in _PLAIN_TYPES]
    out = []
    for row in cur.fetchall():
        rec = dict(zip(names, row, strict=True))
        for k in convert:
            rec[k] = _plain(rec[k])
        out.append(rec)
    return out


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


@caches.cached
def tables() -> dict[str, list[dict]]:
    """Every registry table as a list of row dicts (cached per process)."""
    from cellchain.io.registry import TABLES

    return {t: _records(t) for t in TABLES}


@dataclass(frozen=True)
class Index:
    """The registry's rows by key, built once when the tables load (no per-facility scans)."""

    status: dict[str, list[dict]]  # facility id -> its status rows, in file order
    capacity: dict[str, list[dict]]  # facility id -> its capacity rows, in file order
    totals: dict[tuple[str, str, int | None], list[dict]]  # (stage, product, year) -> rows
    blocs: dict[str, list[dict]]  # country -> its bloc membership rows
    stages: dict[str, list[tuple[str, dict]]]  # stage -> (facility id, row), by id


@caches.cached
def index() -> Index:
    """Dicts of the registry rows by facility, by (stage, product, year), by country and
    the facilities by stage."""
    t = tables()

    def by(rows, key):
        out: dict = {}
        for r in rows:
            out.setdefault(key(r), []).append(r)
        return out

    return Index(status=by(t["status"], lambda r: r["facility"]),
                 capacity=by(t["capacity"], lambda r: r["facility"]),
                 totals=by(t["country_totals"],
                           lambda r: (r["stage"], r["product"], r["year"])),
                 blocs=by(t["blocs"], lambda r: r["country"]),
                 stages=by(sorted(facilities().items()), lambda item: item[1]["stage"]))


@caches.cached
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
    rows = index().status.get(facility, [])
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


def capacity_as_of(facility: str, year: int, product: str | None = None) -> Capacity | None:
    """The latest nameplate or planned capacity with a year <= ``year`` (in a tie,
    nameplate beats planned, then a row already in the model unit beats one converted from
    a compound, then the more confident source wins, then the earlier row); None when the
    registry has none. With ``product``, only rows whose unit converts to that product's
    model unit count (a nickel-cobalt refinery has one capacity per metal)."""
    best = None
    for i, r in enumerate(index().capacity.get(facility, ())):
        if (r["year"] is None or r["year"] > year or r["basis"] not in COUNTED_BASES
                or r["unit"] not in units.UNITS):
            continue
        if product is not None and not units.fits(r["unit"], product):
            continue
        rank = (r["year"], r["basis"] != "planned",
                units.model_unit(r["unit"]) == r["unit"], -confidence_rank(r), -i)
        if best is None or rank > best[0]:
            best = (rank, r)
    if best is None:
        return None
    r = best[1]
    value, unit = units.to_model(r["capacity"], r["unit"])
    return Capacity(value, unit, int(r["year"]), r["basis"], r["source_url"])


def blocs_of(country: str, year: int) -> list[str]:
    """Blocs the country belongs to on 31 Dec of ``year``."""
    moment = date(year, 12, 31)
    out = []
    for r in index().blocs.get(country, ()):
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


def _product_for(stage: str, unit: str, product: str | None) -> str | None:
    """The product a (stage, unit) question is about: the given one, else the stage's only
    product in that model unit (cells -> cells), else None."""
    if product is not None:
        return product
    from cellchain import nomenclature as nom

    fits = [p for p in nom.PRODUCTS.get(stage, ()) if units.PRODUCT_UNITS.get(p) == unit]
    return fits[0] if len(fits) == 1 else None


def world_total(stage: str, unit: str, year: int, product: str | None = None,
                measure: str = "capacity") -> dict | None:
    """The cited world figure (a point value) for the stage, product, year and measure in
    ``unit`` [model unit]: ``{"value", "unit", "source_url", "confidence", "how"}``, or None.
    Without ``product``, the stage's only product in ``unit`` (e.g. cells)."""
    from cellchain.chain import totals

    product = _product_for(stage, unit, product)
    if product is None:
        return None
    fig = totals.cited(stage, product, year, measure).world
    if fig is None or fig.unit != unit:
        return None
    return {"value": fig.value, "unit": fig.unit, "source_url": fig.source_url,
            "confidence": fig.confidence, "how": fig.how}


def country_totals(stage: str, unit: str, year: int, product: str | None = None,
                   measure: str = "capacity") -> dict[str, dict]:
    """Cited point figures by country for a stage, product, year and measure [``unit``].

    A country's figure is its own cited total (compounds converted and added), else its
    cited share of the world figure times that figure (``derived``). Bounds are left out
    (see :func:`cellchain.chain.totals.cited`). Returns
    ``{iso3: {"value": ..., "source_url": ..., "derived": bool, "how": ...}}``.
    """
    from cellchain.chain import totals

    product = _product_for(stage, unit, product)
    if product is None:
        return {}
    cited = totals.cited(stage, product, year, measure)
    return {c: {"value": f.value, "source_url": f.source_url,
                "derived": f.how == "share x world", "how": f.how}
            for c, f in cited.countries.items() if f.unit == unit}
