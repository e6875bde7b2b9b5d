"""``cellchain pipeline``: capacity by year to 2035 against demand (thin over
:func:`cellchain.pipeline.pipeline`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

HORIZON = 2035  # the CLI default; cellchain.pipeline.config.HORIZON checks it
#: Columns on the terminal (files carry every column).
TABLE_COLUMNS = ["year", "announced_capacity", "expected_capacity", "low", "high", "demand",
                 "demand_basis", "gap", "self_sufficiency", "movers"]


def pipeline(
    market: Annotated[str, typer.Option(
        help="world, a country (USA, CHN, ...) or a bloc (EU27, us_fta, ...).")] = "world",
    stage: Annotated[str, typer.Option(
        help="cells, cathode, anode, lithium_chemicals (with demand), or another refining "
        "or materials product.")] = "cells",
    to: Annotated[int, typer.Option("--to", help="Last year (up to 2035).")] = HORIZON,
    by: Annotated[str, typer.Option(
        help="location (plants in the market) or owner (share owned from it).")]
    = "location",
    scenario: Annotated[str | None, typer.Option(
        help="Demand projection, e.g. 'IEA STEPS (GEVO2025)' (default), 'EV Volumes "
        "forecast (May 2024)', or none for capacity only.")]
    = None,
    end_use: Annotated[list[str] | None, typer.Option(
        "--end-use", help="Demand end use, repeatable (default ev_all).")] = None,
    probability: Annotated[list[str] | None, typer.Option(
        "--probability", "-p", help="STATUS=P completion probability, repeatable, e.g. "
        "announced=0.3.")] = None,
    delay: Annotated[list[str] | None, typer.Option(
        "--delay", help="STATUS=YEARS expected delay, repeatable.")] = None,
    config: Annotated[Path | None, typer.Option(
        "--config", help="YAML file of probabilities, delays and the stale rule.")] = None,
    excluded: Annotated[bool, typer.Option(
        "--excluded", help="List the plants left out of the sums, and why.")] = False,
    demand_only: Annotated[bool, typer.Option(
        "--demand", help="List the demand projection by year and end use instead [GWh/yr of "
        "cells].")] = False,
    fmt: Annotated[str | None, typer.Option(
        "--format", "-f", help="table, csv, json, parquet or xlsx.")] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file.")]
    = None,
) -> None:
    """Capacity by year to 2035 (announced, expected, low/high bands) against sourced
    demand, with the gap, self-sufficiency and the plants that move each year most."""
    from cellchain.cli.main import _emit
    from cellchain.pipeline import pipeline as run

    df = run(market, stage, to, by, scenario, end_use, probability, delay, config, excluded,
             demand_only)
    if demand_only:
        _emit(df, fmt, output, f"Battery demand, {market}", percent_columns=())
        return
    if excluded:
        _emit(df, fmt, output, f"Plants left out of the {stage} pipeline", percent_columns=())
        return
    terminal = (fmt or "table") == "table" and output is None
    shown = df[TABLE_COLUMNS] if terminal else df
    first = df.iloc[0]
    _emit(shown, fmt, output, f"{first['market']} {first['stage']} pipeline [{first['unit']}]",
          percent_columns=("self_sufficiency",))
    if terminal:
        typer.echo(f"capacity: {first['capacity_basis']}; {first['undated_plants']} plants "
                   f"without a dated capacity ({first['undated_capacity']:,.0f} "
                   f"{first['unit']}) and {first['excluded_plants']} others left out "
                   "(--excluded lists them)")
        typer.echo(f"demand: {first['demand_scenario'] or first['demand_basis']}; "
                   f"{first['demand_source']}")
