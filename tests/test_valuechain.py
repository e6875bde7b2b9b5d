"""The value chain as data: demand by market and end use, chemistry mix and recipe."""

import json

import pytest

from cellchain.chain import valuechain


def test_demand_by_market_and_end_use_2024(warehouse):
    df = valuechain.demand_table(2024).set_index(["market", "end_use"])
    # IEA GEVO 2025: China 59 % of over 950 GWh of EV batteries in 2024
    assert df.loc[("CHN", "ev_all"), "value"] == pytest.approx(560.5)
    assert df.loc[("CHN", "ev_all"), "year"] == 2024
    # NEA (via ESS News): 101.13 GWh of new-type storage in China in 2024
    assert df.loc[("CHN", "storage"), "value"] == pytest.approx(101.13)
    for end_use in ("ev_all", "storage"):
        part = df.xs(end_use, level="end_use")
        assert part["value"].sum() == pytest.approx(
            {"ev_all": 950.0, "storage": 205.0}[end_use])  # the cited world totals
        assert (part["value"] >= 0).all()
    assert df["source"].str.len().min() > 0


def test_model_demand_is_the_sum_of_the_split_end_uses(warehouse):
    demand, sources = valuechain.market_demand(2024)
    table = valuechain.demand_table(2024)
    modelled = table[table["in_model"]].groupby("market")["value"].sum()
    for market, value in demand.items():
        assert value == pytest.approx(modelled.get(market, 0.0))
    assert sum(demand.values()) == pytest.approx(950.0 + 205.0)
    assert sources["ev_all:year"] == "2024"


def test_projection_scenario_is_matched_by_prefix(warehouse):
    df = valuechain.demand_table(2030, "EV Volumes").set_index(["market", "end_use"])
    assert df.loc[("CHN", "ev_all"), "value"] == pytest.approx(1096.0)
    assert df.loc[("CHN", "ev_all"), "scenario"] == "EV Volumes forecast (May 2024)"
    assert df.loc[("RoW", "ev_all"), "value"] == pytest.approx(3000 - 1096 - 806 - 762)


def test_chemistry_mix_is_one_complete_source(warehouse):
    mix, source = valuechain.chemistry_mix(2024, "CHN")
    assert sum(mix.values()) == pytest.approx(1.0, abs=valuechain.MIX_TOLERANCE)
    assert mix["LFP"] == pytest.approx(0.746)  # CABIA installed capacity, full year 2024
    assert "electriccarsnewspaper" in source
    # a lone lower bound (e.g. "LFP over 40 %") never makes a mix
    assert valuechain.chemistry_mix(2019, "USA") == ({}, None)


def test_recipe_from_the_latest_complete_composite(warehouse):
    assert valuechain.composite(2024) == "AVG2023"
    assert valuechain.composite(2021) == "AVG2020"
    r = valuechain.recipe(2024)
    # Wood Mackenzie 2023: 2,132 kt cathode, 878 kt LCE for 1,152 GWh
    assert r["cells"]["cathode"] == pytest.approx(2132 / 1152 * 1000, rel=1e-4)
    assert r["cathode"]["lithium_chemicals"] == pytest.approx(878 / 2132, rel=1e-4)
    assert "AVG2023" in valuechain.recipe_basis(2024)
    table = valuechain.recipe_table(2024)
    assert set(table["product"]) >= {"cells", "cathode", "anode"}
    assert table["sources"].str.startswith("http").all()


def test_cli_demand_and_recipe(cli, warehouse):
    res = cli("demand", "--year", "2024", "--format", "json")
    assert res.returncode == 0, res.stderr
    rows = json.loads(res.stdout)
    assert {"market", "end_use", "year", "scenario", "value", "unit", "in_model",
            "source"} <= set(rows[0])
    res = cli("recipe", "--format", "json")
    assert res.returncode == 0, res.stderr
    assert any(r["product"] == "cells" and r["input"] == "cathode"
               for r in json.loads(res.stdout))
    res = cli("demand", "--scenario", "no such outlook")
    assert res.returncode == 1
    assert res.stderr.strip().count("\n") == 0 and "scenario" in res.stderr
