"""Write docs/reference.md from the schema tables: python docs/make_reference.py"""

from pathlib import Path

from cellchain import schema

HEADER = """# Reference: bundled tables and registry tables

Generated from `src/cellchain/schema/*.csv` by `python docs/make_reference.py`; do not
edit by hand. A test checks that this file is up to date.

"""


def render() -> str:
    return (HEADER + "# Public data bundle\n\n" + schema.reference_markdown("bundle")
            + "\n# Registry\n\n" + schema.reference_markdown("registry"))


if __name__ == "__main__":
    (Path(__file__).parent / "reference.md").write_text(render(), encoding="utf-8")
