"""Material names people use: ids, the GeoPolRisk reference's names and common aliases."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cellchain import api, names
from cellchain.errors import UnknownValueError


@pytest.mark.parametrize("given_name, expected", [
    ("graphite", "natural_graphite"), ("Graphite", "natural_graphite"),
    ("natural graphite", "natural_graphite"), ("NATURAL-GRAPHITE", "natural_graphite"),
    ("Li", "lithium"), ("lithium carbonate", "lithium"), ("Lithium", "lithium"),
    ("Co", "cobalt"), ("Ni", "nickel"), ("Chromite", "chromium"), ("Zirconium", "zircon"),
    ("Rare earth", "rare_earths"), ("aluminum", "aluminium"), ("cobalt", "cobalt"),
])
def test_names_resolve_to_ids(warehouse, given_name, expected):
    assert api.check_material(given_name) == expected


def test_unknown_name_suggests(warehouse):
    with pytest.raises(UnknownValueError, match="Did you mean: lithium"):
        api.check_material("lithum")


@given(st.sampled_from(["natural_graphite", "lithium", "rare_earths"]),
       st.lists(st.sampled_from([" ", "_", "-"]), min_size=1, max_size=3))
def test_spacing_and_case_do_not_matter(material, seps):
    variant = material.replace("_", seps[0]).upper()
    assert names.material(variant, ("natural_graphite", "lithium", "rare_earths")) == material
    assert names.normal(names.normal(variant)) == names.normal(variant)


def test_cli_says_which_id_it_used(cli, warehouse):
    alias = cli("production", "-m", "graphite", "--year", "2023", "-f", "json")
    plain = cli("production", "-m", "natural_graphite", "--year", "2023", "-f", "json")
    assert alias.returncode == 0 and alias.stdout == plain.stdout
    assert alias.stderr.strip() == "note: material 'graphite' read as natural_graphite"
    assert plain.stderr == ""
    rows = json.loads(alias.stdout)
    assert rows[0]["material"] == "natural_graphite" and rows[0]["country"] == "CHN"


@pytest.mark.parametrize("args, alias, material", [
    (["trade", "--importer", "USA", "--year", "2022", "-f", "csv", "--material"],
     "lithium carbonate", "lithium"),
    (["risk", "geopolrisk", "--country", "USA", "--year", "2022", "-f", "csv", "-m"],
     "Graphite", "natural_graphite"),
    (["risk", "concentration", "--year", "2022", "-f", "csv", "-m"], "Co", "cobalt"),
])
def test_aliases_work_wherever_a_material_is_named(cli, warehouse, args, alias, material):
    via_alias, via_id = cli(*args, alias), cli(*args, material)
    assert via_alias.returncode == 0, via_alias.stderr
    assert via_alias.stdout == via_id.stdout and via_id.stdout.count("\n") >= 2
    assert f"read as {material}" in via_alias.stderr
