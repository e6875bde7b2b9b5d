"""Per-chemistry material intensities worked out from the cell inventories."""

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cellchain import units
from cellchain.chain import materials, valuechain


def _derived(chemistry, material):
    rows = [r for r in materials.derived_intensities()
            if r["chemistry"] == chemistry and r["input"] == material]
    assert len(rows) == 1, (chemistry, material)
    return rows[0]


def test_nmc811_intensities_by_hand(warehouse):
    # premise/Dai et al.: 0.3773 kg cathode per kg cell x 0.95 oxide; 0.28 kWh/kg cell
    cathode = 0.3773 * 0.95 / 0.28
    assert _derived("NMC811", "cathode")["kg_per_kwh"] == pytest.approx(cathode, rel=1e-5)
    # LiNi0.8Mn0.1Co0.1O2 = 97.28 g/mol: 0.8 x 58.693 g Ni per mole
    m = 6.941 + 0.8 * 58.693 + 0.1 * 54.938 + 0.1 * 58.933 + 2 * 15.999
    assert _derived("NMC811", "nickel")["kg_per_kwh"] == pytest.approx(
        cathode * 0.8 * 58.693 / m, rel=1e-6)
    assert _derived("NMC811", "lithium")["kg_per_kwh"] == pytest.approx(
        cathode * 6.941 / m * 5.323, rel=1e-6)
    # 0.2181 kg anode coating x 0.94 graphite per kg cell
    assert _derived("NMC811", "graphite")["kg_per_kwh"] == pytest.approx(
        0.2181 * 0.94 / 0.28, rel=1e-5)
    row = _derived("NMC811", "cathode")
    assert len(row["sources"]) == 2 and all(u.startswith("https://") for u in row["sources"])


def test_lfp_has_no_nickel_and_no_anode_from_a_cell_that_could_not_work(warehouse):
    assert _derived("LFP", "nickel")["kg_per_kwh"] == 0
    assert _derived("LFP", "cobalt")["kg_per_kwh"] == 0
    # LiFePO4 = 157.76 g/mol: 0.338566 kg per kg cell / 0.16 kWh per kg cell
    li = 0.3891558 * 0.87 / 0.16 * 6.941 / 157.757 * 5.323
    assert _derived("LFP", "lithium")["kg_per_kwh"] == pytest.approx(li, rel=1e-4)
    assert not [r for r in materials.derived_intensities()
                if r["chemistry"] == "LFP" and r["input"] in ("anode", "graphite")]


@pytest.mark.parametrize("chemistry, cru", [("NMC811", 0.07), ("NMC622", 0.17)])
def test_derived_cobalt_agrees_with_cru(warehouse, chemistry, cru):
    # two independent sources: CRU's g Co per kWh and the Argonne-based inventory
    derived = _derived(chemistry, "cobalt")["kg_per_kwh"]
    assert derived == pytest.approx(cru, rel=0.2)


def test_refined_inputs_supply_what_the_cathode_holds(warehouse):
    rows = materials.refined_inputs()
    assert {r["chemistry"] for r in rows} >= {"NMC111", "NMC622", "NMC811", "NCA", "LFP"}
    for r in rows:
        # a cathode cannot be made from less metal than it holds
        assert r["supplied_over_held"] >= 0.95, r
        if (r["chemistry"], r["element"]) != ("LFP", "Li"):  # hydrothermal, excess Li
            assert r["supplied_over_held"] <= 1.05, r
    nickel = next(r for r in rows if r["chemistry"] == "NMC811"
                  and r["input"] == "nickel_sulfate")
    # 1.2865 kg NiSO4 per kg hydroxide x 0.949 kg hydroxide per kg oxide
    assert nickel["t_per_t_cathode"] == pytest.approx(1.2865 * 0.949, rel=1e-5)


def test_reported_rows_win_a_tie_and_the_recipe_keeps_its_basis(warehouse):
    # CRU's reported 70 g/kWh (medium) wins over the derived 78 g/kWh (medium)
    assert valuechain.intensity("NMC811", "cobalt") == pytest.approx(0.07)
    assert valuechain.intensity("NMC811", "graphite") == pytest.approx(0.2181 * 0.94 / 0.28,
                                                                       rel=1e-5)
    basis = valuechain.recipe_basis(2024)
    assert basis.startswith("composite cell AVG2023") and "high-Ni total" in basis


@pytest.mark.parametrize("chemistry", sorted(materials.CATHODE_FORMULAS))
def test_cathode_formula_mass_fractions_sum_to_one(chemistry):
    formula = materials.CATHODE_FORMULAS[chemistry]
    assert sum(units.mass_fraction(formula, el) for el in formula) == pytest.approx(1.0)


@given(st.dictionaries(st.sampled_from(sorted(units.ATOMIC_MASS)),
                       st.floats(min_value=0.01, max_value=10), min_size=1, max_size=6))
def test_mass_fractions_are_shares(formula):
    fractions = [units.mass_fraction(formula, el) for el in formula]
    assert all(0 < f <= 1 for f in fractions)
    assert sum(fractions) == pytest.approx(1.0)


def test_sulfates_carry_their_metal():
    assert units.element_in("nickel_sulfate", 1.0) == ("Ni", pytest.approx(0.3793, abs=1e-4))
    assert units.element_in("lithium_carbonate", 1.0)[1] * units.LCE_PER_LI == pytest.approx(
        1.0, rel=1e-3)
    lce_per_lioh = units.LCE_PER_LIOH
    assert lce_per_lioh == pytest.approx(1.5427, abs=1e-4)


def test_cli_intensities(cli, warehouse):
    res = cli("intensities", "--chemistry", "NCA", "--format", "json")
    assert res.returncode == 0, res.stderr
    rows = json.loads(res.stdout)
    nickel = [r for r in rows if r["material"] == "nickel"]
    assert nickel and nickel[0]["method"] == "derived" and 0.5 < nickel[0]["kg_per_kwh"] < 0.8
    res = cli("intensities", "--refined", "--format", "json")
    assert res.returncode == 0, res.stderr
    assert any(r["input"] == "lithium_hydroxide" for r in json.loads(res.stdout))


@pytest.mark.parametrize("args", [("--chemistry", "NMC999"),
                                  ("--refined", "--chemistry", "NMC532")])
def test_cli_unknown_chemistry_is_one_line(cli, warehouse, args):
    res = cli("intensities", *args)
    assert res.returncode == 1 and not res.stdout
    assert res.stderr.strip().count("\n") == 0 and "NMC811" in res.stderr
