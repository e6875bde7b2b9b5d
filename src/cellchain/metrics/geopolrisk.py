"""GeoPolRisk for every material, importing country or region and year, in one pass.

The method (Koyamparambath et al.; reference implementation ``geopolrisk-py`` 2.0.1):

    HHI_m,y      = sum_p P_p^2 / (sum_p P_p)^2          mine production P, integer-truncated
    IR_c,m,y     = sum_e Q_c,e * w_e,y / (sum_e Q_c,e + P_c)   import risk
    Score_c,m,y  = HHI_m,y * IR_c,m,y
    CF_c,m,y     = Score_c,m,y * Price_c,m,y / 0.409412948   [eq. kg-Cu/kg]
    Price_c,m,y  = sum_e V_c,e / sum_e Q_c,e                 [kUSD/t]

Q and V are BACI import quantities [t] and values [kUSD] of the material's HS codes, w is
the exporter's normalised political-stability score (0 stable .. 1 unstable) for the year,
P_c the importer's own mine production [t]. Conventions reproduced from the reference:

- production comes from the World Mining Data sheet of the material; HHI truncates each
  country's figure to an integer; a country's own production is taken as published and
  converted from kg to t only for sheets in kg (other units are used as they are);
- trade uses the material's primary and complementary HS codes summed; missing BACI
  quantities or values count as zero;
- an exporter without a score for the year gets 0.5; in a region, exporters inside the
  region get 0 (their tonnes still count in the denominator);
- where imports plus production are zero the import risk is 0; where the material's world
  production for the year is zero, or an exporter's score is marked ``None`` in the
  source (the reference cannot parse it), the reference raises, and ``computable`` is
  False here (the value shown then uses 0.5 for that exporter).

``variant="stage_consistent"`` uses only HS codes of the same stage as the production data
(mine output: ores and concentrates), so that concentration and import risk describe the
same product; materials without such codes are not computable in that variant.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np

from cellchain import caches
from cellchain.errors import InvalidInputError, UnknownValueError, unknown
from cellchain.io import store

CF_COPPER = 0.409412948  # average CF of copper for OECD countries 2017-2021 (reference)
MISSING_SCORE = 0.5
VARIANTS = ("reference", "stage_consistent")

#: EU27 as the reference defines it (names of its country table), as ISO3 codes.
EU27 = ("AUT", "BEL", "BGR", "HRV", "CYP", "CZE", "DNK", "EST", "FIN", "FRA", "DEU", "GRC",
        "HUN", "IRL", "ITA", "LVA", "LTU", "LUX", "MLT", "NLD", "POL", "PRT", "ROU", "SVK",
        "SVN", "ESP", "SWE")
BUILTIN_REGIONS = {"EU27": EU27}


# ---------------------------------------------------------------------------------------
# inputs
# ---------------------------------------------------------------------------------------
@caches.cached
def materials() -> dict[str, str]:
    """Material id -> World Mining Data reference id, for materials with trade codes."""
    rows = store.query_rows(
        "SELECT DISTINCT material, wmd_reference_id FROM hs_products "
        "WHERE material IS NOT NULL ORDER BY 1")
    return dict(rows)


@caches.cached
def years() -> tuple[int, ...]:
    """Years with production data (the method needs both production and trade)."""
    rows = store.query_rows("SELECT DISTINCT year FROM production ORDER BY 1")
    trade_years = {r[0] for r in store.query_rows("SELECT DISTINCT year FROM trade")}
    return tuple(int(r[0]) for r in rows if r[0] in trade_years)


@caches.cached
def country_codes() -> dict[str, int]:
    """ISO3 -> BACI numeric code of every importer the reference knows.

    Where BACI has a current and a former code for one ISO3 (Belgium and
    Belgium-Luxembourg, Germany and the Federal Republic, Sudan before 2011), the current
    code is used, as the reference does when given the country's name.
    """
    out: dict[str, tuple[bool, int]] = {}
    for code, name, iso3 in store.query_rows(
            "SELECT code, source_name, iso3 FROM country_codes WHERE source = 'baci'"):
        rank = ("(..." in name, int(code))
        if iso3 not in out or rank < out[iso3]:
            out[iso3] = rank
    return {iso3: rank[1] for iso3, rank in sorted(out.items())}


@caches.cached
def _trade_frame(variant: str):
    """Imports by (material, year, importer, exporter): quantity, value, score, bad mark."""
    stage_filter = "AND stage = 'mining'" if variant == "stage_consistent" else ""
    return store.query(f"""
        WITH codes AS (
            SELECT DISTINCT hs6, material FROM hs_products
            WHERE material IS NOT NULL {stage_filter}),
        flows AS (
            SELECT c.material, t.year, t.importer_code AS imp, t.exporter_code AS exp,
                   sum(coalesce(t.quantity_t, 0)) AS q, sum(coalesce(t.value_kusd, 0)) AS v
            FROM trade t JOIN codes c USING (hs6)
            WHERE t.year IN (SELECT DISTINCT year FROM production)
            GROUP BY ALL)
        SELECT f.*, g.normalized AS w, (g.missing_mark = 'None') AS bad
        FROM flows f
        LEFT JOIN governance g
          ON g.baci_code = CAST(f.exp AS VARCHAR) AND g.year = f.year
    """)


@caches.cached
def _production_frame():
    """Per (material, year): integer-truncated HHI and each country's quantity [t]."""
    prod = store.query("""
        SELECT material, year, CAST(source_code AS INTEGER) AS code, source_row,
               coalesce(quantity, 0) AS q, unit
        FROM production WHERE NOT is_aggregate
    """)
    prod["q_int"] = np.trunc(prod["q"].to_numpy())
    grp = prod.groupby(["material", "year"])
    sums = grp["q_int"].sum()
    squares = (prod["q_int"] ** 2).groupby([prod["material"], prod["year"]]).sum()
    hhi = (squares / (sums ** 2)).where(sums > 0)
    own = prod.sort_values("source_row").drop_duplicates(["material", "year", "code"])
    own = own.assign(q_t=np.where(own["unit"] == "kg", own["q"] / 1000.0, own["q"]))
    return hhi.rename("hhi"), own.set_index(["material", "year", "code"])["q_t"]


# ---------------------------------------------------------------------------------------
# the grid
# ---------------------------------------------------------------------------------------
def grid(*, materials_: Iterable[str] | None = None, countries: Iterable[str] | None = None,
         regions: Mapping[str, Iterable[str]] | None = None,
         years_: Iterable[int] | None = None, variant: str = "reference"):
    """GeoPolRisk score, import risk, HHI and CF for every combination asked.

    Parameters
    ----------
    materials_ : material ids (default: all with trade codes)
    countries : importing countries as ISO3 (default: all the reference knows)
    regions : {name: [ISO3, ...]} groups of importers (EU27 is built in by name)
    years_ : years (default: all with production and trade data)
    variant : "reference" (default) or "stage_consistent"

    Returns
    -------
    pandas.DataFrame
        ``material``, ``country`` (ISO3 or region name), ``year``, ``score``,
        ``import_risk``, ``hhi`` [0-1], ``cf`` [eq. kg-Cu/kg], ``price`` [kUSD/t],
        ``imports_t`` [t], ``production_t`` [t], ``computable`` (False where the
        reference cannot compute the combination).
    """
    import pandas as pd

    if variant not in VARIANTS:
        raise unknown("GeoPolRisk variant", variant, VARIANTS)
    mats = _check_materials(materials_)
    yrs = _check_years(years_)
    codes = country_codes()
    importers: dict[str, tuple[int, ...]] = {}
    for iso3 in (codes if countries is None else countries):
        iso3 = _check_country(iso3)
        importers[iso3] = (codes[iso3],)
    for name, members in (regions or {}).items():
        importers[name] = tuple(codes[_check_country(m, region=name)] for m in members)

    trade = _trade_frame(variant)
    trade = trade[trade["material"].isin(mats) & trade["year"].isin(yrs)]
    hhi, own = _production_frame()

    # one row per (importer group, member code) so regions and countries share the maths
    members = pd.DataFrame([(name, code) for name, cs in importers.items() for code in cs],
                           columns=["group", "imp"])
    flows = trade.merge(members, on="imp")
    in_group = pd.Series(list(zip(flows["group"], flows["exp"], strict=True))).isin(
        {(g, c) for g, cs in importers.items() for c in cs}).to_numpy()
    w = flows["w"].fillna(MISSING_SCORE).to_numpy()
    w = np.where(in_group, 0.0, w)
    flows = flows.assign(num=flows["q"].to_numpy() * w,
                         bad=flows["bad"].fillna(False).astype(bool) & ~in_group)
    agg = flows.groupby(["material", "year", "group"]).agg(
        num=("num", "sum"), tot=("q", "sum"), val=("v", "sum"), bad=("bad", "any"))

    idx = pd.MultiIndex.from_product([mats, yrs, list(importers)],
                                     names=["material", "year", "group"])
    out = agg.reindex(idx).reset_index()
    out[["num", "tot", "val"]] = out[["num", "tot", "val"]].fillna(0.0)
    out["bad"] = out["bad"].fillna(False).astype(bool)
    prod_rows = pd.DataFrame([(m, y, g, code) for m in mats for y in yrs
                              for g, cs in importers.items() for code in cs],
                             columns=["material", "year", "group", "code"])
    prod_rows["p"] = own.reindex(
        pd.MultiIndex.from_frame(prod_rows[["material", "year", "code"]])).fillna(0.0).to_numpy()
    out = out.merge(prod_rows.groupby(["material", "year", "group"], as_index=False)["p"].sum(),
                    on=["material", "year", "group"])
    out["hhi"] = hhi.reindex(pd.MultiIndex.from_frame(out[["material", "year"]])).to_numpy()

    denom = out["tot"].to_numpy() + out["p"].to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        ir = np.where(denom > 0, out["num"].to_numpy() / denom, 0.0)
        price = np.where(out["tot"].to_numpy() > 0, out["val"].to_numpy() / out["tot"].to_numpy(),
                         0.0)
    score = out["hhi"].to_numpy() * ir
    result = pd.DataFrame({
        "material": out["material"], "country": out["group"], "year": out["year"].astype(int),
        "score": score, "import_risk": ir, "hhi": out["hhi"], "cf": score * price / CF_COPPER,
        "price": price, "imports_t": out["tot"], "production_t": out["p"],
        "computable": out["hhi"].notna().to_numpy() & ~out["bad"].to_numpy(),
    })
    if variant == "stage_consistent":
        has_codes = set(trade["material"])
        result.loc[~result["material"].isin(has_codes), "computable"] = False
    return result.sort_values(["material", "country", "year"], ignore_index=True)


def _check_materials(mats) -> list[str]:
    known = materials()
    if mats is None:
        return sorted(known)
    from cellchain import names

    return [names.material(m, known, known) for m in mats]


def _check_years(yrs) -> list[int]:
    valid = years()
    if yrs is None:
        return list(valid)
    out = []
    for y in yrs:
        if int(y) not in valid:
            raise InvalidInputError(f"No GeoPolRisk data for year {y}.",
                                    f"Use a year from {valid[0]} to {valid[-1]}.")
        out.append(int(y))
    return out


def _check_country(value: str, region: str | None = None) -> str:
    from cellchain import countries

    try:
        iso3 = countries.resolve(value)
    except UnknownValueError as exc:
        if region is None:
            raise
        raise UnknownValueError(f"Unknown country {value!r} in region {region!r}.",
                                exc.hint) from None
    if iso3 not in country_codes():
        where = f" in region {region!r}" if region else ""
        raise unknown(f"importing country{where}", value, country_codes())
    return iso3


#: Largest regions file read [bytes]; a real one is a few hundred bytes.
MAX_REGIONS_BYTES = 1 << 20


def read_regions(path) -> dict[str, list[str]]:
    """Regions from a text file: one ``NAME: ISO3, ISO3, ...`` per line (# comments).

    Unknown codes are reported with the file and line.
    """
    from pathlib import Path

    from cellchain import countries
    from cellchain.io import files

    regions: dict[str, list[str]] = {}
    p = Path(path)
    lines = files.read_text(p, "regions file", MAX_REGIONS_BYTES).splitlines()
    for number, line in enumerate(lines, start=1):
        text = line.split("#", 1)[0].strip()
        if not text:
            continue
        if ":" not in text:
            raise InvalidInputError(f"{p}, line {number}: expected 'NAME: ISO3, ISO3, ...'.",
                                    "Separate the region name and members with a colon.")
        name, rest = (s.strip() for s in text.split(":", 1))
        members = [m.strip() for m in rest.split(",") if m.strip()]
        if not name or not members:
            raise InvalidInputError(f"{p}, line {number}: a region needs a name and members.",
                                    "Write e.g. 'Andean: BOL, CHL, PER'.")
        if name in regions:
            raise InvalidInputError(f"{p}, line {number}: region {name!r} is defined twice.",
                                    "Give each region one line.")
        for m in members:
            try:
                iso3 = countries.resolve(m)
            except Exception:
                raise InvalidInputError(f"{p}, line {number}: unknown country code {m!r}.",
                                        "Use ISO 3166 alpha-3 codes.") from None
            if iso3 not in country_codes():
                raise InvalidInputError(
                    f"{p}, line {number}: {m!r} has no trade data as an importer.",
                    "Use countries of the BACI country list.")
        regions[name] = members
    return regions
