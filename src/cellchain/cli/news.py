"""``cellchain news extract``: proposed registry changes from news articles."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

news_app = typer.Typer(help="News articles: proposed registry changes, each with its "
                       "sentence.", no_args_is_help=True)

#: Columns of the terminal table (the JSON and CSV carry every column).
TABLE_COLUMNS = ("id", "kind", "target", "match_score", "value", "unit", "date", "modality",
                 "registry", "current", "confidence", "accept")


@news_app.command("extract")
def extract(
    files: Annotated[list[str], typer.Argument(
        help="Article files (.txt, .md, .html), or - for standard input.")],
    fmt: Annotated[str, typer.Option(
        "--format", "-f", help="table, json or csv.")] = "table",
    overlay_out: Annotated[Path | None, typer.Option(
        "--overlay-out", help="Write the accepted proposals into this folder as registry "
        "overlay CSVs (use it with --data-dir).")] = None,
    accept: Annotated[str | None, typer.Option(
        help="Comma-separated proposal ids to accept (e.g. a1-p2,a1-p5), or all. Default: "
        "fact, plan and considering proposals the registry does not already confirm.")]
    = None,
    source: Annotated[str | None, typer.Option(
        help="URL to cite in the overlay for the articles (default: the page's own URL, "
        "else the file).")] = None,
    seen: Annotated[str | None, typer.Option(
        help="Date to record as seen in the overlay, YYYY-MM-DD (default: today).")] = None,
) -> None:
    """Read news articles and propose registry changes (new plant, status, owners,
    capacity, jobs, capex, supply links), each with its sentence, offsets, modality and
    whether the registry confirms, conflicts or says nothing."""
    from cellchain.errors import InvalidInputError
    from cellchain.news.extract import news_extract

    if fmt not in ("table", "json", "csv"):
        raise InvalidInputError(f"Unknown format {fmt!r}.", "Use table, json or csv.")
    df = news_extract(files, overlay_out=overlay_out,
                      accept=accept.split(",") if accept is not None else None,
                      source=source, seen=seen)
    if fmt == "json":
        from cellchain.cli import output as out

        sys.stdout.write(out.to_json(df) + "\n")
    elif fmt == "csv":
        import json

        flat = df.copy()
        flat["detail"] = [json.dumps(d, ensure_ascii=False, sort_keys=True)
                          for d in flat["detail"]]
        flat.to_csv(sys.stdout, index=False)
    else:
        _table(df, files)
    if overlay_out is not None:
        n = int(df["accept"].sum()) if len(df) else 0
        typer.echo(f"overlay: {n} accepted proposal(s) written to {overlay_out}", err=True)


def _table(df, files: list[str]) -> None:
    """One table per article, then each proposal's sentence with its offsets."""
    from cellchain.cli import output as out

    for article in files:
        part = df[df["article"] == article]
        if part.empty:
            sys.stdout.write(f"{article}: no proposals\n")
            continue
        shown = part[list(TABLE_COLUMNS)].copy()
        shown["target"] = [t if len(t) <= 32 else t[:31] + "~" for t in shown["target"]]
        sys.stdout.write(out.render_table(shown, f"Proposals from {article}", {}, ()))
        for rec in out.records(part[["id", "start", "end", "sentence"]]):
            sys.stdout.write(f"  {rec['id']} [{rec['start']}:{rec['end']}] "
                             f"{rec['sentence']}\n")
