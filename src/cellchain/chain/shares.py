"""Shares of a stage by location, ultimate-owner country, company or bloc, per product.

Each product of a stage is its own table in its model unit (:mod:`cellchain.units`).
Named plants count for a year when their status on 31 December is among the given
statuses (default: operating) and the registry has a nameplate, planned or (mines)
production figure for that year or earlier (see :mod:`cellchain.chain.model`).

With operating plants, the table is reconciled to the figures the registry cites
(:mod:`cellchain.chain.totals`) on one **basis**, said in the ``basis`` column:
``capacity`` when capacity figures are cited for the stage, product and year, else
``production``; mines always on production, with World Mining Data (in the bundle) as
each country's figure. A country's figure is its cited total, else its cited share of the
world, else its named plants; a cited lower bound raises it to at least that bound. On a
production basis, plants in a country with a cited output are scaled to that output (they
rarely run at nameplate), and countries known only by their plants share what the cited
countries leave of the world's output, each at most its capacity. Where both bases are
cited, the one with a world figure wins (capacity on a tie). What the cited world figure
leaves after every country is ``unattributed``. By owner, a country's cited capacity
beyond its named plants follows the owner mix of its named plants (``inferred_capacity``);
where it has none, and always for mines, it stays ``unattributed (ISO3)``: located there,
owner unknown.
"""

from __future__ import annotations

from cellchain import nomenclature as nom
from cellchain import units
from cellchain.chain import model
from cellchain.errors import unknown
from cellchain.metrics import concentration

BY = ("location", "owner", "company", "bloc")
MEASURES = ("capacity", "production")
UNATTRIBUTED = "unattributed"
COLUMNS = ["stage", "product", "year", "by", "basis", "group", "group_name", "capacity",
           "unit", "share", "facilities", "reconciled_capacity", "inferred_capacity", "hhi",
           "top3_share", "state_owned_share", "coverage"]


def is_unattributed(group: str) -> bool:
    """True for the world remainder and for located capacity whose owner is unknown."""
    return group == UNATTRIBUTED or group.startswith(UNATTRIBUTED + " (")


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
    """(facility row, Capacity) for every facility of the stage counted in ``year``; with
    ``product``, only plants making it, each with its capacity in that product's unit."""
    if stage not in nom.STAGES:
        raise unknown("stage", stage, nom.STAGES)
    if product is not None and product not in nom.ALL_PRODUCTS:
        raise unknown("product", product, nom.ALL_PRODUCTS)
    model.check_year(year)
    out = []
    for fid, fac in model.index().stages.get(stage, ()):
        if product and product not in (fac["products"] or "").split(";"):
            continue
        if model.status_as_of(fid, year) not in statuses:
            continue
        cap = model.capacity_as_of(fid, year, product)
        if cap is not None:
            out.append((fac, cap))
    return out


def shares(stage: str = "cells", year: int = 2024, by: str = "location",
           status: str | tuple[str, ...] | None = None, product: str | None = None,
           measure: str | None = None):
    """Shares of a stage, per product, grouped ``by`` location, owner, company or bloc.

    Parameters
    ----------
    measure : "capacity", "production" or None (capacity where capacity figures are
        cited for the product and year, else production; mines: production).

    Returns
    -------
    pandas.DataFrame
        One row per product and group: ``stage``, ``product``, ``year``, ``by``, ``basis``
        (capacity, production, or ``named plants`` without reconciliation), ``group``
        (ISO3, entity id, bloc id, ``unattributed`` or ``unattributed (ISO3)``),
        ``group_name``, ``capacity`` [``unit``, the product's model unit per year; output
        on a production basis], ``share`` [0-1 of the product's total], ``facilities``
        (count), ``reconciled_capacity`` (the part from cited figures, not named plants),
        ``inferred_capacity`` (by owner: the part given to this owner through a location's
        owner mix), and per product ``hhi`` [0-10,000, over attributed groups],
        ``top3_share``, ``state_owned_share`` [0-1] and ``coverage`` (named plants / total,
        empty when the named plants are the total).
    """
    import pandas as pd

    if by not in BY:
        raise unknown("grouping", by, BY)
    if measure is not None and measure not in MEASURES:
        raise unknown("measure", measure, MEASURES)
    if stage not in nom.STAGES:
        raise unknown("stage", stage, nom.STAGES)
    if product is not None and product not in nom.ALL_PRODUCTS:
        raise unknown("product", product, nom.ALL_PRODUCTS)
    model.check_year(year)
    statuses = check_statuses(status)
    products = [product] if product else list(nom.PRODUCTS[stage])
    rows = []
    for p in products:
        rows += _block(stage, p, year, by, statuses, measure)
    df = pd.DataFrame(rows, columns=COLUMNS)
    if by != "bloc" and len(df):
        concentration.shares(df["capacity"])  # raises on negative capacities
    return df


def _denominator(stage: str, product: str, year: int, measure: str | None):
    """(basis, point figures by country, lower bounds by country, world figure or None)."""
    from cellchain.chain import totals

    if stage == "mining":
        _, output = totals.mine_output(product, year)
        return "production", output, {}, (sum(output.values()) if output else None)
    if measure is None:
        cap = totals.cited(stage, product, year, "capacity")
        prod = totals.cited(stage, product, year, "production")
        rank = {m: (t.world is not None, len(t.countries), m == "capacity")
                for m, t in (("capacity", cap), ("production", prod))}
        measure = max(rank, key=rank.get)
    t = totals.cited(stage, product, year, measure)
    world = t.world.value if t.world else None
    lower = {c: f.value for c, f in t.lower.items()}
    if world is None and nom.WORLD in lower:
        world = None  # a bound on the world is a constraint, applied below
    return measure, {c: f.value for c, f in t.countries.items()}, lower, world


def _block(stage, product, year, by, statuses, measure) -> list[dict]:
    """The rows of one product's table (empty when it has neither plants nor figures)."""
    from cellchain import countries

    g = model.graph()
    unit = units.product_unit(product)
    plants = facility_capacities(stage, year, statuses, product)
    named_by_country: dict[str, float] = {}
    for fac, cap in plants:
        named_by_country[fac["country"]] = named_by_country.get(fac["country"], 0.0) + cap.value
    reconcile = "operating" in statuses
    basis, figures, lower, world = ("named plants", {}, {}, None)
    if reconcile:
        basis, figures, lower, world = _denominator(stage, product, year, measure)
    if not plants and not figures and world is None:
        return []
    world_floor = lower.pop(nom.WORLD, 0.0)
    # each country's figure, and the factor its plants are scaled by (production basis)
    figure: dict[str, float] = {}
    scale: dict[str, float] = {}
    for c in sorted(set(named_by_country) | set(figures) | set(lower)):
        n = named_by_country.get(c, 0.0)
        if c in figures:
            f = figures[c]
            if basis == "production" and n > f > 0:
                scale[c] = f / n
                figure[c] = f
            else:
                figure[c] = max(f, n)
        else:
            figure[c] = max(n, lower.get(c, 0.0))
    if basis == "production" and world:
        # Output cannot exceed capacity: countries known only by their plants' capacity
        # share what the cited countries leave of the world's output, each at most its
        # capacity.
        plant_only = [c for c in figure if c not in figures and c not in lower]
        room = world - sum(v for c, v in figure.items() if c not in plant_only)
        cap_sum = sum(figure[c] for c in plant_only)
        if cap_sum > 0 and room < cap_sum:
            k = max(room, 0.0) / cap_sum
            for c in plant_only:
                scale[c] = k
                figure[c] *= k
    counted = sum(figure.values())
    total = max(counted, world or 0.0, world_floor)

    acc: dict[str, list] = {}  # group -> [capacity, facilities, reconciled, inferred]

    def add(group, value, fid=None, reconciled=0.0, inferred=0.0):
        slot = acc.setdefault(group, [0.0, set(), 0.0, 0.0])
        slot[0] += value
        slot[2] += reconciled
        slot[3] += inferred
        if fid:
            slot[1].add(fid)

    state = 0.0
    named_total = 0.0
    owner_mix: dict[str, dict[str, float]] = {}
    for fac, cap in plants:
        value = cap.value * scale.get(fac["country"], 1.0)
        named_total += value
        state += value * sum(g.state_share(fac["id"], year).values())
        for group, weight in _attribution(fac, year, by, g):
            add(group, value * weight, fac["id"])
            mix = owner_mix.setdefault(fac["country"], {})
            mix[group] = mix.get(group, 0.0) + value * weight
    for c, f in figure.items():
        extra = f - named_by_country.get(c, 0.0) * scale.get(c, 1.0)
        if extra <= 1e-9:
            continue
        if by == "location":
            add(c, extra, reconciled=extra)
        elif by == "bloc":
            for b in model.blocs_of(c, year) or ["none"]:
                add(b, extra, reconciled=extra)
        elif by == "owner" and stage != "mining" and owner_mix.get(c):
            mix = owner_mix[c]
            whole = sum(mix.values())
            for group, v in mix.items():
                part = extra * v / whole
                add(group, part, reconciled=part, inferred=part)
        else:
            add(f"{UNATTRIBUTED} ({c})", extra, reconciled=extra)
    rest = total - counted
    if rest > 1e-9:
        add(UNATTRIBUTED, rest, reconciled=rest)
    if not acc:
        return []
    missing = sorted((c for c in named_by_country if c not in figures and c not in lower),
                     key=lambda c: -named_by_country[c])
    attributed = [v[0] / total for grp, v in acc.items() if not is_unattributed(grp)]
    hhi = float(sum((100 * s) ** 2 for s in attributed)) if by != "bloc" else None
    top3 = float(sum(sorted(attributed, reverse=True)[:3])) if by != "bloc" else None
    coverage = named_total / total if total > named_total + 1e-9 else None
    out = []
    for grp, (value, facs, rec, inf) in sorted(acc.items(), key=lambda x: (-x[1][0], x[0])):
        out.append({
            "stage": stage, "product": product, "year": year, "by": by, "basis": basis,
            "group": grp, "group_name": _group_name(grp, by, countries, missing),
            "capacity": value, "unit": unit, "share": value / total if total else 0.0,
            "facilities": len(facs), "reconciled_capacity": rec, "inferred_capacity": inf,
            "hhi": hhi, "top3_share": top3,
            "state_owned_share": state / total if total else 0.0, "coverage": coverage,
        })
    return out


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


def _group_name(group: str, by: str, countries, missing: list[str]) -> str:
    if group == UNATTRIBUTED:
        name = "other / unattributed (cited world figure not covered by country figures"
        if missing:
            name += "; no cited total for " + ", ".join(missing[:8])
        return name + ")"
    if group.startswith(UNATTRIBUTED + " ("):
        return f"owner unknown, located in {countries.country_name(group[-4:-1])}"
    if by in ("location", "owner"):
        return countries.country_name(group)
    if by == "company":
        ent = model.entities().get(group)
        return ent["name"] if ent else group
    return group
