"""The public Python API: each function returns a tidy pandas DataFrame.

The CLI is a thin layer over these functions; every figure comes from the warehouse
(:mod:`cellchain.io.store`), which is built from the bundled public data.
"""

from __future__ import annotations

from functools import cache

from cellchain import countries
from cellchain.errors import InvalidInputError, unknown
from cellchain.io import store
from cellchain.metrics import concentration

#: Ways to express lithium mine output. ``as_given`` is the source's own unit and basis.
BASES = ("as_given", "element", "lce")
TRADE_MEASURES = ("value", "quantity")


@cache
def materials() -> tuple[str, ...]:
    """Material ids with mine production data in the bundle."""
    return tuple(r[0] for r in store.query_rows(
        "SELECT DISTINCT material FROM production ORDER BY 1"))


@cache
def products() -> tuple[str, ...]:
    """Battery value-chain products that HS codes in the bundle carry."""
    return tuple(r[0] for r in store.query_rows(
        "SELECT DISTINCT product FROM hs_products WHERE product IS NOT NULL ORDER BY 1"))


@cache
def hs_codes() -> tuple[str, ...]:
    """HS6 codes with trade data in the bundle."""
    return tuple(r[0] for r in store.query_rows(
        "SELECT hs6 FROM hs_products GROUP BY 1 ORDER BY 1"))


@cache
def years(table: str) -> tuple[int, ...]:
    """Years with data in a bundle table (``production``, ``trade`` or ``governance``)."""
    if table not in ("production", "trade", "governance"):
        raise InvalidInputError(f"No year range for table {table!r}.")
    where = " WHERE quantity IS NOT NULL" if table == "production" else ""
    return tuple(r[0] for r in store.query_rows(
        f"SELECT DISTINCT year FROM {table}{where} ORDER BY 1"))


def check_year(year: int | None, table: str) -> int:
    """The year to use: ``year`` if it has data in ``table``, else the latest when None."""
    valid = years(table)
    if year is None:
        return valid[-1]
    if year not in valid:
        raise InvalidInputError(
            f"No {table} data for year {year}.",
            f"Use a year from {valid[0]} to {valid[-1]}.")
    return int(year)


def check_material(material: str) -> str:
    """A known material id (case-insensitive); UnknownValueError with suggestions otherwise."""
    key = material.strip().lower()
    if key not in materials():
        raise unknown("material", material, materials())
    return key


def _add_concentration(df, value_column: str):
    """Add ``share``, ``rank``, ``hhi`` and ``top3_share`` columns computed from one column."""
    values = df[value_column].to_numpy(dtype=float)
    df["share"] = concentration.shares(values)
    df["rank"] = range(1, len(df) + 1)
    df["hhi"] = concentration.hhi(values)
    df["top3_share"] = concentration.top_n_share(values, 3)
    return df


def production(material: str, year: int | None = None, basis: str = "as_given"):
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

    Returns
    -------
    pandas.DataFrame
        One row per producing country, largest first: ``material``, ``year``, ``country``
        (ISO3), ``country_name``, ``quantity``, ``unit``, ``share`` [0-1], ``rank``,
        ``data_flag`` (r reported, e estimated, p preliminary), ``hhi`` [0-10,000] and
        ``top3_share`` [0-1] of the whole table (the same on every row).
    """
    material = check_material(material)
    year = check_year(year, "production")
    if basis not in BASES:
        raise unknown("basis", basis, BASES)
    if basis != "as_given" and material != "lithium":
        raise InvalidInputError(
            f"Basis {basis!r} is only defined for lithium.",
            "Use --basis as_given for other materials.")
    column = {"as_given": "quantity", "element": "li_t", "lce": "lce_t"}[basis]
    df = store.query(
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
    df["year"] = df["year"].astype("int64")
    df = _add_concentration(df, "quantity")
    return df[["material", "year", "country", "country_name", "quantity", "unit", "share",
               "rank", "data_flag", "hhi", "top3_share"]]


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
        key = material.strip().lower()
        rows = store.query_rows(
            "SELECT hs6 FROM hs_products WHERE material = ? ORDER BY hs6", [key])
        if not rows:
            traded = [r[0] for r in store.query_rows(
                "SELECT DISTINCT material FROM hs_products WHERE material IS NOT NULL")]
            raise unknown("material with trade data", material, traded)
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


def risk_montecarlo(market="USA", year: int = 2024, draws: int = 10_000, seed: int = 7,
                    mode: str = "short", model=None, workers: int = 1,
                    scheduler: str | None = None):
    """Monte Carlo shortfall risk of a market (``cellchain risk montecarlo``).

    Returns a :class:`cellchain.risk.RiskResult`: ``summary`` (per market and product:
    mean, prob_shortfall, p95, p99, cvar95 [fractions of need] and the same in units) and
    ``drivers`` (countries, events, owners and plants ranked by their contribution to the
    expected cell shortfall); ``rows()`` gives both as one table with a ``section`` column.
    """
    from cellchain.risk import montecarlo

    return montecarlo(market, year=year, draws=draws, seed=seed, mode=mode, model=model,
                      workers=workers, scheduler=scheduler)
