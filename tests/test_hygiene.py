"""Data hygiene reported by ``cellchain data validate`` (issue 14, section 6)."""

from cellchain.io import hygiene, registry

CT = ("country,stage,product,year,measure,value,value_kind,unit,source_url,seen,confidence,"
      "notes")


def _findings(tmp_path, table, header, *lines):
    folder = tmp_path / "overlay"
    folder.mkdir(exist_ok=True)
    (folder / f"{table}.csv").write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    reg = registry.load(folder)
    assert reg.problems == []
    return [f for f in hygiene.check(reg) if "overlay" in f.file]


def test_duplicates_and_conflicts_name_the_winner(tmp_path):
    found = _findings(
        tmp_path, "country_totals", CT,
        "KOR,cells,cells,2031,production,10,point,GWh,https://example.org/a,2026-12-03,low,",
        "KOR,cells,cells,2031,production,10,point,GWh,https://example.org/b,2026-12-03,low,",
        "JPN,cells,cells,2031,production,12,point,GWh,https://example.org/c,2026-12-03,low,",
        "JPN,cells,cells,2031,production,15,point,GWh,https://example.org/d,2026-12-03,high,")
    kinds = {f.kind: f for f in found}
    assert kinds["duplicate"].line == 2 and "line(s) 3" in kinds["duplicate"].message
    conflict = kinds["conflict"]
    assert conflict.line == 5 and "15.0 (high) wins" in conflict.message
    assert "most confident source" in conflict.message


def test_undated_rows_listing_pages_and_mirrors(tmp_path):
    found = _findings(
        tmp_path, "country_totals", CT,
        "KOR,cells,cells,,production,10,point,GWh,https://example.org/a,2026-12-03,low,",
        "KOR,cells,cells,2031,production,10,point,GWh,https://example.org/topic/batteries/,"
        "2026-12-03,low,",
        "KOR,cells,cells,2032,production,10,point,GWh,https://wungiel.pl/09_May_2023_1.html,"
        "2026-12-03,high,")
    by_line = {(f.line, f.kind) for f in found}
    assert (2, "no year") in by_line
    assert (3, "listing page") in by_line
    assert (4, "mirror") in by_line


def test_shipped_registry_reports_undated_plants(warehouse):
    reg = registry.load(use_env=False)
    found = hygiene.check(reg)
    assert any(f.kind == "no year" and "no dated capacity" in f.message for f in found)
    # an article with a WordPress id is not a listing page
    assert not any(f.kind == "listing page" and "?p=" in f.message for f in found)


def test_data_validate_prints_warnings_and_succeeds(cli, warehouse):
    res = cli("data", "validate")
    assert res.returncode == 0, res.stderr
    lines = res.stdout.strip().splitlines()
    assert lines[0].startswith("ok:") and "hygiene warning(s) follow" in lines[0]
    assert all(line.startswith("warning:") for line in lines[1:])
    assert any(": conflict:" in line for line in lines)


def test_a_plant_without_status_is_reported(tmp_path):
    folder = tmp_path / "overlay"
    folder.mkdir()
    (folder / "facilities.csv").write_text(
        "id,name,stage,products,chemistry,country,region,city,lat,lon,operator,jobs,jobs_year,"
        "capex_musd,end_uses,source_url,seen,confidence,notes\n"
        "probe-cells,Probe cells,cells,cells,,DEU,,,,,catl,,,,,https://example.org/a,"
        "2026-12-03,low,\n", encoding="utf-8")
    (folder / "capacity.csv").write_text(
        "facility,year,capacity,unit,basis,source_url,seen,confidence,notes\n"
        "probe-cells,2024,10,GWh/yr,nameplate,https://example.org/a,2026-12-03,low,\n",
        encoding="utf-8")
    reg = registry.load(folder)
    assert reg.problems == []
    found = [f for f in hygiene.check(reg) if f.kind == "no status"]
    assert any("probe-cells" in f.message for f in found)
