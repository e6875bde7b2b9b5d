"""Material intensities per cell chemistry, worked out from sourced cell inventories.

``registry/cell_materials.csv`` gives, per chemistry, what a kilogram of cell holds (kg of
cathode and anode active material) and stores (kWh), and what a tonne of cathode active
material is made from (t of lithium carbonate or hydroxide and of nickel, cobalt and
manganese sulfate). From those and the cathode's formula (:data:`CATHODE_FORMULAS`):

    cathode  [kg/kWh] = cathode [kg/kg cell] / energy [kWh/kg cell]
    anode    [kg/kWh] = anode [kg/kg cell] / energy; graphite the same (graphite anodes)
    element  [kg/kWh] = cathode [kg/kWh] x the element's mass fraction in the formula
    lithium  [kg LCE/kWh] = Li [kg/kWh] x 5.323

Contained metal comes from the formula, not from the refined inputs, because inputs include
process losses (an LFP route may use three times the lithium it keeps).
:func:`refined_inputs` sets each input against what the formula holds, which checks the
inventories' mass balance. Derived rows carry the worst confidence of the figures they use.
"""

from __future__ import annotations

from cellchain import caches, units
from cellchain.chain import model
from cellchain.errors import UnknownValueError

#: Cathode active materials as element -> atoms per formula unit. The digits of an NMC
#: name are its Ni:Mn:Co ratio; NCA is LiNi0.8Co0.15Al0.05O2, the common commercial one.
CATHODE_FORMULAS = {
    "NMC111": {"Li": 1, "Ni": 1 / 3, "Mn": 1 / 3, "Co": 1 / 3, "O": 2},
    "NMC532": {"Li": 1, "Ni": 0.5, "Mn": 0.3, "Co": 0.2, "O": 2},
    "NMC622": {"Li": 1, "Ni": 0.6, "Mn": 0.2, "Co": 0.2, "O": 2},
    "NMC811": {"Li": 1, "Ni": 0.8, "Mn": 0.1, "Co": 0.1, "O": 2},
    "NCA": {"Li": 1, "Ni": 0.8, "Co": 0.15, "Al": 0.05, "O": 2},
    "LFP": {"Li": 1, "Fe": 1, "P": 1, "O": 4},
    "LCO": {"Li": 1, "Co": 1, "O": 2},
    "LMO": {"Li": 1, "Mn": 2, "O": 4},
}
#: Intensity materials that are elements of the cathode, and their symbols.
ELEMENTS = {"lithium": "Li", "nickel": "Ni", "cobalt": "Co", "manganese": "Mn"}


def cells() -> dict[str, dict[str, dict]]:
    """chemistry -> input (cathode, anode, energy) -> the most confident cell row."""
    found: dict[str, dict[str, list[dict]]] = {}
    for r in model.tables()["cell_materials"]:
        if r["product"] == "cell":
            found.setdefault(r["chemistry"], {}).setdefault(r["input"], []).append(r)
    return {chem: {inp: model.most_confident(rs) for inp, rs in by_input.items()}
            for chem, by_input in found.items()}


def _derived(chem: str, material: str, value: float, basis: str, used: list[dict],
             how: str) -> dict:
    worst = max(used, key=model.confidence_rank)
    return {"chemistry": chem, "input": material, "kg_per_kwh": value, "basis": basis,
            "sources": tuple(dict.fromkeys(r["source_url"] for r in used)),
            "confidence": worst["confidence"], "derived": True, "notes": how}


def derived_intensities() -> list[dict]:
    """Per-chemistry kg per kWh of cells, worked out as in the module docstring, as rows
    shaped like ``intensities`` rows (plus ``sources`` and ``derived``)."""
    rows = []
    for chem, held in sorted(cells().items()):
        energy = held.get("energy")
        if energy is None:
            continue
        kwh = energy["amount"]
        for part in ("cathode", "anode"):
            if part not in held:
                continue
            used = [held[part], energy]
            per_kwh = held[part]["amount"] / kwh
            how = f"{held[part]['amount']:g} kg/kg cell / {kwh:g} kWh/kg cell"
            rows.append(_derived(chem, part, per_kwh, f"kg {part} active material/kWh",
                                 used, how))
            if part == "anode":
                rows.append(_derived(chem, "graphite", per_kwh, "kg graphite/kWh", used,
                                     how + " (graphite anode)"))
                continue
            formula = CATHODE_FORMULAS.get(chem)
            if formula is None:
                continue
            for material, element in ELEMENTS.items():
                fraction = units.mass_fraction(formula, element)
                value = per_kwh * fraction
                basis = f"kg {element}/kWh"
                if material == "lithium":
                    value, basis = units.li_to_lce(value), "kg LCE/kWh"
                rows.append(_derived(chem, material, value, basis, used,
                                     f"{per_kwh:.4g} kg cathode/kWh x {fraction:.4f} "
                                     f"{element} in the formula"))
    return rows


@caches.cached
def intensity_rows() -> tuple[dict, ...]:
    """Every per-kWh intensity: the registry's reported rows, then derived rows (cached per
    process, like the registry tables). Each row has ``sources`` (a tuple of URLs) and
    ``derived`` (True for worked-out rows)."""
    reported = [{**r, "sources": (r["source_url"],), "derived": False}
                for r in model.tables()["intensities"]]
    return tuple(reported + derived_intensities())


def chemistries() -> list[str]:
    """Chemistries with at least one intensity, reported or derived."""
    return sorted({r["chemistry"] for r in intensity_rows()})


def intensity_table(chemistry: str | None = None):
    """Intensities as rows: chemistry, material, kg per kWh, basis, reported or derived,
    confidence, how, sources. ``chemistry`` narrows to one (unknown -> error)."""
    import pandas as pd

    rows = intensity_rows()
    if chemistry is not None:
        known = chemistries()
        if chemistry not in known:
            raise UnknownValueError(f"No intensities for chemistry {chemistry!r}.",
                                    f"Use one of {', '.join(known)}.")
        rows = [r for r in rows if r["chemistry"] == chemistry]
    return pd.DataFrame([{
        "chemistry": r["chemistry"], "material": r["input"],
        "kg_per_kwh": round(r["kg_per_kwh"], 4), "basis": r["basis"],
        "method": "derived" if r["derived"] else "reported",
        "confidence": r["confidence"], "how": r["notes"] if r["derived"] else "",
        "sources": "; ".join(r["sources"])} for r in rows])


def refined_inputs() -> list[dict]:
    """Tonnes of each refined chemical per tonne of cathode active material, with the
    element it supplies and the element the cathode's formula holds [t/t]."""
    out = []
    for r in model.tables()["cell_materials"]:
        if r["product"] != "cathode" or r["amount"] is None:
            continue
        element, supplied = units.element_in(r["input"], r["amount"])
        formula = CATHODE_FORMULAS.get(r["chemistry"])
        held = units.mass_fraction(formula, element) if formula else None
        out.append({"chemistry": r["chemistry"], "input": r["input"],
                    "t_per_t_cathode": r["amount"], "element": element,
                    "element_supplied": round(supplied, 4),
                    "element_in_cathode": None if held is None else round(held, 4),
                    "supplied_over_held": None if not held else round(supplied / held, 3),
                    "confidence": r["confidence"], "source_url": r["source_url"]})
    return out


def refined_table(chemistry: str | None = None):
    """:func:`refined_inputs` as a table; ``chemistry`` narrows to one (one without such
    figures -> error naming those that have them)."""
    import pandas as pd

    rows = refined_inputs()
    if chemistry is not None:
        known = sorted({r["chemistry"] for r in rows})
        rows = [r for r in rows if r["chemistry"] == chemistry]
        if not rows:
            raise UnknownValueError(
                f"No refined-chemical figures for chemistry {chemistry!r}.",
                f"Use one of {', '.join(known)}.")
    return pd.DataFrame(rows)
