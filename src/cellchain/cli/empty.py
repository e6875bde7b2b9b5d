"""Empty results are errors that say what exists.

A command never prints an empty table and exits 0: when the answer has no rows, the
command raises :class:`~cellchain.errors.NoDataError` naming what was asked and listing
what the data does have for that year (stages, countries, markets, partners).
"""

from __future__ import annotations

from cellchain.errors import NoDataError


def _listed(items, limit: int = 12) -> str:
    items = sorted({str(i) for i in items if i})
    if not items:
        return "none"
    more = f", ... ({len(items)} in all)" if len(items) > limit else ""
    return ", ".join(items[:limit]) + more


def shares(stage: str, year: int, by: str, status, product) -> NoDataError:
    """No capacity for a stage (and product) in a year: the stages and products with some."""
    from cellchain import nomenclature as nom
    from cellchain.chain import shares as shares_mod

    statuses = shares_mod.check_statuses(status)
    have = {s: {p for fac, _ in shares_mod.facility_capacities(s, year, statuses)
                for p in (fac["products"] or "").split(";")} for s in nom.STAGES}
    what = f"{stage} capacity" + (f" making {product}" if product else "")
    if product and have.get(stage):
        hint = f"Products with {stage} capacity in {year}: {_listed(have[stage])}."
    else:
        hint = f"Stages with capacity in {year}: {_listed(s for s, p in have.items() if p)}."
    if stage == "mining" and not have.get("mining"):
        hint += " Mine output by country: cellchain production --material lithium (or another)."
    return NoDataError(f"No {'/'.join(statuses)} {what} in the registry for {year} "
                       f"(by {by}).", hint)


def jobs(stage: str, country: str | None, year: int, status) -> NoDataError:
    """No plants of a stage (in a country) in a year: the countries that have some."""
    from cellchain import countries
    from cellchain.chain import model
    from cellchain.chain.shares import check_statuses

    statuses = check_statuses(status)
    have = {fac["country"] for fid, fac in model.facilities().items()
            if fac["stage"] == stage and model.status_as_of(fid, year) in statuses}
    where = f" in {countries.resolve(country)}" if country else ""
    return NoDataError(f"No {'/'.join(statuses)} {stage} plants{where} in the registry for "
                       f"{year}.", f"Countries with such plants: {_listed(have)}.")


def exposure(market: str, year: int) -> NoDataError:
    """No exposure rows for a market: the markets the flow model has demand for."""
    from cellchain.chain import valuechain
    from cellchain.years import DEFAULT_YEAR

    demand, _ = valuechain.market_demand(year)
    have = [m for m, v in demand.items() if v > 0]
    if market.upper() in have or market in have:
        return NoDataError(f"The flow model traces no supply of {market.upper()}'s "
                           f"{demand.get(market.upper(), demand.get(market, 0)):,.0f} GWh of "
                           f"{year} demand to any plant in the registry.",
                           f"Try a later year (default {DEFAULT_YEAR}).")
    return NoDataError(f"No sourced cell demand for market {market.upper()} in {year}, so "
                       "nothing to trace.", f"Markets with demand in {year}: {_listed(have)}.")


def trade(df_args: dict) -> NoDataError:
    """No trade flow for the selection: the countries that do trade those codes."""
    from cellchain import api, countries
    from cellchain.io import store

    codes = api.resolve_hs(df_args.get("hs"), df_args.get("material"), df_args.get("product"))
    year = api.check_year(df_args.get("year"), "trade")
    imp = countries.resolve(df_args["importer"]) if df_args.get("importer") else None
    exp = countries.resolve(df_args["exporter"]) if df_args.get("exporter") else None
    side = "importer" if imp else "exporter"
    marks = ", ".join("?" * len(codes))
    rows = store.query_rows(
        f"SELECT {side}, sum(value_kusd) AS v FROM trade_flows WHERE year = ? AND hs6 IN "
        f"({marks}) AND {side} IS NOT NULL GROUP BY 1 ORDER BY v DESC LIMIT 12",
        [year, *codes])
    who = " and ".join(x for x in (f"imports of {imp}" if imp else "",
                                   f"exports of {exp}" if exp else "") if x)
    return NoDataError(f"No trade in HS {'+'.join(codes)} for {who} in {year}.",
                       f"Largest {side}s of these codes in {year}: "
                       f"{', '.join(r[0] for r in rows) or 'none'}.")


def imports(material: str, country: str, year) -> NoDataError:
    """No imports of a material by a country: the largest importers."""
    from cellchain import api, countries
    from cellchain.io import store

    codes = api.resolve_hs(material=material)
    year = api.check_year(year, "trade")
    marks = ", ".join("?" * len(codes))
    rows = store.query_rows(
        f"SELECT importer FROM trade_flows WHERE year = ? AND hs6 IN ({marks}) AND importer "
        "IS NOT NULL GROUP BY 1 ORDER BY sum(quantity_t) DESC NULLS LAST LIMIT 12",
        [year, *codes])
    return NoDataError(f"No recorded imports of {material} by {countries.resolve(country)} in "
                       f"{year}.", f"Largest importers in {year}: "
                       f"{', '.join(r[0] for r in rows) or 'none'}.")
