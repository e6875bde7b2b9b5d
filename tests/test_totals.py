"""Cited totals per product, in model units, with bounds kept apart (issue 14, section 1-2)."""

import pytest

from cellchain import units
from cellchain.chain import model, shares, totals
from cellchain.io import registry

CT = ("country,stage,product,year,measure,value,value_kind,unit,source_url,seen,confidence,"
      "notes")
URL = "https://example.org/a,2026-12-03,high,"


def test_china_lithium_chemicals_add_carbonate_and_hydroxide_as_lce(warehouse):
    """MIIT 2024: 670,000 t lithium carbonate and 360,000 t lithium hydroxide (registry)."""
    t = totals.cited("refining", "lithium_chemicals", 2024, "production")
    china = t.countries["CHN"]
    assert china.unit == "t/yr LCE" and china.how == "sum of compounds"
    assert china.value == pytest.approx(670_000 + 360_000 * units.LCE_PER_LIOH_H2O)


def test_world_derived_from_a_country_figure_and_its_share(warehouse):
    """No world figure is cited for 2024; IEA's 70 % China share and China's output give it,
    so China lands on the cited 70 % instead of a few per cent of unconverted tonnes."""
    t = totals.cited("refining", "lithium_chemicals", 2024, "production")
    assert t.world.how.startswith("figure / share")
    assert t.world.value == pytest.approx(t.countries["CHN"].value / 0.70)
    df = shares.shares("refining", 2024, "location", product="lithium_chemicals")
    assert df["basis"].iloc[0] == "production"
    assert df.set_index("group").loc["CHN", "share"] == pytest.approx(0.70, abs=1e-6)


def test_a_lower_bound_is_a_constraint_not_a_point(warehouse):
    """CRU: China's cell capacity 'surpassed 2 TWh' in 2024."""
    t = totals.cited("cells", "cells", 2024, "capacity")
    assert t.lower["CHN"].value == 2000
    cited_chn = t.countries.get("CHN")
    assert cited_chn is None or cited_chn.value != 2000 or cited_chn.how != "cited"
    df = shares.shares("cells", 2024, "location").set_index("group")
    assert df.loc["CHN", "capacity"] >= 2000


def test_cobalt_rows_in_tonnes_are_not_dropped(warehouse):
    """Country totals in t Co (an amount) count for a t/yr Co stage: none is skipped."""
    rows = [r for r in model.tables()["country_totals"]
            if r["stage"] == "refining" and r["product"] == "cobalt" and r["year"] == 2023
            and r["measure"] == "capacity" and r["country"] != "WLD"]
    t = totals.cited("refining", "cobalt", 2023, "capacity")
    assert {r["country"] for r in rows} <= set(t.countries)
    df = shares.shares("refining", 2023, "location", product="cobalt", measure="capacity")
    assert {r["country"] for r in rows} <= set(df["group"])


def test_nickel_refining_uses_the_cited_world_production(warehouse):
    """INSG: world primary nickel 2024 3.526 Mt, Indonesia 1.6 Mt: about 45 %, not the 58 %
    of a table that skipped the world figure."""
    df = shares.shares("refining", 2024, "location", product="nickel").set_index("group")
    assert df["basis"].iloc[0] == "production"
    assert df["capacity"].sum() == pytest.approx(
        model.world_total("refining", "t/yr Ni", 2024, "nickel", "production")["value"])
    assert df.loc["IDN", "share"] == pytest.approx(0.45, abs=0.01)


@pytest.mark.parametrize("stage, product", [
    ("cells", "cells"), ("refining", "lithium_chemicals"), ("refining", "nickel"),
    ("refining", "cobalt"), ("materials", "cathode"), ("materials", "anode")])
@pytest.mark.parametrize("year", [2023, 2024])
@pytest.mark.parametrize("by", ["location", "owner", "company", "bloc"])
def test_every_grouping_conserves_the_total(warehouse, stage, product, year, by):
    base = shares.shares(stage, year, "location", product=product)
    df = shares.shares(stage, year, by, product=product)
    if by != "bloc":
        assert df["share"].sum() == pytest.approx(1.0)
        assert df["capacity"].sum() == pytest.approx(base["capacity"].sum())
    assert (df["capacity"] >= 0).all() and (df["reconciled_capacity"] >= -1e-9).all()


def _overlay(tmp_path, line):
    folder = tmp_path / "overlay"
    folder.mkdir(exist_ok=True)
    (folder / "country_totals.csv").write_text(f"{CT}\n{line}\n", encoding="utf-8")
    return folder


@pytest.mark.parametrize("line, field, needle", [
    (f"CHN,refining,cobalt,2024,production,100,point,t Ni,{URL}", "unit",
     "does not convert to cobalt"),
    (f"CHN,refining,lithium_chemicals,2024,production,100,point,t spodumene,{URL}", "unit",
     "does not convert"),
    (f"CHN,cells,cells,2024,capacity,100,roughly,GWh/yr,{URL}", "value_kind",
     "unknown value_kind"),
    (f"CHN,cells,cathode,2024,capacity,100,point,t/yr,{URL}", "product",
     "not a product of stage"),
    (f"CHN,cells,cells,2024,share,0.5,point,fraction,{URL}", "unit", "does not say of what"),
])
def test_a_total_the_model_cannot_use_is_a_validation_error(tmp_path, line, field, needle):
    problems = registry.load(_overlay(tmp_path, line)).problems
    assert problems and problems[0].field == field and needle in problems[0].message


def test_a_capacity_in_product_tonnes_is_a_validation_error(tmp_path):
    folder = tmp_path / "overlay"
    folder.mkdir()
    (folder / "capacity.csv").write_text(
        "facility,year,capacity,unit,basis,source_url,seen,confidence,notes\n"
        f"cngr-zhongtsing-morowali,2024,30000,t/yr,nameplate,{URL}\n", encoding="utf-8")
    problems = registry.load(folder).problems
    assert problems and problems[0].field == "unit"
    assert "does not convert to the unit of any of the plant's products" in problems[0].message


def test_korean_makers_own_their_plants_abroad(warehouse):
    """By owner, Korean makers hold far more cell capacity than Korea hosts: their plants in
    Poland, Hungary, the US and China count for Korea."""
    from cellchain.chain import model

    owner = shares.shares("cells", 2024, "owner").set_index("group")
    location = shares.shares("cells", 2024, "location").set_index("group")
    assert owner.loc["KOR", "capacity"] > 5 * location.loc["KOR", "capacity"]
    g = model.graph()
    abroad = {fac["country"] for fac, _ in shares.facility_capacities("cells", 2024)
              if fac["country"] != "KOR"
              and any(u.country == "KOR" for u in g.ultimate(fac["id"], 2024))}
    assert {"POL", "HUN", "USA", "CHN"} <= abroad


@pytest.mark.parametrize("product", ["lithium", "cobalt", "nickel"])
def test_mining_by_owner_shows_chinese_owned_mines_abroad(warehouse, product):
    """Mines are plants too: Chinese owners of mines in Australia, the DRC, Chile or
    Indonesia count for China by owner; each country's unnamed output stays located."""
    from cellchain.chain import model

    df = shares.shares("mining", 2024, "owner", product=product).set_index("group")
    assert df["basis"].iloc[0] == "production"
    assert df.loc["CHN", "capacity"] > 0
    g = model.graph()
    chinese_abroad = [fac["id"] for fac, _ in shares.facility_capacities("mining", 2024,
                                                                           product=product)
                      if fac["country"] != "CHN"
                      and any(u.country == "CHN" for u in g.ultimate(fac["id"], 2024))]
    assert chinese_abroad
    assert any(grp.startswith("unattributed (") for grp in df.index)
    assert df["share"].sum() == pytest.approx(1.0)
