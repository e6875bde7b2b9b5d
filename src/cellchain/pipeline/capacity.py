"""Capacity by year for a market and stage against demand: the ``cellchain pipeline``
table, and the plant-level expected capacity the network builder can take.

Per year from the as-of year to ``to``:

- ``announced_capacity`` = ``high``: every project as announced (closed plants and
  cancelled projects excluded) [unit].
- ``expected_capacity``: each plant's probability- and delay-weighted capacity
  (:mod:`cellchain.pipeline.plants`).
- ``low``: operating plants plus capacity under construction or committed, on the
  announced dates.
- ``demand``: the sourced projection for the market (:mod:`cellchain.pipeline.demand`),
  converted to the stage's product with the recipe for material stages.
- ``gap = demand - expected_capacity`` (positive: short) and
  ``self_sufficiency = expected_capacity / demand`` [fraction].

A plant counts for a market by location (its country is the market or a member of it)
or, with ``by="owner"``, by the share of it whose ultimate owners are in the market.
"""

from __future__ import annotations

from cellchain import nomenclature as nom
from cellchain.chain import model
from cellchain.errors import InvalidInputError, unknown
from cellchain.pipeline import demand as demand_mod
from cellchain.pipeline.config import HORIZON, PipelineConfig
from cellchain.pipeline.plants import PlantPath, plant_path

BY = ("location", "owner")
#: Stages (products) the pipeline answers for: every non-mining product.
STAGES = tuple(p for s in ("refining", "materials", "cells") for p in nom.PRODUCTS[s])
#: Movers listed per year.
TOP_MOVERS = 3


def registry_stage(product: str) -> str:
    """The registry stage of a product (``cathode`` -> ``materials``)."""
    for stage, products in nom.PRODUCTS.items():
        if product in products:
            return stage
    raise unknown("pipeline stage", product, STAGES)


def paths(cfg: PipelineConfig | None = None, horizon: int = HORIZON,
          product: str | None = None) -> list[tuple[dict, PlantPath]]:
    """(facility row, path) for every registry plant (making ``product``, if given)."""
    cfg = cfg or PipelineConfig()
    index = model.index()
    status, capacity = index.status, index.capacity
    out = []
    for fid, fac in sorted(model.facilities().items()):
        if product and product not in (fac["products"] or "").split(";"):
            continue
        out.append((fac, plant_path(fid, status.get(fid, []), capacity.get(fid, []), cfg,
                                    horizon)))
    return out


def check_stage(stage: str) -> str:
    key = stage.strip().lower()
    if key not in STAGES:
        raise unknown("pipeline stage", stage, STAGES)
    return key


def check_years(to: int, cfg: PipelineConfig) -> int:
    if isinstance(to, bool) or not isinstance(to, int) or not cfg.as_of < to <= HORIZON:
        raise InvalidInputError(f"--to {to!r} is out of range.",
                                f"Use a year from {cfg.as_of + 1} to {HORIZON}.")
    return to


def market_members(market: str, year: int) -> tuple[str, frozenset[str] | None]:
    """(label, member countries) of a market: ``world`` (None: every country), a bloc id
    (``eu`` or ``EU27``, ``us_fta``, ...) or a country (ISO3, ISO2 or name)."""
    from cellchain import countries

    key = market.strip()
    if key.lower() in ("world", "wld"):
        return "world", None
    bloc = {"eu27": "eu", "eu": "eu"}.get(key.lower(), key.lower())
    if bloc in model.bloc_ids():
        members = frozenset(r["country"] for r in model.tables()["blocs"]
                            if r["bloc"] == bloc and bloc in model.blocs_of(r["country"],
                                                                            year))
        return ("EU27" if bloc == "eu" else bloc), members
    iso3 = countries.resolve(key)
    return iso3, frozenset([iso3])


def _weight(fac: dict, members, by: str, year: int) -> float:
    """The share of a plant that counts for the market [0-1]."""
    if members is None:
        return 1.0
    if by == "location":
        return 1.0 if fac["country"] in members else 0.0
    return sum(u.share for u in model.graph().ultimate(fac["id"], year)
               if u.country in members)


def _stage_unit(product: str, plant_paths) -> str:
    if product in demand_mod.STAGE_UNITS:
        return demand_mod.STAGE_UNITS[product]
    counts: dict[str, int] = {}
    for _, p in plant_paths:
        if p.unit:
            counts[p.unit] = counts.get(p.unit, 0) + 1
    if not counts:
        raise InvalidInputError(f"No registry plant gives a capacity for {product}.",
                                f"Stages with plants: {', '.join(demand_mod.STAGE_UNITS)}.")
    return max(sorted(counts), key=counts.get)


COLUMNS = ["year", "market", "stage", "by", "unit", "announced_capacity",
           "expected_capacity", "low", "high", "capacity_basis", "demand", "demand_unit",
           "demand_scenario", "demand_basis", "demand_source", "gap", "self_sufficiency",
           "plants", "undated_plants", "undated_capacity", "excluded_plants", "movers",
           "top_mover_change"]


def pipeline(market: str = "world", stage: str = "cells", to: int = HORIZON,
             by: str = "location", scenario: str = demand_mod.DEFAULT_SCENARIO,
             end_uses=demand_mod.DEFAULT_END_USES, config: PipelineConfig | None = None):
    """Capacity by year against demand for a market and stage (see module docstring).

    Parameters
    ----------
    market : str
        ``world``, a country (ISO3, ISO2 or name) or a bloc (``EU27``, ``us_fta``, ...).
    stage : str
        A product: ``cells`` [GWh/yr], ``cathode``, ``anode`` [t/yr],
        ``lithium_chemicals`` [t/yr LCE], or another refining or materials product
        (capacity only: no demand recipe).
    to : int
        Last year [as-of year + 1 .. 2035].
    by : {"location", "owner"}
        Count plants in the market, or the share of plants owned from the market.
    scenario : str
        Demand projection (exact name, or a prefix matching one); ``none`` for capacity
        only (markets without a sourced projection, e.g. Bolivia).
    end_uses : sequence of str
        Demand end uses summed (``ev_all``, ``storage``, ...).
    config : PipelineConfig, optional
        Probabilities, delays and the stale rule (defaults: labelled assumptions).

    Returns
    -------
    pandas.DataFrame
        One row per year with the columns of :data:`COLUMNS`.
    """
    import pandas as pd

    cfg = config or PipelineConfig()
    product = check_stage(stage)
    to = check_years(to, cfg)
    if by not in BY:
        raise unknown("grouping", by, BY)
    label, members = market_members(market, cfg.as_of)
    plant_paths = paths(cfg, to, product)
    unit = _stage_unit(product, plant_paths)
    years = range(cfg.as_of, to + 1)
    demand_rows = _demand(label, product, scenario, end_uses, years)
    counted, undated, excluded = [], [], []
    for fac, p in plant_paths:
        w = _weight(fac, members, by, cfg.as_of)
        if w <= 0:
            continue
        if p.reason is None and p.unit == unit:
            counted.append((fac, p, w))
        elif p.reason == "no dated capacity" and p.unit == unit:
            undated.append((p, w))
        else:
            excluded.append(p)
    basis = (f"{len(counted)} registry plants ({by}), statuses as of 31 Dec {cfg.as_of}; "
             "probabilities and delays "
             + ("default assumptions (docs/pipeline.md)" if cfg.is_default()
                else "as configured"))
    rows = []
    for y in years:
        ann = sum(w * p.announced[y] for _, p, w in counted)
        exp = sum(w * p.expected[y] for _, p, w in counted)
        low = sum(w * p.low[y] for _, p, w in counted)
        moves = []
        if y > cfg.as_of:
            moves = sorted(((w * (p.expected[y] - p.expected[y - 1]), fac["id"])
                            for fac, p, w in counted), key=lambda m: (-abs(m[0]), m[1]))
            moves = [m for m in moves if abs(m[0]) > 1e-9][:TOP_MOVERS]
        d = demand_rows[y]
        dem = d["value"]
        rows.append({
            "year": y, "market": label, "stage": product, "by": by, "unit": unit,
            "announced_capacity": ann, "expected_capacity": exp, "low": low, "high": ann,
            "capacity_basis": basis, "demand": dem, "demand_unit": d["unit"],
            "demand_scenario": d["scenario"], "demand_basis": d["basis"],
            "demand_source": d["source"],
            "gap": None if dem is None else dem - exp,
            "self_sufficiency": None if not dem else exp / dem,
            "plants": len(counted), "undated_plants": len(undated),
            "undated_capacity": sum(w * (p.undated_capacity or 0.0) for p, w in undated),
            "excluded_plants": len(excluded),
            "movers": "; ".join(fid for _, fid in moves),
            "top_mover_change": moves[0][0] if moves else None,
        })
    return pd.DataFrame(rows, columns=COLUMNS)


def _demand(market: str, product: str, scenario: str, end_uses, years) -> dict[int, dict]:
    """Demand per year for the stage's product [its unit], with scenario and basis."""
    why = ("no demand asked for (scenario none)" if scenario.strip().lower() == "none"
           else None if product in demand_mod.STAGE_UNITS
           else f"no demand recipe for {product}")
    if why:
        return {y: {"value": None, "unit": None, "scenario": None, "basis": why,
                    "source": ""} for y in years}
    series = [demand_mod.projection(market, e, scenario, years) for e in end_uses]
    out = {}
    for i, y in enumerate(years):
        parts = [s[i] for s in series]
        values = [p["value"] for p in parts]
        factor, recipe_basis = demand_mod.per_gwh(product, y)
        total = None if any(v is None for v in values) else sum(values) * factor
        basis = "; ".join(f"{p['end_use']}: {p['basis']}" for p in parts)
        if product != "cells":
            per = demand_mod.STAGE_UNITS[product].replace("/yr", "")
            basis += f"; cell demand x {factor:.4g} {per} per GWh ({recipe_basis})"
        out[y] = {"value": total, "unit": demand_mod.STAGE_UNITS[product],
                  "scenario": parts[0]["scenario"], "basis": basis,
                  "source": "; ".join(dict.fromkeys(
                      s for p in parts for s in p["source"].split("; ") if s))}
    return out


def excluded(market: str = "world", stage: str = "cells", config: PipelineConfig | None = None,
             by: str = "location"):
    """Plants of the market and stage left out of the yearly sums, with the reason
    (``no dated capacity``, ``no capacity``, ``no status``, ``closed``, ``cancelled``,
    or another unit) and any undated capacity."""
    import pandas as pd

    cfg = config or PipelineConfig()
    product = check_stage(stage)
    label, members = market_members(market, cfg.as_of)
    plant_paths = paths(cfg, HORIZON, product)
    unit = _stage_unit(product, plant_paths)
    rows = []
    for fac, p in plant_paths:
        if _weight(fac, members, by, cfg.as_of) <= 0:
            continue
        reason = p.reason or (None if p.unit == unit else f"unit {p.unit}")
        if reason:
            rows.append({"facility": fac["id"], "name": fac["name"],
                         "country": fac["country"], "status": p.status, "reason": reason,
                         "undated_capacity": p.undated_capacity, "unit": p.unit})
    return pd.DataFrame(rows, columns=["facility", "name", "country", "status", "reason",
                                       "undated_capacity", "unit"])


def expected_capacity(year: int, config: PipelineConfig | None = None,
                      stage: str | None = None):
    """Plant-level expected capacity in ``year``: the table a network builder takes.

    Returns
    -------
    pandas.DataFrame
        ``facility``, ``product``, ``country``, ``capacity`` (expected) [unit],
        ``announced`` [unit], ``low`` [unit], ``unit``, ``probability`` (expected /
        announced, 0-1), ``status`` (on 31 Dec of the as-of year), ``basis``.
    """
    import pandas as pd

    cfg = config or PipelineConfig()
    model.check_year(year)
    if not cfg.as_of <= year <= HORIZON:
        raise InvalidInputError(f"Year {year} is outside the pipeline.",
                                f"Use a year from {cfg.as_of} to {HORIZON}.")
    product = check_stage(stage) if stage else None
    rows = []
    for fac, p in paths(cfg, HORIZON, product):
        if p.reason is not None:
            continue
        ann = p.announced[year]
        if ann <= 0:
            continue
        prods = [x for x in (fac["products"] or "").split(";") if x]
        rows.append({"facility": fac["id"], "product": product or (prods[0] if prods
                                                                    else None),
                     "country": fac["country"], "capacity": p.expected[year],
                     "announced": ann, "low": p.low[year], "unit": p.unit,
                     "probability": p.expected[year] / ann, "status": p.status,
                     "basis": "operating" if p.expected[year] == ann == p.base
                     else "pipeline expected (probability- and delay-weighted)"})
    return pd.DataFrame(rows, columns=["facility", "product", "country", "capacity",
                                       "announced", "low", "unit", "probability", "status",
                                       "basis"])


BASES = ("expected", "low", "announced")


def plant_capacity(config: PipelineConfig | None = None, basis: str = "expected"):
    """A ``(facility id, year) -> (capacity, canonical unit) or None`` function: each
    plant's pipeline capacity in a year, the form a network builder takes for its
    capacity basis (``build_network(year, plant_capacity=...)``).

    ``basis``: ``expected`` (probability- and delay-weighted), ``low`` (operating plus
    under construction) or ``announced``. None for plants outside the pipeline (no
    capacity, no dated capacity, no status, closed, cancelled), for years outside
    as-of year .. 2035, and where the capacity is zero.
    """
    if basis not in BASES:
        raise unknown("pipeline capacity basis", basis, BASES)
    cfg = config or PipelineConfig()
    by_id = {fac["id"]: p for fac, p in paths(cfg, HORIZON) if p.reason is None}
    series = {"expected": "expected", "low": "low", "announced": "announced"}[basis]

    def capacity_of(facility: str, year: int):
        p = by_id.get(facility)
        if p is None:
            return None
        value = getattr(p, series).get(year)
        return None if not value else (value, p.unit)

    return capacity_of
