"""Scenarios in any flow-model year (to 2030): a projected year (after the as-of year
2026) runs on the pipeline's expected capacities and a named demand projection; a year up
to 2026 is built exactly as before."""

from __future__ import annotations

import pandas as pd
import pytest

from cellchain.errors import DataError, InvalidInputError, UnknownValueError
from cellchain.network import baseline, checks
from cellchain.network.build import build_network
from cellchain.network.products import PRODUCTS
from cellchain.scenarios import load, run

#: IEA Global EV Outlook 2025 data explorer, STEPS 2030 (registry/demand.csv): USA 289.11,
#: Europe 794.4 (standing for the EU27), China 1,500, India 87.6, world 3,229 GWh.
GEVO2025_2030 = {"USA": 289.11, "EU27": 794.4, "CHN": 1500.0, "IND": 87.6}


@pytest.fixture(scope="module")
def net2030(warehouse):
    return build_network(2030)


def test_a_2030_network_holds_the_pipelines_expected_capacity(net2030):
    from cellchain.chain import model
    from cellchain.pipeline import expected_capacity

    assert net2030.basis == "expected"
    plants = net2030.plants[net2030.plants["kind"] == "plant"].set_index("facility")
    # CATL Debrecen (HUN): under construction at the end of 2026, 40 GWh/yr announced;
    # construction counts 0.9 by default, so 36 GWh/yr expected in 2030
    assert model.status_as_of("catl-debrecen", 2026) == "construction"
    assert plants.loc["catl-debrecen", "nameplate"] == pytest.approx(36.0)
    assert "catl-debrecen" not in set(build_network(2024).plants["facility"])
    table = expected_capacity(2030, stage="cells").set_index("facility")
    for fid in ("blueoval-sk-tennessee", "aesc-bowling-green", "gotion-manteno"):
        assert plants.loc[fid, "nameplate"] == pytest.approx(table.loc[fid, "capacity"])
    low = build_network(2030, "low").plants.set_index("facility")
    assert low.loc["catl-debrecen", "nameplate"] == pytest.approx(40.0)


def test_a_2030_network_carries_the_projections_demand(net2030):
    for market, value in GEVO2025_2030.items():
        assert net2030.demand[market] == pytest.approx(value)
    assert sum(net2030.demand.values()) == pytest.approx(3229.0)
    assert net2030.sources["demand projection"].startswith("IEA STEPS (GEVO2025), 2030")
    for key in ("capacity basis", "trade pattern", "mine output"):
        assert key in net2030.sources
    assert "expected capacity" in net2030.sources["capacity basis"]
    # the GEVO 2024 STEPS gives only a world figure for 2030: no regional split, refused
    with pytest.raises(DataError, match="world only"):
        build_network(2030, demand="IEA STEPS (GEVO2024)")


def test_a_2030_baseline_keeps_the_invariants(net2030):
    base = baseline.build(net2030)
    out = {p: net2030.output[p] for p in PRODUCTS}
    use = {p: baseline.use_of(net2030, p) for p in PRODUCTS}
    assert checks.mass_balance(base.flows, out, use, strict=True) == []
    for p in PRODUCTS:  # capacity never below output, mines included
        assert (net2030.capacity[p] >= net2030.output[p] * (1 - 1e-9) - 1e-9).all(), p
    # no registry flow cites 2030: every bilateral flow is observed (BACI) or pooled
    assert set(base.table()["basis"]) <= {"observed", "pooled"}


def test_exposure_in_a_projected_year_sums_to_one(warehouse):
    from cellchain import api

    df = api.exposure("USA", year=2030)
    sums = df.groupby("product")["share"].sum()
    assert sums.to_numpy() == pytest.approx(1.0)
    assert df["basis"].str.startswith("projected: ").all()
    assert not api.exposure("USA", year=2024)["basis"].str.startswith("projected").any()


def test_a_year_up_to_2026_is_built_exactly_as_before(warehouse):
    from cellchain.chain import valuechain

    scenario = load.parse({"name": "t", "year": 2024})
    net = run.scenario_network(scenario)
    assert net.basis == "reported"
    demand, _ = valuechain.market_demand(2024)
    assert net.demand == demand
    again = build_network(2024, "reported")
    pd.testing.assert_frame_equal(net.plants, again.plants)
    assert "capacity basis" not in net.sources


def test_the_2030_fta_scenario_runs_on_2030_capacity_and_demand(warehouse):
    from cellchain import api

    result = api.scenario_run("us_fta_only_2030")
    assert result.year == 2030 and result.summary["capacity_basis"] == "expected"
    assert result.summary["projected"] is True
    supply = result.section("supply").set_index(["market", "product"])
    assert supply.loc[("USA", "cells"), "baseline_served"] == pytest.approx(289.11)
    assert supply.loc[("USA", "cells"), "scenario_served"] < 289.11
    text = result.bottlenecks["text"].dropna().iloc[0]
    assert "of its 289 GWh" in text
    # the 2024 question is unchanged: 2024 demand, reported capacity
    old = api.scenario_run("us_fta_only")
    assert old.summary["capacity_basis"] == "reported" and old.summary["projected"] is False


def test_jobs_in_a_projected_year_use_its_plants_and_say_how(warehouse):
    from cellchain import api

    jobs = api.scenario_run("rosatom_bolivia_2030").jobs.set_index(["country", "stage"])
    # the what-if factory has no jobs figure: the registry's median per GWh, estimated
    bol = jobs.loc[("BOL", "cells")]
    assert pd.isna(bol["jobs_baseline"]) and bol["jobs_scenario"] > 0
    assert "estimated" in bol["jobs_basis"]
    # German cell plants without a figure take the JRC's 140 jobs per GWh/yr (EU)
    assert "140 jobs per GWh/yr" in jobs.loc[("DEU", "cells"), "jobs_basis"]
    assert jobs.loc[("DEU", "cells"), "jobs_basis"].startswith("expected")


def test_a_plants_own_jobs_count_with_its_chance_of_being_built(warehouse):
    from cellchain import api

    # Gotion Manteno (USA): 2,600 jobs and USD 2,000 million (registry), under construction,
    # so it counts 0.9 in 2030: losing it takes 2,340 jobs and USD 1,800 million
    s = load.parse({"name": "t", "year": 2030,
                    "shocks": [{"outage": {"facility": "gotion-manteno"}}]})
    row = api.scenario_run(s).jobs.set_index(["country", "stage"]).loc[("USA", "cells")]
    assert row["jobs_baseline"] - row["jobs_scenario"] == pytest.approx(0.9 * 2600)
    assert row["capex_baseline_musd"] - row["capex_scenario_musd"] == pytest.approx(
        0.9 * 2000)


def test_projection_keys_are_checked(warehouse):
    s = load.parse({"name": "t", "year": 2030, "demand": {"projection": "IEA STEPS (GEVO2025)"},
                    "capacity": "low"})
    assert s.demand.projection == "IEA STEPS (GEVO2025)" and s.capacity == "low"
    with pytest.raises(InvalidInputError, match="Unknown demand projection 'nope'"):
        load.parse({"name": "t", "year": 2030, "demand": {"projection": "nope"}})
    with pytest.raises(InvalidInputError, match="applies to a projected year"):
        load.parse({"name": "t", "year": 2026, "capacity": "expected"})
    for year in (2036, 2031, 2020, 2010):
        with pytest.raises(InvalidInputError, match=r"year: The flow model has no year "
                           rf"{year}: .* Hint: Use 2021–2030"):
            load.parse({"name": "t", "year": year})
    with pytest.raises(UnknownValueError):
        build_network(2030, "hoped")
    with pytest.raises(InvalidInputError, match="starts in 2026"):
        build_network(2024, "expected")


def test_report_and_dashboard_run_a_projected_scenario_on_its_own_network(warehouse):
    from cellchain.report import content

    s = load.load(load.find_bundled("us_fta_only_2030"))
    result = content.scenario_result(s, "us_fta_only_2030", "USA")
    assert result["year"] == 2030 and "of its 289 GWh" in result["bottleneck_text"][0]
    low = load.parse({"name": "t", "year": 2030, "capacity": "low"})
    net, _, _ = content._network(low.year, low.capacity, None)
    assert net.basis == "low"


@pytest.mark.parametrize("year", [2027, 2030])
@pytest.mark.parametrize("basis", ["expected", "low", "announced"])
def test_projected_baselines_balance_on_every_basis(warehouse, year, basis):
    net = build_network(year, basis)
    base = baseline.build(net)
    out = {p: net.output[p] for p in PRODUCTS}
    use = {p: baseline.use_of(net, p) for p in PRODUCTS}
    assert checks.mass_balance(base.flows, out, use, strict=True) == []
    assert net.output["cells"].sum() == pytest.approx(sum(net.demand.values()))
    # 2027 lies between the 2024 actuals and the 2030 projection: interpolated
    if year == 2027:
        assert net.sources["ev_all:USA"].startswith("interpolated between 2024 and 2030")


def test_more_certain_bases_never_hold_more_capacity(warehouse):
    named = {b: build_network(2030, b).plants.query("kind == 'plant'")
             .groupby("product")["nameplate"].sum() for b in ("low", "expected", "announced")}
    for p in named["announced"].index:
        assert named["low"].get(p, 0.0) <= named["announced"][p] + 1e-9
        assert named["expected"].get(p, 0.0) <= named["announced"][p] + 1e-9


def test_rosatom_bolivia_2030_adds_its_plants_to_2030_capacity(warehouse):
    from cellchain import api

    cap = api.scenario_run("rosatom_bolivia_2030").capacity_change
    loc = cap[cap["by"] == "location"].set_index(["product", "group"])
    bol = loc.loc[("lithium_chemicals", "BOL")]
    # the what-if plant's 14,000 t/yr LCE on top of Bolivia's expected 2030 capacity
    assert bol["scenario_capacity"] - bol["baseline_capacity"] == pytest.approx(14000.0)
    assert bol["scenario_share"] > bol["baseline_share"]
    assert loc.loc[("cells", "BOL"), "scenario_capacity"] == pytest.approx(1.0)
    state = cap[cap["by"] == "state"].set_index(["product", "group"])
    rus = state.loc[("lithium_chemicals", "RUS")]
    assert rus["scenario_share"] > rus["baseline_share"]
