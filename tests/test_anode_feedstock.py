"""Anode feedstock: only the natural-graphite share of anode needs mined graphite.

Synthetic graphite (from petroleum needle coke or pitch coke) is not a modelled
constraint, so the recipe's mined graphite per tonne of anode is the natural share times
the graphite intensity; the share comes from the world's cited anode shipments split by
feedstock (``registry/country_totals.csv``, SNE Research 2024 via Korea Bizwire).
"""

import numpy as np
import pytest
from conftest import REPO

from cellchain.chain import model, valuechain
from cellchain.network import checks
from cellchain.network.build import build_network
from cellchain.scenarios import load, run

#: SNE Research via Korea Bizwire (May 2025): world anode shipments 2024 2.11 Mt, of which
#: artificial graphite 1.76 Mt (the registry's WLD rows of that page).
WORLD_ANODE_2024 = 2_110_000
WORLD_SYNTHETIC_ANODE_2024 = 1_760_000


def _fta(network):
    scenario = load.load(REPO / "scenarios" / "us_fta_only.yaml")
    df, _ = run.run(scenario, "us_fta_only", network=network)
    return df


def test_natural_share_is_the_cited_non_synthetic_part_of_anode_shipments(warehouse):
    share, how = valuechain.natural_graphite_share(2024)
    assert share == pytest.approx(1 - WORLD_SYNTHETIC_ANODE_2024 / WORLD_ANODE_2024)
    assert "koreabizwire.com" in how and "2024" in how
    # an earlier year uses the only cited split, the 2024 one
    assert valuechain.natural_graphite_share(2021)[0] == pytest.approx(share)


def test_recipe_needs_mined_graphite_only_for_the_natural_share(warehouse):
    recipe = valuechain.recipe(2024)
    weights, _ = valuechain.recipe_weights(2024)
    total = sum(weights.values())

    def avg(material):
        return sum(s * (valuechain.intensity(k, material) or 0.0)
                   for k, s in weights.items()) / total

    graphite = avg("graphite")
    anode = avg("anode") or graphite  # a composite without an anode figure: all graphite
    share, _ = valuechain.natural_graphite_share(2024)
    assert recipe["anode"]["mine_graphite"] == pytest.approx(share * graphite / anode)
    assert 0.1 < recipe["anode"]["mine_graphite"] < 0.3
    table = valuechain.recipe_table(2024)
    row = table[(table["product"] == "anode") & (table["input"] == "mine_graphite")].iloc[0]
    assert "natural-graphite share" in row["basis"]


def test_without_a_cited_split_every_anode_counts_as_natural(monkeypatch, warehouse):
    rows = [r for r in model.tables()["country_totals"]
            if (r["stage"], r["product"]) != valuechain.SYNTHETIC_ANODE]
    monkeypatch.setattr(model, "tables", lambda: {"country_totals": rows})
    share, how = valuechain.natural_graphite_share(2024)
    assert share == 1.0 and "no cited split" in how


def test_anode_chain_balances_with_the_natural_share(net, base):
    share, _ = valuechain.natural_graphite_share(2024)
    world_anode = float(net.output["anode"].sum())
    per_anode = net.recipe["anode"]["mine_graphite"]
    # world mined graphite output is exactly what the anode's natural share needs
    assert float(net.output["mine_graphite"].sum()) == pytest.approx(per_anode * world_anode,
                                                                     rel=1e-9)
    assert float(net.use("mine_graphite", net.output).sum()) == pytest.approx(
        per_anode * world_anode, rel=1e-9)
    # graphite per tonne of anode is about one tonne, so the share sets the need
    assert per_anode == pytest.approx(share, rel=0.2)
    products = ("anode", "mine_graphite")
    use = {p: net.use(p, net.output) for p in products}
    # strict: raises if any origin ships other than its output or any user gets other
    # than its use
    assert checks.mass_balance({p: base.flows[p] for p in products},
                               {p: net.output[p] for p in products}, use, strict=True) == []
    assert np.all(base.flows["mine_graphite"] >= 0)


def test_fta_only_serves_more_at_the_anode_stage_than_all_natural_graphite(net, monkeypatch):
    after = _fta(net)
    monkeypatch.setattr(valuechain, "natural_graphite_share",
                        lambda year: (1.0, "every anode counted as natural graphite"))
    before = _fta(build_network(2024))

    def served(df, product):
        s = df[(df.section == "supply") & (df.market == "USA") & (df["product"] == product)]
        return float(s["scenario_served"].iloc[0])

    assert served(after, "anode") > served(before, "anode") * 2
    assert served(after, "cells") > served(before, "cells")
    neck_before = before[before.section == "bottleneck"]
    assert neck_before.loc[neck_before["served_share"].idxmin(), "product"] == "mine_graphite"
    neck = after[after.section == "bottleneck"]
    tight = neck.loc[neck["served_share"].idxmin()]
    # with synthetic graphite not tied to mines, mined graphite no longer binds first
    assert tight["product"] != "mine_graphite"
    text = neck["text"].dropna().tolist()
    assert len(text) == 1 and tight["product"] in text[0] and "tightest stage" in text[0]


def test_critical_minerals_bloc_serves_at_least_the_fta_bloc(net):
    fta = _fta(net)
    scenario = load.load(REPO / "scenarios" / "us_critical_minerals_fta_only.yaml")
    assert scenario.policy[0][1].bloc == "us_critical_minerals_fta"
    wider, _ = run.run(scenario, "us_critical_minerals_fta_only", network=net)

    def cells(df):
        s = df[(df.section == "supply") & (df.market == "USA") & (df["product"] == "cells")]
        return float(s["scenario_served"].iloc[0])

    # Japan joins the FTA partners: the wider bloc never serves less
    assert cells(wider) >= cells(fta) - 1e-6
    neck = wider[wider.section == "bottleneck"]
    assert neck["text"].notna().sum() == 1
    refined = neck[neck["product"] == "nickel_refined"].iloc[0]
    fta_refined = fta[(fta.section == "bottleneck") & (fta["product"] == "nickel_refined")]
    assert refined["compliant_supply"] > float(fta_refined["compliant_supply"].iloc[0])
