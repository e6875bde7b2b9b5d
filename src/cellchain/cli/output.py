"""Writing a result table: a terminal table, or CSV, JSON, Parquet or Excel to a file.

Terminal tables (:func:`render`) fit the terminal's width and format each column by its
name: shares as percentages, jobs as whole numbers, HHI without decimals; columns with
one value on every row go into the title or a summary line. Tables may be pandas
DataFrames or plain :class:`~cellchain.rows.Rows` (JSON, CSV and terminal tables of
``Rows`` never import pandas).

Files are written to a temporary name beside the target and renamed when complete, so a
failure never leaves a half-written file.
"""

from __future__ import annotations

import json
import math
import os
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


def _rows(df):
    """(columns, row tuples) of a pandas DataFrame or :class:`~cellchain.rows.Rows`."""
    if hasattr(df, "itertuples"):
        return list(df.columns), df.itertuples(index=False, name=None)
    return list(df.columns), df.rows


def records(df) -> list[dict]:
    """Rows as plain Python dicts; NaN and missing become None, numpy scalars Python ones."""
    out = []
    columns, rows = _rows(df)
    for row in rows:
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


def _frame(df):
    """A pandas DataFrame for writers that need one."""
    return df if hasattr(df, "itertuples") else df.to_pandas()


def to_csv(df, target) -> None:
    """The table as CSV (header, then one line per row; missing values empty)."""
    if hasattr(df, "itertuples"):
        df.to_csv(target, index=False)
        return
    import csv

    writer = csv.writer(target, lineterminator="\n")
    writer.writerow(df.columns)
    for rec in records(df):
        writer.writerow(["" if v is None else v for v in rec.values()])


def write(df, fmt: str, output: Path | None, title: str = "", *,
          compact: bool = False, percent: tuple[str, ...] = (),
          summary: tuple[str, ...] = ()) -> None:
    """Emit ``df`` in ``fmt``, to ``output`` or standard output.

    ``compact`` (terminal tables only) folds long per-supplier tables into one line per
    key (see :func:`compact`); machine formats always carry every row. ``percent`` and
    ``summary``: see :func:`render`.
    """
    from cellchain.cli import progress
    from cellchain.cli.write import stdout_text

    progress.stop()
    if output is not None:
        check_target(output)
    if fmt == "table":
        text = render(df, title, compact=compact, percent=percent, summary=summary)
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
            import io

            buffer = io.StringIO()
            to_csv(df, buffer)
            stdout_text(buffer.getvalue())
        else:
            def _csv(p: Path) -> None:
                with open(p, "w", encoding="utf-8", newline="") as fh:
                    to_csv(df, fh)

            atomic_write(output, _csv)
    elif fmt == "parquet":
        atomic_write(output, lambda p: _frame(df).to_parquet(p, index=False))
    elif fmt == "xlsx":
        atomic_write(output, lambda p: _frame(df).to_excel(p, index=False, engine="openpyxl"))


# ---------------------------------------------------------------------------------------
# terminal tables
# ---------------------------------------------------------------------------------------
#: Columns that go into the title when every row has the same value.
TITLE_COLUMNS = ("market", "year", "by", "unit", "stage", "material", "product", "flow",
                 "reporter", "source", "scenario", "variant", "basis", "measure")
#: Whole-table figures that go into summary lines under the table when constant.
SUMMARY_COLUMNS = ("hhi", "top3_share", "state_owned_share", "coverage")
#: Columns that identify one line of a compact table, in order.
KEY_COLUMNS = ("section", "market", "stage", "product")
#: Columns naming a supplier in long per-supplier tables, by preference.
SUPPLIER_COLUMNS = ("group", "supplier", "partner", "country")
GAP = "  "
ELLIPSIS = "…"


def terminal_width() -> int:
    """Columns available: ``$COLUMNS`` if set, else the terminal's width (80 if none)."""
    import shutil

    try:
        width = int(os.environ.get("COLUMNS", ""))
    except ValueError:
        width = shutil.get_terminal_size((80, 24)).columns
    return max(width, 20)


def is_percent(column: str) -> bool:
    """Columns holding a fraction [0-1] shown as a percentage."""
    return (column == "share" or column.endswith("_share") or column.startswith("share_")
            or column in ("coverage", "ratio") or "_share_" in column)


def is_whole(column: str) -> bool:
    """Columns holding counts shown as whole numbers (jobs, not jobs per unit)."""
    return (column == "jobs" or column.endswith("_jobs")
            or (column.startswith("jobs") and not column.startswith("jobs_per")))


def is_hhi(column: str) -> bool:
    return column == "hhi" or column.startswith("hhi_") or column.endswith("_hhi")


def fmt_number(value: float) -> str:
    """A float with thousands separators and about four significant digits."""
    magnitude = abs(value)
    if magnitude >= 1e15 or (0 < magnitude < 1e-3):
        return f"{value:.3g}"
    if magnitude >= 1000:
        return f"{value:,.0f}"
    decimals = 1 if magnitude >= 100 else 2 if magnitude >= 1 else 3
    return f"{value:,.{decimals}f}".rstrip("0").rstrip(".")


def cell(value, column: str, hhi_scale: bool = True, percent: bool = False) -> str:
    """One value as text, formatted by its column's name (``percent``: a fraction shown
    as a percentage whatever its name)."""
    if _is_missing(value):
        return ""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    if percent or is_percent(column):
        return f"{100 * value:.1f}%"
    if is_whole(column) or (is_hhi(column) and hhi_scale):
        return f"{value:,.0f}"
    if "year" in column and float(value).is_integer():
        return str(int(value))  # a calendar year, even when stored as a float
    if isinstance(value, int):
        return f"{value:,}"
    return fmt_number(value)


def _constant(recs: list[dict], column: str):
    """(True, value) when every row has the same value in ``column``."""
    first = recs[0][column]
    same = all(r[column] == first or (_is_missing(r[column]) and _is_missing(first))
               for r in recs)
    return same, first


def _numeric(recs: list[dict], column: str) -> bool:
    values = [r[column] for r in recs if not _is_missing(r[column])]
    return bool(values) and all(isinstance(v, (int, float)) and not isinstance(v, bool)
                                for v in values)


def _pairs(columns: list[str]) -> dict[str, tuple[str, str]]:
    """Before/after column pairs by their shared stem: ``x_baseline``/``x_scenario``,
    ``baseline_x``/``scenario_x`` -> ``x``, and ``x_baseline_y``/``x_scenario_y`` ->
    ``x_y``."""
    out = {}
    for c in columns:
        parts = c.split("_")
        for i, part in enumerate(parts):
            if part != "baseline":
                continue
            other = "_".join([*parts[:i], "scenario", *parts[i + 1:]])
            stem = "_".join(parts[:i] + parts[i + 1:])
            if other in columns and stem:
                out[stem] = (c, other)
                break
    return {stem: pair for stem, pair in out.items() if stem not in columns}


def compact(recs: list[dict], columns: list[str], top: int = 3
            ) -> tuple[list[dict], list[str], set[str]]:
    """Fold a long table into one line per key (section, market, stage, product present).

    Where a key has several supplier rows (a ``group``/``supplier``/``partner`` column
    with a ``share``), they become one ``top`` column ("CHN 78%, KOR 9%, +5 more"); the
    columns that are the same on every row of a key (HHI, covered share, basis, ...) stay,
    the others (per-supplier figures) go. ``x_baseline``/``x_scenario`` pairs become one
    column ``x`` showing "before → after". Driven by the column names present, so new
    columns and sections pass through. Returns (rows, columns, the merged pair columns).
    """
    recs_in = recs
    keys = [c for c in KEY_COLUMNS if c in columns]
    supplier = next((c for c in SUPPLIER_COLUMNS if c in columns and c not in keys), None)
    if keys and supplier and "share" in columns:
        groups: dict[tuple, list[dict]] = {}
        for rec in recs:
            groups.setdefault(tuple(rec[k] for k in keys), []).append(rec)
        if any(len(g) > 1 for g in groups.values()):
            per_key = [c for c in columns if c not in (supplier, "share") and c not in keys
                       and all(_constant(g, c)[0] for g in groups.values())]
            out = []
            for key, rows in groups.items():
                ranked = sorted(rows, key=lambda r: -(r["share"] or 0))
                shown = [f"{r[supplier]} {100 * (r['share'] or 0):.0f}%"
                         for r in ranked[:top]]
                if len(ranked) > top:
                    shown.append(f"+{len(ranked) - top} more")
                line = dict(zip(keys, key, strict=True))
                line["top"] = ", ".join(shown)
                line.update({c: rows[0][c] for c in per_key})
                out.append(line)
            recs, columns = out, [*keys, "top", *per_key]
    pairs = _pairs(columns)
    if pairs:
        stem_of = {p[0]: stem for stem, p in pairs.items()}
        after_cols = {p[1] for p in pairs.values()}
        merged_cols = [stem_of.get(c, c) for c in columns if c not in after_cols]
        out = []
        for rec in recs:
            line = {}
            for c in merged_cols:
                if c in pairs:
                    before, after = (cell(rec[p], c) for p in pairs[c])
                    line[c] = before if before == after else f"{before} → {after or '–'}"
                else:
                    line[c] = rec[c]
            out.append(line)
        recs, columns = out, merged_cols
    return recs, columns, {stem for stem, (a, b) in pairs.items()
                           if _numeric(recs_in, a) or _numeric(recs_in, b)}


def render(df, title: str = "", *, width: int | None = None, compact: bool = False,
           percent: tuple[str, ...] = (), summary: tuple[str, ...] = ()) -> str:
    """The table as text that fits ``width`` (default: :func:`terminal_width`).

    Columns with one value on every row go into the title (market, year, by, unit, ...)
    or, for whole-table figures (HHI, top-3 share, ...), into summary lines under the
    table; all-empty columns are left out. A ``section`` column splits the table into
    one block per section. Text columns are shortened with "…" and, if it still does not
    fit, the last columns are left out and named under the table. ``percent`` and
    ``summary`` name further columns to show as percentages, or as summary lines when
    constant, beyond those the naming rules catch.
    """
    style = (frozenset(percent), frozenset(summary))
    width = width or terminal_width()
    recs = records(df)
    columns = list(df.columns)
    if "section" in columns and recs:
        blocks = []
        sections = dict.fromkeys(r["section"] for r in recs)
        for sec in sections:
            part = [{k: v for k, v in r.items() if k != "section"} for r in recs
                    if r["section"] == sec]
            cols = [c for c in columns if c != "section"]
            blocks.append(_render_block(part, cols, f"{title} — {sec}" if title else
                                        str(sec), width, compact, style))
        return "\n".join(blocks)
    return _render_block(recs, columns, title, width, compact, style)


def render_table(df, title: str, summary: dict, percent_columns: tuple[str, ...]) -> str:
    """:func:`render` under its earlier signature: ``summary`` items (name: text) are
    printed under the table, ``percent_columns`` shown as percentages."""
    text = render(df, title, percent=tuple(percent_columns))
    return text + "".join(f"{k}: {v}\n" for k, v in summary.items())


def _render_block(recs, columns, title, width, compact_, style=(frozenset(), frozenset())
                  ) -> str:
    percent, summary = style
    merged: set[str] = set()
    if recs:
        columns = [c for c in columns if not all(_is_missing(r[c]) for r in recs)]
    if compact_ and recs:
        recs, columns, merged = compact(recs, columns)
    lines_after = []
    if len(recs) > 1:
        in_title = []
        for c in list(columns):
            same, value = _constant(recs, c)
            if not same:
                continue
            if c in TITLE_COLUMNS:
                in_title.append(f"{c} {cell(value, c)}")
                columns.remove(c)
            elif c in SUMMARY_COLUMNS or c in summary:
                lines_after.append(f"{c}: {cell(value, c, percent=c in percent)}")
                columns.remove(c)
        if in_title:
            title = f"{title} ({', '.join(in_title)})" if title else ", ".join(in_title)
    hhi_scale = {c: not _numeric(recs, c) or max(
        (abs(r[c]) for r in recs if not _is_missing(r[c])), default=0) > 1 for c in columns}
    numeric = {c: c in merged or _numeric(recs, c) for c in columns}
    body = [[cell(r[c], c, hhi_scale[c], c in percent) for c in columns] for r in recs]
    layout = _fit(columns, body, numeric, width, strict=compact_)
    out = [_clip(title, width)] if title else []
    if layout is None:  # compact and too wide for a table: one short record per key
        out.extend(_records_text(columns, body, width))
    else:
        out.extend(_table_text(columns, body, numeric, *layout))
    if not recs:
        out.append("(no rows)")
    out.extend(lines_after)
    if layout is not None and layout[2]:
        out.append(_clip(f"(not shown at this width: {', '.join(layout[2])}; "
                         "use --format csv or json for every column)", width))
    return "\n".join(out) + "\n"


def _header_lines(column: str) -> tuple[str, str]:
    """A column name split at an underscore into two balanced header lines."""
    cuts = [i for i, ch in enumerate(column) if ch == "_"]
    if not cuts:
        return column, ""
    cut = min(cuts, key=lambda i: max(i, len(column) - i - 1))
    return column[:cut], column[cut + 1:]


def _fit(columns, body, numeric, width, strict: bool = False):
    """Column widths that fit ``width``: (widths, two-line headers?, hidden columns).

    First the natural widths; then headers on two lines; then text columns shortened
    (never below 10 characters, or the header); then trailing columns hidden. With
    ``strict`` (compact tables) None instead of shortening or hiding anything.
    """
    def total(ws, idx):
        return sum(ws[i] for i in idx) + len(GAP) * (len(idx) - 1)

    data = [max((len(row[i]) for row in body), default=0) for i in range(len(columns))]
    idx = list(range(len(columns)))
    for two in (False, True):
        heads = [max(len(h) for h in _header_lines(c)) if two else len(c) for c in columns]
        widths = [max(d, h) for d, h in zip(data, heads, strict=True)]
        if total(widths, idx) <= width:
            return widths, two, []
    if strict:
        return None
    natural = list(widths)
    for least in (16, 10):
        floor = {i: max(heads[i], min(data[i], least)) for i in idx}
        while total(widths, idx) > width:
            text = [i for i in idx if not numeric[columns[i]] and widths[i] > floor[i]]
            if not text:
                break
            widest = max(text, key=lambda i: widths[i] - floor[i])
            widths[widest] = max(floor[widest], widths[widest] - (total(widths, idx) - width))
    hidden = []
    while total(widths, idx) > width and len(idx) > 1:
        hidden.insert(0, columns[idx.pop()])
    if total(widths, idx) > width:  # one column wider than the terminal: cut it too
        widths[idx[0]] = width
    short = [i for i in idx if widths[i] < natural[i]]
    while short and total(widths, idx) < width:  # room freed by hiding: share it out
        for i in list(short):
            if total(widths, idx) >= width:
                break
            widths[i] += 1
            if widths[i] >= natural[i]:
                short.remove(i)
    widths = [w if i in idx else 0 for i, w in enumerate(widths)]
    return widths, True, hidden


def _table_text(columns, body, numeric, widths, two, hidden) -> list[str]:
    shown = [i for i, c in enumerate(columns) if c not in hidden]

    def line(cells):
        return GAP.join(_pad(cells[i], widths[i], numeric[columns[i]]) for i in shown).rstrip()

    heads = [_header_lines(c) for c in columns]
    if two and any(heads[i][1] for i in shown):
        out = [line([h[0] for h in heads]), line([h[1] for h in heads])]
    else:
        out = [line(columns)]
    out.append(GAP.join("-" * widths[i] for i in shown))
    out.extend(line(row) for row in body)
    return out


def _records_text(columns, body, width) -> list[str]:
    """Each row as a block: the key and top columns on one line, the rest as
    ``name value`` pairs wrapped under it."""
    lead = [i for i, c in enumerate(columns) if c in (*KEY_COLUMNS, "top")]
    rest = [i for i in range(len(columns)) if i not in lead]
    out = []
    for row in body:
        first = [row[i] for i in lead if row[i]]
        head = " / ".join(first[:-1]) + ": " + first[-1] if len(first) > 1 else " ".join(first)
        out.append(_clip(head, width))
        line = "   "
        for i in rest:
            if not row[i]:
                continue
            item = f"{columns[i]} {row[i]}"
            if len(line) + len(item) + 3 > width and line.strip():
                out.append(_clip(line.rstrip(" ·"), width))
                line = "   "
            line += item + " · "
        if line.strip():
            out.append(_clip(line.rstrip(" ·"), width))
    return out


def _pad(text: str, width: int, right: bool) -> str:
    text = _clip(text, width)
    return text.rjust(width) if right else text.ljust(width)


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(width - 1, 0)] + ELLIPSIS
