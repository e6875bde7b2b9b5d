"""Does the registry already say what a proposal says? ``confirms`` (the same value),
``conflicts`` (another value; ``current`` holds it) or ``new`` (nothing on the matter)."""

from __future__ import annotations

from cellchain import units
from cellchain.news.records import Proposal
from cellchain.news.view import RegistryView

#: Relative difference [fraction] within which two figures are the same: capacities and
#: figures written as approximate ("about 500 jobs")...
SAME = 0.02
#: ...and figures written as exact ("$975 million", "more than 900 jobs").
EXACT = 1e-6
ROUGH = ("about", "around", "approximately", "roughly", "nearly", "almost", "some",
         "close to")


def compare(p: Proposal, view: RegistryView) -> None:
    """Set ``p.registry`` and ``p.current`` from the registry."""
    if not p.target.matched or p.kind in ("new_facility", "new_entity"):
        p.registry, p.current = "new", None
        return
    fid = p.target.id
    fac = view.facilities.get(fid, {})
    if p.kind == "status_change":
        rows = view.rows("status", facility=fid)
        year = (p.date or "")[:4]
        same = [r for r in rows if r["status"] == p.value
                and (not year or not r["date"] or r["date"][:4] == year)]
        _set(p, same, rows, lambda: _status_now(fid, year))
    elif p.kind == "capacity":
        value, unit = units.to_canonical_capacity(p.value, p.unit)
        rows = []
        for r in view.rows("capacity", facility=fid):
            v, u = units.to_canonical_capacity(r["capacity"], r["unit"])
            if u == unit:
                rows.append((r, v))
        same = [r for r, v in rows if _close(v, value)
                and (not p.date or r["year"] is None or str(r["year"]) == str(p.date)[:4])]
        _set(p, same, [r for r, _ in rows],
             lambda: _nearest_capacity(rows, p.date))
    elif p.kind in ("jobs", "capex"):
        fld = "jobs" if p.kind == "jobs" else "capex_musd"
        have = fac.get(fld)
        if p.kind == "capex" and p.unit != "million USD":
            p.registry, p.current = ("new", None) if have is None else ("conflicts", have)
            return
        rough = p.detail.get("qualifier") in ROUGH
        if have is None:
            p.registry, p.current = "new", None
        elif _close(have, p.value, SAME if rough else EXACT):
            p.registry, p.current = "confirms", have
        else:
            p.registry, p.current = "conflicts", have
    elif p.kind == "owner_change":
        owned = p.detail["owned"]
        heldby = {owned, fid, p.target.operator} - {None}
        rows = [r for r in view.tables["ownership"]
                if r["owner"] == p.value and r["owned"] in heldby]
        share = p.detail.get("share")
        same = [r for r in rows if share is None or r["share"] is None
                or abs(r["share"] - share) < 0.01]
        _set(p, same, rows, lambda: rows[-1]["share"])
    elif p.kind == "supply_link":
        supplier = p.value
        sup_ids = {supplier, *view.operated.get(supplier, [])}
        sup_ids |= {view.facilities[supplier]["operator"]} if supplier in view.facilities else set()
        customer = p.detail["customer"]
        cust_ids = {customer, *view.operated.get(customer, [])}
        if customer in view.facilities:
            cust_ids.add(view.facilities[customer]["operator"])
        rows = [r for r in view.tables["links"]
                if r["supplier"] in sup_ids and r["customer"] in cust_ids]
        p.registry, p.current = ("confirms", rows[0]["product"]) if rows else ("new", None)


def _set(p: Proposal, same: list, rows: list, current) -> None:
    if same:
        p.registry, p.current = "confirms", p.value
    elif rows:
        p.registry, p.current = "conflicts", current()
    else:
        p.registry, p.current = "new", None


def _status_now(fid: str, year: str) -> str | None:
    from datetime import date

    from cellchain.chain import model

    return model.status_as_of(fid, int(year) if year else date.today().year)


def _nearest_capacity(rows, year) -> str:
    def distance(item):
        r = item[0]
        if r["year"] is None or not year:
            return 9999
        return abs(int(r["year"]) - int(str(year)[:4]))

    r, _ = min(rows, key=distance)
    return f"{r['capacity']:g} {r['unit']} ({r['year'] or 'no year'}, {r['basis']})"


def _close(a: float, b: float, tolerance: float = SAME) -> bool:
    return abs(a - b) <= tolerance * max(abs(a), abs(b), 1e-9)
