"""The value chain as data: demand by market and end use, chemistry mix and recipe."""

import json

import pytest

from cellchain.chain import valuechain


def test_demand_by_market_and_end_use_2024(warehouse):
    df = valuechain.demand_table(2024).set_index(["market", "end_use"])
    # IEA GEVO 2025 data explorer, China 2024: cars 490 + vans 28 + buses 8.6 + trucks 20
    # + 2/3-wheelers 22 GWh (the GEVO text: China about 60 % of over 950 GWh)
    assert df.loc[("CHN", "ev_all"), "value"] == pytest.approx(568.6)
    assert df.loc[("CHN", "ev_all"), "year"] == 2024
    assert df.loc[("CHN", "ev_car"), "value"] == pytest.approx(490.0)
    assert df.loc[("IND", "ev_all"), "value"] == pytest.approx(11.14)
    # NEA (via ESS News): 101.13 GWh of new-type storage in China in 2024
    assert df.loc[("CHN", "storage"), "value"] == pytest.approx(101.13)
    for end_use, world in (("ev_all", 953.0), ("ev_bus_truck", 39.0), ("storage", 205.0)):
        part = df.xs(end_use, level="end_use")
        assert part.loc["WLD", "value"] == pytest.approx(world)
        assert part.drop("WLD")["value"].sum() == pytest.approx(world)
        assert (part["value"].dropna() >= 0).all()
    assert df["source"].str.len().min() > 0
    # a market without a sourced figure has no value: the model counts it in RoW
    assert df.loc[("JPN", "ev_all"), "source"].startswith("not sourced")
    assert df.loc[("JPN", "ev_all"), "value"] != df.loc[("JPN", "ev_all"), "value"]  # NaN


def test_demand_rows_show_how_far_sources_differ(warehouse):
    df = valuechain.demand_table(2024).set_index(["market", "end_use"])
    storage = df.loc[("WLD", "storage")]
    # Rho Motion 205 (shown), InfoLink 175.4 installations, SNE Research 307 cell demand
    assert storage["estimates"] >= 3
    assert storage["low"] == pytest.approx(175.4)
    assert storage["high"] == pytest.approx(307.0)
    assert storage["low"] <= storage["value"] <= storage["high"]
    assert df.loc[("RoW", "storage"), "estimates"] == 0  # a remainder, not a source


def test_projection_split_keeps_to_one_scenario(warehouse):
    df = valuechain.demand_table(2030, "IEA").set_index(["market", "end_use"])
    ev = df.xs("ev_all", level="end_use")
    # IEA GEVO 2025, STEPS 2030: the data explorer's modes summed (world 2,600 GWh cars
    # + 629 GWh other modes), and China just under half of "more than 3 TWh" in its text
    assert set(ev["scenario"]) == {"IEA STEPS (GEVO2025)"}
    assert ev.loc["WLD", "value"] == pytest.approx(3229.0)
    assert ev.loc["CHN", "value"] == pytest.approx(1500.0)
    assert ev.loc["USA", "value"] == pytest.approx(289.11)
    assert ev.drop("WLD")["value"].sum() == pytest.approx(3229.0)


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
