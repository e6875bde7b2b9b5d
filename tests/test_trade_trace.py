"""Stages traced from trade data: the sourcing matrix reproduces BACI's reported imports."""

import numpy as np
import pandas as pd
import pytest

from cellchain import units
from cellchain.optimize.network import build_network
from cellchain.optimize.solve import FlowModel
from cellchain.trace import exposure as exposure_mod
from cellchain.trace import trade


def test_apparent_supply_mix_by_hand(monkeypatch):
    # own capacity 60 t, imports of 30 t from AAA and 10 t from BBB -> 0.6 / 0.3 / 0.1
    monkeypatch.setattr(trade, "imports", lambda product, year: {
        ("AAA", "CCC"): 30.0, ("BBB", "CCC"): 10.0, ("ZZZ", "CCC"): 5.0})
    s = trade.sourcing_matrix("lithium_chemicals", 2024, ["AAA", "BBB", "CCC"],
                              np.array([0.0, 0.0, 60.0]))
    # ZZZ is outside the country list and left out of the mix
    assert s[:, 2] == pytest.approx([30 / 100, 10 / 100, 60 / 100])
    assert s[:, 0].sum() == 0  # AAA: no own supply, no imports
    assert s[:, 2].sum() == pytest.approx(1.0)


def _baci_imports(importer: str, codes: dict[str, float], year: int) -> pd.Series:
    """Imports by exporter [t LCE], read straight from the bundle's parquet files."""
    from cellchain.io.bundle import bundle_dir

    t = pd.read_parquet(bundle_dir() / "trade.parquet")
    cc = pd.read_parquet(bundle_dir() / "country_codes.parquet")
    cc = cc[cc["source"] == "baci"].assign(code=lambda d: d["code"].astype(int))
    iso = dict(zip(cc["code"], cc["iso3"], strict=True))
    t = t[(t["year"] == year) & t["hs6"].isin(list(codes)) & (t["quantity_t"] > 0)]
    t = t.assign(exporter=t["exporter_code"].map(iso), importer=t["importer_code"].map(iso))
    t = t[(t["importer"] == importer) & (t["exporter"] != importer)]
    return (t["quantity_t"] * t["hs6"].map(codes)).groupby(t["exporter"]).sum()


def test_korea_lithium_chemicals_reproduce_its_reported_imports(warehouse):
    net = build_network(2024)
    own = trade.own_supply("lithium_chemicals", 2024, net.countries)
    s = trade.sourcing_matrix("lithium_chemicals", 2024, net.countries, own)
    kor = net.index("KOR")
    baci = _baci_imports("KOR", {"283691": 1.0, "282520": units.LCE_PER_LIOH_H2O}, 2024)
    baci = baci[baci.index.isin(net.countries)]
    total = baci.sum() + own[kor]
    for exporter in ("CHN", "CHL", "ARG"):
        assert s[net.index(exporter), kor] == pytest.approx(baci[exporter] / total)
    assert s[kor, kor] == pytest.approx(own[kor] / total)
    assert own[kor] > 0  # Korea has cited hydroxide capacity (e.g. POSCO's Gwangyang)


def test_exposure_names_its_method_and_reproduces_the_trade_matrix(warehouse):
    net = build_network(2024)
    sol = FlowModel(net).solve()
    df = exposure_mod.exposure("USA", 2024, net=net, solution=sol)
    methods = df.groupby("product")["method"].first()
    assert methods["lithium_chemicals"] == "trade_data"
    assert methods["mine_graphite"] == "trade_data"
    assert methods["cells"] == methods["cathode"] == methods["nickel_refined"] == "flow_model"
    assert df.groupby("product")["share"].sum().to_numpy() == pytest.approx(1.0)
    # the lithium stage is the trade matrix applied to where the market's cathode is made
    v, _ = exposure_mod.trace(net, sol, "USA")
    own = trade.own_supply("lithium_chemicals", 2024, net.countries)
    s = trade.sourcing_matrix("lithium_chemicals", 2024, net.countries, own)
    assert v["lithium_chemicals"] == pytest.approx(s @ v["cathode"])
    flow_only = exposure_mod.exposure("USA", 2024, net=net, solution=sol,
                                      method="flow_model")
    assert set(flow_only["method"]) == {"flow_model"}
    assert flow_only.groupby("product")["share"].sum().to_numpy() == pytest.approx(1.0)


def test_unknown_method_is_refused(warehouse):
    from cellchain.errors import UnknownValueError

    with pytest.raises(UnknownValueError):
        exposure_mod.exposure("USA", 2024, method="guess")
