"""Monte Carlo risk in the dashboard: /api/risk, the /risk page in a real browser, and
the figures the page and the report share."""


import httpx
import pytest
from conftest import assert_offline, serve_app
from hypothesis import given, settings
from hypothesis import strategies as st

from cellchain.dashboard import limits

SHORT_PRODUCTS = {"mine_lithium", "mine_nickel", "mine_cobalt", "mine_graphite",
                  "lithium_chemicals", "nickel_refined", "cobalt_refined", "cathode", "anode",
                  "cells"}


@pytest.fixture(scope="module")
def client(live_server):
    with httpx.Client(base_url=live_server, timeout=120) as c:
        yield c


def check_invariants(risk: dict) -> None:
    """What every answer satisfies, whatever the seed and the number of draws."""
    for r in risk["summary"]:
        assert 0 <= r["p95"] <= r["p99"] <= 1 + 1e-9, r
        assert 0 <= r["mean"] <= r["cvar95"] + 1e-12, r
        assert 0 <= r["prob_shortfall"] <= 1, r
        assert r["mean_units"] == pytest.approx(r["mean"] * r["need"])
    assert [h["product"] for h in risk["histograms"]] == [r["product"] for r in
                                                          risk["summary"]]
    for h in risk["histograms"]:
        assert len(h["probability"]) == 20 and h["lower"][0] == 0 and h["upper"][-1] == 1
        assert sum(h["probability"]) == pytest.approx(1.0)
    contributions = [d["contribution"] for d in risk["drivers"]]
    assert contributions == sorted(contributions, reverse=True)
    assert all(c > 0 for c in contributions)
    assert [d["rank"] for d in risk["drivers"]] == list(range(1, len(contributions) + 1))


def test_api_risk_structure_invariants_and_seed(client):
    params = {"market": "usa", "year": 2024, "draws": 5_000, "seed": 11}
    res = client.get("/api/risk", params=params)
    assert res.status_code == 200, res.text
    risk = res.json()
    assert (risk["market"], risk["year"], risk["mode"], risk["draws"], risk["seed"]) == (
        "USA", 2024, "short", 5_000, 11)
    assert risk["model"] == "default_model.yaml"
    assert {r["product"] for r in risk["summary"]} == SHORT_PRODUCTS
    assert {r["stage"] for r in risk["summary"]} == {"mining", "refining", "materials",
                                                     "cells"}
    cells = next(r for r in risk["summary"] if r["product"] == "cells")
    assert cells["unit"] == "GWh/yr" and cells["prob_shortfall"] > 0
    assert {d["kind"] for d in risk["drivers"]} >= {"country", "event"}
    check_invariants(risk)
    # The same seed gives the same bytes; another seed gives other draws.
    assert client.get("/api/risk", params=params).content == res.content
    other = client.get("/api/risk", params={**params, "seed": 12}).json()
    assert other["summary"] != risk["summary"]


def test_api_risk_long_mode_reports_cells(client):
    res = client.get("/api/risk", params={"market": "EU27", "draws": 300, "mode": "long"})
    assert res.status_code == 200, res.text
    risk = res.json()
    assert [r["product"] for r in risk["summary"]] == ["cells"]
    assert risk["mode"] == "long" and risk["summary"][0]["mode"] == "long"
    check_invariants(risk)


@pytest.mark.parametrize(("params", "expected"), [
    ({"draws": 0}, "draws: "),
    ({"draws": limits.RISK_MAX_DRAWS["short"] + 1}, "draws: Input should be less than or "
                                                     "equal to 100000"),
    ({"draws": limits.RISK_MAX_DRAWS["long"] + 1, "mode": "long"},
     "draws: 1,001 is over the long-mode limit of 1,000 per request."),
    ({"draws": "many"}, "draws: "),
    ({"mode": "medium"}, "mode: "),
    ({"seed": -1}, "seed: "),
    ({"year": 1900}, "year: "),
])
def test_api_risk_bad_query_is_422_with_one_line(client, params, expected):
    res = client.get("/api/risk", params=params)
    assert res.status_code == 422, res.text
    body = res.json()
    assert body["error"].startswith(expected), body
    assert "\n" not in body["error"] and "\n" not in body["hint"]


def test_api_risk_unknown_market_and_untraceable_year(client):
    res = client.get("/api/risk", params={"market": "Narnia"})
    assert res.status_code == 404 and "NARNIA" in res.json()["error"]
    res = client.get("/api/risk", params={"year": 2019, "draws": 10})
    assert res.status_code == 422, res.text
    assert res.json()["error"].startswith("year: The flow model has no year 2019: it starts "
                                          "in 2021")


def test_a_risk_run_over_the_time_limit_is_stopped(warehouse):
    from cellchain.dashboard.app import create_app

    app = create_app(time_limit=0.01)
    with serve_app(app) as url, httpx.Client(base_url=url, timeout=120) as c:
        res = c.get("/api/risk", params={"mode": "long", "draws": 1_000})
        assert res.status_code == 504
        assert res.json()["error"] == ("The model run took longer than 0.01 s and was "
                                       "stopped.")
        assert "cellchain risk montecarlo" in res.json()["hint"]


def test_risk_page_over_the_long_cap_is_an_error_page(client):
    res = client.get("/risk", params={"mode": "long", "draws": 1_001})
    assert res.status_code == 422 and "long-mode limit of 1,000" in res.text
    assert "text/html" in res.headers["content-type"]


@settings(max_examples=6)
@given(seed=st.integers(0, 2**32 - 1), draws=st.integers(1, 3_000),
       market=st.sampled_from(["USA", "CHN", "EU27"]))
def test_risk_invariants_for_any_seed_and_draws(warehouse, seed, draws, market):
    from cellchain.report import content

    check_invariants(content.risk(market, 2024, draws=draws, seed=seed))


def test_risk_figures_are_labelled(warehouse):
    from cellchain.report import content, figures

    risk = content.risk("USA", 2024, draws=2_000, seed=3)
    fig = figures.risk_distribution(risk, figures.risk_title(risk, "shortfall per product"))
    assert [t["name"] for t in fig["data"]] == [h["product"] for h in risk["histograms"]]
    # one panel per stage, each with its axes labelled
    panels = [a["text"] for a in fig["layout"]["annotations"]]
    assert panels == ["<b>mining</b>", "<b>refining</b>", "<b>materials</b>", "<b>cells</b>"]
    for n in ("", "2", "3", "4"):
        assert "share of demand" in fig["layout"][f"xaxis{n}"]["title"]["text"]
        assert "probability" in fig["layout"][f"yaxis{n}"]["title"]["text"]
    cells = next(t for t in fig["data"] if t["name"] == "cells")
    assert (cells["xaxis"], cells["yaxis"]) == ("x4", "y4")
    title = fig["layout"]["title"]["text"]
    for part in ("USA 2024", "2,000 simulated years", "seed 3", "short run",
                 "default_model.yaml"):
        assert part in title
    bars = figures.risk_drivers(risk, "t")
    assert bars["data"][0]["x"] == [d["contribution"] for d in risk["drivers"][:10]]
    assert "never disrupted" in bars["layout"]["xaxis"]["title"]["text"]


def test_risk_page_draws_in_a_browser_offline(live_server, browser_page):
    page = browser_page
    page.goto(f"{live_server}/", timeout=120_000)
    page.click("nav a[href='/risk']")  # linked from the nav like every page
    page.wait_for_selector("#fig-risk .main-svg", timeout=120_000)
    page.wait_for_selector("#fig-risk_drivers .main-svg")
    # one line per product, one bar per driver shown
    assert page.locator("#fig-risk .scatterlayer .trace").count() == len(SHORT_PRODUCTS)
    assert page.locator("#fig-risk_drivers .barlayer .point").count() == 10
    assert "share of demand" in page.locator("#fig-risk .xtitle").text_content()
    assert "default_model.yaml" in page.locator("#fig-risk .gtitle").text_content()
    assert page.locator("#risk-summary tbody tr").count() == len(SHORT_PRODUCTS)
    assert page.locator("#risk-drivers tbody tr").count() == 15
    first = page.locator("#risk-drivers tbody tr").first.inner_text()
    assert "never disrupting" in first and "lowers the expected cell shortfall" in first
    # the draws cap follows the mode
    page.select_option("select[name=mode]", "long")
    assert page.get_attribute("input[name=draws]", "max") == "1000"
    page.select_option("select[name=mode]", "short")
    assert page.get_attribute("input[name=draws]", "max") == "100000"
    # the form runs another market
    page.select_option("select[name=market]", "EU27")
    page.click("form.filters button")
    page.wait_for_selector("#fig-risk .main-svg", timeout=120_000)
    assert page.locator("h1").inner_text().startswith("How likely a shortfall is in EU27")
    assert_offline(page.requests)


def test_result_keeps_every_products_draws(warehouse):
    """The histograms rest on RiskResult.shortfall: its columns are the summary's draws."""
    import numpy as np

    from cellchain.risk import montecarlo

    r = montecarlo("USA", year=2024, draws=3_000, seed=5)
    draws = r.shortfall["USA"]
    assert draws.shape == (3_000, len(r.meta["products"]))
    for j, product in enumerate(r.meta["products"]):
        row = r.summary.set_index("product").loc[product]
        assert draws[:, j].mean() == pytest.approx(row["mean"], rel=1e-6)
        assert np.percentile(draws[:, j], 99) == pytest.approx(row["p99"], rel=1e-6)
    cells = r.meta["products"].index("cells")
    np.testing.assert_array_equal(draws[:, cells], r.cell_shortfall["USA"])
