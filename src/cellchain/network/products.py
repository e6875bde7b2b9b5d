"""The one map between registry products and the supply network's model products.

Model products (each at country level, in its unit)::

    mine_lithium [t LCE]  -> lithium_chemicals [t LCE] -+
    mine_nickel  [t Ni]   -> nickel_refined    [t Ni]  -+-> cathode [t] -+
    mine_cobalt  [t Co]   -> cobalt_refined    [t Co]  -+                +-> cells [GWh] -> markets
    mine_graphite [t]     ----------------------------------> anode [t] -+

A registry plant belongs to the model product its *capacity unit* says it makes: a refinery
listed as ``nickel;cobalt`` with capacity in t/yr Co makes ``cobalt_refined``; a nickel
sulfate plant's capacity in t/yr NiSO4 counts as its contained nickel (so an outage of it
removes tonnes of nickel, not tonnes of sulfate). Everything here is plain data and pure
functions: this module imports nothing from the rest of the package but the vocabulary.
"""

from __future__ import annotations

from cellchain import units

PRODUCTS = ("mine_lithium", "mine_nickel", "mine_cobalt", "mine_graphite",
            "lithium_chemicals", "nickel_refined", "cobalt_refined", "cathode", "anode",
            "cells")
#: Unit of each model product's quantities (flows, output) [per year for capacities].
UNITS = {"mine_lithium": "t LCE", "mine_nickel": "t Ni", "mine_cobalt": "t Co",
         "mine_graphite": "t", "lithium_chemicals": "t LCE", "nickel_refined": "t Ni",
         "cobalt_refined": "t Co", "cathode": "t", "anode": "t", "cells": "GWh"}
#: Each model product in words, for messages (e.g. "refined cobalt").
LABELS = {"mine_lithium": "mined lithium", "mine_nickel": "mined nickel",
          "mine_cobalt": "mined cobalt", "mine_graphite": "mined graphite",
          "lithium_chemicals": "lithium chemicals", "nickel_refined": "refined nickel",
          "cobalt_refined": "refined cobalt", "cathode": "cathode material",
          "anode": "anode material", "cells": "cells"}
STAGE_OF = {"mine_lithium": "mining", "mine_nickel": "mining", "mine_cobalt": "mining",
            "mine_graphite": "mining", "lithium_chemicals": "refining",
            "nickel_refined": "refining", "cobalt_refined": "refining",
            "cathode": "materials", "anode": "materials", "cells": "cells"}
#: Mined products come from World Mining Data: (material, production column).
MINE_SOURCES = {"mine_lithium": ("lithium", "lce_t"), "mine_nickel": ("nickel", "quantity"),
                "mine_cobalt": ("cobalt", "quantity"),
                "mine_graphite": ("natural_graphite", "quantity")}
#: (stage, registry product) -> the model products a plant listing it may make.
REGISTRY_PRODUCTS = {
    ("mining", "lithium"): ("mine_lithium",), ("mining", "nickel"): ("mine_nickel",),
    ("mining", "cobalt"): ("mine_cobalt",), ("mining", "natural_graphite"): ("mine_graphite",),
    ("refining", "lithium_chemicals"): ("lithium_chemicals",),
    ("refining", "nickel"): ("nickel_refined",),
    ("refining", "nickel_sulfate"): ("nickel_refined",),
    ("refining", "cobalt"): ("cobalt_refined",),
    ("refining", "cobalt_sulfate"): ("cobalt_refined",),
    ("materials", "cathode"): ("cathode",), ("materials", "precursor"): ("cathode",),
    ("materials", "anode"): ("anode",), ("cells", "cells"): ("cells",),
}
#: Canonical registry capacity unit -> (model products it can measure, factor to the model
#: unit). Sulfates count by their contained metal (anhydrous formula, :mod:`cellchain.units`).
CAPACITY_UNITS = {
    "GWh/yr": (("cells",), 1.0),
    "t/yr": (("cathode", "anode"), 1.0),
    "t/yr LCE": (("lithium_chemicals",), 1.0),
    "t/yr Ni": (("nickel_refined",), 1.0),
    "t/yr Co": (("cobalt_refined",), 1.0),
    "t/yr NiSO4": (("nickel_refined",), units.element_in("nickel_sulfate", 1.0)[1]),
    "t/yr CoSO4": (("cobalt_refined",), units.element_in("cobalt_sulfate", 1.0)[1]),
}
#: Registry product of the cited country totals for each non-mined model product.
TOTALS_PRODUCT = {"lithium_chemicals": "lithium_chemicals", "nickel_refined": "nickel",
                  "cobalt_refined": "cobalt", "cathode": "cathode", "anode": "anode",
                  "cells": "cells"}


def model_product(stage: str, registry_products: str | list[str] | None,
                  canonical_unit: str) -> tuple[str, float] | None:
    """The model product a registry plant makes and the factor from its canonical capacity
    unit to the model unit; None when the plant makes nothing the network models (e.g.
    spherical graphite, a unit that does not fit its products).

    >>> model_product("refining", "nickel;nickel_sulfate", "t/yr NiSO4")[0]
    'nickel_refined'
    """
    if isinstance(registry_products, str) or registry_products is None:
        registry_products = (registry_products or "").split(";")
    fits, factor = CAPACITY_UNITS.get(canonical_unit, ((), 0.0))
    for name in registry_products:
        for p in REGISTRY_PRODUCTS.get((stage, name.strip()), ()):
            if p in fits:
                return p, factor
    return None


def select(stages=None, names=None) -> list[str]:
    """Model products by stage and/or by name (a model id or a registry product id);
    unknown names raise ``KeyError`` with the name."""
    chosen = [p for p in PRODUCTS if stages is None or STAGE_OF[p] in stages]
    if not names:
        return chosen
    picked: set[str] = set()
    for name in names:
        matches = {p for p in chosen if p == name} | {
            m for (_, r), ms in REGISTRY_PRODUCTS.items() if r == name for m in ms
            if m in chosen}
        if not matches:
            raise KeyError(name)
        picked |= matches
    return [p for p in PRODUCTS if p in picked]


def capacity_unit(product: str) -> str:
    """The capacity unit of a model product, e.g. ``t LCE/yr``."""
    return f"{UNITS[product]}/yr"


#: Each model product's quantity per year as the registry spells capacity units.
RATE_UNITS = {"t LCE": "t/yr LCE", "t Ni": "t/yr Ni", "t Co": "t/yr Co", "t": "t/yr",
              "GWh": "GWh/yr"}


def rate_unit(product: str) -> str:
    """A model product's unit per year in the registry's spelling, e.g. ``t/yr LCE``."""
    return RATE_UNITS[UNITS[product]]


def to_model_unit(product: str, value: float, unit: str) -> float:
    """A capacity or yearly quantity given in ``unit`` (registry or model spelling) in
    ``product``'s model unit; ValueError when the unit cannot measure the product. The
    conversion factors live in :mod:`cellchain.units`."""
    if unit in (UNITS[product], capacity_unit(product), rate_unit(product)):
        return float(value)
    to_model = getattr(units, "to_model", None)
    if to_model is not None:  # one table of every registry unit and its model unit
        try:
            converted, target = to_model(value, unit)
        except ValueError as exc:
            raise ValueError(f"unit {unit!r} does not measure {product}") from exc
        if target == rate_unit(product):
            return float(converted)
        raise ValueError(f"unit {unit!r} does not measure {product} [{UNITS[product]}]")
    from cellchain.nomenclature import CAPACITY_UNITS as REGISTRY_UNITS

    if unit in REGISTRY_UNITS:
        canonical, canon_unit = units.to_canonical_capacity(value, unit)
        fits, factor = CAPACITY_UNITS.get(canon_unit, ((), 0.0))
        if product in fits:
            return canonical * factor
    raise ValueError(f"unit {unit!r} does not measure {product} [{UNITS[product]}]")


#: Non-mined model products as the registry's share tables measure them: (stage, registry
#: product, canonical registry capacity unit).
REGISTRY_MEASURE = {p: (STAGE_OF[p], TOTALS_PRODUCT[p], rate_unit(p)) for p in TOTALS_PRODUCT}
