"""Acceptance question 3: the Liotech cell plant near Novosibirsk, fully explained."""

import json

import pytest

from cellchain.chain import describe


@pytest.fixture(scope="module")
def y2011(warehouse):
    return describe.facility("liotech-novosibirsk", 2011)


@pytest.fixture(scope="module")
def y2015(warehouse):
    return describe.facility("liotech-novosibirsk", 2015)


def test_joint_venture_of_thunder_sky_and_rusnano_when_it_opened(y2011):
    assert y2011["status"] == "operating"
    ultimate = {u["owner"]: u for u in y2011["ultimate_owners"]}
    assert set(ultimate) == {"gov-rus", "thunder-sky"}
    assert ultimate["thunder-sky"]["country"] == "CHN"
    assert ultimate["thunder-sky"]["share"] == pytest.approx(0.5)
    assert "rusnano" in ultimate["gov-rus"]["chain"]


def test_rusnano_alone_later(y2015):
    ultimate = {u["owner"]: u["share"] for u in y2015["ultimate_owners"]}
    assert ultimate == {"gov-rus": pytest.approx(1.0)}
    history_owners = {h["owner"] for h in y2015["ownership_history"]}
    assert {"liotech", "liotech-innovatsii"} <= history_owners


def test_state_backed_and_covered_with_reasons(y2011, y2015):
    assert y2011["state_backed"] and y2011["state_owners"] == {"RUS": pytest.approx(0.5)}
    assert y2015["state_owned_share"] == pytest.approx(1.0)
    for doc in (y2011, y2015):
        cov = doc["covered_entity"]
        assert cov["covered"] and cov["government"] == "RUS"
        assert any("rusnano" in r for r in cov["reasons"])
        assert "89 FR 37079" in cov["rule"]


def test_what_it_makes_and_for_whom(y2011):
    assert y2011["chemistry"] == ["LFP"] and y2011["stage"] == "cells"
    assert {"ev_bus_truck", "ev_car", "storage", "backup_power"} <= set(y2011["end_uses"])
    assert y2011["jobs"] == 500
    assert y2011["location"]["country"] == "RUS"
    assert all(s.startswith("http") for s in y2011["sources"])


def test_status_history_is_dated(y2015):
    statuses = [(s["status"], s["date"]) for s in y2015["status_history"]]
    assert ("operating", "2011-12-08") in statuses and ("closed", "2022") in statuses


def test_cli_facility_show_json(cli, warehouse):
    res = cli("facility", "show", "Liotech", "--year", "2011", "--format", "json")
    assert res.returncode == 0, res.stderr
    doc = json.loads(res.stdout)
    assert doc["id"] == "liotech-novosibirsk" and doc["covered_entity"]["covered"]


def test_unknown_facility_suggests(cli, warehouse):
    res = cli("facility", "show", "liotech-novosibrsk")
    assert res.returncode == 1 and "Did you mean: liotech-novosibirsk" in res.stderr
