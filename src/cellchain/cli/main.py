"""The ``cellchain`` command line: thin over :mod:`cellchain.api`.

Heavy libraries (pandas, duckdb, pyarrow) are imported inside the commands, so that
``cellchain --help`` stays instant. Exit codes: 0 ok, 1 user error (one line, with a hint),
2 usage error.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from cellchain.errors import CellchainError

app = typer.Typer(
    name="cellchain",
    help="Map, measure and stress-test the global lithium-ion battery supply chain.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
data_app = typer.Typer(help="The bundled public data and the local warehouse.",
                       no_args_is_help=True)
app.add_typer(data_app, name="data")

YearOpt = Annotated[int | None, typer.Option("--year", help="Calendar year (default: latest).")]
FormatOpt = Annotated[str | None, typer.Option(
    "--format", "-f", help="table, csv, json, parquet or xlsx (default: from --output's "
    "suffix, else table).")]
OutputOpt = Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file.")]


def _emit(df, fmt, output, title, summary_columns=(), percent_columns=("share",)):
    from cellchain.cli import output as out

    fmt = out.choose_format(fmt, output)
    summary = {}
    if len(df):
        for col in summary_columns:
            value = df[col].iloc[0]
            summary[col] = f"{100 * value:.1f}%" if col.endswith("share") else f"{value:,.0f}"
    out.write(df, fmt, output, title=title, summary=summary, percent_columns=percent_columns)


def _print_version(value: bool) -> None:
    if value:
        from cellchain import __version__

        typer.echo(f"cellchain {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[bool, typer.Option(
        "--version", help="Print the version and exit.", callback=_print_version,
        is_eager=True)] = False,
) -> None:
    """cellchain: who supplies and who controls each stage of the battery chain."""


@app.command()
def production(
    material: Annotated[str, typer.Option("--material", "-m", help="Material id, e.g. lithium.")],
    year: YearOpt = None,
    basis: Annotated[str, typer.Option(
        help="as_given (source unit), or for lithium: element (t Li) or lce (t LCE).")
    ] = "as_given",
    fmt: FormatOpt = None,
    output: OutputOpt = None,
) -> None:
    """Mine production by country, with shares, HHI and top-3 share."""
    from cellchain import api

    df = api.production(material, year=year, basis=basis)
    title = f"{df['material'].iloc[0] if len(df) else material} mine production"
    _emit(df, fmt, output, title, summary_columns=("hhi", "top3_share"))


@app.command()
def trade(
    hs: Annotated[str | None, typer.Option("--hs", help="HS6 code, e.g. 283691.")] = None,
    material: Annotated[str | None, typer.Option("--material", "-m",
                                                 help="All HS codes of a material.")] = None,
    product: Annotated[str | None, typer.Option(
        "--product", help="All HS codes of a product, e.g. lithium_chemicals.")] = None,
    importer: Annotated[str | None, typer.Option(help="Importing country (ISO3 or name).")]
    = None,
    exporter: Annotated[str | None, typer.Option(help="Exporting country (ISO3 or name).")]
    = None,
    year: YearOpt = None,
    measure: Annotated[str, typer.Option(help="Shares by value or quantity.")] = "value",
    fmt: FormatOpt = None,
    output: OutputOpt = None,
) -> None:
    """Bilateral trade (CEPII BACI): a country's partners with value, quantity and share."""
    from cellchain import api

    df = api.trade(hs, material=material, product=product, importer=importer,
                   exporter=exporter, year=year, measure=measure)
    _emit(df, fmt, output, "trade partners", summary_columns=("hhi", "top3_share"))


@data_app.command("sources")
def data_sources(fmt: FormatOpt = None, output: OutputOpt = None) -> None:
    """Where each bundled dataset comes from: publisher, vintage, licence, citation."""
    import pandas as pd

    from cellchain.io import bundle

    df = pd.DataFrame(bundle.entries())[
        ["table", "file", "rows", "publisher", "dataset", "vintage", "licence", "citation",
         "url", "sha256"]]
    if (fmt or "table") == "table" and output is None:
        df = df[["table", "rows", "publisher", "vintage", "licence"]]
    _emit(df, fmt, output, "data sources", percent_columns=())


@data_app.command("build")
def data_build(force: Annotated[bool, typer.Option(help="Rebuild even if current.")] = False
               ) -> None:
    """Build the local warehouse from the bundle (only if inputs changed, unless --force)."""
    import time

    from cellchain.io import store

    started = time.perf_counter()
    was_current = store.is_current()
    path = store.build(force=force)
    took = time.perf_counter() - started
    state = "up to date" if was_current and not force else f"built in {took:.2f} s"
    typer.echo(f"{path} ({state})")


@data_app.command("path")
def data_path() -> None:
    """Print the path of the warehouse file."""
    from cellchain.io import store

    typer.echo(str(store.warehouse_path()))


@data_app.command("validate")
def data_validate() -> None:
    """Check every bundle file against its hash, its schema and the data invariants."""
    from cellchain import validate

    problems = validate.validate_bundle()
    for problem in problems:
        typer.echo(str(problem))
    if problems:
        from cellchain.errors import ValidationError

        raise ValidationError(f"{len(problems)} problem(s) found in the data.", problems,
                              "Fix the rows listed above, or rebuild the bundle.")
    typer.echo("ok: every bundle file matches its hash, schema and invariants")


def run() -> None:
    """Entry point: run the app, turning cellchain errors into one line and exit code 1."""
    try:
        app()
    except CellchainError as exc:
        msg = f"error: {exc.message}"
        if exc.hint:
            msg += f" {exc.hint}"
        print(msg, file=sys.stderr)
        sys.exit(1)
    except BrokenPipeError:
        sys.exit(0)


if __name__ == "__main__":
    run()
