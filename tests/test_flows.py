"""Published trade in cells and battery materials (issue 14, section 4)."""

import json

import pytest

from cellchain import api
from cellchain.chain import flows


def test_cells_imports_of_the_usa_list_sources_and_measures(warehouse):
    df = api.trade(product="cells", importer="USA", year=2023)
    assert len(df) and set(df["basis"]) == {"cited"}
    assert set(df["measure"]) <= {"value", "quantity", "share"}
    assert df["source_url"].str.startswith("http").all()
    assert (df["importer"] == "USA").all() and (df["year"] == 2023).all()
    china = df[(df["exporter"] == "CHN") & (df["measure"] == "share")]
    assert len(china) >= 1 and china["value"].between(0, 1).all()


def test_latest_year_when_none_is_given(warehouse):
    from cellchain.chain import model

    years = {r["year"] for r in model.tables()["flows"]
             if r["product"] == "cells" and r["importer"] == "USA"}
    df = flows.cited("cells", importer="USA")
    assert set(df["year"]) == {max(years)}


@pytest.mark.parametrize("args, needle", [
    (["trade", "--product", "cells", "--importer", "USA", "--year", "1999"],
     "No published cells flows"),
    (["trade", "--product", "cells"], "Give an importer or an exporter"),
])
def test_bad_flow_queries_are_one_line_errors(cli, warehouse, args, needle):
    res = cli(*args)
    assert res.returncode == 1 and needle in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1


def test_cli_trade_cells_json(cli, warehouse):
    res = cli("trade", "--product", "cells", "--importer", "USA", "--year", "2023",
              "-f", "json")
    assert res.returncode == 0, res.stderr
    rows = json.loads(res.stdout)
    assert rows and {"measure", "unit", "source_url", "basis", "scope"} <= set(rows[0])


@pytest.mark.parametrize("product, exporter, year, forms", [
    ("anode", "CHN", 2024, {"anode", "spherical_graphite", "synthetic_graphite"}),
    ("cathode", "KOR", 2024, {"cathode", "precursor"}),
])
def test_anode_and_cathode_flows_include_their_traded_forms(warehouse, product, exporter,
                                                            year, forms):
    df = api.trade(product=product, exporter=exporter, year=year)
    assert len(df) and set(df["product"]) <= forms
    assert (df["exporter"] == exporter).all() and df["source_url"].str.startswith("http").all()


def test_source_all_puts_baci_next_to_published_flows(warehouse):
    """US lithium salt imports from Chile, 2024: US Census as reported (9,105 t) next to
    CEPII BACI's own figure for the same flow."""
    df = api.trade(product="lithium_chemicals", importer="USA", year=2024, source="all")
    chile = df[(df["exporter"] == "CHL") & (df["measure"] == "quantity")]
    assert set(chile["basis"]) == {"cited", "CEPII BACI"}
    cited = chile.loc[chile["basis"] == "cited", "value"].iloc[0]
    baci = chile.loc[chile["basis"] == "CEPII BACI", "value"].iloc[0]
    assert cited == 9105 and baci == pytest.approx(cited, rel=0.05)
    # BACI stays the default for a product the bundle carries
    assert "flow" in api.trade(product="lithium_chemicals", importer="USA", year=2024).columns


def test_unknown_trade_source_is_a_one_line_error(cli, warehouse):
    res = cli("trade", "--product", "cells", "--importer", "USA", "--source", "rumour")
    assert res.returncode == 1 and "Unknown trade source 'rumour'" in res.stderr
