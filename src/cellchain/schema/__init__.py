"""Schema as data: attribute tables drive validation, warehouse DDL and reference docs.

Each CSV in this folder lists, per table, every column with its type, unit, whether it is
required and a description. Nothing else in the code spells out a table's columns.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from cellchain import caches

SCHEMA_DIR = Path(__file__).parent


@dataclass(frozen=True)
class Column:
    """One attribute of a table: name, DuckDB type, unit, required flag, description."""

    table: str
    name: str
    type: str
    unit: str
    required: bool
    description: str


@caches.cached
def columns(schema_file: str = "bundle") -> dict[str, tuple[Column, ...]]:
    """All tables of one schema file, each as its ordered tuple of :class:`Column`."""
    out: dict[str, list[Column]] = {}
    with open(SCHEMA_DIR / f"{schema_file}.csv", newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            out.setdefault(row["table"], []).append(Column(
                table=row["table"], name=row["column"], type=row["type"], unit=row["unit"],
                required=row["required"].strip().lower() == "true",
                description=row["description"]))
    return {k: tuple(v) for k, v in out.items()}


def ddl(table: str, schema_file: str = "bundle") -> str:
    """``CREATE TABLE`` statement for ``table`` from its attribute table."""
    cols = columns(schema_file)[table]
    body = ",\n  ".join(
        f'"{c.name}" {c.type}{" NOT NULL" if c.required else ""}' for c in cols)
    return f'CREATE TABLE "{table}" (\n  {body}\n)'


def schema_files() -> list[Path]:
    """Paths of every attribute table (their contents are part of the warehouse hash)."""
    return sorted(SCHEMA_DIR.glob("*.csv"))


def reference_markdown(schema_file: str = "bundle") -> str:
    """The reference documentation of every table, as Markdown."""
    lines = []
    for table, cols in columns(schema_file).items():
        lines += [f"## `{table}`", "", "| column | type | unit | required | description |",
                  "|---|---|---|---|---|"]
        lines += [f"| `{c.name}` | {c.type} | {c.unit} | {'yes' if c.required else ''} | "
                  f"{c.description} |" for c in cols]
        lines.append("")
    return "\n".join(lines)
