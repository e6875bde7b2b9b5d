"""The answers at scale add up: 200 synthetic facilities (cellchain.testing) laid over the
registry show up exactly in ``shares --by owner``, in the network's plant table and in
``exposure --by owner``, so the indexing and vectorising done for speed cannot silently
change results."""

from __future__ import annotations

import pandas as pd
import pytest

from cellchain import caches
from cellchain.testing import synthetic_overlay

N = 200
YEAR = 2024


def _answers():
    from cellchain.chain import shares
    from cellchain.network import baseline
    from cellchain.network.build import build_network
    from cellchain.trace.exposure import exposure

    net = build_network(YEAR)
    base = baseline.build(net)
    return {"shares": shares.shares("cells", YEAR, "owner", measure="capacity"),
            "net": net,
            "exposure": {by: exposure("USA", YEAR, by, net=net, flows=base.flows,
                                      basis=base.basis) for by in ("location", "owner")}}


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """(overlay, answers without it, answers with it), each from a private warehouse."""
    tmp = tmp_path_factory.mktemp("scale")
    overlay = synthetic_overlay(tmp / "overlay", N)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CELLCHAIN_CACHE_DIR", str(tmp / "cache"))
        mp.delenv("CELLCHAIN_DATA_DIR", raising=False)
        caches.clear_all()
        before = _answers()
        mp.setenv("CELLCHAIN_DATA_DIR", str(overlay.folder))
        caches.clear_all()
        after = _answers()
        caches.clear_all()
    return overlay, before, after


def _named(df: pd.DataFrame) -> pd.Series:
    """Capacity of the named plants by group (what is not reconciled from cited figures)."""
    return (df["capacity"] - df["reconciled_capacity"]).groupby(df["group"]).sum()


def test_shares_by_owner_gain_exactly_the_added_plants(runs):
    overlay, before, after = runs
    cells = [p for p in overlay.plants if p.stage == "cells"]
    expected: dict[str, float] = {}
    for p in cells:
        for country, w in overlay.owner_countries(p).items():
            expected[country] = expected.get(country, 0.0) + p.capacity * w
    gained = _named(after["shares"]).sub(_named(before["shares"]), fill_value=0.0)
    gained = gained[gained.abs() > 1e-9]
    assert sorted(gained.index) == sorted(expected)
    for country, value in expected.items():
        assert gained[country] == pytest.approx(value, rel=1e-9), country
    assert gained.sum() == pytest.approx(sum(p.capacity for p in cells), rel=1e-12)


def test_state_owned_capacity_gains_exactly_the_state_held_part(runs):
    overlay, before, after = runs

    def state_capacity(df):
        total = df["capacity"].sum()
        return df["state_owned_share"].iloc[0] * total

    expected = sum(p.capacity * sum(overlay.state_share(p).values())
                   for p in overlay.plants if p.stage == "cells")
    assert expected > 0  # the overlay has state-held plants
    gained = state_capacity(after["shares"]) - state_capacity(before["shares"])
    assert gained == pytest.approx(expected, rel=1e-9)


def test_network_plant_table_holds_each_added_plant(runs):
    overlay, before, after = runs
    table = after["net"].plants.set_index("facility")
    product = {"cells": "cells", "cathode": "cathode",
               "lithium_chemicals": "lithium_chemicals"}
    for p in overlay.plants:
        row = table.loc[p.id]
        assert row["product"] == product[p.product]
        assert row["country"] == p.country
        assert row["nameplate"] == pytest.approx(p.capacity, rel=1e-12)
        assert dict(row["owners"]) == pytest.approx(overlay.owner_countries(p))
        assert dict(row["state"]) == pytest.approx(overlay.state_share(p))
    old = before["net"].plants
    assert len(after["net"].plants.query("kind == 'plant'")) \
        == len(old.query("kind == 'plant'")) + N
    for prod in product.values():
        added = sum(p.capacity for p in overlay.plants if product[p.product] == prod)

        def named(t, prod=prod):
            return t.loc[(t["kind"] == "plant") & (t["product"] == prod), "nameplate"].sum()

        assert named(after["net"].plants) - named(old) == pytest.approx(added, rel=1e-9)


def test_exposure_by_owner_regroups_location_by_the_plant_table(runs):
    """Exposure by owner = exposure by location spread over each country's capacity-weighted
    owner mix, computed here independently from the plant table with pandas."""
    _, _, after = runs
    net = after["net"]
    plants = net.plants.explode("owners")
    plants = plants[plants["owners"].notna()]
    plants["owner"] = plants["owners"].str[0]
    plants["part"] = plants["capacity"] * plants["owners"].str[1]
    loc, own = after["exposure"]["location"], after["exposure"]["owner"]
    for product, shares in loc.groupby("product"):
        t = net.plants[net.plants["product"] == product]
        total = t.groupby("country")["capacity"].sum()
        parts = plants[plants["product"] == product].groupby(["country", "owner"])["part"].sum()
        expected: dict[str, float] = {}
        for country, share in zip(shares["group"], shares["share"], strict=True):
            mix = (parts.xs(country, level="country") / total[country]
                   if country in total.index and total[country] > 0 else pd.Series(dtype=float))
            rest = 1.0 - mix.sum()
            for owner, w in mix.items():
                expected[owner] = expected.get(owner, 0.0) + share * w
            if rest > 1e-12 or mix.empty:
                expected[country] = expected.get(country, 0.0) + share * (rest if not mix.empty
                                                                          else 1.0)
        got = own[own["product"] == product].set_index("group")["share"]
        expected = {k: v for k, v in expected.items() if v > 1e-15}
        assert sorted(got.index) == sorted(expected), product
        for k, v in expected.items():
            assert got[k] == pytest.approx(v, rel=1e-9, abs=1e-12), (product, k)
    # the added plants are in the traced stages: owner groups include their holdings
    assert set(own["product"]) == set(loc["product"])
