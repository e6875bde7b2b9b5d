"""The CLI end to end: in-process (``cli``) and, for usage errors, help and version,
through the installed entry point (``entry_cli``)."""

import json

import pandas as pd
import pytest

from cellchain import api


def test_production_json_prints_source_figures(cli, warehouse):
    res = cli("production", "--material", "lithium", "--year", "2023", "--format", "json")
    assert res.returncode == 0, res.stderr
    rows = json.loads(res.stdout)
    by_country = {r["country"]: r for r in rows}
    assert by_country["AUS"]["quantity"] == 204200.0
    assert by_country["CHL"]["quantity"] == 113200.0
    assert set(rows[0]) == {"material", "year", "country", "country_name", "quantity", "unit",
                            "share", "rank", "data_flag", "hhi", "top3_share"}
    expected = api.production("lithium", 2023)
    assert [r["quantity"] for r in rows] == expected["quantity"].tolist()
    assert sum(r["share"] for r in rows) == pytest.approx(1.0)


def test_production_table_has_summary(cli, warehouse):
    res = cli("production", "--material", "lithium", "--year", "2023")
    assert res.returncode == 0
    assert "Australia" in res.stdout and "hhi: 2,706" in res.stdout
    assert "top3_share: 84.8%" in res.stdout


def test_trade_json(cli, warehouse):
    res = cli("trade", "--hs", "283691", "--importer", "USA", "--year", "2022", "-f", "json")
    assert res.returncode == 0, res.stderr
    rows = json.loads(res.stdout)
    assert rows[0]["partner"] == "CHL" and rows[0]["value_kusd"] == 124350.85


@pytest.mark.parametrize("fmt", ["csv", "json", "parquet", "xlsx"])
def test_output_files(cli, warehouse, tmp_path, fmt):
    out = tmp_path / f"lithium.{fmt}"
    res = cli("production", "-m", "lithium", "--year", "2023", "--output", str(out))
    assert res.returncode == 0, res.stderr
    reader = {"csv": pd.read_csv, "json": pd.read_json, "parquet": pd.read_parquet,
              "xlsx": pd.read_excel}[fmt]
    df = reader(out)
    assert df.loc[df["country"] == "AUS", "quantity"].iloc[0] == 204200
    assert [p.name for p in tmp_path.iterdir()] == [out.name]  # no temporary left over


@pytest.mark.parametrize(
    "args, needle",
    [
        (["production", "--material", "lithum"], "Unknown material 'lithum'"),
        (["production", "--material", "lithium", "--year", "1990"], "year 1990"),
        (["trade", "--hs", "999999", "--importer", "USA"], "Unknown HS code '999999'"),
        (["trade", "--hs", "283691", "--importer", "XYZ"], "Unknown country 'XYZ'"),
        (["production", "-m", "lithium", "--format", "yaml"], "Unknown format 'yaml'"),
        (["production", "-m", "lithium", "--format", "parquet"], "needs a file"),
    ],
)
def test_bad_input_is_one_line_exit_1(cli, warehouse, args, needle):
    res = cli(*args)
    assert res.returncode == 1
    assert needle in res.stderr
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ")
    assert "Traceback" not in res.stderr and res.stdout == ""


def test_failed_write_leaves_nothing(cli, warehouse, tmp_path):
    out = tmp_path / "missing-dir" / "x.csv"
    res = cli("production", "-m", "lithium", "--output", str(out))
    assert res.returncode == 1 and "does not exist" in res.stderr
    assert not (tmp_path / "missing-dir").exists()
    bad = tmp_path / "bad.csv"
    res = cli("production", "-m", "lithum", "--output", str(bad))
    assert res.returncode == 1 and list(tmp_path.iterdir()) == []


def test_usage_error_exit_2(entry_cli):
    res = entry_cli("production")
    assert res.returncode == 2
    res = entry_cli("no-such-command")
    assert res.returncode == 2


def test_help_and_version(entry_cli):
    res = entry_cli("--help")
    assert res.returncode == 0 and "production" in res.stdout and "trade" in res.stdout
    res = entry_cli("--version")
    assert res.returncode == 0 and res.stdout.startswith("cellchain ")


def test_help_does_not_import_heavy_libraries():
    import subprocess
    import sys

    code = ("import sys; from cellchain.cli import main; "
            "heavy = [m for m in ('pandas', 'duckdb', 'pyarrow', 'numpy') if m in sys.modules];"
            "print(','.join(heavy))")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert res.returncode == 0 and res.stdout.strip() == ""


def test_data_commands(cli, warehouse):
    res = cli("data", "path")
    assert res.returncode == 0 and res.stdout.strip().endswith("warehouse.duckdb")
    res = cli("data", "build")
    assert res.returncode == 0 and "up to date" in res.stdout
    res = cli("data", "sources", "--format", "json")
    entries = json.loads(res.stdout)
    assert {e["table"] for e in entries} >= {"production", "trade", "governance"}
    assert all(len(e["sha256"]) == 64 and e["licence"] for e in entries)
    res = cli("data", "validate")
    assert res.returncode == 0 and res.stdout.startswith("ok")
