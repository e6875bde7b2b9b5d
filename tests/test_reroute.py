"""Least-change re-routing: the properties DESIGN.md section 7 requires, each a test."""

import hashlib
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cellchain.network import baseline, checks
from cellchain.network.build import build_network
from cellchain.network.products import PRODUCTS
from cellchain.optimize.reroute import Changes, Reroute, Status


@pytest.fixture(scope="module")
def world(warehouse):
    net = build_network(2024)
    base = baseline.build(net)
    return net, base, Reroute(net, base)


def _balanced(net, sol) -> bool:
    out = {p: sol.flows[p].sum(axis=1) for p in PRODUCTS}
    use = {p: sol.flows[p].sum(axis=0) if p == "cells" else net.use(p, out)
           for p in PRODUCTS}
    checks.mass_balance(sol.flows, out, use, strict=True)
    demand = np.array([net.demand[m] - sol.unserved[m] for m in net.markets])
    return bool(np.allclose(sol.flows["cells"].sum(axis=0), demand, rtol=1e-6, atol=1e-6))


def test_no_op_returns_the_baseline_exactly(world):
    net, base, rr = world
    sol = rr.solve(Changes())
    assert sol.status == Status.OPTIMAL
    for p in PRODUCTS:
        assert np.array_equal(sol.flows[p], base.flows[p]), p
    assert all(u == 0.0 for u in sol.unserved.values())


def _producers(net, product):
    return [c for i, c in enumerate(net.countries) if net.output[product][i] > 0]


@settings(max_examples=15)
@given(data=st.data())
def test_a_shock_that_binds_nothing_else_moves_only_its_product(world, data):
    net, base, rr = world
    country = data.draw(st.sampled_from(_producers(net, "lithium_chemicals")))
    fraction = data.draw(st.floats(0.0, 1.0))
    i = net.index(country)
    cap = float(net.capacity["lithium_chemicals"][i])
    sol = rr.solve(Changes(capacity={("lithium_chemicals", country): cap * (1 - fraction)}))
    assert sol.status == Status.OPTIMAL
    assert _balanced(net, sol)
    if sum(sol.unserved.values()) == 0:
        for p in PRODUCTS:
            if p not in ("lithium_chemicals", "mine_lithium"):
                assert np.array_equal(sol.flows[p], base.flows[p]), (country, fraction, p)


def test_a_new_bolivian_lithium_plant_does_not_move_nickel(world):
    net, base, rr = world
    bol = net.index("BOL")
    cap = float(net.capacity["lithium_chemicals"][bol]) + 14_000
    sol = rr.solve(Changes(capacity={("lithium_chemicals", "BOL"): cap}))
    for p in ("mine_nickel", "nickel_refined", "cobalt_refined", "cathode", "cells"):
        assert np.array_equal(sol.flows[p], base.flows[p]), p


@settings(max_examples=15)
@given(data=st.data())
def test_cutting_more_never_serves_more(world, data):
    net, base, rr = world
    product = data.draw(st.sampled_from(["cells", "cathode", "anode", "nickel_refined",
                                         "mine_graphite"]))
    country = data.draw(st.sampled_from(_producers(net, product)))
    a, b = sorted(data.draw(st.lists(st.floats(0.0, 1.0), min_size=2, max_size=2)))
    cap = float(net.capacity[product][net.index(country)])
    less = rr.solve(Changes(capacity={(product, country): cap * (1 - a)}))
    more = rr.solve(Changes(capacity={(product, country): cap * (1 - b)}))
    served_less = sum(net.demand.values()) - sum(less.unserved.values())
    served_more = sum(net.demand.values()) - sum(more.unserved.values())
    assert served_more <= served_less + 1e-6 * sum(net.demand.values())
    assert _balanced(net, more)


def _digest(sol) -> str:
    h = hashlib.sha256()
    for p in PRODUCTS:
        h.update(np.ascontiguousarray(sol.flows[p]).tobytes())
        h.update(np.ascontiguousarray(sol.compliant[p]).tobytes())
    h.update(repr(sorted(sol.unserved.items())).encode())
    return h.hexdigest()


SCRIPT = """
import hashlib, numpy as np
from cellchain.network import baseline
from cellchain.network.build import build_network
from cellchain.network.products import PRODUCTS
from cellchain.optimize.reroute import Changes, Reroute
net = build_network(2024)
rr = Reroute(net, baseline.build(net))
cap = float(net.capacity["cells"][net.index("CHN")])
sol = rr.solve(Changes(capacity={("cells", "CHN"): 0.5 * cap}, blocked=[("anode", "CHN", "USA")]))
h = hashlib.sha256()
for p in PRODUCTS:
    h.update(np.ascontiguousarray(sol.flows[p]).tobytes())
    h.update(np.ascontiguousarray(sol.compliant[p]).tobytes())
h.update(repr(sorted(sol.unserved.items())).encode())
print(h.hexdigest())
"""


def test_same_input_same_output_across_runs_and_processes(world):
    net, base, rr = world
    cap = float(net.capacity["cells"][net.index("CHN")])
    ch = Changes(capacity={("cells", "CHN"): 0.5 * cap}, blocked=[("anode", "CHN", "USA")])
    first = _digest(rr.solve(ch))
    # other scenarios solved in between do not change the answer, to the last bit
    for product, country, share in [("cathode", "CHN", 0.1), ("cells", "KOR", 0.3),
                                    ("nickel_refined", "IDN", 0.5), ("anode", "CHN", 0.7)]:
        i = net.index(country)
        rr.solve(Changes(capacity={(product, country): share * float(
            net.capacity[product][i])}))
    again = _digest(rr.solve(ch))
    fresh = _digest(Reroute(net, base).solve(ch))
    other = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True,
                           timeout=300)
    assert other.returncode == 0, other.stderr
    assert first == again == fresh == other.stdout.strip()


def test_blocked_routes_carry_nothing_and_policies_serve_only_compliant_supply(world):
    net, base, rr = world
    sol = rr.solve(Changes(blocked=[("anode", "CHN", "USA")]))
    assert sol.flows["anode"][net.index("CHN"), net.index("USA")] == 0.0
    compliant = {(p, c): float(net.capacity[p][net.index(c)]) for p in PRODUCTS
                 for c in ("USA", "KOR", "JPN", "CAN", "AUS", "CHL")}
    sol = rr.solve(Changes(compliant=compliant, restricted_markets={"USA"}))
    usa = list(net.markets).index("USA")
    assert sol.flows["cells"][:, usa] == pytest.approx(sol.compliant["cells"][:, usa])
    assert 0 < sol.unserved["USA"] <= net.demand["USA"]
    assert _balanced(net, sol)


def test_infeasibility_is_explained_in_words(world):
    net, base, rr = world
    text = rr._explain_infeasible()
    assert "capacity" in text and "balance" in text


def test_stage_one_alone_gives_the_same_unserved_demand(world):
    net, base, rr = world
    cap = float(net.capacity["cells"][net.index("CHN")])
    ch = Changes(capacity={("cells", "CHN"): 0.2 * cap})
    assert rr.unserved(ch) == pytest.approx(rr.solve(ch).unserved, abs=1e-6)


@settings(max_examples=25)
@given(data=st.data())
def test_every_random_cut_is_solved_by_the_strictly_convex_stage(world, data):
    net, base, rr = world
    capacity = {}
    for _ in range(data.draw(st.integers(1, 3))):
        product = data.draw(st.sampled_from(list(PRODUCTS)))
        country = data.draw(st.sampled_from(
            [c for i, c in enumerate(net.countries) if net.capacity[product][i] > 0]))
        fraction = data.draw(st.floats(0.0, 1.0))
        capacity[(product, country)] = float(
            net.capacity[product][net.index(country)]) * fraction
    sol = rr.solve(Changes(capacity=capacity))
    assert sol.status == Status.OPTIMAL
    assert sol.method == "least squares", (capacity, sol.method)
    assert _balanced(net, sol)


def test_a_baseline_that_still_stands_is_what_the_programme_finds(world, monkeypatch):
    net, base, rr = world
    i = net.index("CHN")
    out = float(base.flows["cathode"][i].sum())
    cap = float(net.capacity["cathode"][i])
    assert out < cap
    changes = Changes(capacity={("cathode", "CHN"): (out + cap) / 2},
                      blocked=[("anode", "CHN", "BOL")])
    assert rr.baseline_stands(changes)
    fast = rr.solve(changes)
    monkeypatch.setattr(Reroute, "baseline_stands", lambda self, ch: False)
    solved = rr.solve(changes)
    for p in PRODUCTS:
        assert np.array_equal(fast.flows[p], solved.flows[p]), p
        assert np.array_equal(solved.flows[p], base.flows[p]), p
    assert fast.unserved == solved.unserved
    binding = Changes(capacity={("cathode", "CHN"): out / 2})
    monkeypatch.undo()
    assert not rr.baseline_stands(binding)


_WITH_RULES: dict[int, Reroute] = {}


@settings(max_examples=20)
@given(data=st.data())
def test_stage_one_without_rules_is_the_programme_with_tier_one_left_out(world, data):
    """A scenario without compliance rules is solved on the smaller stage 1 (no tier-1
    columns): the answer equals the full programme's, whose tier-1 flows are all zero."""
    net, base, rr = world
    product = data.draw(st.sampled_from(PRODUCTS))
    country = data.draw(st.sampled_from(_producers(net, product)))
    cap = float(net.capacity[product][net.index(country)])
    changes = Changes(capacity={(product, country): cap * data.draw(st.floats(0.0, 1.0))})
    assert rr._stage1(changes) is rr.lp
    assert rr.lp.index.n_flow == 2 * rr.lp.index.n_routes  # no tier-1 block
    plain = rr.solve(changes)
    full = _WITH_RULES.setdefault(id(rr), Reroute(net, base))
    full._stage1 = lambda ch: full._stage_with_rules()
    ruled = full.solve(changes)
    assert full._stage_with_rules().index.n_flow == 3 * full._lp_rules.index.n_routes
    for p in PRODUCTS:
        world_output = max(float(net.output[p].sum()), 1.0)
        assert np.allclose(plain.flows[p], ruled.flows[p], rtol=0, atol=1e-7 * world_output), p
        assert not ruled.compliant[p].any(), p
    for m in net.markets:
        assert plain.unserved[m] == pytest.approx(ruled.unserved[m], abs=1e-7 * net.demand[m])


def test_rows_without_entries_are_left_out_of_the_programmes(world):
    net, base, rr = world
    for stage in (rr.lp, rr.qp):
        lp = stage.model.lp_
        rows = np.bincount(np.asarray(lp.a_matrix_.index_), minlength=lp.num_row_)
        assert (rows > 0).all()
    # a country without the product has no capacity row, and cutting it changes nothing
    idle = next(c for i, c in enumerate(net.countries) if net.capacity["cells"][i] == 0)
    assert (PRODUCTS.index("cells"), net.index(idle)) not in rr.lp.index.cap_row
    sol = rr.solve(Changes(capacity={("cells", idle): 0.0}))
    for p in PRODUCTS:
        assert np.array_equal(sol.flows[p], base.flows[p]), p


def test_a_qp_that_stops_short_falls_back_to_stage_one_on_either_stage(world, monkeypatch):
    """Should the least-squares QP stop short, stage 1's solution is the answer, whichever
    stage 1 solved it (without compliance rules, or with them), and it still balances."""
    from cellchain.optimize import qp

    net, base, rr = world
    out = float(base.flows["cathode"][net.index("CHN")].sum())
    cut = Changes(capacity={("cathode", "CHN"): out / 2})
    ruled = Changes(capacity={("cathode", "CHN"): out / 2}, restricted_markets={"USA"},
                    compliant={("cells", "KOR"): float(net.capacity["cells"][net.index("KOR")])})
    monkeypatch.setattr(qp, "solve", lambda *a, **k: ("stopped short (test)", None))
    for changes in (cut, ruled):
        sol = rr.solve(changes)
        assert sol.status == Status.OPTIMAL
        assert sol.method.startswith("least absolute change: stopped short (test)")
        assert _balanced(net, sol)
    assert not rr.solve(cut).compliant["cells"].any()  # no tier-1 flow without rules
