"""Writing a result table: a terminal table, or CSV, JSON, Parquet or Excel to a file.

Files are written to a temporary name beside the target and renamed when complete, so a
failure never leaves a half-written file.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

from cellchain.cli.write import check_target
from cellchain.errors import InvalidInputError

FORMATS = ("table", "csv", "json", "parquet", "xlsx")
BINARY_FORMATS = ("parquet", "xlsx")
SUFFIXES = {".csv": "csv", ".json": "json", ".parquet": "parquet", ".xlsx": "xlsx",
            ".txt": "table"}


def choose_format(fmt: str | None, output: Path | None) -> str:
    """The output format: the one given, else inferred from the file suffix, else table."""
    if fmt is not None:
        if fmt not in FORMATS:
            shown = fmt if len(fmt) <= 40 else fmt[:40] + "..."
            raise InvalidInputError(f"Unknown format {shown!r}.",
                                    f"Use one of: {', '.join(FORMATS)}.")
        chosen = fmt
    elif output is not None:
        chosen = SUFFIXES.get(output.suffix.lower(), "table")
    else:
        chosen = "table"
    if chosen in BINARY_FORMATS and output is None:
        raise InvalidInputError(f"Format {chosen} is binary and needs a file.",
                                f"Add --output FILE.{chosen}.")
    return chosen


def _is_missing(val) -> bool:
    """True for None, NaN and pandas' NA/NaT."""
    if val is None:
        return True
    if isinstance(val, float):
        return math.isnan(val)
    return type(val).__name__ in ("NAType", "NaTType")


def records(df) -> list[dict]:
    """Rows as plain Python dicts; NaN and missing become None, numpy scalars Python ones."""
    out = []
    columns = list(df.columns)
    for row in df.itertuples(index=False, name=None):
        rec = {}
        for col, val in zip(columns, row, strict=True):
            if hasattr(val, "item"):
                val = val.item()
            if _is_missing(val):
                val = None
            rec[col] = val
        out.append(rec)
    return out


def to_json(df) -> str:
    """The table as a JSON list of row objects (full float precision)."""
    return json.dumps(records(df), ensure_ascii=False, indent=1)


def atomic_write(path: Path, write) -> None:
    """Call ``write(tmp)`` then rename tmp onto ``path`` (see :mod:`cellchain.cli.write`:
    only new paths or regular files; nothing left behind on failure)."""
    from cellchain.cli.write import write_file

    write_file(path, write)


def write(df, fmt: str, output: Path | None, title: str = "", summary: dict | None = None,
          percent_columns: tuple[str, ...] = ()) -> None:
    """Emit ``df`` in ``fmt``, to ``output`` or standard output."""
    from cellchain.cli.write import stdout_text

    if output is not None:
        check_target(output)
    if fmt == "table":
        text = render_table(df, title, summary or {}, percent_columns)
        if output is None:
            stdout_text(text)
        else:
            atomic_write(output, lambda p: p.write_text(text, encoding="utf-8"))
    elif fmt == "json":
        text = to_json(df) + "\n"
        if output is None:
            stdout_text(text)
        else:
            atomic_write(output, lambda p: p.write_text(text, encoding="utf-8"))
    elif fmt == "csv":
        if output is None:
            stdout_text(df.to_csv(index=False))
        else:
            atomic_write(output, lambda p: df.to_csv(p, index=False))
    elif fmt == "parquet":
        atomic_write(output, lambda p: df.to_parquet(p, index=False))
    elif fmt == "xlsx":
        atomic_write(output, lambda p: df.to_excel(p, index=False, engine="openpyxl"))


def _cell(value, percent: bool) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if percent:
        return f"{100 * value:.1f}%"
    if isinstance(value, float):
        return f"{value:,.3f}".rstrip("0").rstrip(".") if abs(value) < 1e15 else f"{value:g}"
    if isinstance(value, int):
        return f"{value:,}" if abs(value) >= 10000 else str(value)
    return str(value)


def render_table(df, title: str, summary: dict, percent_columns: tuple[str, ...]) -> str:
    """A Rich table as text; ``summary`` items are printed under it."""
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title or None, show_lines=False)
    shown = [c for c in df.columns if c not in summary]
    for col in shown:
        numeric = df[col].dtype.kind in "if"
        table.add_column(col, justify="right" if numeric else "left")
    for rec in records(df[shown]):
        table.add_row(*[_cell(rec[c], c in percent_columns) for c in shown])
    console = Console(file=None, width=200, record=True, force_terminal=False,
                      color_system=None)
    with console.capture() as cap:
        console.print(table)
        for key, value in summary.items():
            console.print(f"{key}: {value}")
    return cap.get()
