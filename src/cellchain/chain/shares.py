"""Capacity shares of a stage by location, ultimate-owner country, company or bloc.

Capacity counts for a year when the facility's status on 31 December is among the given
statuses (default: operating) and the registry has a nameplate or planned capacity for
that year or earlier (see :mod:`cellchain.chain.model`). Where the registry cites a world
total for the stage, unit and year, the part that named plants do not cover is reported
as one ``unattributed`` group, so shares are of the world total rather than of the plants
we happen to know.
"""

from __future__ import annotations

from cellchain import nomenclature as nom
from cellchain.chain import model
from cellchain.errors import unknown
from cellchain.metrics import concentration

BY = ("location", "owner", "company", "bloc")
UNATTRIBUTED = "unattributed"


def check_statuses(status: str | tuple[str, ...] | None) -> tuple[str, ...]:
    """Statuses from a comma-separated string or tuple; 'all' means every status."""
    if status is None:
        return ("operating",)
    items = status.split(",") if isinstance(status, str) else list(status)
    items = [s.strip() for s in items if s.strip()]
    if items == ["all"]:
        return nom.STATUSES
    for s in items:
        if s not in nom.STATUSES:
            raise unknown("status", s, nom.STATUSES + ("all",))
    return tuple(items)


def facility_capacities(stage: str, year: int, statuses=("operating",), product=None):
    """(facility row, Capacity) for every facility of the stage counted in ``year``."""
    if stage not in nom.STAGES:
        raise unknown("stage", stage, nom.STAGES)
    if product is not None and product not in nom.ALL_PRODUCTS:
        raise unknown("product", product, nom.ALL_PRODUCTS)
    model.check_year(year)
    out = []
    for fid, fac in sorted(model.facilities().items()):
        if fac["stage"] != stage:
            continue
        if product and product not in (fac["products"] or "").split(";"):
            continue
        if model.status_as_of(fid, year) not in statuses:
            continue
        cap = model.capacity_as_of(fid, year)
        if cap is not None:
            out.append((fac, cap))
    return out


def shares(stage: str = "cells", year: int = 2024, by: str = "location",
           status: str | tuple[str, ...] | None = None, product: str | None = None):
    """Capacity shares of a stage, grouped ``by`` location, owner, company or bloc.

    Returns
    -------
    pandas.DataFrame
        One row per group and unit: ``stage``, ``year``, ``by``, ``group`` (ISO3, entity id,
        bloc id or ``unattributed``), ``group_name``, ``capacity``, ``unit``, ``share``
        [0-1 of the total], ``facilities`` (count), ``reconciled_capacity`` (the part of
        ``capacity`` that comes from cited country or world totals, not named plants), and
        for the whole table ``hhi``
        [0-10,000, over attributed groups], ``top3_share``, ``state_owned_share`` [0-1] and
        ``coverage`` (named plants / cited world total, empty when no total is cited).
    """
    import pandas as pd

    from cellchain import countries

    if by not in BY:
        raise unknown("grouping", by, BY)
    statuses = check_statuses(status)
    g = model.graph()
    acc: dict[tuple[str, str], list] = {}
    state_cap: dict[str, float] = {}
    named: dict[str, float] = {}
    named_by_country: dict[str, dict[str, float]] = {}
    for fac, cap in facility_capacities(stage, year, statuses, product):
        named[cap.unit] = named.get(cap.unit, 0.0) + cap.value
        per_country = named_by_country.setdefault(cap.unit, {})
        per_country[fac["country"]] = per_country.get(fac["country"], 0.0) + cap.value
        state_cap[cap.unit] = state_cap.get(cap.unit, 0.0) + cap.value * sum(
            g.state_share(fac["id"], year).values())
        for group, weight in _attribution(fac, year, by, g):
            slot = acc.setdefault((cap.unit, group), [0.0, set()])
            slot[0] += cap.value * weight
            slot[1].add(fac["id"])
    rows = []
    for unit, total_named in sorted(named.items()):
        reconciled: dict[str, float] = {}
        coverage = None
        total = total_named
        if "operating" in statuses:
            total = _reconcile(stage, unit, year, by, acc, named_by_country.get(unit, {}),
                               reconciled)
            if total > total_named:
                coverage = total_named / total
        groups = [(grp, v) for (u, grp), v in acc.items() if u == unit]
        attributed = [v[0] for grp, v in groups if grp != UNATTRIBUTED]
        shares_ = [v / total for v in attributed]
        hhi = float(sum((100 * s) ** 2 for s in shares_)) if by != "bloc" else None
        top3 = float(sum(sorted(shares_, reverse=True)[:3])) if by != "bloc" else None
        for grp, (value, facs) in sorted(groups, key=lambda x: (-x[1][0], x[0])):
            rows.append({
                "stage": stage, "year": year, "by": by, "group": grp,
                "group_name": _group_name(grp, by, countries), "capacity": value,
                "unit": unit, "share": value / total if total else 0.0,
                "facilities": len(facs), "reconciled_capacity": reconciled.get(grp, 0.0),
                "hhi": hhi, "top3_share": top3,
                "state_owned_share": state_cap[unit] / total if total else 0.0,
                "coverage": coverage,
            })
    df = pd.DataFrame(rows, columns=[
        "stage", "year", "by", "group", "group_name", "capacity", "unit", "share",
        "facilities", "reconciled_capacity", "hhi", "top3_share", "state_owned_share",
        "coverage"])
    if by != "bloc" and len(df):
        concentration.shares(df["capacity"])  # raises on negative capacities
    return df


def _reconcile(stage, unit, year, by, acc, named_by_country, reconciled) -> float:
    """Add cited-but-unnamed capacity to ``acc`` and return the table's total.

    A country whose cited total exceeds its named plants gets the difference: under
    ``by="location"`` in its own row (and in ``reconciled``), otherwise in ``unattributed``
    since its owners are unknown. What the cited world total leaves after that is
    ``unattributed`` too.
    """
    total = sum(named_by_country.values())
    for country, cited in sorted(model.country_totals(stage, unit, year).items()):
        extra = cited["value"] - named_by_country.get(country, 0.0)
        if extra <= 0:
            continue
        group = country if by == "location" else UNATTRIBUTED
        if by == "bloc":
            blocs = model.blocs_of(country, year) or ["none"]
            for b in blocs:
                acc.setdefault((unit, b), [0.0, set()])[0] += extra
                reconciled[b] = reconciled.get(b, 0.0) + extra
        else:
            acc.setdefault((unit, group), [0.0, set()])[0] += extra
            reconciled[group] = reconciled.get(group, 0.0) + extra
        total += extra
    world = model.world_total(stage, unit, year)
    if world is not None and world["value"] > total:
        rest = world["value"] - total
        acc.setdefault((unit, UNATTRIBUTED), [0.0, set()])[0] += rest
        reconciled[UNATTRIBUTED] = reconciled.get(UNATTRIBUTED, 0.0) + rest
        total = world["value"]
    return total


def _attribution(fac: dict, year: int, by: str, g) -> list[tuple[str, float]]:
    if by == "location":
        return [(fac["country"], 1.0)]
    if by == "owner":
        out: dict[str, float] = {}
        for u in g.ultimate(fac["id"], year):
            out[u.country] = out.get(u.country, 0.0) + u.share
        return list(out.items())
    if by == "company":
        return [(u.owner if u.owner != "undisclosed" else f"undisclosed ({fac['country']})",
                 u.share) for u in g.ultimate(fac["id"], year, stop_at_state_owned=True)]
    blocs = model.blocs_of(fac["country"], year)
    return [(b, 1.0) for b in blocs] or [("none", 1.0)]


def _group_name(group: str, by: str, countries) -> str:
    if group == UNATTRIBUTED:
        return "other / unattributed (cited totals not covered by named plants)"
    if by in ("location", "owner"):
        return countries.country_name(group)
    if by == "company":
        ent = model.entities().get(group)
        return ent["name"] if ent else group
    return group
