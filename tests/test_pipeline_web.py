"""The pipeline in the report and the dashboard: the chart's data, the page, the JSON."""

import httpx
import pytest
from conftest import assert_offline


@pytest.fixture(scope="module")
def client(live_server):
    with httpx.Client(base_url=live_server, timeout=60) as c:
        yield c


def test_pipeline_chart_has_band_expected_and_demand(warehouse):
    from cellchain.report import content, figures

    data = content.pipeline("USA")
    assert data["note"] is None and data["rows"][0]["market"] == "USA"
    fig = figures.pipeline_chart(data["rows"], "t")
    names = [t["name"] for t in fig["data"]]
    assert names[:3] == ["low (operating + construction)", "high (all announced)",
                         "expected capacity"]
    assert names[3] == "demand (IEA STEPS (GEVO2025))"
    assert fig["data"][1]["fill"] == "tonexty"  # the band between low and high
    assert fig["data"][2]["y"] == [r["expected_capacity"] for r in data["rows"]]
    # the rest of the world is a remainder: an empty pipeline with a reason, not an error
    assert content.pipeline("RoW")["rows"] == []


def test_pipeline_page_and_api(client):
    res = client.get("/pipeline", params={"market": "USA"})
    assert res.status_code == 200 and "The pipeline to 2035: USA, cells" in res.text
    assert 'id="fig-pipeline"' in res.text and "cdn." not in res.text
    rows = client.get("/api/pipeline", params={"market": "EU27", "to": 2030}).json()
    assert [r["year"] for r in rows] == list(range(2026, 2031))
    assert all(r["expected_capacity"] <= r["announced_capacity"] + 1e-9 for r in rows)
    bad = client.get("/api/pipeline", params={"market": "Narnia"})
    assert bad.status_code == 404 and "Narnia" in bad.json()["error"]
    assert client.get("/api/pipeline", params={"to": 2050}).status_code == 422


def test_pipeline_page_draws_in_a_browser_offline(live_server, browser_page):
    page = browser_page
    page.goto(f"{live_server}/pipeline?market=EU27")
    page.wait_for_selector("#fig-pipeline .main-svg")
    # four traces: low, high (the band), expected, demand
    assert page.locator("#fig-pipeline .scatterlayer .trace").count() == 4
    assert page.locator("#pipeline-table tbody tr").count() == 10
    assert_offline(page.requests)
