"""Canonical names: stages, products, statuses, kinds of entity, confidence levels.

Everything that validates or dispatches on one of these names imports it from here.
"""

from __future__ import annotations

STAGES = ("mining", "refining", "materials", "cells")

#: Products by stage (DESIGN.md section 3).
PRODUCTS = {
    "mining": ("lithium", "nickel", "cobalt", "manganese", "natural_graphite"),
    "refining": ("lithium_chemicals", "nickel_sulfate", "cobalt_sulfate", "manganese_sulfate",
                 "spherical_graphite", "synthetic_graphite", "nickel", "cobalt",
                 "lithium_metal"),
    "materials": ("cathode", "anode", "precursor"),
    "cells": ("cells",),
}
ALL_PRODUCTS = tuple(p for ps in PRODUCTS.values() for p in ps)

CHEMISTRIES = ("LFP", "NMC", "NCA", "LMFP", "LCO", "LMO", "NCMA", "sodium_ion",
               "natural_graphite", "synthetic_graphite", "silicon", "carbonate", "hydroxide",
               "lithium_metal", "solid_state")

END_USES = ("ev_car", "ev_bus_truck", "storage", "consumer", "backup_power")
#: End uses of the demand table: the facility end uses, all EVs together, and everything.
DEMAND_END_USES = ("ev_all",) + END_USES + ("all",)
#: What a demand row measures: cells used in a market (demand), makers' shipments, or a
#: country's output (production); only ``demand`` rows feed the flow model.
DEMAND_MEASURES = ("demand", "shipments", "production")
#: Demand markets besides ISO 3166 alpha-3 codes (EU is the IEA's Europe region).
DEMAND_REGIONS = ("EU", "EU27", "RoW", "WLD")

#: Facility statuses; the first three count as capacity that exists or is being built.
STATUSES = ("operating", "construction", "announced", "considered", "idle", "closed")

ENTITY_KINDS = ("company", "holding", "fund", "state")
CONFIDENCE = ("high", "medium", "low")
CAPACITY_BASES = ("nameplate", "planned", "production", "target")
#: How a country total's value is meant: a point figure, or a bound ("more than 2 TWh").
VALUE_KINDS = ("point", "lower_bound", "upper_bound")
#: What a published trade figure measures.
FLOW_MEASURES = ("value", "quantity", "share")
TOTAL_MEASURES = ("capacity", "production", "share")

#: Inputs of the cell-materials table and each one's unit, by product: what a kilogram of
#: cell holds (active materials) and stores (energy), and the refined chemicals a tonne of
#: cathode active material is made from.
CELL_MATERIAL_INPUTS = {
    "cell": {"cathode": "kg/kg cell", "anode": "kg/kg cell", "energy": "kWh/kg cell"},
    "cathode": {c: "t/t cathode" for c in ("lithium_carbonate", "lithium_hydroxide",
                                           "nickel_sulfate", "cobalt_sulfate",
                                           "manganese_sulfate")},
}

#: Pseudo-country code for world totals in country_totals.
WORLD = "WLD"

#: The year registry-based answers (shares, jobs, exposure, scenarios...) use when none is
#: given: the latest year with cited demand and capacity totals.
DEFAULT_YEAR = 2024
#: The registry year the pipeline starts from: statuses are read as of 31 Dec of this year;
#: a later year is a projection (pipeline capacity, projected demand) [calendar year].
AS_OF = 2026
#: The last year the pipeline, and the flow model on its capacities, answer for
#: [calendar year].
HORIZON = 2035

#: Common names and symbols people use for a material, and the material id each means
#: (lower case, spaces for underscores). The GeoPolRisk reference's own names (World
#: Mining Data sheets, ``hs_products.wmd_reference_id``) are accepted too; see
#: :func:`cellchain.names.material`.
MATERIAL_ALIASES = {
    "graphite": "natural_graphite", "flake graphite": "natural_graphite",
    "natural graphite": "natural_graphite", "li": "lithium", "lithium carbonate": "lithium",
    "lithium hydroxide": "lithium", "li2co3": "lithium", "lioh": "lithium",
    "spodumene": "lithium", "lce": "lithium", "ni": "nickel", "co": "cobalt",
    "mn": "manganese", "cu": "copper", "al": "aluminium", "aluminum": "aluminium",
    "fe": "iron", "zn": "zinc", "sn": "tin", "pb": "lead", "ag": "silver", "au": "gold",
    "pt": "platinum", "pd": "palladium", "w": "tungsten", "mo": "molybdenum",
    "v": "vanadium", "ti": "titanium", "cr": "chromium", "nb": "niobium", "ta": "tantalum",
    "ga": "gallium", "ge": "germanium", "in": "indium", "te": "tellurium", "se": "selenium",
    "sb": "antimony", "bi": "bismuth", "be": "beryllium", "u": "uranium", "hg": "mercury",
    "cd": "cadmium", "rh": "rhodium", "re": "rhenium", "ree": "rare_earths",
    "rare earth elements": "rare_earths", "sulphur": "sulfur", "phosphate": "phosphate_rock",
    "chromite": "chromium", "zirconium": "zircon", "crude oil": "petroleum",
    "gypsum": "gypsum_anhydrite",
}
