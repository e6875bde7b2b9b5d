"""Which model products a year's data covers: the facts behind the flow model's first
year (:func:`cellchain.years.model_span`).

A network can trace a product in a year only if something measures it then: a registry
plant operating on 31 December with a capacity, a cited country capacity or production
figure (the latest by then), or, for mined products, World Mining Data output (its latest
year stands in for later years). :func:`cellchain.network.build.build_network` reads the
same rows; a product with none of them has no output to spread over the countries, and
the chain cannot be traced that year.
"""

from __future__ import annotations

from cellchain import caches
from cellchain.network.products import PRODUCTS, model_product


def products_with_data(year: int) -> frozenset[str]:
    """Model products with a capacity or output figure in ``year`` (reported capacities,
    the observed years' basis) [calendar year]."""
    from cellchain.chain import shares
    from cellchain.network import build

    have = {r["product"] for r in build._mine_rows(year)}
    for stage in ("refining", "materials", "cells"):
        for fac, cap in shares.facility_capacities(stage, year):
            mapped = model_product(stage, fac["products"], cap.unit)
            if mapped is not None and cap.value > 0:
                have.add(mapped[0])
    cap, prod, stand_in = build._cited_totals(year)
    for figures in (cap, prod, stand_in):
        have |= {p for (p, country), v in figures.items() if country != "WLD" and v > 0}
    return frozenset(have)


def missing_products(year: int) -> tuple[str, ...]:
    """Model products without any capacity or output figure in ``year``, in
    :data:`~cellchain.network.products.PRODUCTS` order (empty: every product traceable)."""
    have = products_with_data(year)
    return tuple(p for p in PRODUCTS if p not in have)


def unmeasured_leaders(year: int) -> tuple[tuple[str, str], ...]:
    """(product, country) for each refined, material or cell product whose leading country
    — the largest cited capacity or production total in the default year — has no cited
    total by ``year``: that year the stage counts the country's named plants only, so its
    share (and every share traced through it) is understated. Empty when every leader is
    measured."""
    from cellchain.network import build

    leader = _leaders()
    have = {key for figures in build._cited_totals(year) for key, v in figures.items()
            if v > 0}
    return tuple((p, leader[p]) for p in PRODUCTS
                 if p in leader and (p, leader[p]) not in have)


@caches.cached
def _leaders() -> dict[str, str]:
    """Each product's leading country: the largest cited capacity or production total in
    the default year (worked out once per process)."""
    from cellchain.network import build
    from cellchain.nomenclature import DEFAULT_YEAR

    best: dict[str, tuple[str, float]] = {}
    cap, prod, _ = build._cited_totals(DEFAULT_YEAR)
    for (p, country), v in (*cap.items(), *prod.items()):
        if country != "WLD" and v > best.get(p, ("", 0.0))[1]:
            best[p] = (country, v)
    return {p: country for p, (country, _) in best.items()}
