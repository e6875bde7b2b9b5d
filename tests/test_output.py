"""Terminal tables people can read: fit the width, constants in the title, compact summaries,
shares as percentages, jobs whole, HHI without decimals; progress only on stderr."""

from __future__ import annotations

import io
import json

import pandas as pd
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from cellchain.cli import output, progress
from cellchain.cli.main import app
from cellchain.rows import Rows


def lines(text: str) -> list[str]:
    return text.rstrip("\n").split("\n")


names = st.sampled_from(["market", "year", "group", "group_name", "share", "hhi", "jobs",
                         "capacity", "basis", "covered_share", "source", "unit", "notes"])
values = st.one_of(st.none(), st.integers(-10**9, 10**9),
                   st.floats(-1e12, 1e12, allow_nan=False),
                   st.text(alphabet="abcdefghij XYZ-_/.", max_size=60))


@given(st.lists(names, min_size=1, max_size=8, unique=True),
       st.lists(st.lists(values, min_size=8, max_size=8), max_size=6),
       st.integers(20, 200), st.booleans())
def test_every_line_fits_the_width(columns, rows, width, compact):
    table = Rows(tuple(columns), [tuple(r[: len(columns)]) for r in rows])
    text = output.render(table, "A title that is long enough to need clipping " * 3,
                         width=width, compact=compact)
    assert all(len(line) <= width for line in lines(text)), text


def test_constant_columns_go_to_the_title_and_summary():
    df = pd.DataFrame({"market": ["USA", "USA"], "year": [2024, 2024],
                       "group": ["CHN", "KOR"], "share": [0.7512, 0.2488],
                       "hhi": [6261.2, 6261.2], "unit": ["GWh", "GWh"]})
    text = output.render(df, "Supply", width=80)
    first, header = lines(text)[:2]
    assert first == "Supply (market USA, year 2024, unit GWh)"
    assert header.split() == ["group", "share"]
    assert "75.1%" in text and "hhi: 6,261" in text and "6261.2" not in text


def test_numbers_are_formatted_by_column_name():
    assert output.cell(0.4086, "share") == "40.9%"
    assert output.cell(0.05, "covered_share_baseline") == "5.0%"
    assert output.cell(274.6, "jobs") == "275"
    assert output.cell(274.6, "jobs_change") == "275"
    assert output.cell(2.75, "jobs_per_unit") == "2.75"
    assert output.cell(2705.667, "hhi") == "2,706"
    assert output.cell(0.507, "hhi", hhi_scale=False) == "0.507"  # GeoPolRisk's 0-1 HHI
    assert output.cell(204200.0, "quantity") == "204,200"
    assert output.cell(2023, "year") == "2023"
    assert output.cell(2024.0, "year") == "2024"  # a year column with gaps is float


def test_narrow_terminal_shortens_text_then_names_hidden_columns():
    df = pd.DataFrame({"facility": ["a-very-long-facility-identifier"] * 2,
                       "name": ["A very long plant name, with a city", "Another"],
                       "capacity": [12.5, 40.0], "basis": ["reported (2023)"] * 2,
                       "jobs_per_unit": [80.0, 55.0], "notes": ["x" * 50, "y"]})
    text = output.render(df, "", width=50)
    assert all(len(line) <= 50 for line in lines(text))
    assert "…" in text and "not shown at this width" in text
    assert "12.5" in text and "40" in text  # numbers are never cut


def exposure_like() -> pd.DataFrame:
    rows = []
    for product, stage, suppliers in [("cells", "cells", {"USA": 0.6, "KOR": 0.3, "JPN": 0.1}),
                                      ("anode", "materials", {"CHN": 0.9, "USA": 0.1})]:
        cov = suppliers.get("CHN", 0.0)
        for group, share in suppliers.items():
            rows.append({"market": "USA", "year": 2024, "stage": stage, "product": product,
                         "by": "location", "group": group, "share": share,
                         "hhi": sum((100 * s) ** 2 for s in suppliers.values()),
                         "covered_share": cov, "capacity_basis": "cited"})
    return pd.DataFrame(rows)


def test_compact_folds_suppliers_into_one_line_per_stage():
    text = output.render(exposure_like(), "Supply by stage", width=120, compact=True)
    body = lines(text)
    assert body[0] == "Supply by stage (market USA, year 2024, by location)"
    cells = next(line for line in body if line.startswith("cells"))
    assert "USA 60%, KOR 30%, JPN 10%" in cells and "4,600" in cells
    anode = next(line for line in body if line.startswith("materials"))
    assert "CHN 90%, USA 10%" in anode and "90.0%" in anode
    assert len(body) == 5  # title, two header lines at most, rule, two rows
    full = output.render(exposure_like(), "Supply by stage", width=120)
    assert len(lines(full)) > len(body)


def test_compact_too_wide_becomes_records_and_still_fits():
    text = output.render(exposure_like(), "Supply", width=40, compact=True)
    assert all(len(line) <= 40 for line in lines(text))
    assert "cells / cells: USA 60%, KOR 30%, +1 more" in text or "cells / cells:" in text


def test_before_after_pairs_and_sections_are_generic():
    df = pd.DataFrame({"section": ["supply", "supply", "jobs"],
                       "market": ["USA", "EU27", None], "product": ["cells", "cells", "cells"],
                       "hhi_baseline": [5000.0, 4000.0, None],
                       "hhi_scenario": [6000.0, 4000.0, None],
                       "baseline_served": [10.0, 20.0, None],
                       "scenario_served": [5.0, 20.0, None],
                       "jobs_change": [None, None, -1234.4]})
    text = output.render(df, "Scenario", width=100, compact=True)
    assert "Scenario — supply" in text and "Scenario — jobs" in text
    assert "5,000 → 6,000" in text and "10 → 5" in text
    supply = text.split("Scenario — jobs")[0]
    assert "jobs_change" not in supply  # all empty in that section: left out
    assert "-1,234" in text


def test_infix_pairs_merge():
    df = pd.DataFrame({"country": ["USA", "CHN"], "stage": ["cells", "cells"],
                       "capex_baseline_musd": [100.0, 50.0],
                       "capex_scenario_musd": [150.0, 50.0]})
    text = output.render(df, "", width=80, compact=True)
    assert "capex_musd" in text and "100 → 150" in text and "→ 50" not in text


def test_exposure_cli_prints_compact_by_default_and_all_rows_on_request(warehouse):
    runner = CliRunner()
    compact = runner.invoke(app, ["exposure", "USA", "--year", "2024"], env={"COLUMNS": "150"})
    full = runner.invoke(app, ["exposure", "USA", "--year", "2024", "--all-rows"],
                         env={"COLUMNS": "150"})
    as_json = runner.invoke(app, ["exposure", "USA", "--year", "2024", "-f", "json"])
    assert compact.exit_code == full.exit_code == as_json.exit_code == 0
    products = {r["product"] for r in json.loads(as_json.stdout)}
    # one line per product (plus title, header, rule), every supplier row with --all-rows
    assert len(lines(compact.stdout)) <= len(products) + 4
    assert len(lines(full.stdout)) >= len(json.loads(as_json.stdout)) + 2
    assert all(len(line) <= 150 for line in lines(compact.stdout + full.stdout))


def test_progress_goes_to_stderr_only():
    err = io.StringIO()
    spinner = progress.Spinner("cellchain exposure", stream=err, delay=0).start()
    import time

    for _ in range(100):  # wait until it has drawn once (bounded, no timing asserted)
        if spinner.drawn:
            break
        time.sleep(0.01)
    spinner.stop()
    written = err.getvalue()
    assert "cellchain exposure" in written and written.endswith("\r")


def test_progress_off_unless_terminal_or_forced(monkeypatch):
    monkeypatch.delenv("CELLCHAIN_PROGRESS", raising=False)
    assert not progress.enabled(io.StringIO())
    monkeypatch.setenv("CELLCHAIN_PROGRESS", "1")
    assert progress.enabled(io.StringIO())
    monkeypatch.setenv("CELLCHAIN_PROGRESS", "0")
    assert not progress.enabled(io.StringIO())


def test_forced_progress_keeps_stdout_clean(warehouse):
    from conftest import run_cli  # the installed entry point: progress lives in run()

    res = run_cli("exposure", "USA", "--year", "2024", "-f", "json",
              env={"CELLCHAIN_PROGRESS": "1", "CELLCHAIN_PROGRESS_DELAY": "0"})
    assert res.returncode == 0, res.stderr
    assert json.loads(res.stdout)
    # (text mode reads the progress line's carriage returns as line ends)
    drawn = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert drawn and all(ln[0] in progress.FRAMES and "cellchain exposure" in ln
                         for ln in drawn)


def test_record_outline_formats_by_key(warehouse):
    runner = CliRunner()
    res = runner.invoke(app, ["facility", "show", "liotech-novosibirsk", "--year", "2011"])
    assert res.exit_code == 0, res.output
    assert "state_owned_share: 50.0%" in res.stdout and "jobs: 500" in res.stdout


def test_progress_label_names_the_command_and_skips_serve_and_help():
    from cellchain.cli.main import _progress_label

    assert _progress_label(["exposure", "USA", "--year", "2024"]) == "cellchain exposure"
    assert _progress_label(["scenario", "run", "x.yaml"]) == "cellchain scenario run"
    assert _progress_label(["serve", "--port", "8001"]) is None
    assert _progress_label(["exposure", "--help"]) is None
    assert _progress_label([]) is None


def test_callers_can_name_extra_percent_and_summary_columns():
    df = pd.DataFrame({"year": [2030, 2031], "self_sufficiency": [0.5, 0.75],
                       "gap": [1.0, 2.0], "total": [9.0, 9.0]})
    text = output.render(df, "Pipeline", width=80, percent=("self_sufficiency",),
                         summary=("total",))
    assert "50.0%" in text and "75.0%" in text and "total: 9" in text
    legacy = output.render_table(df, "Pipeline", {"note": "x"}, ("self_sufficiency",))
    assert "75.0%" in legacy and legacy.endswith("note: x\n")
