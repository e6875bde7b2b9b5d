"""Unit conversions, each factor with its derivation. The only place conversions live.

Atomic masses (IUPAC 2021 standard atomic weights, abridged): Li 6.941 (conventional
6.94), O 15.999, C 12.011, H 1.008, S 32.06, P 30.974, Al 26.982, Mn 54.938, Fe 55.845,
Co 58.933, Ni 58.693. Factors below use those values.
"""

from __future__ import annotations

#: Molar masses [g/mol].
M_LI = 6.941
M_O = 15.999
M_C = 12.011
M_H = 1.008
M_S = 32.06
#: Atomic masses of the elements in cathode active materials [g/mol].
ATOMIC_MASS = {"Li": M_LI, "O": M_O, "C": M_C, "H": M_H, "S": M_S, "P": 30.974,
               "Al": 26.982, "Mn": 54.938, "Fe": 55.845, "Co": 58.933, "Ni": 58.693}
M_LI2O = 2 * M_LI + M_O  # 29.881
M_LI2CO3 = 2 * M_LI + M_C + 3 * M_O  # 73.890

#: Tonnes of lithium per tonne of Li2O: 2 x 6.941 / 29.881 = 0.4645 (rounded as the
#: industry convention, e.g. USGS and World Mining Data commentary).
LI_PER_LI2O = 0.4645

#: Tonnes of lithium carbonate equivalent (LCE) per tonne of lithium:
#: 73.890 / (2 x 6.941) = 5.3227, conventionally 5.323.
LCE_PER_LI = 5.323

#: Tonnes of LCE per tonne of lithium hydroxide monohydrate (LiOH.H2O, 41.96 g/mol):
#: 73.890 / (2 x 41.96) = 0.8805; industry uses 0.880.
LCE_PER_LIOH_H2O = 0.880


def li2o_to_li(tonnes_li2o):
    """Convert tonnes of Li2O to tonnes of contained lithium [t Li]."""
    return tonnes_li2o * LI_PER_LI2O


def li_to_lce(tonnes_li):
    """Convert tonnes of contained lithium to tonnes of lithium carbonate equivalent [t LCE]."""
    return tonnes_li * LCE_PER_LI


def li2o_to_lce(tonnes_li2o):
    """Convert tonnes of Li2O to tonnes of lithium carbonate equivalent [t LCE]."""
    return li_to_lce(li2o_to_li(tonnes_li2o))


def lioh_h2o_to_lce(tonnes_lioh_h2o):
    """Convert tonnes of lithium hydroxide monohydrate to tonnes LCE [t LCE]."""
    return tonnes_lioh_h2o * LCE_PER_LIOH_H2O


#: Tonnes of LCE per tonne of anhydrous lithium hydroxide (LiOH, 23.948 g/mol):
#: 73.890 / (2 x 23.948) = 1.5427. Life-cycle inventories count hydroxide this way.
LCE_PER_LIOH = M_LI2CO3 / (2 * (M_LI + M_O + M_H))

#: The element each refined battery chemical carries, and that chemical's formula as
#: element -> atoms per formula unit (anhydrous salts, as life-cycle inventories count them).
COMPOUNDS = {
    "lithium_carbonate": ("Li", {"Li": 2, "C": 1, "O": 3}),
    "lithium_hydroxide": ("Li", {"Li": 1, "O": 1, "H": 1}),
    "nickel_sulfate": ("Ni", {"Ni": 1, "S": 1, "O": 4}),
    "cobalt_sulfate": ("Co", {"Co": 1, "S": 1, "O": 4}),
    "manganese_sulfate": ("Mn", {"Mn": 1, "S": 1, "O": 4}),
}


def molar_mass(formula: dict[str, float]) -> float:
    """Molar mass of a formula given as element -> atoms per formula unit [g/mol]."""
    return sum(ATOMIC_MASS[el] * n for el, n in formula.items())


def mass_fraction(formula: dict[str, float], element: str) -> float:
    """Mass of ``element`` per mass of the compound [t/t], e.g. Ni in NiSO4 = 0.3793."""
    return ATOMIC_MASS[element] * formula.get(element, 0.0) / molar_mass(formula)


def element_in(compound: str, tonnes: float) -> tuple[str, float]:
    """The element a refined chemical carries and its tonnes in ``tonnes`` of it [t]."""
    element, formula = COMPOUNDS[compound]
    return element, tonnes * mass_fraction(formula, element)


#: Tonnes of nickel per tonne of nickel sulphate hexahydrate (NiSO4.6H2O, 262.85 g/mol):
#: 58.693 / 262.85 = 0.2233. Battery-grade nickel sulphate is made and sold as the
#: hexahydrate, so a registry figure in "t NiSO4" is read as hexahydrate product tonnes
#: (e.g. Harita Obi: 240,000 t/yr NiSO4 = 54,000 t/yr Ni contained, ratio 0.225).
NI_PER_NISO4_6H2O = ATOMIC_MASS["Ni"] / molar_mass({"Ni": 1, "S": 1, "O": 10, "H": 12})

#: Tonnes of cobalt per tonne of cobalt sulphate heptahydrate (CoSO4.7H2O, 281.10 g/mol):
#: 58.933 / 281.10 = 0.2097; battery-grade cobalt sulphate is the heptahydrate.
CO_PER_COSO4_7H2O = ATOMIC_MASS["Co"] / molar_mass({"Co": 1, "S": 1, "O": 11, "H": 14})

#: Every unit a registry quantity may carry: unit -> (model unit, factor to it). A figure
#: for one year in an amount unit (t, GWh) equals the same rate per year (t/yr, GWh/yr),
#: so production and capacity share their model unit and stay apart by ``measure``.
UNITS: dict[str, tuple[str, float]] = {}


def _add(model_unit: str, factor: float, *names: str) -> None:
    for name in names:
        UNITS[name] = (model_unit, factor)
        if name.startswith("t ") or name.startswith("GWh") or name.startswith("TWh"):
            rate = name.replace("t ", "t/yr ", 1) if name.startswith("t ") else f"{name}/yr"
            UNITS[rate] = (model_unit, factor)


_add("GWh/yr", 1.0, "GWh")
_add("GWh/yr", 1000.0, "TWh")
UNITS["t"] = UNITS["t/yr"] = ("t/yr", 1.0)
_add("t/yr LCE", 1.0, "t LCE", "t Li2CO3")  # carbonate is the reference compound of LCE
_add("t/yr LCE", LCE_PER_LIOH_H2O, "t LiOH", "t LiOH.H2O")  # hydroxide traded as monohydrate
_add("t/yr LCE", LCE_PER_LI, "t Li")
_add("t/yr LCE", LI_PER_LI2O * LCE_PER_LI, "t Li2O")
_add("t/yr Ni", 1.0, "t Ni")
_add("t/yr Ni", NI_PER_NISO4_6H2O, "t NiSO4", "t NiSO4.6H2O")
_add("t/yr Co", 1.0, "t Co")
_add("t/yr Co", CO_PER_COSO4_7H2O, "t CoSO4", "t CoSO4.7H2O")
_add("t/yr Mn", 1.0, "t Mn")

#: The model unit of each product: what every registry figure for it converts to.
PRODUCT_UNITS = {
    "cells": "GWh/yr",
    "lithium": "t/yr LCE", "lithium_chemicals": "t/yr LCE", "lithium_metal": "t/yr LCE",
    "nickel": "t/yr Ni", "nickel_sulfate": "t/yr Ni",
    "cobalt": "t/yr Co", "cobalt_sulfate": "t/yr Co",
    "manganese": "t/yr Mn", "manganese_sulfate": "t/yr Mn",
    "natural_graphite": "t/yr", "spherical_graphite": "t/yr", "synthetic_graphite": "t/yr",
    "cathode": "t/yr", "anode": "t/yr", "precursor": "t/yr",
}

#: Kept for callers of the first version: the capacity units and their factors.
CAPACITY_FACTORS = {u: f for u, (_, f) in UNITS.items() if "/yr" in u}


class UnitError(ValueError):
    """A unit the model cannot convert (unknown, or of another kind than asked)."""


def model_unit(unit: str) -> str:
    """The model unit a registry unit converts to, e.g. 't LiOH' -> 't/yr LCE'."""
    try:
        return UNITS[unit][0]
    except KeyError:
        raise UnitError(f"unknown unit {unit!r}") from None


def product_unit(product: str) -> str:
    """The model unit of a product [e.g. 't/yr LCE' for lithium_chemicals]."""
    return PRODUCT_UNITS[product]


def fits(unit: str | None, product: str) -> bool:
    """True when ``unit`` converts to the product's model unit."""
    return unit in UNITS and UNITS[unit][0] == PRODUCT_UNITS.get(product)


def to_model(value: float, unit: str, product: str | None = None) -> tuple[float, str]:
    """Convert a registry figure to its model unit [e.g. t LiOH -> t/yr LCE].

    With ``product``, the unit must fit that product's model unit, else :class:`UnitError`.
    """
    target, factor = UNITS.get(unit, (None, None))
    if target is None:
        raise UnitError(f"unknown unit {unit!r}")
    if product is not None and target != PRODUCT_UNITS.get(product):
        raise UnitError(f"unit {unit!r} does not fit {product} "
                        f"(give it in {PRODUCT_UNITS.get(product)} or a unit that converts)")
    return value * factor, target


def to_canonical_capacity(value: float, unit: str) -> tuple[float, str]:
    """Convert a registry capacity to its model unit, e.g. t/yr LiOH -> t/yr LCE."""
    return to_model(value, unit)
