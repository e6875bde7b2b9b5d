"""Scenario files: validation with key paths, and the bundled scenarios end to end."""

import json

import pytest
from conftest import REPO

from cellchain.errors import InvalidInputError
from cellchain.optimize.network import build_network
from cellchain.optimize.solve import FlowModel
from cellchain.scenarios import load, run

SCENARIOS = REPO / "scenarios"


@pytest.fixture(scope="module")
def net(warehouse):
    return build_network(2024)


@pytest.fixture(scope="module")
def fm(net):
    return FlowModel(net)


def _run(name, net=None, fm=None):
    scenario = load.load(SCENARIOS / f"{name}.yaml")
    if net is not None and scenario.year == net.year:
        return run.run(scenario, name, network=net, flow_model=fm)
    return run.run(scenario, name)


def test_baseline_serves_every_market_with_mass_balance(net, fm):
    from test_flow_model import mass_balance_holds

    sol = fm.solve()
    assert sum(sol.unserved.values()) == pytest.approx(0.0, abs=1e-6)
    assert mass_balance_holds(net, sol)


def test_fta_only_starves_the_us_and_names_the_bottleneck(net, fm):
    df, summary = _run("us_fta_only", net, fm)
    usa = df[(df.market == "USA") & (df["product"] == "cells")].iloc[0]
    assert usa["unserved_share"] > 0
    assert summary["bottlenecks"]["USA"][0]["ratio"] < 1
    others = df[(df.market != "USA") & (df["product"] == "cells")]
    assert (others["unserved_share"] == 0).all()


def test_no_covered_entities_lowers_the_us_covered_share(net, fm):
    df, _ = _run("us_no_covered_entities", net, fm)
    usa = df[df.market == "USA"]
    served = usa[usa["product"] == "cells"].iloc[0]
    if served["scenario_served"] > 0:
        assert (usa["covered_share_scenario"].fillna(0) <= 1e-9).all()


def test_graphite_anode_ban_moves_anode_supply_away_from_china_or_cuts_it(net, fm):
    df, summary = _run("china_graphite_anode_ban", net, fm)
    anode = df[df["product"] == "anode"]
    for _, row in anode.iterrows():
        if row.market != "CHN" and row["scenario_served"] > 0:
            assert row["covered_share_scenario"] >= 0  # traced, not crashed
    assert summary["status"] == "optimal"


def test_rosatom_sanction_cuts_its_capacity():
    df, summary = _run("sanction_rosatom")
    assert summary["capacity_change"]["cells"] <= -4.0  # Renera's Kaliningrad 4 GWh/yr


def test_rosatom_bolivia_adds_capacity(net, fm):
    df, summary = _run("rosatom_bolivia", net, fm)
    assert summary["capacity_change"]["lithium_chemicals"] == pytest.approx(14000)
    assert summary["capacity_change"]["cells"] == pytest.approx(1.0)


def test_liotech_lost_does_not_improve_supply():
    df, summary = _run("liotech_lost")
    cells = df[df["product"] == "cells"]
    assert (cells["scenario_served"] <= cells["baseline_served"] + 1e-6).all()


@pytest.mark.parametrize("text, needle", [
    ("name: x\nshocks:\n  - export_ban: {to: [USA]}\n", "shocks[0].export_ban.from: required"),
    ("name: x\nshocks:\n  - outage: {facility: a, fraction: -1}\n",
     "shocks[0].outage.fraction"),
    ("name: x\nfoo: 1\n", "foo: unknown key"),
    ("name: x\nshocks:\n  - explode: {}\n", "shocks[0].explode: unknown shock kind"),
    ("name: x\nshocks:\n  - demand_change: {market: USA, factor: -2}\n",
     "shocks[0].demand_change.factor"),
    ("name: x\nshocks: [\n", "not valid YAML"),
    ("name: x\nshocks:\n  - sanction: {entity: nobody}\n",
     "shocks[0].sanction.entity: unknown entity 'nobody'"),
    ("name: x\npolicy:\n  - bloc_only: {market: USA, bloc: narnia}\n",
     "policy[0].bloc_only.bloc: unknown bloc 'narnia'"),
    ("name: x\nshocks:\n  - capacity_change: {country: XYZ, stage: cells, factor: 2}\n",
     "shocks[0].capacity_change.country: unknown country 'XYZ'"),
])
def test_bad_scenarios_name_file_and_key_path(tmp_path, warehouse, net, text, needle):
    from cellchain.scenarios import apply

    f = tmp_path / "bad.yaml"
    f.write_text(text)
    with pytest.raises(InvalidInputError) as info:
        apply.to_changes(load.load(f), net, str(f))
    assert needle in str(info.value) and "bad.yaml" in str(info.value)


def test_cli_scenario_run_json(cli, warehouse):
    res = cli("scenario", "run", str(SCENARIOS / "us_fta_only.yaml"), "--format", "json")
    assert res.returncode == 0, res.stderr
    rows = json.loads(res.stdout)
    assert {"market", "stage", "baseline_served", "scenario_served", "unserved_share",
            "unit"} <= set(rows[0])


def test_cli_exposure_json(cli, warehouse):
    res = cli("exposure", "USA", "--year", "2024", "--format", "json")
    assert res.returncode == 0, res.stderr
    rows = json.loads(res.stdout)
    by_product = {}
    for r in rows:
        by_product[r["product"]] = by_product.get(r["product"], 0) + r["share"]
    assert all(v == pytest.approx(1.0) for v in by_product.values())
    method = {r["product"]: r["method"] for r in rows}
    assert method["lithium_chemicals"] == method["mine_graphite"] == "trade_data"
    assert method["cells"] == method["cathode"] == "flow_model"


def test_cli_bad_scenario_one_line(cli, tmp_path, warehouse):
    f = tmp_path / "s.yaml"
    f.write_text("name: x\nshocks:\n  - outage: {facility: nowhere}\n")
    res = cli("scenario", "run", str(f))
    assert res.returncode == 1 and "shocks[0].outage.facility" in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1
