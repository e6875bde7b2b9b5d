"""Capacity shares from the registry, with reconciliation to cited world totals."""

import json

import pytest

from cellchain.chain import describe, jobs, model, shares


@pytest.mark.parametrize("by", ["location", "owner", "company"])
def test_shares_sum_to_one_and_conserve_capacity(warehouse, by):
    df = shares.shares("cells", 2024, by)
    assert df["share"].sum() == pytest.approx(1.0)
    base = shares.shares("cells", 2024, "location")
    assert df["capacity"].sum() == pytest.approx(base["capacity"].sum())


@pytest.mark.parametrize("by", ["location", "owner", "bloc"])
def test_reconciliation_to_the_cited_world_total(warehouse, by):
    df = shares.shares("cells", 2024, by)
    cited = model.world_total("cells", "GWh/yr", 2024)
    assert cited["value"] == 3000  # IEA, via the registry's country_totals
    named = sum(cap.value for _, cap in shares.facility_capacities("cells", 2024))
    assert df["reconciled_capacity"].sum() == pytest.approx(3000 - named)
    assert df["coverage"].iloc[0] == pytest.approx(named / 3000)
    if by != "bloc":
        assert df["capacity"].sum() == pytest.approx(3000)


def test_country_share_times_world_total_fills_a_country(warehouse):
    # registry: China ~85 % of 2023 cell capacity (IEA) times the most confident cited
    # world total for 2023 (BNEF ~2,600 GWh/yr, medium, beats a low-confidence 2,500)
    world = model.world_total("cells", "GWh/yr", 2023)
    assert world["value"] == 2600 and world["confidence"] == "medium"
    df = shares.shares("cells", 2023, "location").set_index("group")
    assert df.loc["CHN", "capacity"] == pytest.approx(0.85 * 2600)
    assert df.loc["CHN", "reconciled_capacity"] > 0
    assert df["share"].sum() == pytest.approx(1.0)


def test_state_owned_share_counts_rosatom_plant(warehouse):
    df = shares.shares("cells", 2025, "owner", status="operating")
    assert df["state_owned_share"].iloc[0] > 0
    rosatom = describe.entity("rosatom", 2025)
    assert any(p["facility"] == "renera-kaliningrad" and p["held_share"] == 1.0
               for p in rosatom["facilities"])


def test_bloc_grouping(warehouse):
    df = shares.shares("cells", 2024, "bloc").set_index("group")
    loc = shares.shares("cells", 2024, "location").set_index("group")
    assert df.loc["covered_nations", "capacity"] == pytest.approx(
        loc.loc[["CHN"], "capacity"].sum() + loc.reindex(["RUS"])["capacity"].fillna(0).sum())


def test_jobs_reported_or_estimated(warehouse):
    df = jobs.jobs("cells", "RUS", 2025).set_index("facility")
    assert df.loc["renera-kaliningrad", "jobs"] == 900
    assert df.loc["renera-kaliningrad", "basis"].startswith("reported")
    est = jobs.jobs("cells", None, 2024)
    assert est["basis"].str.startswith("estimated").any()


def test_cli_shares_json(cli, warehouse):
    res = cli("shares", "--stage", "cells", "--year", "2024", "--by", "owner", "-f", "json")
    assert res.returncode == 0, res.stderr
    rows = json.loads(res.stdout)
    assert {"group", "capacity", "unit", "share", "hhi", "top3_share",
            "state_owned_share"} <= set(rows[0])
    assert sum(r["share"] for r in rows) == pytest.approx(1.0)


@pytest.mark.parametrize("args, needle", [
    (["shares", "--stage", "smelting"], "Unknown stage 'smelting'"),
    (["shares", "--by", "planet"], "Unknown grouping 'planet'"),
    (["shares", "--status", "dreaming"], "Unknown status 'dreaming'"),
    (["entity", "show", "nobody-at-all"], "Unknown entity"),
    (["jobs", "--country", "XYZ"], "Unknown country 'XYZ'"),
])
def test_bad_input(cli, warehouse, args, needle):
    res = cli(*args)
    assert res.returncode == 1 and needle in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1


def test_a_plant_building_a_new_phase_stays_operating(warehouse):
    """CALB Xiamen: phase 1 from Dec 2020, phase 3 groundbreaking Feb 2022; it operated
    throughout, so its capacity counts in 2024."""
    from cellchain.chain import model

    assert model.status_as_of("calb-xiamen", 2021) == "operating"
    assert model.status_as_of("calb-xiamen", 2024) == "operating"
    assert model.capacity_as_of("calb-xiamen", 2024).value == 20.0
    # Idle or closed still ends operation (Liotech: idle from April 2015, running again
    # from Sept 2016, closed in 2022).
    assert model.status_as_of("liotech-novosibirsk", 2015) == "idle"
    assert model.status_as_of("liotech-novosibirsk", 2023) == "closed"
