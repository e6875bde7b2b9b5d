"""The flow model on a hand-checkable toy chain, and on the bundled data."""

import numpy as np
import pytest

from cellchain.optimize.network import PRODUCTS, Network
from cellchain.optimize.solve import BoundChanges, FlowModel, Status
from cellchain.trace.exposure import trace

RECIPE = {"cells": {"cathode": 10.0, "anode": 5.0},
          "cathode": {"lithium_chemicals": 0.5, "nickel_refined": 0.0, "cobalt_refined": 0.0},
          "anode": {"mine_graphite": 1.0}, "lithium_chemicals": {"mine_lithium": 1.0},
          "nickel_refined": {"mine_nickel": 1.0}, "cobalt_refined": {"mine_cobalt": 1.0}}


def toy(cells_a=10.0, cathode_b=100.0, demand=5.0):
    countries = ["AAA", "BBB", "CCC"]
    cap = {p: np.zeros(3) for p in PRODUCTS}
    cap["cells"][:] = [cells_a, 0, 0]
    cap["cathode"][:] = [0, cathode_b, 0]
    cap["anode"][:] = [0, 0, 100]
    cap["lithium_chemicals"][:] = [0, 30, 30]
    cap["mine_lithium"][:] = [0, 0, 100]
    cap["mine_graphite"][:] = [100, 0, 0]
    return Network(year=2024, countries=countries, capacity=cap,
                   capacity_basis={p: "cited" for p in PRODUCTS}, recipe=RECIPE,
                   markets={"M1": ["AAA"], "M2": ["BBB", "CCC"]},
                   demand={"M1": demand, "M2": 0.0},
                   coords={"AAA": (0, 0), "BBB": (0, 10), "CCC": (0, 20)})


def mass_balance_holds(net, sol, tol=1e-6, capacity=None):
    for p, inputs in net.recipe.items():
        out = sol.flows[p].sum(axis=1)  # production by country
        for q, a in inputs.items():
            received = sol.flows[q].sum(axis=0)
            assert (received + tol >= a * out).all(), (p, q)
    for p in PRODUCTS:
        cap = np.array(net.capacity[p], dtype=float)
        for (q, c), v in (capacity or {}).items():
            if q == p:
                cap[net.index(c)] = v
        assert (sol.flows[p].sum(axis=1) <= cap + tol).all(), p
    return True


def test_toy_chain_by_hand():
    net = toy()
    sol = FlowModel(net).solve()
    assert sol.status is Status.OPTIMAL
    assert sol.flows["cells"][0, 0] == pytest.approx(5.0)  # AAA makes the 5 GWh
    assert sol.flows["cathode"][1, 0] == pytest.approx(50.0)  # 10 t/GWh from BBB
    assert sol.flows["anode"][2, 0] == pytest.approx(25.0)  # 5 t/GWh from CCC
    # 25 t of lithium chemicals reach BBB's cathode plant, from 25 t mined in CCC
    # (refined in BBB or in CCC: the two routes cost the same)
    assert sol.flows["lithium_chemicals"][:, 1].sum() == pytest.approx(25.0)
    assert sol.flows["mine_lithium"][2].sum() == pytest.approx(25.0)
    assert mass_balance_holds(net, sol)
    v, methods = trace(net, sol, "M1", method="flow_model")
    assert set(methods.values()) == {"flow_model"}
    assert v["cells"].tolist() == [1.0, 0.0, 0.0]
    assert v["cathode"].tolist() == pytest.approx([0, 1, 0])
    assert v["mine_graphite"].tolist() == pytest.approx([1, 0, 0])
    assert v["mine_lithium"].tolist() == pytest.approx([0, 0, 1])


def test_shortage_is_unserved_not_an_error():
    net = toy(cathode_b=20.0)  # enough cathode for 2 GWh only
    sol = FlowModel(net).solve()
    assert sol.unserved["M1"] == pytest.approx(3.0)
    everything_cut = BoundChanges(capacity={("cells", "AAA"): 0.0})
    sol = FlowModel(net).solve(everything_cut)
    assert sol.status is Status.OPTIMAL and sol.unserved["M1"] == pytest.approx(5.0)


def test_warm_resolve_restores_the_baseline():
    fm = FlowModel(toy())
    base = fm.solve()
    fm.solve(BoundChanges(capacity={("cathode", "BBB"): 0.0}))
    again = fm.solve()
    assert again.objective == pytest.approx(base.objective)


def test_export_ban_and_compliance_tiers():
    net = toy()
    fm = FlowModel(net)
    sol = fm.solve(BoundChanges(blocked=[("cathode", "BBB", "AAA")]))
    assert sol.unserved["M1"] == pytest.approx(5.0)  # no other cathode source
    # M1 may buy only compliant cells; only AAA and BBB comply: CCC's anode is excluded
    compliant = {(p, c): (float(net.capacity[p][i]) if c != "CCC" else 0.0)
                 for p in PRODUCTS for i, c in enumerate(net.countries)}
    sol = fm.solve(BoundChanges(compliant=compliant, restricted_markets={"M1"}))
    assert sol.unserved["M1"] == pytest.approx(5.0)
    compliant[("anode", "CCC")] = 100.0
    compliant[("mine_lithium", "CCC")] = 100.0
    sol = fm.solve(BoundChanges(compliant=compliant, restricted_markets={"M1"}))
    assert sol.unserved["M1"] == pytest.approx(0.0)
    assert mass_balance_holds(net, sol)


def test_pruned_model_equals_the_full_model_and_opens_new_origins():
    """Shipment columns exist only from countries with capacity to countries that can use
    the product; that changes no optimum. A scenario that gives capacity to a country
    without columns is solved on a model that has them."""
    net = toy()
    every_pair = frozenset((p, c) for p in PRODUCTS for c in net.countries)
    pruned, full = FlowModel(net), FlowModel(net, every_pair)
    assert pruned.lp.num_col_ < full.lp.num_col_
    assert pruned.solve().objective == pytest.approx(full.solve().objective)
    # A new cell plant in CCC (no cell columns in the baseline), next to the anode plant.
    ch = BoundChanges(capacity={("cells", "CCC"): 50.0, ("cells", "AAA"): 0.0})
    sol = pruned.solve(ch)
    assert sol.flows["cells"][2].sum() == pytest.approx(5.0)
    assert sol.unserved["M1"] == pytest.approx(0.0)
    assert sol.objective == pytest.approx(full.solve(ch).objective)
    assert mass_balance_holds(net, sol, capacity=ch.capacity)
    assert pruned.solve().objective == pytest.approx(full.solve().objective)  # unchanged
