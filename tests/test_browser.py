"""The dashboard and the HTML report in a real headless Chromium (the system one).

Every test records each request the page makes and asserts that none leaves the machine.
"""

from urllib.parse import urlparse

import pytest

pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def browser(chromium):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        yield b
        b.close()


@pytest.fixture
def page(browser):
    """A fresh page that records every request URL in ``page.requests``."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    pg.requests = []
    pg.on("request", lambda r: pg.requests.append(r.url))
    yield pg
    context.close()


def assert_local(requests: list[str], base: str | None = None):
    """Every request went to the loopback server (or a local file / inline data)."""
    assert requests
    for url in requests:
        parsed = urlparse(url)
        if parsed.scheme in ("file", "data", "blob", "about"):
            continue
        assert parsed.hostname == "127.0.0.1", f"request left the machine: {url}"
        if base:
            assert url.startswith(base), url


OUTLINE_JS = """sel => {
  const p = document.querySelector(sel + ' g.layer.countries path');
  return p ? (p.getAttribute('d') || '').length : 0;
}"""


def test_map_draws_outlines_and_markers_offline(page, live_server):
    import httpx

    expected = len(httpx.get(f"{live_server}/api/facilities").json())
    page.goto(f"{live_server}/")
    page.wait_for_function("document.getElementById('map').dataset.ready === '1'")
    assert page.evaluate(OUTLINE_JS, "#map") > 10_000  # the world's country borders
    assert page.locator("#map .scattergeo .point").count() == expected
    assert_local(page.requests, live_server)
    assert any(u.endswith("/static/topojson/world_110m.json") for u in page.requests)


def test_clicking_a_facility_opens_its_page(page, live_server):
    # Filter the map down to Russian-owned cell plants in 2014: Liotech alone.
    page.goto(f"{live_server}/?year=2014&stage=cells&owner=RUS")
    page.wait_for_function("document.getElementById('map').dataset.ready === '1'")
    points = page.locator("#map .scattergeo .point")
    assert points.count() >= 1
    box = points.first.bounding_box()
    with page.expect_navigation():
        page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    assert "/facility/" in page.url
    name = page.locator("#facility-name").inner_text()
    assert "Liotech" in name
    assert "yes, RUS" in page.locator("#covered-entity").inner_text()
    assert_local(page.requests, live_server)


def test_running_a_bundled_scenario_shows_results(page, live_server):
    page.goto(f"{live_server}/scenario")
    page.select_option("#scenario-select", "us_fta_only")
    page.select_option("#bundled-form select[name=market]", "USA")
    with page.expect_navigation():
        page.click("#run-bundled")
    page.wait_for_selector("#result-table")
    assert "free-trade" in page.locator("#result-title").inner_text()
    rows = page.locator("#result-table tbody tr")
    assert rows.count() == 10  # one per stage/product of the chain
    unserved = page.locator("#result-table td.unserved").first.inner_text()
    assert unserved.endswith("%") and float(unserved.rstrip("%")) > 0
    page.wait_for_selector("#fig-scenario .main-svg")
    for by in ("location", "owner", "state"):
        page.wait_for_selector(f"#fig-capacity_{by} .main-svg")
    assert "tightest stage" in page.locator("#bottleneck").inner_text()
    assert "served share by stage" in page.locator("#fig-scenario").inner_text()
    assert_local(page.requests, live_server)


def test_uploading_a_scenario_validates_then_runs(page, live_server, tmp_path):
    good = tmp_path / "ban.yaml"
    good.write_text("name: Uploaded anode ban\nyear: 2024\nshocks:\n"
                    "  - export_ban: {from: CHN, to: [USA], stages: [materials], "
                    "products: [anode]}\n", encoding="utf-8")
    page.goto(f"{live_server}/scenario")
    page.set_input_files("#upload-form input[type=file]", str(good))
    with page.expect_navigation():
        page.click("#upload-form button")
    assert "Uploaded anode ban" in page.locator("#result-title").inner_text()
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nshocks:\n  - outage: {facility: atlantis-1}\n", encoding="utf-8")
    page.goto(f"{live_server}/scenario")
    page.set_input_files("#upload-form input[type=file]", str(bad))
    with page.expect_navigation():
        page.click("#upload-form button")
    assert "atlantis-1" in page.locator("#error-message").inner_text()
    assert_local(page.requests, live_server)


def test_report_file_renders_its_map_offline(page, usa_report):
    from cellchain.report import content

    page.goto(usa_report.as_uri())
    page.wait_for_selector("#fig-map .scattergeo .point")
    assert page.evaluate(OUTLINE_JS, "#fig-map") > 10_000
    assert page.locator("#fig-map .scattergeo .point").count() == len(
        content.facility_points(2024))
    for key in ("exposure_location", "exposure_owner", "concentration",
                "scenario_us_fta_only_served", "scenario_rosatom_bolivia_capacity_state"):
        assert page.locator(f"#fig-{key} .main-svg").count() >= 1
    assert {urlparse(u).scheme for u in page.requests} <= {"file", "data", "blob"}


def test_screenshot_script_captures_every_page(chromium, warehouse, tmp_path):
    import subprocess
    import sys

    from conftest import REPO

    res = subprocess.run([sys.executable, str(REPO / "scripts" / "screenshots.py"), "--out",
                          str(tmp_path), "--chromium", chromium],
                         capture_output=True, text=True, timeout=300, cwd=REPO)
    assert res.returncode == 0, res.stderr
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["dashboard-facility.png", "dashboard-map.png", "dashboard-market.png",
                     "dashboard-scenario.png", "report-usa.png"]
    assert all((tmp_path / n).stat().st_size > 20_000 for n in names)


def test_api_reference_renders_offline(page, live_server):
    import httpx

    doc = httpx.get(f"{live_server}/api/openapi.json").json()
    operations = sum(len(item) for item in doc["paths"].values())
    page.goto(f"{live_server}/api/docs")
    assert page.locator("#api-title").inner_text().startswith("cellchain API")
    assert page.locator("section.op").count() == operations
    body = page.locator("#post-api-scenarios-run, section.op:has-text('/api/scenarios/run')")
    assert "multipart/form-data" in body.first.inner_text()
    assert_local(page.requests, live_server)
    # one document, nothing else to fetch (no scripts, styles or fonts)
    assert [u for u in page.requests if not u.endswith("/favicon.ico")] == [
        f"{live_server}/api/docs"]
