"""Mine production against known World Mining Data rows."""

import pytest

from cellchain import api
from cellchain.errors import InvalidInputError, UnknownValueError
from cellchain.io import store


def test_lithium_australia_2023_is_the_source_figure(warehouse):
    df = api.production("lithium", 2023)
    aus = df.set_index("country").loc["AUS"]
    # World Mining Data 2025, Lithium (Li2O), Australia, 2023: 204,200 t Li2O
    assert aus["quantity"] == 204200.0
    assert aus["unit"] == "t Li2O"
    assert aus["rank"] == 1


def test_lithium_2023_rows_sum_to_source_total(warehouse):
    df = api.production("lithium", 2023)
    (total,) = store.query_rows(
        "SELECT quantity FROM production WHERE material='lithium' AND year=2023 "
        "AND is_aggregate")[0]
    assert df["quantity"].sum() == pytest.approx(total)  # 499,736 t Li2O
    assert total == 499736.0


def test_shares_hhi_and_top3_by_hand(warehouse):
    df = api.production("lithium", 2023)
    total = 499736.0
    assert df["share"].sum() == pytest.approx(1.0)
    assert df.loc[0, "share"] == pytest.approx(204200 / total)
    expected_hhi = sum((100 * q / total) ** 2 for q in df["quantity"])
    assert df["hhi"].iloc[0] == pytest.approx(expected_hhi)
    assert df["top3_share"].iloc[0] == pytest.approx((204200 + 113200 + 106300) / total)


def test_lce_basis_converts_li2o(warehouse):
    df = api.production("lithium", 2023, basis="lce").set_index("country")
    assert df.loc["AUS", "quantity"] == pytest.approx(204200 * 0.4645 * 5.323)
    assert df.loc["AUS", "unit"] == "t LCE"
    as_given = api.production("lithium", 2023).set_index("country")
    assert (df["share"] - as_given["share"]).abs().max() < 1e-12


def test_latest_year_by_default(warehouse):
    assert api.production("lithium")["year"].iloc[0] == 2024


def test_estimated_rows_keep_their_flag(warehouse):
    df = api.production("lithium", 2023).set_index("country")
    assert df.loc["NGA", "data_flag"] == "e"
    assert df.loc["AUS", "data_flag"] == "r"


def test_every_material_gives_valid_shares(warehouse):
    for material in api.materials():
        df = api.production(material, 2022)
        if len(df):
            assert df["share"].sum() == pytest.approx(1.0)
            assert 0 < df["hhi"].iloc[0] <= 10000


def test_bad_inputs(warehouse):
    with pytest.raises(UnknownValueError, match="lithum"):
        api.production("lithum")
    with pytest.raises(InvalidInputError, match="1990"):
        api.production("lithium", 1990)
    with pytest.raises(InvalidInputError, match="only defined for lithium"):
        api.production("cobalt", 2022, basis="lce")
    with pytest.raises(UnknownValueError):
        api.production("lithium", 2022, basis="kg")
