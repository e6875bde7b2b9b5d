"""The flow model's years at their edges, everywhere they are offered: the first and the
last year answer (2021 and 2030 on the bundled data), the year before and the year after
are refused at the year check with one line naming the range and why (exit 1, nothing
written): ``exposure``, ``scenario run``, ``report``, ``risk montecarlo`` and the
dashboard (422). And a Monte Carlo run in the last, projected, year."""

from __future__ import annotations

import json
import re
import shlex

import pytest
from conftest import REPO

from cellchain import years

FIRST, LAST = 2021, 2030
WHY = {FIRST - 1: "The flow model has no year 2020: it starts in 2021, the first year the "
                  "registry has refined cobalt capacity or output. Use 2021–2030 "
                  "(default 2024).",
       LAST + 1: "The flow model has no year 2031: it ends in 2030, the last year with a "
                 "regional demand projection (IEA STEPS (GEVO2025)); later years have world "
                 "demand only. Use 2021–2030 (default 2024)."}
#: The IEA GEVO 2025 STEPS cell demand of the USA in 2030 [GWh/yr] (registry/demand.csv).
USA_2030_GWH = 289.11


def test_the_range_is_the_datas(warehouse):
    assert years.available("model") == tuple(range(FIRST, LAST + 1))


def _refused(res, year: int) -> None:
    assert res.returncode == 1, res.stderr
    assert res.stdout == ""
    assert res.stderr.splitlines() == [f"error: {WHY[year]}"]


@pytest.mark.parametrize("year", [FIRST, LAST])
def test_exposure_first_and_last_year(cli, warehouse, year):
    res = cli("exposure", "USA", "--year", str(year), "--format", "json")
    assert res.returncode == 0, res.stderr
    rows = json.loads(res.stdout)
    products = {r["product"] for r in rows}
    assert {"cells", "cathode", "cobalt_refined", "mine_lithium"} <= products
    for p in products:
        assert sum(r["share"] for r in rows if r["product"] == p) == pytest.approx(1.0)
    assert {r["year"] for r in rows} == {year}
    projected = {r["basis"].startswith("projected:") for r in rows}
    assert projected == {year > years.AS_OF}  # 2030 is a projection, 2021 observed


@pytest.mark.parametrize("year", [FIRST - 1, LAST + 1])
def test_exposure_year_before_and_after(cli, warehouse, year):
    _refused(cli("exposure", "USA", "--year", str(year)), year)


SCENARIO = "name: edge\nyear: {year}\nshocks:\n  - outage: {{country: CHL, stage: refining, " \
           "fraction: 0.5}}\n"


@pytest.mark.parametrize("year", [FIRST, LAST])
def test_scenario_run_first_and_last_year(cli, warehouse, tmp_path, year):
    path = tmp_path / "s.yaml"
    path.write_text(SCENARIO.format(year=year), encoding="utf-8")
    res = cli("scenario", "run", str(path), "--format", "json")
    assert res.returncode == 0, res.stderr
    supply = [r for r in json.loads(res.stdout) if r["section"] == "supply"]
    assert supply and all(0 <= r["unserved_share"] <= 1 + 1e-9 for r in supply)


@pytest.mark.parametrize("year", [FIRST - 1, LAST + 1])
def test_scenario_run_with_a_year_outside(cli, warehouse, tmp_path, year):
    path = tmp_path / "s.yaml"
    path.write_text(SCENARIO.format(year=year), encoding="utf-8")
    res = cli("scenario", "run", str(path))
    assert res.returncode == 1 and res.stdout == ""
    assert res.stderr.splitlines() == [f"error: {path}, line 2: year: {WHY[year]}"]


@pytest.mark.parametrize("year", [FIRST, LAST])
def test_report_first_and_last_year(cli, warehouse, tmp_path, year):
    out = tmp_path / "r.html"
    res = cli("report", "USA", "--year", str(year), "-o", str(out))
    assert res.returncode == 0, res.stderr
    text = out.read_text(encoding="utf-8")
    assert f"<title>cellchain: battery supply of USA, {year}</title>" in text


@pytest.mark.parametrize("year", [FIRST - 1, LAST + 1])
def test_report_year_before_and_after(cli, warehouse, tmp_path, year):
    res = cli("report", "USA", "--year", str(year), cwd=tmp_path)
    _refused(res, year)
    assert list(tmp_path.iterdir()) == []  # nothing written, not even the default name


@pytest.mark.parametrize("year", [FIRST - 1, LAST + 1])
def test_risk_montecarlo_year_before_and_after(cli, warehouse, year):
    _refused(cli("risk", "montecarlo", "--market", "USA", "--year", str(year),
                 "--draws", "10"), year)


def test_risk_montecarlo_first_year(cli, warehouse):
    res = cli("risk", "montecarlo", "--market", "USA", "--year", str(FIRST), "--draws",
              "100", "--format", "json")
    assert res.returncode == 0, res.stderr
    summary = [r for r in json.loads(res.stdout) if r["section"] == "summary"]
    assert {r["year"] for r in summary} == {FIRST}


def test_risk_montecarlo_in_the_last_projected_year(cli, warehouse):
    res = cli("risk", "montecarlo", "--market", "USA", "--year", str(LAST), "--draws", "200",
              "--mode", "short", "--format", "json")
    assert res.returncode == 0, res.stderr
    rows = json.loads(res.stdout)
    summary = [r for r in rows if r["section"] == "summary"]
    drivers = [r for r in rows if r["section"] == "driver"]
    assert {(r["market"], r["year"], r["mode"]) for r in summary} == {("USA", LAST, "short")}
    assert {r["stage"] for r in summary} == {"mining", "refining", "materials", "cells"}
    for r in summary:
        for key in ("mean", "prob_shortfall", "p95", "p99", "cvar95"):
            assert 0 <= r[key] <= 1 + 1e-9, (key, r)
        assert r["p95"] <= r["p99"] + 1e-12, r
        # the expected shortfall is at most the mean of the worst 5 %, which is at least p95
        assert r["mean"] <= r["cvar95"] + 1e-12 and r["p95"] <= r["cvar95"] + 1e-12, r
        assert (r["mean"] > 0) == (r["prob_shortfall"] > 0), r
        assert r["need"] > 0 and r["mean_units"] == pytest.approx(r["mean"] * r["need"])
    cells = next(r for r in summary if r["product"] == "cells")
    # the projected network: the USA's cells need is the projection's 2030 demand
    assert cells["unit"] == "GWh/yr" and cells["need"] == pytest.approx(USA_2030_GWH)
    assert drivers and {d["kind"] for d in drivers} >= {"country", "event"}
    for kind in {d["kind"] for d in drivers}:
        ranked = [d for d in drivers if d["kind"] == kind]
        contributions = [d["contribution"] for d in ranked]
        assert contributions == sorted(contributions, reverse=True), kind
    # taking one driver away cannot save more than the whole expected cell shortfall
    assert all(0 < d["contribution"] <= cells["mean"] + 1e-12 for d in drivers)


# ---------------------------------------------------------------------------------------
# the dashboard
# ---------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def client(live_server):
    import httpx

    with httpx.Client(base_url=live_server, timeout=120) as c:
        yield c


@pytest.mark.parametrize("year", [FIRST, LAST])
def test_dashboard_exposure_first_and_last_year(client, year):
    res = client.get("/api/exposure/USA", params={"year": year})
    assert res.status_code == 200, res.text


@pytest.mark.parametrize("path", ["/api/exposure/USA", "/api/risk", "/market/USA", "/risk"])
@pytest.mark.parametrize("year", [FIRST - 1, LAST + 1])
def test_dashboard_year_before_and_after_is_422_saying_why(client, path, year):
    res = client.get(path, params={"year": year, "draws": 10} if "risk" in path
                     else {"year": year})
    assert res.status_code == 422, res.text
    message, hint = WHY[year].rsplit(" Use ", 1)
    if path.startswith("/api/"):
        assert res.json() == {"error": f"year: {message}", "hint": f"Use {hint}"}
    else:  # the error page
        assert f'<p class="error" id="error-message">year: {message}</p>' in res.text


@pytest.mark.parametrize("year", [FIRST - 1, LAST + 1])
def test_dashboard_scenario_upload_with_a_year_outside(client, year):
    """A scenario file's errors are 400s naming the key path, the year's among them."""
    res = client.post("/api/scenarios/run", content=SCENARIO.format(year=year),
                      headers={"content-type": "application/yaml"})
    assert res.status_code == 400, res.text
    message, hint = WHY[year].rsplit(" Use ", 1)
    assert res.json() == {"error": f"uploaded scenario, line 2: year: {message}",
                          "hint": f"Use {hint}"}


def test_dashboard_offers_only_the_models_years(client, warehouse):
    res = client.get("/risk", params={"draws": 10})
    assert res.status_code == 200
    select = res.text.split('<select name="year">')[1].split("</select>")[0]
    assert [int(y) for y in re.findall(r">(\d{4})<", select)] == list(range(FIRST, LAST + 1))
    spec = client.get("/api/openapi.json").json()
    (year,) = [p for p in spec["paths"]["/api/exposure/{market}"]["get"]["parameters"]
               if p["name"] == "year"]
    assert (year["schema"]["minimum"], year["schema"]["maximum"]) == (FIRST, LAST)


# ---------------------------------------------------------------------------------------
# the README's example of the refusal, run and compared line for line
# ---------------------------------------------------------------------------------------
def test_readme_year_error_example_is_what_the_cli_prints(cli, warehouse):
    text = (REPO / "README.md").read_text(encoding="utf-8")
    examples = re.findall(r"^\$ (cellchain .*)\n(error: .*)$", text, flags=re.M)
    assert examples
    for command, printed in examples:
        res = cli(*shlex.split(command)[1:])
        assert res.returncode == 1 and res.stderr.splitlines() == [printed], command
