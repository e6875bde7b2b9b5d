"""GeoPolRisk: invariants, regions, the stage-consistent variant and bad input."""

import json

import numpy as np
import pytest

from cellchain.errors import InvalidInputError, UnknownValueError
from cellchain.io import store
from cellchain.metrics import geopolrisk as gpr


@pytest.fixture(scope="module")
def full(warehouse):
    return gpr.grid(regions={"EU27": gpr.EU27})


def test_whole_grid_is_bounded(full):
    assert len(full) >= 50 * 230 * 7
    ok = full[full["computable"]]
    assert ((ok["hhi"] > 0) & (ok["hhi"] <= 1)).all()
    assert ((ok["import_risk"] >= 0) & (ok["import_risk"] <= 1)).all()
    assert (ok["score"] <= ok["hhi"] + 1e-12).all() and (ok["cf"] >= 0).all()


def test_hhi_is_integer_truncated_mine_output(full, warehouse):
    rows = store.query_rows("SELECT quantity FROM production WHERE material = 'lithium' "
                            "AND year = 2022 AND NOT is_aggregate AND quantity IS NOT NULL")
    q = np.trunc(np.array([r[0] for r in rows]))
    expected = (q ** 2).sum() / q.sum() ** 2
    got = full[(full.material == "lithium") & (full.year == 2022)]["hhi"].unique()
    assert got == pytest.approx([expected], rel=1e-12)


def test_one_member_region_equals_the_country(warehouse):
    a = gpr.grid(materials_=["cobalt", "lithium"], countries=["USA"], years_=[2022])
    b = gpr.grid(materials_=["cobalt", "lithium"], countries=[], regions={"X": ["USA"]},
                 years_=[2022])
    cols = ["score", "import_risk", "hhi", "cf", "price"]
    np.testing.assert_allclose(a[cols].to_numpy(), b[cols].to_numpy(), rtol=1e-12)


def test_trade_inside_a_region_carries_no_risk(warehouse):
    # Two neighbours: their mutual trade counts in the denominator with a zero score
    pair = gpr.grid(materials_=["lithium"], countries=[], regions={"P": ["DEU", "BEL"]},
                    years_=[2022]).iloc[0]
    de = gpr.grid(materials_=["lithium"], countries=["DEU", "BEL"], years_=[2022])
    assert pair["imports_t"] == pytest.approx(de["imports_t"].sum())
    numerators = (de["import_risk"] * (de["imports_t"] + de["production_t"])).sum()
    assert pair["import_risk"] * (pair["imports_t"] + pair["production_t"]) < numerators


def test_stage_consistent_variant(warehouse):
    ref = gpr.grid(materials_=["nickel", "lithium"], countries=["USA"], years_=[2022])
    var = gpr.grid(materials_=["nickel", "lithium"], countries=["USA"], years_=[2022],
                   variant="stage_consistent")
    ref, var = ref.set_index("material"), var.set_index("material")
    # nickel: ores in both production and trade already -> identical
    assert var.loc["nickel", "score"] == pytest.approx(ref.loc["nickel", "score"])
    # lithium: the reference pairs mine output with chemical trade; no ore code -> undefined
    assert not var.loc["lithium", "computable"] and ref.loc["lithium", "computable"]


def test_region_file(tmp_path, warehouse):
    f = tmp_path / "regions.txt"
    f.write_text("# my groups\nAndean: BOL, CHL, PER\nNordic: SWE, FIN, NOR\n")
    assert gpr.read_regions(f) == {"Andean": ["BOL", "CHL", "PER"],
                                   "Nordic": ["SWE", "FIN", "NOR"]}
    f.write_text("Andean: BOL, XXX\n")
    with pytest.raises(InvalidInputError, match=r"regions.txt, line 1: unknown country code"):
        gpr.read_regions(f)


def test_bad_input(warehouse):
    with pytest.raises(UnknownValueError):
        gpr.grid(materials_=["unobtainium"])
    with pytest.raises(InvalidInputError, match="1999"):
        gpr.grid(materials_=["lithium"], years_=[1999])
    with pytest.raises(UnknownValueError, match="in region 'R'"):
        gpr.grid(materials_=["lithium"], regions={"R": ["DEU", "ZZZ"]})
    with pytest.raises(UnknownValueError):
        gpr.grid(variant="magic")


def test_cli_json_rows(cli, warehouse):
    res = cli("risk", "geopolrisk", "--material", "lithium", "--country", "USA", "--year",
              "2022", "-f", "json")
    assert res.returncode == 0, res.stderr
    (row,) = json.loads(res.stdout)
    assert {"material", "country", "year", "score", "import_risk", "hhi", "cf"} <= set(row)
    assert row["country"] == "USA" and 0 < row["score"] < 1


def test_cli_all_to_parquet(cli, warehouse, tmp_path):
    import pandas as pd

    out = tmp_path / "grid.parquet"
    res = cli("risk", "geopolrisk", "--all", "--region", "EU27", "--output", str(out))
    assert res.returncode == 0, res.stderr
    df = pd.read_parquet(out)
    assert "EU27" in set(df["country"]) and len(df) > 80000


@pytest.mark.parametrize("args, needle", [
    (["risk", "geopolrisk", "-m", "lithium", "--region", "MARS"], "Unknown region 'MARS'"),
    (["risk", "geopolrisk", "-m", "lithium"], "Give --country or --region"),
    (["risk", "geopolrisk", "-m", "lithum", "--country", "USA"], "Unknown material"),
    (["risk", "concentration", "-m", "cobalt", "--source", "imports"], "needs a country"),
])
def test_cli_bad_input(cli, warehouse, args, needle):
    res = cli(*args)
    assert res.returncode == 1 and needle in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1


def test_concentration_metrics(warehouse):
    from cellchain.metrics import supply

    df = supply.concentration("cobalt", 2023).set_index("metric")["value"]
    assert 0 < df["hhi"] <= 10000 and df["top1_share"] <= df["top3_share"] <= 1
    assert 0 <= df["governance_weighted_hhi"] <= df["hhi"]
    imp = supply.concentration("lithium", 2022, "imports", "USA").set_index("metric")
    assert -1 <= imp.loc["import_reliance", "value"] <= 1
