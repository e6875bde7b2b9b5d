"""Cited country and world figures for a stage, product, year and measure, in model units.

The registry's ``country_totals`` rows say what a country (or the world, ``WLD``) made or
could make. This module reads them for one (stage, product, year, measure) and returns
every figure converted to the product's model unit (:mod:`cellchain.units`):

- a **point** figure for a country is, in order: its cited share of the world figure
  times that figure when the share and the world figure come from the same page (one
  source, one denominator); a row in a total unit (t LCE, t Ni, GWh, ...; the most
  confident wins); the sum of rows in distinct compound units (t Li2CO3 plus t LiOH: China
  reports carbonate and hydroxide output separately); its cited share of the world figure
  times that figure;
- the **world** figure is a cited point total, else it is derived from a country that
  cites both its own figure and its share of the world (world = figure / share);
- figures marked ``lower_bound`` or ``upper_bound`` are kept apart as constraints and are
  never used as point values.

A row whose unit cannot be converted to the product's unit is not used here; the registry
validation reports it as an error, so nothing is skipped silently.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cellchain import nomenclature as nom
from cellchain import units

#: Units that count one compound of a product whose total is the sum over compounds.
COMPOUND_UNITS = frozenset({"t Li2CO3", "t LiOH", "t LiOH.H2O", "t NiSO4", "t NiSO4.6H2O",
                            "t CoSO4", "t CoSO4.7H2O"})
COMPOUND_UNITS = COMPOUND_UNITS | {u.replace("t ", "t/yr ", 1) for u in COMPOUND_UNITS}


@dataclass(frozen=True)
class Figure:
    """A cited figure in the product's model unit, with how it was obtained."""

    value: float
    unit: str
    how: str  # "cited", "sum of compounds", "share x world", "figure / share"
    source_url: str
    confidence: str


@dataclass
class Totals:
    """Cited figures of one stage, product, year and measure, in ``unit``."""

    stage: str
    product: str
    year: int
    measure: str
    unit: str
    world: Figure | None = None
    countries: dict[str, Figure] = field(default_factory=dict)
    lower: dict[str, Figure] = field(default_factory=dict)  # country or WLD -> bound
    upper: dict[str, Figure] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.world or self.countries or self.lower)


def share_unit(measure: str) -> str:
    """The unit a share row carries when it is a fraction of the world's ``measure``."""
    return f"fraction of world {measure}"


def cited(stage: str, product: str, year: int, measure: str) -> Totals:
    """Every cited figure for a stage, product, year and measure (see module docstring)."""
    from cellchain.chain import model

    unit = units.product_unit(product)
    out = Totals(stage, product, year, measure, unit)
    rows = model.index().totals.get((stage, product, year), [])
    direct: dict[str, dict[str, list[dict]]] = {}  # kind -> country -> rows
    shares: dict[str, dict[str, list[dict]]] = {}
    for r in rows:
        kind = r.get("value_kind") or "point"
        if r["measure"] == measure and units.fits(r["unit"], product):
            direct.setdefault(kind, {}).setdefault(r["country"], []).append(r)
        elif r["measure"] == "share" and r["unit"] == share_unit(measure):
            shares.setdefault(kind, {}).setdefault(r["country"], []).append(r)
    for country, crows in direct.get("point", {}).items():
        fig = _combine(crows, unit)
        if country == nom.WORLD:
            out.world = fig
        else:
            out.countries[country] = fig
    share_rows = {c: rs for c, rs in shares.get("point", {}).items() if c != nom.WORLD}
    point_shares = {c: model.most_confident(rs) for c, rs in share_rows.items()}
    if out.world is None:
        out.world = _world_from_share(out.countries, point_shares, unit)
    if out.world is not None:
        for country, rows_ in share_rows.items():
            # a share from the same page as the world figure wins over other shares and
            # over a country figure from another source (one source, one denominator)
            same = [r for r in rows_ if r["source_url"] == out.world.source_url
                    and out.world.how == "cited"]
            r = same[0] if same else point_shares[country]
            if country not in out.countries or same:
                out.countries[country] = Figure(r["value"] * out.world.value, unit,
                                                "share x world", r["source_url"],
                                                r["confidence"])
    for kind, target in (("lower_bound", out.lower), ("upper_bound", out.upper)):
        for country, crows in direct.get(kind, {}).items():
            target[country] = _combine(crows, unit)
        if out.world is not None:
            for country, srows in shares.get(kind, {}).items():
                r = model.most_confident(srows)
                fig = Figure(r["value"] * out.world.value, unit, "share x world",
                             r["source_url"], r["confidence"])
                if country not in target or (fig.value > target[country].value) == (
                        kind == "lower_bound"):
                    target[country] = fig
    return out


def _combine(rows: list[dict], unit: str) -> Figure:
    """One country's figure from its rows: a total-unit row wins, else compounds add up."""
    from cellchain.chain import model

    totals = [r for r in rows if r["unit"] not in COMPOUND_UNITS]
    if totals:
        r = model.most_confident(totals)
        return Figure(units.to_model(r["value"], r["unit"])[0], unit, "cited",
                      r["source_url"], r["confidence"])
    by_unit: dict[str, list[dict]] = {}
    for r in rows:  # the most confident row per compound (t LiOH and t/yr LiOH are one)
        by_unit.setdefault(r["unit"].replace("t/yr ", "t ", 1), []).append(r)
    picked = [model.most_confident(rs) for rs in by_unit.values()]
    value = sum(units.to_model(r["value"], r["unit"])[0] for r in picked)
    worst = max(picked, key=model.confidence_rank)
    how = "cited" if len(picked) == 1 else "sum of compounds"
    return Figure(value, unit, how, picked[0]["source_url"], worst["confidence"])


def _world_from_share(countries: dict[str, Figure], shares: dict[str, dict],
                      unit: str) -> Figure | None:
    """World = a country's figure / its share of the world (the largest such country)."""
    pairs = [(r["value"], c) for c, r in shares.items()
             if c in countries and r["value"] and r["value"] > 0]
    if not pairs:
        return None
    share, country = max(pairs)
    fig = countries[country]
    return Figure(fig.value / share, unit, f"figure / share ({country})",
                  shares[country]["source_url"], shares[country]["confidence"])


def mine_output(product: str, year: int) -> tuple[int | None, dict[str, float]]:
    """World Mining Data output by country [product model unit] for ``year``, or the latest
    year before it that the bundle has: ``(year used, {iso3: tonnes})``."""
    from cellchain.io import store

    material = product
    column = "lce_t" if product == "lithium" else "quantity"
    rows = store.query_rows(
        f"SELECT max(year) FROM production WHERE material = ? AND year <= ? "
        f"AND {column} IS NOT NULL", [material, year])
    used = rows[0][0] if rows else None
    if used is None:
        return None, {}
    data = store.query_rows(
        f"SELECT iso3, {column} FROM production WHERE material = ? AND year = ? "
        f"AND NOT is_aggregate AND {column} > 0 AND iso3 IS NOT NULL", [material, used])
    return int(used), {iso3: float(v) for iso3, v in data}
