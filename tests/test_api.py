"""One Python API: every CLI command is a function of ``cellchain`` with the same keywords."""

from __future__ import annotations

import inspect
import json
import subprocess
import sys

import pandas as pd
import pytest
import typer
from conftest import REPO
from typer.testing import CliRunner

import cellchain
from cellchain import api
from cellchain.cli.main import app
from cellchain.errors import InvalidInputError, UnknownValueError

#: CLI options that choose how results are printed, not what is computed.
PRINTING = {"format", "all_rows", "help"}


def cli_commands() -> dict[str, object]:
    """Every command of the Typer app, by its path ("scenario run"), walked recursively."""
    found = {}

    def walk(group, prefix):
        for name, cmd in group.commands.items():
            path = f"{prefix} {name}".strip()
            if hasattr(cmd, "commands"):
                walk(cmd, path)
            else:
                found[path] = cmd

    walk(typer.main.get_command(app), "")
    return found


COMMANDS = cli_commands()


def test_every_cli_command_has_its_api_function():
    assert len(COMMANDS) >= 20
    assert set(COMMANDS) == set(api.COMMANDS)
    for path, name in api.COMMANDS.items():
        fn = getattr(cellchain, name)
        assert callable(fn), path
        assert name in cellchain.__all__ and name in dir(cellchain)
    from_api = {n for n, module in cellchain._LAZY.items() if module == "cellchain.api"}
    assert from_api == set(api.__all__)
    assert all(getattr(cellchain, n) is getattr(api, n) for n in from_api)


@pytest.mark.parametrize("path", sorted(COMMANDS))
def test_api_takes_the_cli_option_names(path):
    """Each CLI option (``--year`` -> ``year=``, ``--all`` -> ``all=``) and argument is a
    parameter of the API function; ``--output`` only where it is what the command makes."""
    params = inspect.signature(getattr(cellchain, api.COMMANDS[path])).parameters
    for p in COMMANDS[path].params:
        longs = [o for o in p.opts if o.startswith("--")]
        name = longs[0][2:].replace("-", "_") if longs else p.name
        if name in PRINTING or (name == "output" and path != "report"):
            continue
        assert name in params, f"cellchain {path}: option {name!r} missing from the API"


def test_import_cellchain_stays_light():
    code = ("import sys, cellchain; f = cellchain.production; "
            "print(','.join(m for m in ('pandas', 'numpy', 'duckdb', 'pydantic', 'plotly') "
            "if m in sys.modules))")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert res.returncode == 0 and res.stdout.strip() == "", res.stdout + res.stderr
    with pytest.raises(AttributeError):
        cellchain.no_such_function  # noqa: B018


def test_production_frame_and_rows_agree(warehouse):
    df = cellchain.production("lithium", year=2023)
    rows = cellchain.production("lithium", year=2023, as_frame=False)
    assert isinstance(df, pd.DataFrame)
    assert list(df.columns) == list(rows.columns) and len(df) == len(rows)
    assert df.loc[df["country"] == "AUS", "quantity"].iloc[0] == 204200.0
    assert rows.records()[0]["country"] == "AUS" and rows.records()[0]["rank"] == 1
    assert df["share"].sum() == pytest.approx(1.0)
    assert df["hhi"].iloc[0] == pytest.approx(2705.6678606, rel=1e-9)


def test_registry_functions_take_the_cli_keywords(warehouse):
    sh = cellchain.shares(stage="cells", year=2024, by="owner")
    assert set(sh["by"]) == {"owner"} and "CHN" in set(sh["group"])
    for _, part in sh.groupby("unit"):
        assert part["share"].sum() == pytest.approx(1.0)
    jobs = cellchain.jobs(stage="cells", country="USA", year=2024)
    assert (jobs["country"] == "USA").all() and jobs["jobs"].sum() > 0
    assert cellchain.facility_show("liotech-novosibirsk", year=2011)["id"] == \
        "liotech-novosibirsk"
    rosatom = cellchain.entity_show("rosatom", year=2025)
    assert rosatom["country"] == "RUS" and rosatom["state_owned_share"] == 1.0


def test_exposure_shares_sum_to_one_per_product(warehouse):
    df = cellchain.exposure(market="USA", year=2024, by="location")
    assert set(df["market"]) == {"USA"}
    sums = df.groupby("product")["share"].sum()
    assert sums.to_numpy() == pytest.approx(1.0)


def test_value_chain_and_scenarios(warehouse):
    assert cellchain.demand(year=2024)["value"].notna().any()
    with pytest.raises(UnknownValueError, match="No sourced demand"):
        cellchain.demand(year=2024, scenario="no such projection")
    assert len(cellchain.recipe(year=2024)) > 0
    assert "NMC811" in set(cellchain.intensities(chemistry="NMC811")["chemistry"])
    path = REPO / "scenarios" / "us_fta_only.yaml"
    assert cellchain.scenario_validate(path).year == 2024
    result = cellchain.scenario_run(path)
    assert result.status == "optimal" and isinstance(result.table, pd.DataFrame)
    assert {"market", "product"} <= set(result.table.columns)
    assert "USA" in set(result.bottlenecks["market"])
    assert isinstance(result.jobs, pd.DataFrame) and len(result.jobs)


def test_risk_and_data_functions(warehouse, tmp_path):
    g = cellchain.risk_geopolrisk(material="lithium", country="USA", year=2022)
    assert len(g) == 1 and g["country"].iloc[0] == "USA"
    eu = cellchain.risk_geopolrisk(material=["cobalt"], region="EU27", year=[2023])
    assert list(eu["country"]) == ["EU27"]
    with pytest.raises(InvalidInputError, match="--material"):
        cellchain.risk_geopolrisk(country="USA")
    c = cellchain.risk_concentration("cobalt", year=2023)
    assert "hhi" in set(c["metric"])
    assert "production" in set(cellchain.data_sources()["table"])
    assert cellchain.data_path().name == "warehouse.duckdb"
    assert cellchain.data_build().built is False
    found = cellchain.data_validate()
    assert (found["severity"] != "error").all()


def test_cli_prints_what_the_api_returns(warehouse):
    """The CLI is a printer: its JSON is the API's table, row for row."""
    runner = CliRunner()
    res = runner.invoke(app, ["shares", "--stage", "refining", "--year", "2024", "--by",
                              "location", "--product", "lithium_chemicals", "-f", "json"])
    assert res.exit_code == 0, res.output
    expected = cellchain.shares(stage="refining", year=2024, by="location",
                                product="lithium_chemicals")
    got = json.loads(res.stdout)
    assert [r["group"] for r in got] == list(expected["group"])
    assert [r["capacity"] for r in got] == pytest.approx(list(expected["capacity"]))
