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


#: Factor from each registry capacity unit to its canonical unit (see nomenclature).
CAPACITY_FACTORS = {
    "GWh/yr": 1.0,
    "t/yr": 1.0,
    "t/yr LCE": 1.0,
    "t/yr Li2CO3": 1.0,  # lithium carbonate is the reference compound of LCE
    "t/yr LiOH": LCE_PER_LIOH_H2O,  # battery-grade hydroxide is traded as the monohydrate
    "t/yr Li": LCE_PER_LI,
    "t/yr Ni": 1.0,
    "t/yr Co": 1.0,
    "t/yr NiSO4": 1.0,
    "t/yr CoSO4": 1.0,
}


def to_canonical_capacity(value: float, unit: str) -> tuple[float, str]:
    """Convert a registry capacity to its canonical unit, e.g. t/yr LiOH -> t/yr LCE."""
    from cellchain.nomenclature import CAPACITY_UNITS

    return value * CAPACITY_FACTORS[unit], CAPACITY_UNITS[unit]
