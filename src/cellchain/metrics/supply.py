"""Supply concentration of a material, in one signature, as tidy long tables.

``concentration(material=, year=, source=, country=)`` reports, for mine production
(``source="production"``), world exports (``"exports"``) or one country's imports
(``"imports"``):

- ``hhi`` [0-10,000] and ``top1/top3/top5_share`` [0-1] of the suppliers' shares;
- ``governance_weighted_hhi`` [0-10,000] = sum_i (100 s_i)^2 * g_i, the form used in the
  EU criticality method's supply-risk indicator, with g_i the supplier's normalised
  political instability (WGI political stability rescaled 0 stable .. 1 unstable, as the
  bundle carries it; 0.5 where missing);
- for a country: ``import_reliance`` [fraction] = (imports - exports) /
  (production + imports - exports), from BACI tonnes of the material's HS codes and World
  Mining Data production in its published unit (the same mixing of units the GeoPolRisk
  method makes; see docs).
"""

from __future__ import annotations

from cellchain import api, countries
from cellchain.errors import InvalidInputError, unknown
from cellchain.io import store
from cellchain.metrics import concentration as conc

SOURCES = ("production", "exports", "imports")


def supplier_shares(material: str, year: int, source: str = "production",
                    country: str | None = None):
    """Suppliers of a material with quantity [t or source unit], share and instability."""
    import pandas as pd

    material = api.check_material(material)
    if source not in SOURCES:
        raise unknown("concentration source", source, SOURCES)
    if source == "production":
        year = api.check_year(year, "production")
        df = api.production(material, year)[["country", "quantity", "unit"]]
    else:
        year = api.check_year(year, "trade")
        codes = api.resolve_hs(material=material)
        if source == "imports":
            if not country:
                raise InvalidInputError("Import concentration needs a country.",
                                        "Add --country ISO3.")
            iso3 = countries.resolve(country)
            where, params = "importer = ?", [iso3]
        else:
            where, params = "TRUE", []
        df = store.query(
            f"SELECT exporter AS country, sum(coalesce(quantity_t, 0)) AS quantity, "
            f"'t' AS unit FROM trade_flows WHERE year = ? AND hs6 IN "
            f"({', '.join('?' * len(codes))}) AND {where} GROUP BY 1 "
            f"HAVING sum(coalesce(quantity_t, 0)) > 0 ORDER BY 2 DESC, 1",
            [year, *codes, *params])
    gov = dict(store.query_rows("SELECT iso3, normalized FROM governance WHERE year = ?",
                                [min(year, _last_governance_year())]))
    df = df.assign(share=conc.shares(df["quantity"]) if len(df) else [],
                   instability=[gov.get(c) for c in df["country"]])
    return pd.DataFrame(df), year


def _last_governance_year() -> int:
    return int(store.query_rows("SELECT max(year) FROM governance")[0][0])


def concentration(material: str, year: int | None = None, source: str = "production",
                  country: str | None = None, by: str = "location"):
    """Concentration metrics of a material's supply as a tidy long DataFrame.

    ``by`` follows the metric signature used across cellchain; country-level mine and
    trade data only know the supplier's location, so ``"location"`` is the one choice
    (ownership views come from the registry: ``cellchain shares``).

    Returns rows ``material``, ``year``, ``source``, ``country`` (importer or empty),
    ``metric``, ``value``, ``unit``.
    """
    import pandas as pd

    if by != "location":
        raise unknown("grouping for country-level data", by, ("location",))
    shares_df, year = supplier_shares(material, year, source, country)
    q = shares_df["quantity"].to_numpy(dtype=float)
    s = shares_df["share"].to_numpy(dtype=float)
    g = shares_df["instability"].astype(float).fillna(0.5).to_numpy()
    metrics = [
        ("hhi", conc.hhi(q), "0-10000"),
        ("top1_share", conc.top_n_share(q, 1), "fraction"),
        ("top3_share", conc.top_n_share(q, 3), "fraction"),
        ("top5_share", conc.top_n_share(q, 5), "fraction"),
        ("governance_weighted_hhi", float(((100 * s) ** 2 * g).sum()), "0-10000"),
        ("suppliers", float(len(q)), "count"),
    ]
    iso3 = countries.resolve(country) if country else None
    if iso3:
        metrics.append(("import_reliance", import_reliance(material, year, iso3), "fraction"))
    return pd.DataFrame([{"material": api.check_material(material), "year": year,
                          "source": source, "country": iso3, "metric": m, "value": v,
                          "unit": u} for m, v, u in metrics])


def import_reliance(material: str, year: int, iso3: str) -> float | None:
    """(imports - exports) / (production + imports - exports) [fraction]; None if 0/0."""
    codes = api.resolve_hs(material=material)
    marks = ", ".join("?" * len(codes))
    (imports,) = store.query_rows(
        f"SELECT coalesce(sum(quantity_t), 0) FROM trade_flows WHERE year = ? AND "
        f"importer = ? AND hs6 IN ({marks})", [year, iso3, *codes])[0]
    (exports,) = store.query_rows(
        f"SELECT coalesce(sum(quantity_t), 0) FROM trade_flows WHERE year = ? AND "
        f"exporter = ? AND hs6 IN ({marks})", [year, iso3, *codes])[0]
    rows = store.query_rows(
        "SELECT coalesce(sum(quantity), 0) FROM production WHERE material = ? AND year = ? "
        "AND iso3 = ? AND NOT is_aggregate", [material, year, iso3])
    production = rows[0][0] if rows else 0.0
    consumption = production + imports - exports
    return None if consumption == 0 else (imports - exports) / consumption
