"""What a report or dashboard page shows, as plain JSON-ready data (no charts here).

Every function returns lists of dicts or dicts of plain values, so the HTML report, the
web pages and the JSON API all read the same numbers.
"""

from __future__ import annotations

from cellchain import caches, countries
from cellchain import nomenclature as nom
from cellchain.chain import model
from cellchain.errors import unknown


def _stage_sources() -> dict[str, tuple[str, str | None, str]]:
    """Flow-model products whose capacity the report shows, in chain order, with the
    registry (stage, product filter, canonical unit) that measures each."""
    from cellchain.network.products import REGISTRY_MEASURE

    return REGISTRY_MEASURE


MARKET_NAMES = {"EU27": "European Union (27)", "RoW": "rest of the world"}


def owner_country(facility_id: str, year: int) -> str | None:
    """ISO3 code of the country holding the largest look-through share of the facility
    in ``year`` (None when nobody is recorded as owner)."""
    by_country: dict[str, float] = {}
    for u in model.graph().ultimate(facility_id, year):
        by_country[u.country] = by_country.get(u.country, 0.0) + u.share
    if not by_country:
        return None
    return max(sorted(by_country), key=lambda c: by_country[c])


def facility_points(year: int, stage: str | None = None, status: str | None = None,
                    owner: str | None = None) -> list[dict]:
    """Facilities with coordinates, as of 31 Dec of ``year``, for the map.

    Each row: ``id``, ``name``, ``stage``, ``products``, ``country``, ``city``, ``lat``,
    ``lon`` (decimal degrees), ``status``, ``capacity`` and ``unit`` (canonical units; None
    where the registry has no capacity for the year), ``owner_country`` (ISO3 of the largest
    ultimate owner) and ``state_owned_share`` [0-1]. Filters: ``stage`` (mining, refining,
    materials, cells), ``status`` (operating, construction, ...), ``owner`` (ISO3 of the
    owner country). Facilities that did not exist yet in ``year`` are left out.
    """
    model.check_year(year)
    if stage is not None and stage not in nom.STAGES:
        raise unknown("stage", stage, nom.STAGES)
    if status is not None and status not in nom.STATUSES:
        raise unknown("status", status, nom.STATUSES)
    if owner is not None:
        owner = countries.resolve(owner)
    g = model.graph()
    rows = []
    for fid, fac in sorted(model.facilities().items()):
        if stage and fac["stage"] != stage:
            continue
        if fac["lat"] is None or fac["lon"] is None:
            continue
        state = model.status_as_of(fid, year)
        if state is None or (status and state != status):
            continue
        holder = owner_country(fid, year)
        if owner and holder != owner:
            continue
        cap = model.capacity_as_of(fid, year)
        rows.append({
            "id": fid, "name": fac["name"], "stage": fac["stage"],
            "products": fac["products"], "country": fac["country"], "city": fac["city"],
            "lat": float(fac["lat"]), "lon": float(fac["lon"]), "status": state,
            "capacity": None if cap is None else cap.value,
            "unit": None if cap is None else cap.unit,
            "owner_country": holder,
            "state_owned_share": float(sum(g.state_share(fid, year).values())),
        })
    return rows


def concentration(year: int) -> list[dict]:
    """Capacity concentration per stage: HHI and top-3 share by location and by owner
    country, state-owned share, the largest country, coverage of cited totals, the basis
    of the shares (production or capacity) and ``owner_known_share``, the share of the
    stage whose owners are known [0-1] (the owner-country HHI counts only that part)."""
    from cellchain.chain.shares import shares

    model.check_year(year)
    out = []
    for product, (stage, registry_product, unit) in _stage_sources().items():
        loc = shares(stage, year, "location", product=registry_product)
        own = shares(stage, year, "owner", product=registry_product)
        loc = loc[loc["unit"] == unit]
        if loc.empty:
            continue
        own = own[own["unit"] == unit]
        attributed = loc[loc["group"] != "unattributed"]
        top = attributed.iloc[0] if len(attributed) else None
        own_attr = own[own["group"] != "unattributed"]
        cov = loc["coverage"].iloc[0]
        out.append({
            "stage": stage, "product": product, "unit": unit,
            "capacity": float(loc["capacity"].sum()),
            "hhi_location": float(loc["hhi"].iloc[0]),
            "top3_location": float(loc["top3_share"].iloc[0]),
            "hhi_owner": float(own["hhi"].iloc[0]) if len(own) else None,
            "top3_owner": float(own["top3_share"].iloc[0]) if len(own) else None,
            "state_owned_share": float(loc["state_owned_share"].iloc[0]),
            "top_country": None if top is None else top["group"],
            "top_country_share": None if top is None else float(top["share"]),
            "top_owner_country": own_attr.iloc[0]["group"] if len(own_attr) else None,
            "top_owner_share": float(own_attr.iloc[0]["share"]) if len(own_attr) else None,
            "coverage": None if cov is None or cov != cov else float(cov),
            "basis": str(loc["basis"].iloc[0]) if "basis" in loc else None,
            "owner_known_share": (float(own.loc[~own["group"].str.startswith(
                "unattributed"), "share"].sum()) if len(own) else None),
        })
    return out


def key_plants(year: int, per_stage: int = 5) -> list[dict]:
    """The largest operating plants of each stage by capacity, with owners and state
    backing (``per_stage`` rows per stage and product)."""
    from cellchain.chain.shares import facility_capacities

    model.check_year(year)
    g = model.graph()
    ents = g.entities
    out = []
    for product, (stage, registry_product, unit) in _stage_sources().items():
        rows = [fc for fc in facility_capacities(stage, year, ("operating",), registry_product)
                if fc[1].unit == unit]
        rows.sort(key=lambda fc: (-fc[1].value, fc[0]["id"]))
        for fac, cap in rows[:per_stage]:
            owners = "; ".join(
                f"{ents[u.owner]['name'] if u.owner in ents else u.owner} "
                f"({u.country}, {u.share:.0%})" for u in g.ultimate(fac["id"], year))
            out.append({
                "stage": stage, "product": product, "id": fac["id"], "name": fac["name"],
                "country": fac["country"], "capacity": cap.value, "unit": cap.unit,
                "capacity_year": cap.year, "ultimate_owners": owners,
                "state_owned_share": float(sum(g.state_share(fac["id"], year).values())),
                "source_url": cap.source_url,
            })
    return out


@caches.cached
def _network(year: int, basis: str | None = None, demand: str | None = None):
    """Network, baseline and re-routing programme of a year (on a capacity basis and
    demand projection for a projected year), built once per report."""
    from cellchain.network import baseline
    from cellchain.network.build import build_network
    from cellchain.optimize.reroute import Reroute

    net = build_network(year, basis, demand=demand)
    base = baseline.build(net)
    return net, base, Reroute(net, base)


def exposure(market: str, year: int) -> dict[str, list[dict]]:
    """The market's stage-by-stage supply shares by location and by owner country."""
    from cellchain.cli.output import records
    from cellchain.trace.exposure import exposure as trace_exposure

    model.check_year(year)
    net, base, _ = _network(year)
    return {by: records(trace_exposure(market, year, by, net=net, flows=base.flows,
                                       basis=base.basis))
            for by in ("location", "owner")}


def scenario_result(scenario, source: str, market: str | None = None) -> dict:
    """Run a validated scenario against its baseline, in sections: ``supply`` and
    ``bottleneck`` rows for ``market`` (all markets when None), ``capacity`` and ``jobs``
    rows for the world, the bottleneck in words and the largest moves."""
    from cellchain.cli.output import records
    from cellchain.scenarios import run

    net, base, rr = _network(scenario.year, scenario.capacity,
                             scenario.demand.projection if scenario.demand else None)
    df, summary = run.run(scenario, source, network=net, baseline=base, reroute=rr)
    sections = {}
    for name in run.SECTIONS:
        part = df[df["section"] == name]
        if market is not None and name in ("supply", "bottleneck"):
            part = part[part["market"] == market]
        keep = [c for c in part.columns if part[c].notna().any()] or ["section"]
        sections[name] = records(part[keep])
    return {"name": scenario.name, "description": scenario.description,
            "year": scenario.year, "source": source, "status": summary["status"],
            "explanation": summary["explanation"], "method": summary["method"],
            **sections,
            "bottleneck_text": [r["text"] for r in sections["bottleneck"] if r.get("text")],
            "largest_moves": [m["move"] for m in summary["largest_moves"]]}


def bundled_scenarios(market: str) -> list[dict]:
    """Every bundled scenario's result for ``market``."""
    from cellchain.scenarios.load import bundled, load

    return [{"id": name, **scenario_result(load(path), name, market)}
            for name, path in bundled().items()]


#: Draws behind the report's risk section (short mode, the shipped disruption model).
REPORT_RISK_DRAWS = 20_000
#: Bands of the shortfall histograms: 20 of 5 % each, from no shortfall to all of the need.
RISK_BINS = 20


def risk(market: str, year: int, draws: int = REPORT_RISK_DRAWS, seed: int = 7,
         mode: str = "short") -> dict:
    """A market's Monte Carlo shortfall risk under the shipped disruption model: the
    ``summary`` per product, every ranked ``driver``, and ``histograms`` of the shortfall
    per product (``histogram``: the cells one) [probability of each band of shortfall,
    as a fraction of the product's need]. Long mode re-routes every draw and reports cells
    only."""
    import numpy as np

    from cellchain.cli.output import records
    from cellchain.risk import montecarlo
    from cellchain.risk.model import DEFAULT_MODEL

    net, _, _ = _network(year)
    r = montecarlo(market, year=year, draws=draws, seed=seed, mode=mode, net=net)
    market = r.summary["market"].iloc[0]  # canonical spelling (usa -> USA)
    summary = records(r.summary)
    stages = {row["product"]: (row["stage"], row["unit"]) for row in summary}
    histograms = []
    for j, product in enumerate(r.meta["products"]):
        share = np.clip(r.shortfall[market][:, j], 0.0, 1.0)  # float32 sums: 1 + eps
        counts, edges = np.histogram(share, bins=RISK_BINS, range=(0.0, 1.0))
        histograms.append({"stage": stages[product][0], "product": product,
                           "unit": "share of demand", "need_unit": stages[product][1],
                           "lower": edges[:-1].tolist(), "upper": edges[1:].tolist(),
                           "probability": (counts / draws).tolist()})
    return {"market": market, "year": year, "mode": mode, "draws": draws, "seed": seed,
            "model": DEFAULT_MODEL.name, "driver_draws": r.meta["driver_draws"],
            "summary": summary, "drivers": records(r.drivers),
            "histograms": histograms,
            "histogram": next(h for h in histograms if h["product"] == "cells")}


def sources() -> dict:
    """Data vintages of the bundle and counts of the registry's cited rows."""
    from cellchain.io import bundle

    t = model.tables()
    registry = {name: len(rows) for name, rows in sorted(t.items())}
    urls = sorted({r["source_url"] for rows in t.values() for r in rows
                   if r.get("source_url")})
    return {"bundle": [{k: e.get(k) for k in ("dataset", "publisher", "vintage", "licence",
                                                 "citation", "url")}
                       for e in bundle.entries()],
            "registry_rows": registry, "registry_source_count": len(urls)}


def pipeline(market: str, stage: str = "cells") -> dict:
    """The market's cell pipeline to 2035 (expected capacity, low/high bands, demand) as
    rows, with the demand scenario and any reason the table is empty."""
    from cellchain.errors import CellchainError
    from cellchain.pipeline import capacity, output_records

    if market == "RoW":
        return {"rows": [], "note": "The rest of the world is a remainder, not a set of "
                "plants: see the world, a country or a bloc (cellchain pipeline)."}
    try:
        df = capacity.pipeline(market, stage)
    except CellchainError as exc:  # e.g. RoW, or no sourced demand projection
        try:
            df = capacity.pipeline(market, stage, scenario="none")
        except CellchainError:
            return {"rows": [], "note": exc.message}
        return {"rows": output_records(df), "note": exc.message}
    return {"rows": output_records(df), "note": None}


def market_report(market: str, year: int) -> dict:
    """Everything the market report shows, as data."""
    from cellchain.trace.exposure import normalise_market

    market = normalise_market(market)
    model.check_year(year)
    return {"market": market, "year": year,
            "market_name": MARKET_NAMES.get(market, countries.country_name(market)),
            "facilities": facility_points(year),
            "exposure": exposure(market, year),
            "concentration": concentration(year),
            "key_plants": key_plants(year),
            "scenarios": bundled_scenarios(market),
            "pipeline": pipeline(market),
            "risk": risk(market, year),
            "sources": sources()}
