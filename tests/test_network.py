"""The network package: the one product map, the builder and the observed baseline."""

import numpy as np
import pytest

from cellchain import units
from cellchain.network import baseline, checks, products
from cellchain.network.build import build_network
from cellchain.network.products import PRODUCTS


def test_sulfate_capacity_counts_its_contained_metal():
    # tonnes of nickel sulfate count as their nickel content (a fifth to a third of the
    # product's mass, hydrated or not), never as tonnes of nickel
    ni = products.to_model_unit("nickel_refined", 1000.0, "t/yr NiSO4")
    assert 200 < ni < 400
    assert products.model_product("refining", "nickel;nickel_sulfate", "t/yr Ni")[0] == \
        "nickel_refined"
    # the capacity unit decides: a nickel-cobalt refinery in t/yr Co makes cobalt
    assert products.model_product("refining", "nickel;cobalt", "t/yr Co")[0] == \
        "cobalt_refined"
    assert products.model_product("refining", "spherical_graphite", "t/yr") is None
    assert products.to_model_unit("lithium_chemicals", 1000, "t/yr LiOH") == \
        pytest.approx(1000 * units.LCE_PER_LIOH_H2O)
    with pytest.raises(ValueError):
        products.to_model_unit("cells", 10, "t/yr")


def test_select_by_stage_and_registry_name():
    assert products.select(["refining"], ["nickel_sulfate"]) == ["nickel_refined"]
    assert products.select(["mining"]) == [p for p in PRODUCTS if p.startswith("mine_")]
    with pytest.raises(KeyError):
        products.select(None, ["unobtainium"])


def test_network_carries_a_plant_table_and_numeric_bases(net):
    t = net.plants
    assert {"facility", "product", "country", "nameplate", "capacity", "output", "owners",
            "state"} <= set(t.columns)
    assert set(t["kind"]) == {"plant", "country_total", "mine_output"}
    # plant capacities add up to the network's capacity per product (mines: production)
    for p in PRODUCTS:
        assert t.loc[t["product"] == p, "capacity"].sum() == pytest.approx(
            net.capacity[p].sum(), rel=1e-9)
        assert isinstance(net.chain_share[p], float)
        assert (net.capacity[p] >= net.output[p] - 1e-9).all()
    # world output equals world use for every product (cells: the demand)
    assert net.output["cells"].sum() == pytest.approx(sum(net.demand.values()))
    for p in PRODUCTS:
        if p != "cells":
            assert net.output[p].sum() == pytest.approx(net.use(p).sum(), rel=1e-9)


def test_an_unknown_capacity_basis_is_refused(warehouse):
    from cellchain.errors import UnknownValueError

    with pytest.raises(UnknownValueError):
        build_network(2024, basis="hoped")


def test_a_pipeline_can_supply_its_own_plant_capacities(warehouse, net):
    doubled = build_network(2024, plant_capacity=lambda fid, year: _doubled(fid, year))
    t, d = net.plants, doubled.plants
    named = t[t["kind"] == "plant"].set_index("facility")["nameplate"]
    again = d[d["kind"] == "plant"].set_index("facility")["nameplate"]
    assert again.loc[named.index].to_numpy() == pytest.approx(2 * named.to_numpy())


def _doubled(fid, year):
    from cellchain.chain import model

    cap = model.capacity_as_of(fid, year)
    return None if cap is None else (2 * cap.value, cap.unit)


def test_baseline_mass_balance_and_basis(net, base):
    use = {p: baseline.use_of(net, p) for p in PRODUCTS}
    out = {p: net.output[p] for p in PRODUCTS}
    assert checks.mass_balance(base.flows, out, use, strict=True) == []
    kinds = {baseline.BASES[k] for p in PRODUCTS for k in np.unique(base.basis[p])}
    assert kinds == {"", "observed", "pooled"} or kinds == {"", "observed", "pooled",
                                                             "cited"}
    for p in PRODUCTS:
        assert ((base.flows[p] > 0) == (base.basis[p] > 0)).all()
    table = base.table()
    assert set(table["basis"]) <= {"observed", "cited", "pooled"}


def test_home_supply_comes_first(net, base):
    # a country that makes less lithium chemicals than it uses serves itself fully
    f = base.flows["lithium_chemicals"]
    use = baseline.use_of(net, "lithium_chemicals")
    for c in ("CHN", "KOR"):
        i = net.index(c)
        assert f[i, i] == pytest.approx(min(net.output["lithium_chemicals"][i], use[i]),
                                         rel=1e-6)


def test_ras_by_hand():
    seed = np.array([[1.0, 1.0], [1.0, 0.0]])
    f = baseline.ras(seed, np.array([3.0, 1.0]), np.array([2.0, 2.0]))
    assert f == pytest.approx(np.array([[1.0, 2.0], [1.0, 0.0]]))


def test_checks_warn_by_default_and_raise_when_strict():
    f = {"cells": np.array([[1.0]])}
    with pytest.warns(checks.InvariantWarning):
        checks.mass_balance(f, {"cells": np.array([2.0])}, {"cells": np.array([1.0])},
                            strict=False)
    with pytest.raises(checks.InvariantError):
        checks.mass_balance(f, {"cells": np.array([2.0])}, {"cells": np.array([1.0])})
    with pytest.raises(checks.InvariantError):
        checks.hhi_range([10_001.0])


def test_a_year_without_capacity_at_some_stage_is_refused_before_any_work(warehouse):
    from cellchain.errors import InvalidInputError

    with pytest.raises(InvalidInputError, match="no year 2019: it starts in 2021, the first "
                       "year the registry has refined cobalt capacity or output"):
        build_network(2019)


def _with_flows(monkeypatch, rows):
    from cellchain.chain import model

    tables = dict(model.tables())
    base = {"seen": "2026-12-03", "confidence": "medium", "notes": "",
            "source_url": "https://example.org/test"}
    tables["flows"] = [{**base, **r} for r in rows]
    monkeypatch.setattr(model, "tables", lambda: tables)


def test_cited_flows_enter_the_baseline_as_cited(warehouse, monkeypatch):
    def share(exporter, value):
        return {"exporter": exporter, "importer": "USA", "product": "cells", "year": 2024,
                "measure": "share", "value": value, "scope": "test",
                "unit": "fraction of US import quantity"}

    _with_flows(monkeypatch, [
        share("CHN", 0.845), share("KOR", 0.047), share("JPN", 0.028),
        # a concentrate tonnage with the importer's total of the same scope is a share
        {"exporter": "AUS", "importer": "CHN", "product": "spodumene", "year": 2024,
         "measure": "quantity", "value": 349_471, "unit": "t", "scope": "June"},
        {"exporter": "WLD", "importer": "CHN", "product": "spodumene", "year": 2024,
         "measure": "quantity", "value": 522_428, "unit": "t", "scope": "June"}])
    net = build_network(2024)
    assert baseline.cited_flows(net, "mine_lithium")[("AUS", "CHN")] == pytest.approx(
        -349_471 / 522_428)
    base = baseline.build(net)
    usa = list(net.markets).index("USA")
    col = base.flows["cells"][:, usa]
    imports = col.sum() - col[net.index("USA")]
    kor = net.index("KOR")
    assert baseline.BASES[base.basis["cells"][kor, usa]] == "cited"
    # each cited partner ships at least its cited share; the 8 % left comes from the pool
    for c, cited in (("CHN", 0.845), ("KOR", 0.047), ("JPN", 0.028)):
        assert col[net.index(c)] >= cited * imports * (1 - 1e-9), c
    assert col[net.index("CHN")] <= (0.845 + 0.08) * imports * (1 + 1e-9)
    assert checks.mass_balance(base.flows, net.output,
                               {p: baseline.use_of(net, p) for p in PRODUCTS}) == []
