"""The pipeline in the report and the dashboard: the chart's data, the page, the JSON."""

import httpx
import pytest


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


def test_pipeline_page_draws_in_a_browser_offline(live_server, chromium):
    pytest.importorskip("playwright.sync_api")
    from urllib.parse import urlparse

    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        requests = []
        page.on("request", lambda r: requests.append(r.url))
        page.goto(f"{live_server}/pipeline?market=EU27")
        page.wait_for_selector("#fig-pipeline .main-svg")
        # four traces: low, high (the band), expected, demand
        assert page.locator("#fig-pipeline .scatterlayer .trace").count() == 4
        assert page.locator("#pipeline-table tbody tr").count() == 10
        browser.close()
    assert requests and all(urlparse(u).hostname == "127.0.0.1" for u in requests
                            if urlparse(u).scheme in ("http", "https"))
