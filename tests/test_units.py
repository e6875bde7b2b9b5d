import pytest

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
