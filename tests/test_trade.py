"""Bilateral trade against known CEPII BACI rows."""

import math

import pytest

from cellchain import api
from cellchain.errors import InvalidInputError, UnknownValueError
from cellchain.io import store


def test_us_lithium_carbonate_imports_2022(warehouse):
    df = api.trade("283691", importer="USA", year=2022)
    top = df.iloc[0]
    # BACI HS92: 2022, Chile (152) -> USA (842), 283691: 124,350.850 kUSD, 8,710.545 t
    assert (top["partner"], top["value_kusd"], top["quantity_t"]) == ("CHL", 124350.85,
                                                                      8710.545)
    assert df["share"].sum() == pytest.approx(1.0)
    assert (df["reporter"] == "USA").all() and (df["flow"] == "imports").all()


def test_country_names_and_iso2_resolve(warehouse):
    a = api.trade("283691", importer="United States", year=2022)
    b = api.trade("283691", importer="us", year=2022)
    assert a.equals(b)


def test_material_sums_its_hs_codes(warehouse):
    both = api.trade(material="lithium", importer="USA", exporter="CHL", year=2022)
    assert set(both["hs6"]) == {"283691", "282520"}
    carbonate = api.trade("283691", importer="USA", year=2022).set_index("partner")
    assert both.set_index("hs6").loc["283691", "value_kusd"] == carbonate.loc["CHL",
                                                                              "value_kusd"]


def test_exporter_view_lists_customers(warehouse):
    df = api.trade(product="lithium_chemicals", exporter="CHL", year=2023)
    assert (df["flow"] == "exports").all()
    assert "CHN" in set(df["partner"])


def test_missing_quantities_stay_null(warehouse):
    rows = store.query_rows("SELECT count(*) FROM trade WHERE quantity_t IS NULL")
    assert rows[0][0] > 0  # BACI leaves some quantities empty; they are not zero-filled


def test_quantity_measure(warehouse):
    df = api.trade("283691", importer="USA", year=2022, measure="quantity")
    assert df["share"].iloc[0] == pytest.approx(
        df["quantity_t"].iloc[0] / df["quantity_t"].sum())
    assert not any(math.isnan(s) for s in df["share"])


def test_bad_inputs(warehouse):
    with pytest.raises(UnknownValueError, match="999999"):
        api.trade("999999", importer="USA")
    with pytest.raises(UnknownValueError, match="Did you mean: USA"):
        api.trade("283691", importer="USAA")
    with pytest.raises(InvalidInputError, match="exactly one"):
        api.trade("283691", material="lithium", importer="USA")
    with pytest.raises(InvalidInputError, match="importer or an exporter"):
        api.trade("283691")
    with pytest.raises(InvalidInputError, match="1990"):
        api.trade("283691", importer="USA", year=1990)
    with pytest.raises(UnknownValueError):
        api.trade(product="unobtainium", importer="USA")
