"""One plant or one company, fully explained, as of a year."""

from __future__ import annotations

from datetime import date

from cellchain.chain import model
from cellchain.chain.ownership import RULE_CITATION, ControlRule
from cellchain.errors import unknown
from cellchain.io.registry import start_of

DEFAULT_RULE = ControlRule()


def _find(kind: str, query: str, rows: dict[str, dict]) -> str:
    """Id of the row whose id equals, or whose name uniquely contains, ``query``."""
    q = query.strip().lower()
    if q in rows:
        return q
    hits = [rid for rid, r in rows.items() if q in (r["name"] or "").lower()]
    if len(hits) == 1:
        return hits[0]
    if len(hits) > 1:
        raise unknown(f"{kind} (the name matches {len(hits)})", query, hits)
    raise unknown(kind, query, list(rows))


def find_facility(query: str) -> str:
    """Facility id for an id or a unique part of its name."""
    return _find("facility", query, model.facilities())


def find_entity(query: str) -> str:
    """Entity id for an id or a unique part of its name."""
    return _find("entity", query, model.entities())


def _source(row: dict) -> dict:
    return {"source_url": row["source_url"], "seen": row["seen"],
            "confidence": row["confidence"]}


def facility(query: str, year: int | None = None, rule: ControlRule = DEFAULT_RULE) -> dict:
    """Everything the registry knows about one facility, with owners as of ``year``.

    ``year`` defaults to :data:`cellchain.years.DEFAULT_YEAR` and must be a year the
    registry covers (:mod:`cellchain.years`). The result is a JSON-ready dict.
    """
    fid = find_facility(query)
    year = model.check_year(year)
    g = model.graph()
    t = model.tables()
    fac = dict(g.facilities[fid])
    ents = g.entities
    owners_now = [{"owner": h.owner, "owner_name": ents[h.owner]["name"],
                   "owner_country": ents[h.owner]["country"], "share": h.share,
                   "share_stated": not h.assumed}
                  for h in g.holders(fid, year)]
    history = [{"owner": r["owner"], "owner_name": ents[r["owner"]]["name"],
                "share": r["share"], "valid_from": r["valid_from"], "valid_to": r["valid_to"],
                "notes": r["notes"], **_source(r)} for r in g.history(fid)]
    ultimate = [{"owner": u.owner,
                 "owner_name": ents[u.owner]["name"] if u.owner in ents else u.owner,
                 "country": u.country, "kind": u.kind, "share": u.share,
                 "share_stated": not u.assumed, "chain": " > ".join(u.path)}
                for u in g.ultimate(fid, year)]
    states = g.state_share(fid, year)
    country, counted, reasons = g.controlled_by(fid, year, rule)
    cap_rows = sorted((r for r in t["capacity"] if r["facility"] == fid),
                      key=lambda r: (r["year"] or 0, r["basis"]))
    status_rows = sorted((r for r in t["status"] if r["facility"] == fid),
                         key=lambda r: (start_of(r["date"]) or date.min))
    current = model.capacity_as_of(fid, year)
    links_up = [dict(supplier=r["supplier"], product=r["product"], valid_from=r["valid_from"],
                     valid_to=r["valid_to"], **_source(r))
                for r in t["links"] if r["customer"] == fid]
    links_down = [dict(customer=r["customer"], product=r["product"],
                       valid_from=r["valid_from"], valid_to=r["valid_to"], **_source(r))
                  for r in t["links"] if r["supplier"] == fid]
    return {
        "id": fid, "name": fac["name"], "as_of": year, "stage": fac["stage"],
        "products": _split(fac["products"]), "chemistry": _split(fac["chemistry"]),
        "end_uses": _split(fac["end_uses"]),
        "location": {"country": fac["country"], "region": fac["region"], "city": fac["city"],
                     "lat": fac["lat"], "lon": fac["lon"]},
        "operator": fac["operator"],
        "status": model.status_as_of(fid, year),
        "status_history": [{"status": r["status"], "date": r["date"], "notes": r["notes"],
                            **_source(r)} for r in status_rows],
        "capacity": None if current is None else {
            "value": current.value, "unit": current.unit, "year": current.year,
            "basis": current.basis, "source_url": current.source_url},
        "capacity_history": [{"year": r["year"], "capacity": r["capacity"], "unit": r["unit"],
                              "basis": r["basis"], "notes": r["notes"], **_source(r)}
                             for r in cap_rows],
        "owners": owners_now,
        "ownership_history": history,
        "ultimate_owners": ultimate,
        "state_owned_share": sum(states.values()),
        "state_owners": states,
        "state_backed": bool(states),
        "covered_entity": {
            "covered": country is not None, "government": country, "counted_share": counted,
            "reasons": reasons, "rule": RULE_CITATION, "covered_nations": list(rule.covered),
            "threshold": rule.threshold},
        "jobs": fac["jobs"], "jobs_year": fac["jobs_year"], "capex_musd": fac["capex_musd"],
        "suppliers": links_up, "customers": links_down,
        "notes": fac["notes"], "sources": sorted({fac["source_url"]} | {
            r["source_url"] for r in cap_rows + status_rows}),
        **{"facility_source": _source(fac)},
    }


def entity(query: str, year: int | None = None, rule: ControlRule = DEFAULT_RULE) -> dict:
    """What an entity owns directly and through subsidiaries, by stage and country."""
    eid = find_entity(query)
    year = model.check_year(year)
    g = model.graph()
    ent = g.entities[eid]
    direct = [{"owned": owned, "name": (g.entities.get(owned) or g.facilities[owned])["name"],
               "type": "entity" if owned in g.entities else "facility", "share": share,
               "share_stated": not assumed}
              for owned, share, assumed in g.holdings_of(eid, year)]
    plants = []
    memo: dict = {}  # one walk per node for all facilities, not one per facility
    for fid, fac in sorted(g.facilities.items()):
        held = held_share(g, eid, fid, year, memo)
        if held <= 0:
            continue
        cap = model.capacity_as_of(fid, year)
        plants.append({"facility": fid, "name": fac["name"], "stage": fac["stage"],
                       "country": fac["country"], "status": model.status_as_of(fid, year),
                       "held_share": held,
                       "capacity": None if cap is None else cap.value,
                       "unit": None if cap is None else cap.unit,
                       "attributable_capacity": None if cap is None else cap.value * held})
    by_stage: dict[tuple, float] = {}
    for p in plants:
        if p["attributable_capacity"] is not None and p["status"] == "operating":
            key = (p["stage"], p["country"], p["unit"])
            by_stage[key] = by_stage.get(key, 0.0) + p["attributable_capacity"]
    country, counted, reasons = g.controlled_by(eid, year, rule)
    return {
        "id": eid, "name": ent["name"], "country": ent["country"], "kind": ent["kind"],
        "as_of": year,
        "owners": [{"owner": h.owner, "share": h.share, "share_stated": not h.assumed}
                   for h in g.holders(eid, year)],
        "ultimate_owners": [{"owner": u.owner, "country": u.country, "kind": u.kind,
                             "share": u.share} for u in g.ultimate(eid, year)],
        "state_owned_share": sum(g.state_share(eid, year).values()),
        "covered_entity": {"covered": country is not None, "government": country,
                           "counted_share": counted, "reasons": reasons,
                           "rule": RULE_CITATION},
        "direct_holdings": direct,
        "facilities": plants,
        "operating_capacity_by_stage_country": [
            {"stage": s, "country": c, "unit": u, "capacity": v}
            for (s, c, u), v in sorted(by_stage.items())],
        "notes": ent["notes"], **_source(ent),
    }


def held_share(g, entity_id: str, node: str, year: int, _memo=None) -> float:
    """Look-through equity of ``entity_id`` in ``node`` [fraction], through all chains."""
    memo = {} if _memo is None else _memo
    if node in memo:
        return memo[node]
    total = 0.0
    for h in g.holders(node, year):
        if h.owner == entity_id:
            total += h.share
        elif h.owner in g.entities:
            total += h.share * held_share(g, entity_id, h.owner, year, memo)
    memo[node] = total
    return total


def _split(text) -> list[str]:
    return [p for p in (text or "").split(";") if p]
