"""The public Python API: one function per command of the ``cellchain`` command line.

Each returns a tidy pandas DataFrame (or a small result object holding DataFrames, or a
nested record for ``facility show`` / ``entity show``) and takes the same keyword names
as the command's options (``year=``, ``by=``, ``stage=``, ``product=``, ``market=``...).
The command line only parses options, calls these functions and prints what they
return. A command ``a b`` is the function ``a_b`` (``scenario run`` ->
:func:`scenario_run`); ``report`` is :func:`market_report`, because
``cellchain.report`` is a package. Every figure comes from the warehouse
(:mod:`cellchain.io.store`), built from the bundled public data and the registry.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from cellchain import caches, countries
from cellchain.errors import InvalidInputError, unknown
from cellchain.io import store
from cellchain.metrics import concentration
from cellchain.nomenclature import DEFAULT_YEAR

#: Each command-line command and the top-level function that answers it
#: (``"scenario run"`` -> ``cellchain.scenario_run``); most live here, a command with its
#: own package may export its own (the package ``__init__`` lists where each one is).
COMMANDS = {
    "production": "production", "trade": "trade", "shares": "shares", "jobs": "jobs",
    "facility show": "facility_show", "entity show": "entity_show",
    "exposure": "exposure", "demand": "demand", "recipe": "recipe",
    "intensities": "intensities", "report": "market_report", "serve": "serve",
    "scenario validate": "scenario_validate", "scenario run": "scenario_run",
    "risk geopolrisk": "risk_geopolrisk", "risk concentration": "risk_concentration",
    "risk montecarlo": "risk_montecarlo", "news extract": "news_extract",
    "pipeline": "pipeline",
    "data sources": "data_sources", "data build": "data_build", "data path": "data_path",
    "data validate": "data_validate",
}
__all__ = ["data_build", "data_path", "data_sources", "data_validate", "demand",
           "entity_show", "exposure", "facility_show", "intensities", "jobs",
           "market_report", "production", "recipe", "risk_concentration", "risk_geopolrisk",
           "risk_montecarlo", "scenario_run", "scenario_validate", "serve", "shares",
           "trade"]

#: Ways to express lithium mine output. ``as_given`` is the source's own unit and basis.
BASES = ("as_given", "element", "lce")
TRADE_MEASURES = ("value", "quantity")


@caches.cached
def materials() -> tuple[str, ...]:
    """Material ids with mine production data in the bundle."""
    return tuple(r[0] for r in store.query_rows(
        "SELECT DISTINCT material FROM production ORDER BY 1"))


@caches.cached
def products() -> tuple[str, ...]:
    """Battery value-chain products that HS codes in the bundle carry."""
    return tuple(r[0] for r in store.query_rows(
        "SELECT DISTINCT product FROM hs_products WHERE product IS NOT NULL ORDER BY 1"))


@caches.cached
def hs_codes() -> tuple[str, ...]:
    """HS6 codes with trade data in the bundle."""
    return tuple(r[0] for r in store.query_rows(
        "SELECT hs6 FROM hs_products GROUP BY 1 ORDER BY 1"))


@caches.cached
def years(table: str) -> tuple[int, ...]:
    """Years with data in a bundle table (``production``, ``trade`` or ``governance``)."""
    if table not in ("production", "trade", "governance"):
        raise InvalidInputError(f"No year range for table {table!r}.")
    where = " WHERE quantity IS NOT NULL" if table == "production" else ""
    return tuple(r[0] for r in store.query_rows(
        f"SELECT DISTINCT year FROM {table}{where} ORDER BY 1"))


def check_year(year: int | None, table: str) -> int:
    """The year to use: ``year`` if it has data in ``table``, else the latest when None
    (the one year policy of :mod:`cellchain.years`)."""
    from cellchain import years as years_

    return years_.check(year, table)


@caches.cached
def material_references() -> dict[str, str]:
    """Material id -> the GeoPolRisk reference's (World Mining Data) name."""
    return dict(store.query_rows(
        "SELECT DISTINCT material, wmd_reference_id FROM hs_products "
        "WHERE material IS NOT NULL AND wmd_reference_id IS NOT NULL"))


def check_material(material: str) -> str:
    """The material id a name means: an id, the GeoPolRisk reference's name or a common
    alias (``graphite``, ``Li``; see :mod:`cellchain.names`); UnknownValueError with
    suggestions otherwise."""
    from cellchain import names

    return names.material(material, materials(), material_references())


def _add_concentration(df, value_column: str):
    """Add ``share``, ``rank``, ``hhi`` and ``top3_share`` columns computed from one column."""
    values = df[value_column].to_numpy(dtype=float)
    df["share"] = concentration.shares(values)
    df["rank"] = range(1, len(df) + 1)
    df["hhi"] = concentration.hhi(values)
    df["top3_share"] = concentration.top_n_share(values, 3)
    return df


PRODUCTION_COLUMNS = ("material", "year", "country", "country_name", "quantity", "unit",
                      "share", "rank", "data_flag", "hhi", "top3_share")


def production(material: str, year: int | None = None, basis: str = "as_given", *,
               as_frame: bool = True):
    """Mine production of a material by country, with shares and concentration.

    Parameters
    ----------
    material : str
        Material id, e.g. ``"lithium"`` (see :func:`materials`).
    year : int, optional
        Calendar year; the latest year with data when omitted.
    basis : {"as_given", "element", "lce"}
        ``as_given`` reports the source's figure in its own unit and basis (for lithium:
        tonnes of Li2O). ``element`` (lithium only) gives tonnes of contained Li,
        ``lce`` (lithium only) tonnes of lithium carbonate equivalent.
    as_frame : bool
        True (default) for a pandas DataFrame; False for plain :class:`~cellchain.rows.Rows`
        (no pandas import; what the command line prints from).

    Returns
    -------
    pandas.DataFrame
        One row per producing country, largest first: ``material``, ``year``, ``country``
        (ISO3), ``country_name``, ``quantity``, ``unit``, ``share`` [0-1], ``rank``,
        ``data_flag`` (r reported, e estimated, p preliminary), ``hhi`` [0-10,000] and
        ``top3_share`` [0-1] of the whole table (the same on every row).
    """
    from cellchain.rows import Rows

    material = check_material(material)
    year = check_year(year, "production")
    if basis not in BASES:
        raise unknown("basis", basis, BASES)
    if basis != "as_given" and material != "lithium":
        raise InvalidInputError(
            f"Basis {basis!r} is only defined for lithium.",
            "Use --basis as_given for other materials.")
    column = {"as_given": "quantity", "element": "li_t", "lce": "lce_t"}[basis]
    found = store.query_rows(
        f"""
        SELECT material, year, iso3 AS country, country_name, {column} AS quantity,
               CASE WHEN ? = 'element' THEN 't Li'
                    WHEN ? = 'lce' THEN 't LCE'
                    ELSE replace(unit, 'metr. t', 't') || COALESCE(' ' || basis, '')
               END AS unit,
               data_flag
        FROM production
        WHERE material = ? AND year = ? AND NOT is_aggregate
          AND quantity IS NOT NULL AND quantity > 0
        ORDER BY quantity DESC, iso3
        """,
        [basis, basis, material, year],
    )
    quantities = [r[4] for r in found]
    shares_ = concentration.share_list(quantities)
    hhi = concentration.hhi(quantities)
    top3 = concentration.top_n_share(quantities, 3)
    rows = Rows(PRODUCTION_COLUMNS, [
        (m, int(y), c, name, q, unit, s, rank, flag, hhi, top3)
        for rank, ((m, y, c, name, q, unit, flag), s) in enumerate(
            zip(found, shares_, strict=True), start=1)])
    return rows.to_pandas() if as_frame else rows


def _trade_with_cited(product: str, importer, exporter, year, with_baci: bool):
    """Cited flows of a product, with (``with_baci``) BACI rows of the same year where the
    bundle has them."""
    import pandas as pd

    from cellchain.chain import flows

    df = flows.cited(product, importer=importer, exporter=exporter, year=year)
    if (with_baci and product in products() and len(df)
            and int(df["year"].iloc[0]) in years("trade")):
        baci = _baci_trade(resolve_hs(product=product), importer, exporter,
                           int(df["year"].iloc[0]), "value")
        df = pd.concat([df, flows.baci_rows(baci, product)], ignore_index=True)
    return df


def resolve_hs(hs: str | None = None, material: str | None = None,
               product: str | None = None) -> list[str]:
    """HS6 codes selected by exactly one of an HS code, a material or a product."""
    given = [x for x in (hs, material, product) if x]
    if len(given) != 1:
        raise InvalidInputError(
            "Give exactly one of an HS code, a material or a product.",
            "For example --hs 283691, --material lithium or --product lithium_chemicals.")
    if hs:
        code = hs.strip()
        if code not in hs_codes():
            raise unknown("HS code", hs, hs_codes())
        return [code]
    if material:
        from cellchain import names

        traded = [r[0] for r in store.query_rows(
            "SELECT DISTINCT material FROM hs_products WHERE material IS NOT NULL")]
        key = names.material(material, traded, material_references(),
                             kind="material with trade data")
        rows = store.query_rows(
            "SELECT hs6 FROM hs_products WHERE material = ? ORDER BY hs6", [key])
        return [r[0] for r in rows]
    key = product.strip().lower()
    if key not in products():
        raise unknown("product", product, products())
    return [r[0] for r in store.query_rows(
        "SELECT hs6 FROM hs_products WHERE product = ? ORDER BY hs6", [key])]


#: Where ``trade`` reads from: the bundle's BACI data, the registry's published flows, or
#: both side by side (one row per figure).
TRADE_SOURCES = ("baci", "cited", "all")


def trade(hs: str | None = None, *, material: str | None = None, product: str | None = None,
          importer: str | None = None, exporter: str | None = None, year: int | None = None,
          measure: str = "value", source: str | None = None):
    """Bilateral trade of one HS code, material or product, with partner shares.

    Parameters
    ----------
    hs, material, product : str
        Exactly one: an HS6 code (e.g. ``"283691"``, lithium carbonate), a material id
        (all its HS codes) or a battery product id (e.g. ``"lithium_chemicals"``).
    importer, exporter : str
        Country as ISO3, ISO2 or name. With an importer the partners are its suppliers;
        with an exporter, its customers; with both, the single flow by HS code.
    year : int, optional
        Calendar year; the latest with data when omitted.
    measure : {"value", "quantity"}
        What the shares are computed from.

    Returns
    -------
    pandas.DataFrame
        One row per partner, largest first: ``year``, ``reporter``, ``flow`` (imports or
        exports), ``partner`` (ISO3), ``partner_name``, ``hs6`` (codes summed, joined with
        ``+``), ``value_kusd`` [kUSD], ``quantity_t`` [t], ``share`` [0-1], ``rank``,
        ``hhi`` [0-10,000], ``top3_share`` [0-1].

        With ``source="cited"`` (the default for a product BACI does not carry: cells,
        cathode, anode, spodumene, ...) or ``source="all"``, one row per figure instead
        (see :func:`cellchain.chain.flows.cited`): the registry's published flows with
        their sources, and with ``all`` BACI's value and quantity rows next to them.
    """
    if source is not None and source not in TRADE_SOURCES:
        raise unknown("trade source", source, TRADE_SOURCES)
    if product and not hs and not material:
        key = product.strip().lower()
        if source is None:
            source = "baci" if key in products() else "cited"
        if source != "baci":
            return _trade_with_cited(key, importer, exporter, year, with_baci=source == "all")
    elif source in ("cited", "all"):
        raise InvalidInputError("Published flows are listed by product.",
                                "For example --product cells --source cited.")
    return _baci_trade(resolve_hs(hs, material, product), importer, exporter, year, measure)


def _baci_trade(codes: list[str], importer, exporter, year, measure):
    """BACI partners of ``codes`` (see :func:`trade`)."""
    year = check_year(year, "trade")
    if measure not in TRADE_MEASURES:
        raise unknown("trade measure", measure, TRADE_MEASURES)
    if not importer and not exporter:
        raise InvalidInputError("Give an importer or an exporter.",
                                "For example --importer USA or --exporter CHL.")
    imp = countries.resolve(importer) if importer else None
    exp = countries.resolve(exporter) if exporter else None
    if imp and exp:
        reporter, flow, partner_col, group = imp, "imports", "exporter", "hs6"
    elif imp:
        reporter, flow, partner_col, group = imp, "imports", "exporter", "exporter"
    else:
        reporter, flow, partner_col, group = exp, "exports", "importer", "importer"
    filters = ["year = ?", f"hs6 IN ({', '.join('?' * len(codes))})"]
    params: list = [year, *codes]
    if imp:
        filters.append("importer = ?")
        params.append(imp)
    if exp:
        filters.append("exporter = ?")
        params.append(exp)
    partner_expr = "hs6" if group == "hs6" else partner_col
    hs_expr = "hs6" if group == "hs6" else "string_agg(DISTINCT hs6, '+' ORDER BY hs6)"
    metric = "value_kusd" if measure == "value" else "quantity_t"
    df = store.query(
        f"""
        SELECT {partner_expr} AS partner, {hs_expr} AS hs6,
               sum(value_kusd) AS value_kusd, sum(quantity_t) AS quantity_t
        FROM trade_flows WHERE {' AND '.join(filters)}
        GROUP BY {partner_expr}
        ORDER BY sum({metric}) DESC NULLS LAST, partner
        """,
        params,
    )
    df.insert(0, "year", year)
    df.insert(1, "reporter", reporter)
    df.insert(2, "flow", flow)
    if group == "hs6":
        df["partner"] = exp
    df.insert(4, "partner_name", [countries.country_name(p) for p in df["partner"]])
    df = _add_concentration(df, metric)
    return df[["year", "reporter", "flow", "partner", "partner_name", "hs6", "value_kusd",
               "quantity_t", "share", "rank", "hhi", "top3_share"]]


# ---------------------------------------------------------------------------------------
# the registry: capacity, ownership, jobs
# ---------------------------------------------------------------------------------------
def _year(year: int | None, kind: str = "registry") -> int:
    """``year`` checked against the years ``kind`` of data answers for (see
    :mod:`cellchain.years`), or the default year."""
    from cellchain import years

    return years.check(year, kind)


def shares(stage: str = "cells", year: int | None = None, by: str = "location",
           status: str | None = None, product: str | None = None,
           measure: str | None = None):
    """Shares of a stage, per product, by location, ultimate owner, company or bloc.

    ``status``: statuses to count, comma-separated, or ``"all"`` (default: operating);
    ``measure``: ``capacity`` or ``production`` (default: the one with a cited world
    figure; each row's ``basis`` says which);
    ``year`` defaults to :data:`~cellchain.nomenclature.DEFAULT_YEAR`. Columns: see
    :func:`cellchain.chain.shares.shares` (capacity in the stage's unit, ``share`` [0-1],
    ``hhi`` [0-10,000], ``state_owned_share`` and ``coverage`` [0-1]).
    """
    from cellchain.chain import shares as shares_mod

    return shares_mod.shares(stage, _year(year), by, status, product, measure)


def jobs(stage: str = "cells", country: str | None = None, year: int | None = None,
         status: str | None = None):
    """Jobs per plant of a stage: the plant's own figure, else capacity x the median jobs
    per unit of capacity of sourced plants (``basis`` says which). Columns: see
    :func:`cellchain.chain.jobs.jobs`; ``jobs`` [persons]. A year after the pipeline's
    as-of year gives each plant's jobs and capex at its announced capacity and weighted by
    the chance it is built (:func:`cellchain.pipeline.jobs.jobs`; ``status`` is ignored)."""
    from cellchain.pipeline.config import AS_OF, HORIZON

    if year is not None and AS_OF < year <= HORIZON:
        from cellchain.pipeline import jobs as pipeline_jobs

        return pipeline_jobs.jobs(year, stage, country)
    from cellchain.chain import jobs as jobs_mod

    return jobs_mod.jobs(stage, country, _year(year), status)


def facility_show(query: str, year: int | None = None) -> dict:
    """One plant as a nested record: owners as of ``year`` and over time, ultimate owners,
    state backing, covered-entity status, capacity and status history, jobs, links and
    sources. ``query`` is a facility id or part of its name."""
    from cellchain.chain import describe

    return describe.facility(query, year)


def entity_show(query: str, year: int | None = None) -> dict:
    """One company, fund or state body as a nested record: what it owns directly and
    through subsidiaries, by stage and country."""
    from cellchain.chain import describe

    return describe.entity(query, year)


# ---------------------------------------------------------------------------------------
# the value chain: exposure, demand, recipe, intensities
# ---------------------------------------------------------------------------------------
def exposure(market: str, year: int | None = None, by: str = "location"):
    """Where a market's batteries come from, stage by stage, traced upstream.

    One row per (stage, product, supplier ``group``) with ``share`` [0-1; sums to one per
    product], ``method``, and per product ``hhi`` [0-10,000], ``covered_share`` [0-1] and
    ``capacity_basis``; see :func:`cellchain.trace.exposure.exposure`.
    """
    from cellchain.trace import exposure as exposure_mod

    return exposure_mod.exposure(market, _year(year, "model"), by)


def demand(year: int | None = None, scenario: str = "actual"):
    """Battery demand by market and end use [GWh/yr] with each figure's year and source;
    ``scenario`` picks a projection (matched by prefix). An unknown scenario is an
    UnknownValueError, never an empty table."""
    from cellchain.chain import model, valuechain
    from cellchain.errors import UnknownValueError

    # observed demand answers for the model's years; projections for the year they name
    year = _year(year, "model") if scenario == "actual" else (
        DEFAULT_YEAR if year is None else year)
    df = valuechain.demand_table(year, scenario)
    if df.empty:
        have = sorted({(r["scenario"], r["year"]) for r in model.tables()["demand"]
                       if r["scenario"] and r["scenario"].startswith(scenario)})
        hint = ("It has: " + "; ".join(f"{n} {y}" for n, y in have[:6]) + "."
                if have else "Use 'actual' or a scenario named in registry/demand.csv.")
        raise UnknownValueError(f"No sourced demand for scenario {scenario!r} in {year}.",
                                hint)
    return df


def recipe(year: int | None = None):
    """Inputs per unit of output along the chain (the flow model's recipe) with the
    intensities' basis and sources."""
    from cellchain.chain import valuechain

    return valuechain.recipe_table(_year(year, "model"))


def intensities(chemistry: str | None = None, refined: bool = False):
    """Material per kWh of cells for each chemistry [kg/kWh], reported and derived; with
    ``refined=True``, tonnes of refined chemical per tonne of cathode active material."""
    from cellchain.chain import materials

    if refined:
        return materials.refined_table(chemistry)
    return materials.intensity_table(chemistry)


# ---------------------------------------------------------------------------------------
# scenarios
# ---------------------------------------------------------------------------------------
@dataclass
class ScenarioResult:
    """A scenario against the baseline.

    ``table``: every row, each with its ``section`` (supply, capacity, jobs, bottleneck);
    ``summary``: the run's summary record (status, method, largest moves).
    :attr:`jobs`, :attr:`bottlenecks` and :attr:`capacity_change` are the sections.
    """

    name: str
    year: int
    table: object
    summary: dict = field(default_factory=dict)

    @property
    def status(self) -> str | None:
        return self.summary.get("status")

    def section(self, name: str):
        """The table's rows of one section (``supply``, ``capacity``, ``jobs``,
        ``bottleneck``), without the columns that section leaves empty."""
        table = self.table
        rows = table[table["section"] == name]
        return rows.dropna(axis=1, how="all").reset_index(drop=True)

    @property
    def jobs(self):
        """Jobs and capex per country and stage, before and after."""
        return self.section("jobs")

    @property
    def bottlenecks(self):
        """One row per policy, market, stage and product: compliant supply against need."""
        return self.section("bottleneck")

    @property
    def capacity_change(self):
        """Capacity per stage and product by location, owner and state, before and after."""
        return self.section("capacity")


def _scenario(path):
    """(Scenario, source name) from a parsed Scenario, a file path, or the name of a
    bundled scenario (a string with no folder or suffix, e.g. ``"us_fta_only"``)."""
    from cellchain.scenarios import load
    from cellchain.scenarios.schema import Scenario

    if isinstance(path, Scenario):
        return path, "<scenario>"
    if isinstance(path, str) and "/" not in path and "." not in path \
            and not Path(path).exists():
        path = load.find_bundled(path)
    return load.load(path), str(path)


def scenario_validate(path):
    """Check a scenario (a YAML file, a bundled scenario's name or a parsed Scenario)
    without running it: schema,
    ids, countries and blocs against the year's network. Returns the validated
    :class:`~cellchain.scenarios.schema.Scenario`; raises with file and key path."""
    from cellchain.scenarios import apply, run

    scenario, source = _scenario(path)
    apply.apply(scenario, run.scenario_network(scenario), source)
    return scenario


def scenario_run(path) -> ScenarioResult:
    """Run a scenario (a YAML file, a bundled scenario's name such as ``"us_fta_only"``,
    or a parsed Scenario) against the baseline: served
    and unserved demand, concentration and covered share before and after, capacity and
    jobs changes, and for policies the bottleneck."""
    from cellchain.scenarios import run

    scenario, source = _scenario(path)
    table, summary = run.run(scenario, source)
    return ScenarioResult(scenario.name, scenario.year, table, summary)


# ---------------------------------------------------------------------------------------
# risk
# ---------------------------------------------------------------------------------------
def _listed(value) -> list | None:
    if value is None:
        return None
    return [value] if isinstance(value, (str, int)) else list(value)


def regions_from(region=None, regions_file=None) -> dict[str, list[str]]:
    """Regions from ``EU27`` (built in), ``NAME=ISO3,ISO3,...`` strings, a
    ``{name: [ISO3, ...]}`` mapping, and a ``NAME: ISO3, ...`` file."""
    from cellchain.metrics import geopolrisk as gpr

    regions: dict[str, list[str]] = {}
    if isinstance(region, dict):
        regions.update({k: list(v) for k, v in region.items()})
        region = None
    for item in _listed(region) or []:
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
    return regions


def risk_geopolrisk(material=None, country=None, region=None, regions_file=None,
                    year=None, all: bool = False, variant: str = "reference"):  # noqa: A002
    """GeoPolRisk score, import risk, HHI [0-1] and characterisation factor
    [eq. kg-Cu/kg] (Koyamparambath et al.) for materials x importers x years.

    Each of ``material``, ``country``, ``region`` and ``year`` takes one value or a list;
    ``region`` also takes ``NAME=ISO3,...`` strings or a mapping. ``all=True`` is the
    whole grid (every material, country and year not given). Columns: see
    :func:`cellchain.metrics.geopolrisk.grid`.
    """
    from cellchain.metrics import geopolrisk as gpr

    regions = regions_from(region, regions_file)
    materials_, countries_ = _listed(material), _listed(country)
    if not all and not materials_:
        raise InvalidInputError("Give --material (or --all for the whole grid).",
                                "For example --material lithium --country USA --year 2022.")
    if not all and not countries_ and not regions:
        raise InvalidInputError("Give --country or --region (or --all).",
                                "For example --country USA or --region EU27.")
    wanted = None if (all and not countries_) else (countries_ or [])
    return gpr.grid(materials_=materials_ or None, countries=wanted, regions=regions,
                    years_=_listed(year) or None, variant=variant)


def risk_concentration(material: str, year: int | None = None, source: str = "production",
                       country: str | None = None):
    """HHI, top-N shares, governance-weighted HHI and (with ``country``) import reliance of
    a material's mine production, world exports or a country's imports; one row per
    ``metric`` with its ``value`` and ``unit``."""
    from cellchain.metrics import supply

    return supply.concentration(material, year, source, country)


def risk_montecarlo(market="USA", year: int | None = None, draws: int = 10_000, seed: int = 7,
                    mode: str = "short", model=None, workers: int = 1,
                    scheduler: str | None = None):
    """Monte Carlo shortfall risk of a market (``cellchain risk montecarlo``) in ``year``
    (one of the flow model's years, :func:`cellchain.years.model_span`; default
    :data:`cellchain.years.DEFAULT_YEAR`).

    Returns a :class:`cellchain.risk.RiskResult`: ``summary`` (per market and product:
    mean, prob_shortfall, p95, p99, cvar95 [fractions of need] and the same in units) and
    ``drivers`` (countries, events, owners and plants ranked by their contribution to the
    expected cell shortfall); ``rows()`` gives both as one table with a ``section`` column.
    """
    from cellchain.risk import montecarlo

    return montecarlo(market, year=_year(year, "model"), draws=draws, seed=seed, mode=mode,
                      model=model, workers=workers, scheduler=scheduler)


# ---------------------------------------------------------------------------------------
# reports and the dashboard
# ---------------------------------------------------------------------------------------
@dataclass
class ReportResult:
    """A written market report: the HTML file, its size [bytes], figure names, PNGs."""

    path: Path
    size: int
    figures: list[str]
    pngs: list[Path] = field(default_factory=list)


def market_report(market: str, year: int | None = None, output=None, png=None
                  ) -> ReportResult:
    """Write one self-contained HTML report for a market (map, exposure, concentration,
    key plants, bundled scenarios, sources) to ``output`` (default
    ``<market>-<year>.html``), and with ``png`` a PNG of each figure into that folder.
    The ``cellchain report`` command."""
    from cellchain.cli.write import check_target
    from cellchain.errors import CellchainError
    from cellchain.report import content, figures, html

    year = _year(year, "model")
    if output is not None:  # refuse a bad target before any work
        check_target(Path(output))
        if Path(output).suffix.lower() not in (".html", ".htm"):
            raise CellchainError(f"Report file {output} does not end in .html.",
                                 "Use e.g. -o usa.html.")
    if png is not None:
        from cellchain.report import png as png_export

        png_export.check_folder(Path(png))
    data = content.market_report(market, year)
    path = Path(output) if output is not None else Path(f"{data['market'].lower()}-{year}.html")
    check_target(path)
    figs = figures.report_figures(data)
    text = html.render(data, figs)
    # Figures first: a failed PNG export leaves no report behind either.
    pngs = list(png_export.write_pngs(figs, Path(png))) if png is not None else []
    html.write(path, text)
    return ReportResult(path, len(text.encode("utf-8")), list(figs), pngs)


def serve(host: str = "127.0.0.1", port: int = 8000, announce=None) -> None:
    """Run the local web dashboard until interrupted (needs the ``web`` extra). The socket
    is bound first, so a busy port or a bad host is one CellchainError; ``announce`` is
    called with the address line (default: nothing is printed)."""
    from cellchain.errors import CellchainError

    try:
        import uvicorn  # noqa: F401

        from cellchain.dashboard import server
    except ImportError:
        raise CellchainError("The web dashboard needs the [web] extra.",
                             'Install it with: pip install ".[web]"') from None
    server.serve(host, port, announce=announce or (lambda _line: None))


# ---------------------------------------------------------------------------------------
# the data bundle and the warehouse
# ---------------------------------------------------------------------------------------
SOURCE_COLUMNS = ("table", "file", "rows", "publisher", "dataset", "vintage", "licence",
                  "citation", "url", "sha256")


def data_sources():
    """Where each bundled dataset comes from: one row per table with publisher, vintage,
    licence, citation, URL and the file's sha256."""
    import pandas as pd

    from cellchain.io import bundle

    return pd.DataFrame([{c: e.get(c) for c in SOURCE_COLUMNS} for e in bundle.entries()],
                        columns=list(SOURCE_COLUMNS))


@dataclass
class BuildResult:
    """The warehouse file, whether this call built it, and how long it took [s]."""

    path: Path
    built: bool
    seconds: float


def data_build(force: bool = False) -> BuildResult:
    """Build the warehouse if its inputs changed (always with ``force``)."""
    import time

    started = time.perf_counter()
    was_current = store.is_current()
    path = store.build(force=force)
    return BuildResult(path, force or not was_current, time.perf_counter() - started)


def data_path() -> Path:
    """Path of the warehouse file."""
    return store.warehouse_path()


PROBLEM_COLUMNS = ("severity", "file", "row", "field", "kind", "message", "hint", "text")


def data_validate():
    """Every problem in the bundle (hashes, schema, invariants) and the registry with any
    overlay (``severity`` ``error``), then the registry's hygiene findings (undated rows,
    duplicates, conflicting figures, listing pages cited, ...: ``warning``). One row each:
    ``file``, ``row`` (line for text files), ``field``, ``kind``, ``message``, ``hint``,
    and ``text``, the whole as one line. No ``error`` rows means the data are sound."""
    import pandas as pd

    from cellchain import validate
    from cellchain.io import hygiene, registry

    reg = registry.load()
    rows = [{"severity": "error", "file": p.file, "row": p.row, "field": p.field,
             "kind": None, "message": p.message, "hint": p.hint, "text": str(p)}
            for p in validate.validate_bundle() + reg.problems]
    rows += [{"severity": "warning", "file": f.file, "row": f.line, "field": None,
              "kind": f.kind, "message": f.message, "hint": f.hint, "text": str(f)}
             for f in hygiene.check(reg)]
    return pd.DataFrame(rows, columns=list(PROBLEM_COLUMNS))
