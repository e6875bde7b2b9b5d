import pytest
from hypothesis import given
from hypothesis import strategies as st

from cellchain import units


def test_li2o_to_li_uses_stoichiometric_factor():
    assert units.li2o_to_li(1000.0) == pytest.approx(464.5)


def test_li_to_lce():
    assert units.li_to_lce(1.0) == pytest.approx(5.323)


def test_factors_agree_with_molar_masses():
    assert pytest.approx(units.LI_PER_LI2O, abs=1e-4) == 2 * units.M_LI / units.M_LI2O
    assert pytest.approx(units.LCE_PER_LI, abs=5e-4) == units.M_LI2CO3 / (2 * units.M_LI)


def test_li2o_to_lce_chains_both_factors():
    assert units.li2o_to_lce(204200.0) == pytest.approx(204200 * 0.4645 * 5.323)


@pytest.mark.parametrize("value, unit, product, expected, model_unit", [
    (1000.0, "t Li2CO3", "lithium_chemicals", 1000.0, "t/yr LCE"),
    (1000.0, "t LiOH", "lithium_chemicals", 880.0, "t/yr LCE"),
    (1000.0, "t/yr LiOH.H2O", "lithium_chemicals", 880.0, "t/yr LCE"),
    (100.0, "t Li", "lithium", 532.3, "t/yr LCE"),
    (1000.0, "t NiSO4.6H2O", "nickel_sulfate", 223.3, "t/yr Ni"),
    (1000.0, "t/yr NiSO4", "nickel", 223.3, "t/yr Ni"),
    (1000.0, "t CoSO4.7H2O", "cobalt_sulfate", 209.7, "t/yr Co"),
    (172000.0, "t Co", "cobalt", 172000.0, "t/yr Co"),
    (2.0, "TWh", "cells", 2000.0, "GWh/yr"),
    (940.0, "GWh", "cells", 940.0, "GWh/yr"),
])
def test_registry_units_convert_to_the_product_model_unit(value, unit, product, expected,
                                                         model_unit):
    got, got_unit = units.to_model(value, unit, product)
    assert got == pytest.approx(expected, rel=1e-3) and got_unit == model_unit


@pytest.mark.parametrize("unit, product", [("t Co", "nickel"), ("t/yr", "lithium"),
                                           ("GWh", "cathode"), ("t matte", "nickel")])
def test_a_unit_that_does_not_fit_the_product_is_an_error(unit, product):
    assert not units.fits(unit, product)
    with pytest.raises(units.UnitError, match=unit):
        units.to_model(1.0, unit, product)


def test_hydrate_factors_follow_from_molar_masses():
    # NiSO4.6H2O 262.85 g/mol, CoSO4.7H2O 281.10 g/mol
    assert pytest.approx(58.693 / 262.85, rel=1e-3) == units.NI_PER_NISO4_6H2O
    assert pytest.approx(58.933 / 281.10, rel=1e-3) == units.CO_PER_COSO4_7H2O


@given(st.sampled_from(sorted(units.UNITS)), st.floats(0, 1e9, allow_nan=False))
def test_an_amount_and_its_rate_convert_alike(unit, value):
    """A figure for one year in t (or GWh) converts like the same figure per year."""
    rate = unit if "/yr" in unit else (unit.replace("t ", "t/yr ", 1) if unit.startswith("t ")
                                       else f"{unit}/yr")
    assert units.to_model(value, unit) == units.to_model(value, rate)
    assert units.to_model(value, unit)[0] >= 0
