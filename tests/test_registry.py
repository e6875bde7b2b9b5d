"""The registry: validation with file, line and field; overlays; the warehouse stays sound."""

import shutil

import pytest

from cellchain.errors import ValidationError
from cellchain.io import registry, store


def test_shipped_registry_is_valid():
    reg = registry.load(use_env=False)
    assert reg.problems == []
    assert len(reg.tables["facilities"]) >= 250
    assert all(r.values["source_url"].startswith("http") for t in reg.tables.values()
               for r in t)


def _overlay(tmp_path, table, header, *lines):
    folder = tmp_path / "overlay"
    folder.mkdir(exist_ok=True)
    (folder / f"{table}.csv").write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    return folder


ENT = "id,name,country,kind,source_url,seen,confidence,notes"
OWN = "owner,owned,share,valid_from,valid_to,source_url,seen,confidence,notes"
URL = "https://example.org/a,2026-11-21,high,"
DEM = "market,end_use,year,measure,value,unit,scenario,source_url,seen,confidence,notes"
CM = "chemistry,product,input,amount,unit,source_url,seen,confidence,notes"


@pytest.mark.parametrize("table, header, line, field, needle", [
    ("entities", ENT, f"acme,Acme,XXX,company,{URL}", "country", "unknown country code"),
    ("entities", ENT, "acme,Acme,USA,company,not-a-url,2026-11-21,high,", "source_url",
     "not a URL"),
    ("entities", ENT, f"acme,Acme,USA,giant,{URL}", "kind", "unknown kind"),
    ("ownership", OWN, f"rosatom,tvel,1.5,,,{URL}", "share", "outside 0..1"),
    ("ownership", OWN, f"nobody,tvel,0.1,,,{URL}", "owner", "not found"),
    ("ownership", OWN, f"rosatom,tvel,0.5,2020,2010,{URL}", "valid_to", "before it starts"),
    ("ownership", OWN, f"rosatom,tvel,abc,,,{URL}", "share", "is not a number"),
    ("demand", DEM, f"USA,cars,2024,demand,1,GWh,actual,{URL}", "end_use", "unknown end_use"),
    ("demand", DEM, f"USA,ev_all,2024,sales,1,GWh,actual,{URL}", "measure", "unknown measure"),
    ("demand", DEM, f"XXX,ev_all,2024,demand,1,GWh,actual,{URL}", "market", "unknown market"),
    ("demand", DEM, f"USA,ev_all,2024,demand,-1,GWh,actual,{URL}", "value", "negative"),
    ("cell_materials", CM, f"NMC811,cell,cobalt,0.1,kg/kg cell,{URL}", "input",
     "unknown input"),
    ("cell_materials", CM, f"NMC811,module,cathode,0.3,kg/kg cell,{URL}", "product",
     "unknown product"),
    ("cell_materials", CM, f"NMC811,cell,cathode,0.3,t/t cathode,{URL}", "unit",
     "does not fit"),
    ("cell_materials", CM, f"NMC811,cell,energy,280,kWh/kg cell,{URL}", "amount",
     "more than any lithium-ion cell"),
    ("cell_materials", CM, f"NMC811,cathode,nickel_sulfate,-1,t/t cathode,{URL}", "amount",
     "not positive"),
])
def test_bad_overlay_rows_are_reported(tmp_path, table, header, line, field, needle):
    folder = _overlay(tmp_path, table, header, line)
    problems = registry.load(folder).problems
    assert problems, "the bad row was accepted"
    p = problems[0]
    assert p.file.endswith(f"{table}.csv") and p.row == 2 and p.field == field
    assert needle in p.message and p.hint


def test_holdings_over_100_percent(tmp_path):
    # Overlays replace the holdings in what they name, so both holders are given here.
    folder = _overlay(tmp_path, "ownership", OWN,
                      f"renera,enertech-international,0.98,2023-05,,{URL}",
                      f"sk-innovation,enertech-international,0.5,2024,,{URL}")
    problems = registry.load(folder).problems
    assert any("add up to" in p.message and p.field == "share" for p in problems)


def test_cell_heavier_than_itself(tmp_path):
    folder = _overlay(tmp_path, "cell_materials", CM,
                      f"NMC811,cell,cathode,0.7,kg/kg cell,{URL}",
                      f"NMC811,cell,anode,0.4,kg/kg cell,{URL}")
    problems = registry.load(folder).problems
    assert any("add up to 1.1 kg per kg of cell" in p.message and p.row == 3
               for p in problems)


def test_ownership_cycle(tmp_path):
    folder = _overlay(tmp_path, "ownership", OWN, f"tvel,rosatom,0.1,,,{URL}")
    assert any("cycle" in p.message for p in registry.load(folder).problems)


def test_overlay_replaces_rows_by_id(tmp_path):
    folder = _overlay(tmp_path, "entities", ENT,
                      f"rosatom,Rosatom State Corporation,RUS,company,{URL}")
    reg = registry.load(folder)
    assert reg.problems == []
    names = [r.values["name"] for r in reg.tables["entities"] if r.values["id"] == "rosatom"]
    assert names == ["Rosatom State Corporation"]


def test_bad_overlay_leaves_warehouse_untouched(tmp_path, monkeypatch):
    monkeypatch.setenv("CELLCHAIN_CACHE_DIR", str(tmp_path / "cache"))
    store.close()
    path = store.build()
    before = path.read_bytes()
    store.close()
    folder = _overlay(tmp_path, "entities", ENT, f"acme,Acme,XXX,company,{URL}")
    monkeypatch.setenv("CELLCHAIN_DATA_DIR", str(folder))
    with pytest.raises(ValidationError, match="unknown country code 'XXX'"):
        store.build()
    assert path.read_bytes() == before
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name, store.STAMP_NAME]
    store.close()


def test_cli_rejects_bad_overlay_in_one_line(cli, tmp_path):
    folder = _overlay(tmp_path, "entities", ENT, f"acme,Acme,XXX,company,{URL}")
    res = cli("--data-dir", str(folder), "shares", "--stage", "cells",
              env={"CELLCHAIN_CACHE_DIR": str(tmp_path / "cache")})
    assert res.returncode == 1
    assert len(res.stderr.strip().splitlines()) == 1
    assert "entities.csv, line 2, field country" in res.stderr
    res = cli("--data-dir", str(folder), "data", "validate",
              env={"CELLCHAIN_CACHE_DIR": str(tmp_path / "cache")})
    assert res.returncode == 1 and "unknown country code 'XXX'" in res.stdout


def test_registry_copy_is_installed_with_the_package():
    assert (registry.registry_dir() / "facilities.csv").is_file()
    shutil.disk_usage(registry.registry_dir())
