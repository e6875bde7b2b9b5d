"""The web dashboard over HTTP: pages, the JSON API, bad input, and a bounded load test."""

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from cellchain.dashboard.app import MAX_UPLOAD_BYTES

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
YAML = {"Content-Type": "application/yaml"}


@pytest.fixture(scope="module")
def client(live_server):
    with httpx.Client(base_url=live_server, timeout=60) as c:
        yield c


def test_pages_render(client):
    for url, needle in [("/", "Facilities of the battery chain, 2024"),
                        ("/facility/liotech-novosibirsk?year=2011", "Thunder Sky"),
                        ("/market/USA", "Where USA"),
                        ("/scenario", "Run a bundled scenario"),
                        ("/scenario?name=sanction_rosatom&market=EU27",
                         "Sanctions on every Rosatom entity")]:
        res = client.get(url)
        assert res.status_code == 200, (url, res.text[:300])
        assert needle in res.text, url
        assert "cdn." not in res.text


def test_api_facilities_and_facility(client):
    rows = client.get("/api/facilities", params={"year": 2014, "stage": "cells",
                                                 "owner": "RUS"}).json()
    assert "liotech-novosibirsk" in {r["id"] for r in rows}
    fac = client.get("/api/facilities/liotech-novosibirsk", params={"year": 2011}).json()
    assert {u["owner"] for u in fac["ultimate_owners"]} == {"gov-rus", "thunder-sky"}
    assert fac["covered_entity"]["covered"] is True
    ent = client.get("/api/entities/rosatom", params={"year": 2025})
    assert ent.status_code == 200


def test_api_exposure_shares_sum_to_one(client):
    data = client.get("/api/exposure/usa", params={"year": 2024}).json()
    for by in ("location", "owner"):
        totals = {}
        for r in data[by]:
            totals[r["product"]] = totals.get(r["product"], 0.0) + r["share"]
        assert totals and all(v == pytest.approx(1.0) for v in totals.values())


def test_api_bundled_and_uploaded_scenarios_agree(client):
    listed = {s["id"] for s in client.get("/api/scenarios").json()}
    assert {"us_fta_only", "sanction_rosatom", "china_graphite_anode_ban"} <= listed
    bundled = client.get("/api/scenarios/us_no_covered_entities",
                         params={"market": "USA"}).json()
    raw = (SCENARIOS / "us_no_covered_entities.yaml").read_bytes()
    uploaded = client.post("/api/scenarios/run", params={"market": "USA"}, content=raw,
                           headers=YAML).json()
    assert [r["unserved_share"] for r in bundled["supply"]] == pytest.approx(
        [r["unserved_share"] for r in uploaded["supply"]])
    assert all(r["market"] == "USA" for r in bundled["supply"])
    cells = next(r for r in bundled["supply"] if r["product"] == "cells")
    assert cells["covered_share_scenario"] == pytest.approx(0.0, abs=1e-9)
    assert bundled["bottleneck_text"] and "USA" in bundled["bottleneck_text"][0]
    assert {r["by"] for r in bundled["capacity"]} == {"location", "owner", "state"}


@pytest.mark.parametrize("url, status, message", [
    ("/api/facilities/no-such-plant", 404, "Unknown facility 'no-such-plant'"),
    ("/facility/no-such-plant", 404, "Unknown facility"),
    ("/api/facilities?year=abc", 422, "year"),
    ("/?year=1e9", 422, "year"),
    ("/api/facilities?year=99999", 422, "year"),
    ("/api/facilities?stage=smelting", 404, "Unknown stage 'smelting'"),
    ("/api/facilities?owner=XXX", 404, "Unknown country 'XXX'"),
    ("/api/exposure/ATLANTIS", 404, "Unknown market"),
    ("/api/scenarios/..%2F..%2Fetc%2Fpasswd", 404, "Not Found"),
    ("/api/scenarios/passwd", 404, "Unknown bundled scenario"),
    ("/static/../../etc/passwd", 404, "Not Found"),
    ("/static/topojson/..%2F..%2F..%2Fpyproject.toml", 404, "Not Found"),
    ("/scenario?name=../registry/facilities", 404, "Unknown bundled scenario"),
])
def test_bad_requests_get_4xx_with_a_message(client, url, status, message):
    res = client.get(url)
    assert res.status_code == status, res.text[:300]
    assert message in res.text
    assert "Traceback" not in res.text


@pytest.mark.parametrize("body, status, message", [
    (b"name: x\nyear: 2024\nshocks: [\n", 400, "not valid YAML"),
    (b"name: x\nyear: 2024\nshocks:\n  - outage: {facility: nope, fraction: 1.0}\n", 400,
     "shocks[0].outage.facility"),
    (b"name: x\nyear: 2024\ncolour: blue\n", 400, "colour"),
    (b"name: x\nyear: 2024\nshocks:\n  - demand_change: {market: USA, factor: -1}\n", 400,
     "factor"),
    (b"\xff\xfe\x00", 400, "UTF-8"),
    (b"a" * (MAX_UPLOAD_BYTES + 1), 413, "limit"),
    (b"a" * (MAX_UPLOAD_BYTES * 4), 413, "limit"),
])
def test_bad_scenarios_are_refused(client, body, status, message):
    res = client.post("/api/scenarios/run", content=body, headers=YAML)
    assert res.status_code == status, res.text[:300]
    assert message in res.json()["error"]


def test_bad_upload_through_the_form(client):
    res = client.post("/scenario", files={"file": ("bad.yaml", b"shocks: 3\n")},
                      data={"market": "USA"})
    assert res.status_code == 400 and "bad.yaml" in res.text
    res = client.post("/scenario", files={"file": ("big.yaml", b"#" * (MAX_UPLOAD_BYTES * 2))})
    assert res.status_code == 413
    assert client.get("/").status_code == 200  # still serving


def test_load_a_few_hundred_requests(client, live_server):
    """300 requests, 8 at a time, over loopback: no errors, and still serving after."""
    ids = [r["id"] for r in client.get("/api/facilities").json()][:40]
    urls = []
    for i in range(300):
        kind = i % 5
        if kind == 0:
            urls.append("/api/facilities?stage=cells")
        elif kind == 1:
            urls.append(f"/api/facilities/{ids[i % len(ids)]}")
        elif kind == 2:
            urls.append(f"/facility/{ids[i % len(ids)]}")
        elif kind == 3:
            urls.append("/api/concentration")
        else:
            urls.append("/api/facilities/not-a-plant")

    def fetch(url):
        with httpx.Client(base_url=live_server, timeout=120) as c:
            return url, c.get(url).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(fetch, urls))
    codes = [code for url, code in results if "not-a-plant" not in url]
    assert len(results) == 300
    assert codes.count(200) == len(codes)
    assert all(code == 404 for url, code in results if "not-a-plant" in url)
    assert client.get("/").status_code == 200
