"""Stages traced from trade data: the sourcing matrix reproduces BACI's reported imports."""

import numpy as np
import pandas as pd
import pytest

from cellchain.network import baseline, trade
from cellchain.network.build import build_network
from cellchain.trace import exposure as exposure_mod


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


def test_observed_lithium_imports_never_exceed_what_baci_reports(warehouse):
    """Imports of lithium chemicals with basis ``observed`` are BACI's reported imports,
    limited to what the importer still needs after home supply and what the exporter has
    left: never more than reported, and the largest importer keeps BACI's ratio between
    two partners that both had enough to ship."""
    net = build_network(2024)
    base = baseline.build(net)
    f = base.flows["lithium_chemicals"]
    observed = base.basis["lithium_chemicals"] == baseline.BASES.index("observed")
    np.fill_diagonal(observed, False)
    assert observed.sum() > 0
    imports = trade.imports("lithium_chemicals", 2024)
    pooled = base.basis["lithium_chemicals"] == baseline.BASES.index("pooled")
    for o, d in zip(*np.nonzero(observed), strict=True):
        reported = imports.get((net.countries[o], net.countries[d]), 0.0)
        # every observed import is a pair BACI reports ...
        assert reported > 0, (net.countries[o], net.countries[d])
        # ... and never more than reported unless the importer also draws on the pool
        # (the pool adds to every exporter with output left)
        if not pooled[:, d].any():
            assert f[o, d] <= reported * (1 + 1e-9) + 1e-6


def test_exposure_multiplies_the_sourcing_matrices(warehouse):
    net = build_network(2024)
    base = baseline.build(net)
    df = exposure_mod.exposure("USA", 2024, net=net, flows=base.flows, basis=base.basis)
    assert df.groupby("product")["share"].sum().to_numpy() == pytest.approx(1.0)
    v = exposure_mod.trace(net, base.flows, "USA")
    s = exposure_mod.sourcing(base.flows["lithium_chemicals"])
    assert v["lithium_chemicals"] == pytest.approx(s @ v["cathode"])
    assert s.sum(axis=0)[s.sum(axis=0) > 0] == pytest.approx(1.0)


def test_unknown_grouping_is_refused(warehouse):
    from cellchain.errors import UnknownValueError

    with pytest.raises(UnknownValueError):
        exposure_mod.exposure("USA", 2024, by="guess")
