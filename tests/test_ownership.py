"""Ownership look-through and the control rule on small hand-checked graphs."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cellchain.chain.ownership import ControlRule, OwnershipGraph


def ent(eid, country="USA", kind="company"):
    return {"id": eid, "name": eid.upper(), "country": country, "kind": kind}


def fac(fid, operator, country="DEU"):
    return {"id": fid, "name": fid, "operator": operator, "country": country}


def own(owner, owned, share, valid_from=None, valid_to=None):
    return {"owner": owner, "owned": owned, "share": share, "valid_from": valid_from,
            "valid_to": valid_to}


@pytest.fixture
def toy():
    # gov-x (state, CHN) holds 30 % of A; A holds 60 % of B, C holds 40 % of B;
    # B holds 50 % of plant P and D holds 30 % (20 % undisclosed).
    entities = [ent("gov-x", "CHN", "state"), ent("a", "CHN"), ent("b", "KOR"),
                ent("c", "JPN"), ent("d", "USA")]
    facilities = [fac("p", "b"), fac("q", "d", "USA")]
    ownership = [own("gov-x", "a", 0.3), own("a", "b", 0.6), own("c", "b", 0.4),
                 own("b", "p", 0.5), own("d", "p", 0.3)]
    return OwnershipGraph.from_records(entities, facilities, ownership)


def test_look_through_by_hand(toy):
    u = {x.owner: x.share for x in toy.ultimate("p", 2024)}
    # B's 50 % splits 60/40 between A and C; A keeps 70 % itself, 30 % to gov-x
    assert u["gov-x"] == pytest.approx(0.5 * 0.6 * 0.3)
    assert u["a"] == pytest.approx(0.5 * 0.6 * 0.7)
    assert u["c"] == pytest.approx(0.5 * 0.4)
    assert u["d"] == pytest.approx(0.3)
    assert u["undisclosed"] == pytest.approx(0.2)  # remainder of the plant, its country
    assert sum(u.values()) == pytest.approx(1.0)


def test_operator_owns_plant_without_rows(toy):
    assert [(x.owner, x.share) for x in toy.ultimate("q", 2024)] == [("d", 1.0)]


def test_state_share_and_control(toy):
    assert toy.state_share("p", 2024) == {"CHN": pytest.approx(0.09)}
    # gov-x holds 30 % of A -> A controlled (>= 25 %); A holds 60 % of B -> B controlled,
    # counted in full; B holds 50 % of P -> P controlled by CHN
    country, counted, reasons = toy.controlled_by("p", 2024)
    assert country == "CHN" and counted == pytest.approx(0.5)
    assert any("b holds 50.0 % of p" in r for r in reasons)
    assert toy.controlled_by("p", 2024, ControlRule(threshold=0.55))[0] is None
    assert toy.controlled_by("q", 2024)[0] is None


def test_dates_select_holdings():
    g = OwnershipGraph.from_records(
        [ent("x"), ent("y"), ent("jv")], [fac("plant", "jv")],
        [own("x", "jv", 0.5, "2010", "2013-04"), own("y", "jv", 0.5, "2010", "2013-04"),
         own("x", "jv", 1.0, "2013-04")])
    assert {u.owner: u.share for u in g.ultimate("plant", 2011)} == {"x": 0.5, "y": 0.5}
    assert {u.owner: u.share for u in g.ultimate("plant", 2015)} == {"x": 1.0}


def test_unstated_shares_split_the_remainder():
    g = OwnershipGraph.from_records(
        [ent("x"), ent("y"), ent("z"), ent("jv")], [fac("plant", "jv")],
        [own("x", "jv", 0.4), own("y", "jv", None), own("z", "jv", None)])
    hs = {h.owner: (h.share, h.assumed) for h in g.holders("jv", 2024)}
    assert hs == {"x": (0.4, False), "y": (pytest.approx(0.3), True),
                  "z": (pytest.approx(0.3), True)}


@st.composite
def random_graphs(draw):
    """Random acyclic ownership graphs (edges only from lower to higher index)."""
    n = draw(st.integers(2, 8))
    entities = [ent(f"e{i}", draw(st.sampled_from(["CHN", "USA", "RUS"])),
                    draw(st.sampled_from(["company", "state"]))) for i in range(n)]
    ownership = []
    for j in range(1, n):
        budget = 1.0
        for i in range(j):
            if draw(st.booleans()):
                share = draw(st.floats(0, budget))
                budget -= share
                ownership.append(own(f"e{i}", f"e{j}", share))
    facilities = [fac("p", f"e{n - 1}")]
    k = draw(st.integers(0, n - 1))
    ownership.append(own(f"e{k}", "p", draw(st.floats(0, 1))))
    return OwnershipGraph.from_records(entities, facilities, ownership)


@settings(max_examples=150, deadline=None)
@given(random_graphs())
def test_look_through_conserves_the_whole(g):
    parts = g.ultimate("p", 2024)
    assert sum(p.share for p in parts) == pytest.approx(1.0)
    assert all(p.share >= -1e-12 for p in parts)
    assert 0 <= sum(g.state_share("p", 2024).values()) <= 1 + 1e-9
