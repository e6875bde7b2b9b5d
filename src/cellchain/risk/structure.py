"""The supply chain a Monte Carlo draw acts on, and the disruption sources' effects.

A :class:`ChainStructure` holds, for one year, every model product's *nodes* (the
countries that make it or pass it on), the sourcing matrix of each input between the
nodes of its supplier and its user product, each market's traced shares per product and
its need in the product's unit, and the disruption :class:`Source` list with the fraction
of each node's output a source takes when it strikes.

Sourcing matrices are those of the baseline trace (:mod:`cellchain.trace.exposure`): a
node that receives none of an input in the baseline uses its own output of it where it has
some, else the world mix (the same rule the trace applies), so the short-run propagation
and the traced shares agree.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cellchain.errors import InvalidInputError, unknown

#: Equity share at which a sanctioned owner's plant is blocked in full: OFAC's "50 percent
#: rule" (Revised Guidance on Entities Owned by Persons Whose Property and Interests in
#: Property Are Blocked, 13 Aug 2014): entities owned 50 % or more, directly or
#: indirectly, in the aggregate by blocked persons are themselves blocked.
SANCTION_OWNERSHIP_THRESHOLD = 0.5
SANCTION_RULE_URL = ("https://ofac.treasury.gov/media/6186/download?inline")


@dataclass(frozen=True)
class Source:
    """One thing that can strike in a year.

    kind : ``country`` | ``event`` | ``owner`` | ``facility``
    name : the driver's id (ISO3, event name, entity id or facility id)
    probability : chance it strikes in a year [0-1]
    effect : fraction of each node's output lost when it strikes, over the concatenated
        node list :attr:`ChainStructure.columns` [0-1]
    """

    kind: str
    name: str
    probability: float
    effect: np.ndarray


@dataclass
class ChainStructure:
    """Products upstream first; arrays over each product's nodes.

    nodes : product -> country ids of its nodes
    offsets : product -> slice of the product's nodes in the concatenated column list
    inputs : product -> its input products
    sourcing : input product q -> ``S[i, j]``: share of node j (of q's user) from node i
        (of q) [rows: q's nodes; columns: the user's nodes]
    users : input product -> the product that uses it
    shares : market -> product -> share of the market's supply of the product passing
        through each node [sums to one]
    need : market -> product -> the market's yearly need [product unit]
    units, stages : product -> unit, stage
    sources : the disruption sources
    """

    year: int
    products: tuple[str, ...]
    nodes: dict[str, tuple[str, ...]]
    offsets: dict[str, slice]
    inputs: dict[str, tuple[str, ...]]
    users: dict[str, str]
    sourcing: dict[str, np.ndarray]
    shares: dict[str, dict[str, np.ndarray]]
    need: dict[str, dict[str, float]]
    units: dict[str, str]
    stages: dict[str, str]
    sources: list[Source]

    @property
    def width(self) -> int:
        return max(s.stop for s in self.offsets.values())

    def effects(self) -> np.ndarray:
        """(K, width) matrix of every source's effect."""
        if not self.sources:
            return np.zeros((0, self.width))
        return np.vstack([s.effect for s in self.sources])

    def probabilities(self) -> np.ndarray:
        return np.array([s.probability for s in self.sources], dtype=float)


def build(year: int, markets: tuple[str, ...], model, *, net=None, solution=None
          ) -> ChainStructure:
    """The structure for ``year`` from the network, its observed baseline (or a given
    ``solution``: anything with ``flows``) and the trace."""
    from cellchain.network import baseline
    from cellchain.network.build import build_network
    from cellchain.network.products import PRODUCTS, STAGE_OF, UNITS
    from cellchain.trace import exposure as ex

    net = net if net is not None else build_network(year)
    solution = solution if solution is not None else baseline.build(net)
    n = len(net.countries)
    traced = {m: ex.trace(net, solution.flows, m) for m in markets}
    raw_sourcing = {q: ex.sourcing(solution.flows[q]) for q, _ in ex.CHAIN}
    users = {q: p for q, p in ex.CHAIN}
    inputs: dict[str, tuple[str, ...]] = {}
    for q, p in ex.CHAIN:
        inputs[p] = inputs.get(p, ()) + (q,)
    products = tuple(p for p in PRODUCTS)  # PRODUCTS runs upstream first

    # nodes: countries that make the product, ship it, or supply a traced market share
    nodes, offsets, start = {}, {}, 0
    for p in products:
        active = net.capacity[p] > 0
        active |= solution.flows[p].sum(axis=1) > 0
        for m in markets:
            active |= traced[m][p] > 0
        if p in raw_sourcing:
            active |= raw_sourcing[p].sum(axis=1) > 0
        idx = np.flatnonzero(active)
        nodes[p] = tuple(net.countries[i] for i in idx)
        offsets[p] = slice(start, start + idx.size)
        start += idx.size
    index = {p: np.array([net.countries.index(c) for c in nodes[p]], dtype=int)
             for p in products}

    sourcing = {}
    for q, p in ex.CHAIN:
        s = raw_sourcing[q].copy()
        made = solution.flows[q].sum(axis=1)
        world = made / made.sum() if made.sum() > 0 else np.zeros(n)
        for d in index[p]:
            if s[:, d].sum() <= 0:
                s[:, d] = 0.0
                if net.capacity[q][d] > 0:
                    s[d, d] = 1.0
                else:
                    s[:, d] = world
        sourcing[q] = s[np.ix_(index[q], index[p])]

    shares = {m: {p: traced[m][p][index[p]] for p in products} for m in markets}
    need = {m: _need(net, m) for m in markets}
    structure = ChainStructure(
        year=year, products=products, nodes=nodes, offsets=offsets, inputs=inputs,
        users=users, sourcing=sourcing, shares=shares, need=need,
        units={p: UNITS[p] for p in products}, stages={p: STAGE_OF[p] for p in products},
        sources=[])
    structure.sources = _sources(structure, net, model, year)
    return structure


def _need(net, market: str) -> dict[str, float]:
    """A market's yearly need of every product [product unit], from its cell demand and
    the recipe (inputs per unit of output)."""
    need = {"cells": float(net.demand.get(market, 0.0))}
    for p in ("cells", "cathode", "anode", "lithium_chemicals", "nickel_refined",
              "cobalt_refined"):
        for q, a in net.recipe.get(p, {}).items():
            need[q] = need.get(q, 0.0) + a * need.get(p, 0.0)
    return need


# ---------------------------------------------------------------------------------------
# sources
# ---------------------------------------------------------------------------------------
def _sources(st: ChainStructure, net, model, year: int) -> list[Source]:
    out = _country_sources(st, model, year)
    out += _event_sources(st, model, year)
    caps = _facility_capacities(st, year, net)
    out += _owner_sources(st, model, year, caps)
    out += _facility_sources(st, model, caps)
    return out


def _column(st: ChainStructure, product: str, country: str) -> int | None:
    nodes = st.nodes[product]
    return st.offsets[product].start + nodes.index(country) if country in nodes else None


def _products(st: ChainStructure, products, where: str) -> tuple[str, ...]:
    if products == "all":
        return st.products
    for p in products:
        if p not in st.products:
            raise unknown(f"product in {where}", p, st.products)
    return tuple(products)


def _country_sources(st: ChainStructure, model, year: int) -> list[Source]:
    gov = model.countries.from_governance
    overrides = model.countries.overrides
    instability = _instability(year) if gov is not None else {}
    producing = sorted({c for p in st.products for c in st.nodes[p]})
    for c in overrides:
        if c not in producing:
            raise unknown("country in countries.overrides (no output in the chain)", c,
                          producing)
    out = []
    for c in producing:
        if c in overrides:
            o = overrides[c]
            prob, sev, prods = o.probability, o.severity, _products(
                st, o.products, f"countries.overrides.{c}")
        elif gov is not None:
            g = instability.get(c, 1.0)  # no governance score: treated as least stable
            prob = gov.p_min + (gov.p_max - gov.p_min) * g
            sev, prods = gov.severity, st.products
        else:
            continue
        effect = np.zeros(st.width)
        for p in prods:
            col = _column(st, p, c)
            if col is not None:
                effect[col] = sev
        if prob > 0 and effect.any():
            out.append(Source("country", c, float(prob), effect))
    return out


def _instability(year: int) -> dict[str, float]:
    """WGI political instability per country [0-1, 1 = least stable] for ``year`` (or the
    latest year the bundle has)."""
    from cellchain.io import store

    (last,) = store.query_rows("SELECT max(year) FROM governance")[0]
    rows = store.query_rows("SELECT iso3, normalized FROM governance WHERE year = ? "
                            "AND normalized IS NOT NULL", [min(year, int(last))])
    return {iso3: float(v) for iso3, v in rows}


def _bloc_members(bloc: str, year: int) -> list[str]:
    from cellchain.chain import model as registry

    rows = registry.tables()["blocs"]
    known = sorted({r["bloc"] for r in rows})
    if bloc not in known:
        raise unknown("bloc", bloc, known)
    return sorted({r["country"] for r in rows
                   if r["bloc"] == bloc and bloc in registry.blocs_of(r["country"], year)})


def _event_sources(st: ChainStructure, model, year: int) -> list[Source]:
    out = []
    for i, e in enumerate(model.events):
        countries: list[str] = []
        for c in e.countries:
            countries += _bloc_members(c[5:], year) if c.startswith("bloc:") else [c]
        effect = np.zeros(st.width)
        for p in _products(st, e.products, f"events[{i}]"):
            for c in countries:
                col = _column(st, p, c)
                if col is not None:
                    effect[col] = e.severity
        if e.probability > 0 and effect.any():
            out.append(Source("event", e.name, e.probability, effect))
    return out


def _facility_capacities(st: ChainStructure, year: int, net=None
                         ) -> list[tuple[dict, str, float]]:
    """(facility row, model product, fraction of its country's capacity) for every
    operating plant in the network's plant table (capacities in model units)."""
    from cellchain.chain import model as registry
    from cellchain.network.build import build_network

    net = net if net is not None else build_network(year)
    facs = registry.facilities()
    t = net.plants
    totals = t.groupby(["product", "country"])["capacity"].sum()
    out = []
    for f, kind, product, country, cap in zip(t["facility"], t["kind"], t["product"],
                                              t["country"], t["capacity"], strict=True):
        total = float(totals.get((product, country), 0.0))
        if kind == "plant" and f in facs and total > 0 and cap > 0:
            out.append((facs[f], product, min(1.0, cap / total)))
    return out


def _owner_sources(st: ChainStructure, model, year: int, caps) -> list[Source]:
    from cellchain.chain import model as registry

    g = registry.graph()
    out = []
    for i, o in enumerate(model.owners):
        if o.entity not in g.entities:
            raise unknown(f"entity in owners[{i}]", o.entity, sorted(g.entities))
        effect = np.zeros(st.width)
        for fac, product, frac in caps:
            equity = sum(u.share for u in g.ultimate(fac["id"], year)
                         if o.entity == u.owner or o.entity in u.path)
            col = _column(st, product, fac["country"])
            if equity >= SANCTION_OWNERSHIP_THRESHOLD - 1e-12 and col is not None:
                effect[col] = min(1.0, effect[col] + frac)
        effect *= o.severity
        if o.probability > 0 and effect.any():
            out.append(Source("owner", o.entity, o.probability, effect))
    return out


def _facility_sources(st: ChainStructure, model, caps) -> list[Source]:
    f = model.facilities
    known = {fac["id"] for fac, _, _ in caps}
    for fid in f.overrides:
        if fid not in known:
            raise InvalidInputError(
                f"facilities.overrides: {fid!r} is not an operating plant with capacity in "
                f"{st.year}.", "List plants with `cellchain shares --by company` or drop it.")
    out = []
    for fac, product, frac in caps:
        prob = f.overrides.get(fac["id"], f.outage_rate)
        col = _column(st, product, fac["country"])
        if prob > 0 and col is not None:
            effect = np.zeros(st.width)
            effect[col] = f.severity * frac
            out.append(Source("facility", fac["id"], prob, effect))
    return out
