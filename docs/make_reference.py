"""Write docs/reference.md from the schema tables: python docs/make_reference.py"""

from pathlib import Path

from cellchain import schema, units

HEADER = """# Reference: bundled tables and registry tables

Generated from `src/cellchain/schema/*.csv` by `python docs/make_reference.py`; do not
edit by hand. A test checks that this file is up to date.

"""


def units_markdown() -> str:
    """The registry units and the model unit each converts to (from cellchain.units)."""
    lines = ["# Units", "",
             "Every registry quantity converts to its product's model unit; a figure for one",
             "year (t, GWh) equals the same rate per year (t/yr, GWh/yr).", "",
             "| product | model unit |", "|---|---|"]
    lines += [f"| `{p}` | {u} |" for p, u in units.PRODUCT_UNITS.items()]
    lines += ["", "| registry unit | model unit | factor |", "|---|---|---|"]
    lines += [f"| {name} | {target} | {factor:.4g} |"
              for name, (target, factor) in units.UNITS.items()]
    return "\n".join(lines) + "\n"


def render() -> str:
    return (HEADER + "# Public data bundle\n\n" + schema.reference_markdown("bundle")
            + "\n# Registry\n\n" + schema.reference_markdown("registry") + "\n"
            + units_markdown())


if __name__ == "__main__":
    (Path(__file__).parent / "reference.md").write_text(render(), encoding="utf-8")
