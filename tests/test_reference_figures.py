"""The tool's answers against published headline figures (tests/reference_figures.csv).

Each row of the table is a figure a named publisher printed (stage shares by country,
world totals, demand by region, trade shares), with its source URL, the date it was read
and a tolerance (``abs_pp``: percentage points; ``rel``: a fraction of the figure). The
test computes the same quantity with cellchain's public functions and compares.

A row whose ``notes`` begin with ``not reached:`` is a published figure the public data
in the registry cannot reproduce yet; the notes say why. The test asserts that the gap
is still there, so the row is revisited as soon as the data closes it.

How each row is read (columns ``stage``, ``measure``, ``unit``):

- a stage (cells, refining, materials, mining) and ``measure`` ``share``: the country's
  share in ``shares(stage, year, by, product=..., measure=...)``, ``by`` owner when the
  unit says "by owner", else by location; capacity or production as the unit says;
- ``capacity`` or ``production`` for ``WLD``: the total of that table; for an ISO3 code
  the country's row; for an entity id (lowercase) the capacity the company holds (its
  equity along the ownership chain, as ``entity show`` counts it); a published figure in
  a registry unit (t Li, GWh, ...) is first converted to the table's unit;
- ``top3_share``: the table's top-3 share;
- ``capacity_abroad``: capacity owned by the country's firms in plants outside it;
- ``demand`` (stage demand): the market's ``ev_all`` demand in ``demand_table``; a
  demand ``share`` is that over the world's;
- stage ``trade``: ``country`` is ``EXPORTER>IMPORTER``; the figure with the same
  measure and unit among the flows :func:`cellchain.chain.flows.cited` lists;
- stage ``pipeline`` (default weights, :func:`cellchain.pipeline.pipeline` for the market
  ``country``, ``WLD`` the world, and the year): ``announced_capacity``; ``low_share``
  (operating plus under construction or committed / announced); ``announced_coverage``
  and ``low_coverage`` (announced, or the low band, / the default projection's demand).
"""

from __future__ import annotations

import csv

import pytest
from conftest import REPO

TABLE = REPO / "tests" / "reference_figures.csv"
COLUMNS = ["id", "figure", "stage", "product", "country", "year", "measure", "value", "unit",
           "tolerance", "tolerance_kind", "source_url", "seen", "notes"]
#: The stages, products and years the issue's "done when" names (IEA and others).
DONE_WHEN = [("cells", "cells"), ("materials", "cathode"), ("materials", "anode"),
             ("refining", "lithium_chemicals"), ("refining", "nickel"),
             ("refining", "cobalt")]


def _rows() -> list[dict]:
    with open(TABLE, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


ROWS = _rows()


def test_table_is_complete_and_sourced():
    assert len(ROWS) >= 20
    assert list(ROWS[0]) == COLUMNS
    ids = [r["id"] for r in ROWS]
    assert len(ids) == len(set(ids))
    for r in ROWS:
        assert r["source_url"].startswith(("http://", "https://")), r["id"]
        assert r["tolerance_kind"] in ("abs_pp", "rel"), r["id"]
        assert float(r["tolerance"]) > 0 and r["seen"], r["id"]


def test_done_when_stages_are_covered_for_2023_and_2024():
    covered = {(r["stage"], r["product"], int(r["year"])) for r in ROWS
               if r["measure"] == "share" and r["stage"] != "mining"
               and "owner" not in r["unit"]}
    for stage, product in DONE_WHEN:
        for year in (2023, 2024):
            assert (stage, product, year) in covered, (stage, product, year)


def _basis(unit: str) -> str | None:
    if "production" in unit:
        return "production"
    if "capacity" in unit:
        return "capacity"
    return None


def tool_value(r: dict) -> float:
    """What cellchain answers for the reference row ``r``."""
    from cellchain.chain import flows, model, shares, valuechain

    stage, product, country = r["stage"], r["product"], r["country"]
    year, measure, unit = int(r["year"]), r["measure"], r["unit"]
    if measure.startswith("baseline_"):  # the observed baseline (tests/test_reality.py)
        from test_reality import model_value

        return model_value(r)
    if stage == "demand":
        table = valuechain.demand_table(year)
        ev = table[(table["end_use"] == "ev_all") & (table["year"] == year)]
        by_market = dict(zip(ev["market"], ev["value"], strict=True))
        if measure == "share":
            return by_market[country] / by_market["WLD"]
        return by_market[country]
    if stage == "pipeline":
        from cellchain.pipeline import pipeline

        row = pipeline("world" if country == "WLD" else country, product, year
                       ).set_index("year").loc[year]
        return {"announced_capacity": row["announced_capacity"],
                "low_share": row["low"] / row["high"],
                "announced_coverage": row["announced_capacity"] / row["demand"],
                "low_coverage": row["low"] / row["demand"]}[measure]
    if stage == "trade":
        exporter, importer = country.split(">")
        df = flows.cited(product, importer=importer, exporter=exporter, year=year)
        hit = df[(df["measure"] == measure) & (df["unit"] == unit)]
        assert len(hit) == 1, f"{r['id']}: {len(hit)} matching flows"
        return float(hit["value"].iloc[0])
    if measure in ("capacity", "production") and country.islower():
        from cellchain.chain import describe

        g = model.graph()
        return sum(cap.value * describe.held_share(g, country, fac["id"], year)
                   for fac, cap in shares.facility_capacities(stage, year, ("operating",),
                                                              product))
    if measure == "capacity_abroad":
        g = model.graph()
        total = 0.0
        for fac, cap in shares.facility_capacities(stage, year, ("operating",), product):
            if fac["country"] == country:
                continue
            held = sum(u.share for u in g.ultimate(fac["id"], year) if u.country == country)
            total += cap.value * held
        return total
    by = "owner" if "owner" in unit else "location"
    basis = _basis(unit) or (measure if measure in ("capacity", "production") else None)
    df = shares.shares(stage, year, by, product=product,
                       measure=None if stage == "mining" else basis)
    assert len(df), f"{r['id']}: no table"
    if measure == "top3_share":
        return float(df["top3_share"].iloc[0])
    if measure == "share":
        return float(df.loc[df["group"] == country, "share"].sum())
    if country == "WLD":
        return float(df["capacity"].sum())
    return float(df.loc[df["group"] == country, "capacity"].sum())


def published(r: dict) -> float:
    """The published figure, in the unit the tool answers in where the unit converts."""
    from cellchain import units

    unit = r["unit"].split(" (")[0]
    if r["measure"] in ("capacity", "production") and unit in units.UNITS \
            and r["stage"] not in ("demand", "trade"):
        return units.to_model(float(r["value"]), unit)[0]
    return float(r["value"])


def _within(r: dict, got: float) -> bool:
    want, tol = published(r), float(r["tolerance"])
    if r["tolerance_kind"] == "abs_pp":
        return abs(100 * (got - want)) <= tol
    return abs(got - want) <= tol * abs(want)


@pytest.mark.parametrize("row", ROWS, ids=[r["id"] for r in ROWS])
def test_tool_matches_published_figure(warehouse, row):
    got = tool_value(row)
    if _not_reached(row):
        assert not _within(row, got), (
            f"{row['id']} now lands within tolerance ({got:.4g} vs {row['value']}): "
            "drop 'not reached' from its notes")
        return
    assert _within(row, got), (f"{row['id']}: cellchain gives {got:.4g}, {row['figure']} "
                               f"is {row['value']} {row['unit']} ({row['source_url']})")


#: Where the stage's unattributed remainder stays above 10 %, and why (the test asserts
#: that it still does, so the entry goes once the data closes the gap).
UNATTRIBUTED_GAPS = {
    ("refining", "nickel", 2023): "no published refined-nickel output by country beyond "
    "Indonesia and China was found (INSG's country table is not public): Japan, Russia, "
    "Canada, Norway, Finland, Australia and others are the remainder",
    ("refining", "nickel", 2024): "as for 2023",
}


def _not_reached(r: dict) -> bool:
    return r["notes"].startswith("not reached:")


@pytest.mark.parametrize("stage, product", DONE_WHEN)
@pytest.mark.parametrize("year", [2023, 2024])
def test_done_when_shares_land_within_5_points(warehouse, stage, product, year):
    """Issue 14, done when: ``cellchain shares --stage S --year Y --by location`` lands
    within 5 percentage points of a published share of the leading country (on the
    basis the figure states: capacity or production), for each stage and product in 2023
    and 2024. Where every published figure is out of reach, each says why in its notes
    (and :func:`test_tool_matches_published_figure` checks the gap is still there)."""
    from cellchain.chain import shares

    published_ = [r for r in ROWS if (r["stage"], r["product"], int(r["year"])) ==
                  (stage, product, year) and r["measure"] == "share"
                  and "owner" not in r["unit"]]
    assert published_, "no published share in tests/reference_figures.csv"
    reached = [r for r in published_ if not _not_reached(r)]
    if not reached:
        assert all(len(r["notes"]) > len("not reached: ") + 20 for r in published_)
        return
    gaps = {}
    for r in reached:
        df = shares.shares(stage, year, "location", product=product,
                           measure=_basis(r["unit"]))
        share = df.loc[df["group"] == r["country"], "share"].sum()
        gaps[r["id"]] = abs(100 * (share - float(r["value"])))
    assert max(gaps.values()) <= 5, gaps


@pytest.mark.parametrize("stage, product", DONE_WHEN)
@pytest.mark.parametrize("year", [2023, 2024])
def test_unattributed_at_most_10_percent(warehouse, stage, product, year):
    """Issue 14: at most 10 % of a stage's world figure is left unattributed (default
    basis), except where :data:`UNATTRIBUTED_GAPS` says why not."""
    from cellchain.chain import shares

    df = shares.shares(stage, year, "location", product=product)
    rest = df.loc[df["group"].map(shares.is_unattributed), "share"].sum()
    if (stage, product, year) in UNATTRIBUTED_GAPS:
        assert rest > 0.10, "the gap closed: drop it from UNATTRIBUTED_GAPS"
        name = df.loc[df["group"] == shares.UNATTRIBUTED, "group_name"].iloc[0]
        assert "no cited total for" in name
    else:
        assert rest <= 0.10, f"{rest:.1%} unattributed"
