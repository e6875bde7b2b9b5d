"""The report's and dashboard's scenario and concentration charts read as they should: what
moved, the stage that runs short first, and no owner-country HHI drawn from a few known
owners."""

import pytest

from cellchain.report import content, figures
from cellchain.scenarios.load import bundled, load

_RESULTS: dict[str, dict] = {}


def result(name: str) -> dict:
    if name not in _RESULTS:
        _RESULTS[name] = content.scenario_result(load(bundled()[name]), name, "USA")
    return _RESULTS[name]


def bars(fig: dict) -> dict[str, dict[str, float]]:
    return {t["name"]: dict(zip(t["x"], t["y"], strict=True)) for t in fig["data"]}


def test_capacity_chart_shows_only_groups_that_moved(warehouse):
    fig = figures.scenario_capacity(result("rosatom_bolivia"), "state", "t")
    base, scen = bars(fig)["baseline"], bars(fig)["scenario"]
    assert base and set(base) == set(scen)
    assert all(abs(scen[k] - base[k]) > figures.MOVED for k in base)
    # the Russian state's share of lithium chemicals rises with the Bolivian plant
    assert scen["lithium_chemicals: RUS"] > base["lithium_chemicals: RUS"]
    # unchanged stages (cathode, anode, mines) are not drawn as "largest moves"
    assert not [k for k in base if k.split(":")[0] in ("cathode", "anode", "mine_cobalt")]
    assert "lithium_chemicals: private or owner unknown" in base
    assert fig["layout"]["xaxis"]["title"]["text"] == "product: state holding the capacity"
    # the sentences say the same: "private" includes owners the registry does not know
    moves = result("rosatom_bolivia")["largest_moves"]
    assert any("capacity by state, private or owner unknown:" in m for m in moves)
    assert not any(m.split(":")[0].endswith(", private") for m in moves)


def test_capacity_chart_says_when_nothing_moved(warehouse):
    # a purchasing policy moves flows, not plants
    fig = figures.scenario_capacity(result("us_fta_only"), "location", "t")
    assert all(not t["x"] for t in fig["data"])
    assert fig["layout"]["annotations"][0]["text"] == "no capacity share moved"


def test_served_chart_shows_the_stage_that_runs_short_first(warehouse):
    res = result("us_fta_only")
    fig = figures.scenario_served(res, "USA", "t")
    series = bars(fig)
    compliant = series["compliant capacity / need (bloc_only us_fta)"]
    rows = [b for b in res["bottleneck"] if b["market"] == "USA"]
    tightest = min(rows, key=lambda b: b["served_share"])
    assert min(compliant, key=compliant.get) == f"{tightest['stage']}: {tightest['product']}"
    assert all(0 <= v <= 1 for v in compliant.values())
    # served cells carry their inputs: the scenario's served share is one number
    assert len({round(v, 9) for v in series["scenario"].values()}) == 1
    assert series["scenario"]["cells: cells"] == pytest.approx(tightest["served_share"],
                                                               abs=0.01)


def test_served_chart_without_policy_has_no_compliance_series(warehouse):
    names = [t["name"] for t in figures.scenario_served(result("rosatom_bolivia"), "USA",
                                                        "t")["data"]]
    assert names == ["baseline", "scenario"]


def test_owner_hhi_is_left_out_where_owners_are_mostly_unknown(warehouse):
    rows = content.concentration(2024)
    fig = figures.concentration_bars(rows, "t")
    owner = next(t for t in fig["data"] if t["name"].startswith("HHI by owner"))
    location = next(t for t in fig["data"] if t["name"] == "HHI by location")
    for r, label, y in zip(rows, owner["x"], owner["y"], strict=True):
        assert label.startswith(r["product"]) and r["basis"] in label
        assert 0 <= r["owner_known_share"] <= 1 + 1e-9
        if r["owner_known_share"] < figures.MIN_OWNER_KNOWN:
            assert y is None
        else:
            assert y == r["hhi_owner"]
    # China's refined cobalt is a country total with no named owners (80 % of the world)
    cobalt = next(r for r in rows if r["product"] == "cobalt_refined")
    assert cobalt["owner_known_share"] < 0.5
    assert location["y"][rows.index(cobalt)] > 5000
