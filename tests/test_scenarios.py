"""Scenario files: validation with key paths, and the bundled scenarios end to end."""

import json

import pytest
from conftest import REPO

from cellchain.errors import InvalidInputError
from cellchain.optimize.reroute import Reroute
from cellchain.scenarios import load, run

SCENARIOS = REPO / "scenarios"


@pytest.fixture(scope="module")
def rr(net, base):
    return Reroute(net, base)


def _run(name, net=None, base=None, rr=None):
    scenario = load.load(SCENARIOS / f"{name}.yaml")
    if net is not None and scenario.year == net.year:
        return run.run(scenario, name, network=net, baseline=base, reroute=rr)
    return run.run(scenario, name)


def _section(df, name):
    return df[df["section"] == name]


def test_every_bundled_scenario_has_the_four_sections_and_a_user_description(net, base, rr):
    for name in load.bundled():
        scenario = load.load(SCENARIOS / f"{name}.yaml")
        assert scenario.description and "Acceptance question" not in scenario.description
        df, summary = _run(name, net, base, rr)
        assert summary["status"] == "optimal", name
        assert {"supply", "capacity"} <= set(df["section"]), name


def test_fta_only_gives_a_served_share_per_stage_and_the_bottleneck(net, base, rr):
    df, summary = _run("us_fta_only", net, base, rr)
    supply = _section(df, "supply")
    usa = supply[(supply.market == "USA") & (supply["product"] == "cells")].iloc[0]
    assert 0 < usa["unserved_share"] < 1
    others = supply[(supply.market != "USA") & (supply["product"] == "cells")]
    assert (others["unserved_share"] == 0).all()
    neck = _section(df, "bottleneck")
    assert set(neck["stage"]) == {"mining", "refining", "materials", "cells"}
    assert neck["served_share"].between(0, 1).all()
    text = neck["text"].dropna().tolist()
    assert len(text) == 1 and "tightest stage" in text[0] and "USA" in text[0]
    tight = neck.loc[neck["served_share"].idxmin()]
    assert tight["product"] in text[0]


def test_no_covered_entities_serves_the_us_only_from_non_covered_supply(net, base, rr):
    df, _ = _run("us_no_covered_entities", net, base, rr)
    usa = _section(df, "supply")
    usa = usa[usa.market == "USA"]
    cells = usa[usa["product"] == "cells"].iloc[0]
    assert 0 < cells["scenario_served"] < cells["baseline_served"]
    # cells and their cathode come from nowhere covered; everything is traced
    for product in ("cells", "cathode", "lithium_chemicals"):
        row = usa[usa["product"] == product].iloc[0]
        assert row["covered_share_scenario"] == pytest.approx(0.0, abs=1e-9), product
    assert _section(df, "bottleneck")["text"].notna().sum() == 1


def test_unknown_owners_counted_as_covered_give_the_lower_bound(net, base, rr):
    """The strict reading counts country totals (owners unknown) as covered: it can only
    serve less, and on the bundled data it serves less (cobalt refining outside named
    plants, e.g. Zambia's and Japan's country totals, no longer complies)."""
    def served(name):
        df, _ = _run(name, net, base, rr)
        usa = _section(df, "supply")
        return usa[(usa.market == "USA") & (usa["product"] == "cells")].iloc[0], df

    upper, _ = served("us_no_covered_entities")
    lower, df = served("us_no_covered_entities_strict")
    assert 0 < lower["scenario_served"] < upper["scenario_served"]
    assert lower["scenario_served"] / lower["baseline_served"] == pytest.approx(0.21, abs=0.01)
    assert upper["scenario_served"] / upper["baseline_served"] == pytest.approx(0.41, abs=0.01)
    text = _section(df, "bottleneck")["text"].dropna().tolist()
    assert len(text) == 1 and "cobalt_refined" in text[0]


def test_unknown_owners_accepts_only_location_or_covered(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\ndescription: y\nyear: 2024\npolicy:\n"
                   "  - no_covered_entities: {market: USA, unknown_owners: maybe}\n")
    with pytest.raises(InvalidInputError) as err:
        load.load(bad)
    assert "unknown_owners" in str(err.value) and "\n" not in str(err.value)


def test_graphite_anode_ban_keeps_every_market_served(net, base, rr):
    df, summary = _run("china_graphite_anode_ban", net, base, rr)
    supply = _section(df, "supply")
    assert (supply["unserved_share"] == 0).all()
    anode = supply[(supply["product"] == "anode") & (supply.market == "USA")].iloc[0]
    assert anode["covered_share_scenario"] < anode["covered_share_baseline"]


def test_rosatom_sanction_cuts_its_plants():
    df, _ = _run("sanction_rosatom")
    cap = _section(df, "capacity")
    rus = cap[(cap["by"] == "state") & (cap["group"] == "RUS")]
    assert (rus["scenario_capacity"] <= rus["baseline_capacity"] + 1e-9).all()
    cells = rus[rus["product"] == "cells"]
    assert (cells["baseline_capacity"] - cells["scenario_capacity"]).sum() >= 4.0 - 1e-9


def test_rosatom_bolivia_shows_bolivia_and_the_russian_state_share(net, base, rr):
    df, summary = _run("rosatom_bolivia", net, base, rr)
    cap = _section(df, "capacity")

    def row(product, by, group):
        r = cap[(cap["product"] == product) & (cap["by"] == by) & (cap["group"] == group)]
        return r.iloc[0]

    bol = row("lithium_chemicals", "location", "BOL")
    assert bol["scenario_capacity"] == pytest.approx(bol["baseline_capacity"] + 14_000)
    assert bol["scenario_share"] > bol["baseline_share"]
    cells = row("cells", "location", "BOL")
    assert cells["scenario_capacity"] == pytest.approx(cells["baseline_capacity"] + 1.0)
    rus = row("lithium_chemicals", "state", "RUS")
    assert rus["scenario_share"] > rus["baseline_share"]
    # every stage reports the Russian-state share before and after
    assert set(cap[(cap["by"] == "state")]["product"]) >= {"lithium_chemicals", "cells",
                                                           "cathode", "nickel_refined"}
    # the new plants do not move anything else: supply is unchanged everywhere
    supply = _section(df, "supply")
    assert (supply["scenario_served"] == supply["baseline_served"]).all()
    assert summary["largest_moves"][0]["move"].startswith("lithium_chemicals capacity")


def test_liotech_lost_does_not_improve_supply():
    df, summary = _run("liotech_lost")
    supply = _section(df, "supply")
    cells = supply[supply["product"] == "cells"]
    assert (cells["scenario_served"] <= cells["baseline_served"] + 1e-6).all()
    assert summary["status"] == "optimal"


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
        apply.apply(load.load(f), net, str(f))
    assert needle in str(info.value) and "bad.yaml" in str(info.value)


def test_cli_scenario_run_json(cli, warehouse):
    res = cli("scenario", "run", str(SCENARIOS / "us_fta_only.yaml"), "--format", "json")
    assert res.returncode == 0, res.stderr
    rows = json.loads(res.stdout)
    assert {r["section"] for r in rows} == {"supply", "capacity", "jobs", "bottleneck"}
    supply = [r for r in rows if r["section"] == "supply"]
    assert {"market", "stage", "baseline_served", "scenario_served", "unserved_share",
            "unit", "hhi_baseline", "covered_share_scenario",
            "top_suppliers_scenario"} <= set(supply[0])
    capacity = [r for r in rows if r["section"] == "capacity"]
    assert {r["by"] for r in capacity} == {"location", "owner", "state"}


def test_cli_scenario_table_leads_with_what_changed(cli, warehouse):
    res = cli("scenario", "run", str(SCENARIOS / "rosatom_bolivia.yaml"))
    assert res.returncode == 0, res.stderr
    lines = res.stdout.splitlines()
    assert lines[1] == "largest moves:"
    assert "BOL" in "\n".join(lines[2:8]) or "RUS" in "\n".join(lines[2:8])


def test_cli_exposure_json(cli, warehouse):
    res = cli("exposure", "USA", "--year", "2024", "--format", "json")
    assert res.returncode == 0, res.stderr
    rows = json.loads(res.stdout)
    by_product = {}
    for r in rows:
        by_product[r["product"]] = by_product.get(r["product"], 0) + r["share"]
    assert all(v == pytest.approx(1.0) for v in by_product.values())
    kinds = {k.split()[0] for r in rows for k in r["basis"].split(" / ")}
    assert kinds <= {"observed", "cited", "pooled"}


def test_cli_bad_scenario_one_line(cli, tmp_path, warehouse):
    f = tmp_path / "s.yaml"
    f.write_text("name: x\nshocks:\n  - outage: {facility: nowhere}\n")
    res = cli("scenario", "run", str(f))
    assert res.returncode == 1 and "shocks[0].outage.facility" in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1
