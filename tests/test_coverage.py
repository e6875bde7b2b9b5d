"""Registry coverage against totals and rankings the registry itself cites (issue: registry).

Each threshold is the registry's promise to its users: how much of the real industry the
named plants explain. The cited world total, the maker ranking and the country totals are
registry rows with their own sources, so a test failure means either a plant went missing
or a cited figure changed.
"""

from collections import Counter

import pytest

from cellchain.chain import describe, model, shares


def _plants(stage: str, product: str) -> list[dict]:
    return [f for f in model.tables()["facilities"]
            if f["stage"] == stage and product in (f["products"] or "").split(";")]


def test_cell_plants_number_at_least_80(warehouse):
    assert len(_plants("cells", "cells")) >= 80


def test_named_cell_plants_explain_70_percent_of_2024_world_capacity(warehouse):
    cited = model.world_total("cells", "GWh/yr", 2024)
    assert cited["value"] == 3000 and cited["source_url"].startswith("https://")
    named = sum(cap.value for _, cap in shares.facility_capacities("cells", 2024))
    assert named / cited["value"] >= 0.70
    df = shares.shares("cells", 2024, "location")
    assert df["coverage"].iloc[0] == pytest.approx(named / cited["value"])
    # the rest sits in per-country "other / unattributed" rows that add up to the total
    assert df["capacity"].sum() == pytest.approx(cited["value"])


def test_main_sites_of_the_ten_largest_makers(warehouse):
    ranking = sorted((r for r in model.tables()["rankings"] if r["year"] == 2023),
                     key=lambda r: r["rank"])
    makers = [r["entity"] for r in ranking[:10]]
    assert makers[:3] == ["catl", "byd", "lg-energy-solution"]  # SNE Research 2023
    g = model.graph()
    operating = {f["id"]: cap.value for f, cap in shares.facility_capacities("cells", 2024)}
    for maker in makers:
        held = {fid: cap for fid, cap in operating.items()
                if describe.held_share(g, maker, fid, 2024) > 0}
        assert held, f"{maker} has no operating cell plant with a 2024 capacity"
    for big in ("catl", "byd"):
        held = [fid for fid in operating if describe.held_share(g, big, fid, 2024) > 0]
        assert len(held) >= 10, big


@pytest.mark.parametrize("stage, product, minimum", [
    ("refining", "lithium_chemicals", 25),
    ("materials", "cathode", 25),
    ("materials", "anode", 20),
])
def test_materials_and_lithium_plants(warehouse, stage, product, minimum):
    plants = _plants(stage, product)
    assert len(plants) >= minimum
    assert all(p["source_url"] and p["confidence"] for p in plants)


@pytest.mark.parametrize("product, unit", [("nickel", "t Ni"), ("cobalt", "t Co")])
def test_nickel_and_cobalt_refining_by_country_with_sourced_totals(warehouse, product,
                                                                     unit):
    """Refined nickel and cobalt are covered by country: cited country totals that
    explain at least 70 % of a cited world total of the same year and measure."""
    rows = [r for r in model.tables()["country_totals"]
            if r["stage"] == "refining" and r["product"] == product and r["unit"] == unit
            and r["measure"] == "production" and r["year"]]
    assert all(r["source_url"].startswith("http") for r in rows)
    best = 0.0
    for world in (r for r in rows if r["country"] == "WLD"):
        countries = {r["country"]: r["value"] for r in rows
                     if r["country"] != "WLD" and r["year"] == world["year"]}
        best = max(best, sum(countries.values()) / world["value"])
    assert best >= 0.70, f"cited {product} refining countries explain {best:.0%}"


def test_pipeline_to_2030_has_status_and_dates(warehouse):
    rows = [r for r in model.tables()["status"]
            if r["status"] in ("announced", "construction", "considered")]
    by_status = Counter(r["status"] for r in rows)
    assert by_status["construction"] >= 20 and by_status["announced"] >= 20
    assert by_status["considered"] >= 1  # e.g. Rosatom's possible Bolivian cell plant
    planned = [r for r in model.tables()["capacity"]
               if r["basis"] in ("planned", "target") and r["year"]
               and 2025 <= r["year"] <= 2030]
    assert len(planned) >= 50
    # projects still in the pipeline carry a date: when their status began, or the year
    # their planned capacity is due (a few sources give neither; their notes say so)
    dated = {r["facility"] for r in rows if r["date"]} | {r["facility"] for r in planned}
    pipeline = {f["id"] for f in model.tables()["facilities"]
                if model.status_as_of(f["id"], 2025) in ("announced", "construction")}
    assert len(pipeline) >= 100
    assert len(pipeline & dated) / len(pipeline) >= 0.9
