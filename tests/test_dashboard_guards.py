"""The dashboard's edges: streamed body limits, content types, the Host guard, 405 with
Allow, finite JSON, the bounded model pool with its time limit, the offline API reference,
and ``cellchain serve`` on a busy port or a bad host."""

import json
import math
import re
import socket
import threading
from pathlib import Path

import httpx
import pytest
from conftest import run_cli, serve_app

from cellchain.dashboard.guards import HostPolicy, host_of
from cellchain.dashboard.limits import MAX_REQUEST_BYTES, MAX_UPLOAD_BYTES
from cellchain.dashboard.responses import FiniteJSONResponse

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
YAML = {"Content-Type": "application/yaml"}
BOUNDARY = "cellchain-test-boundary"
MULTIPART = {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}


@pytest.fixture(scope="module")
def client(live_server):
    with httpx.Client(base_url=live_server, timeout=120) as c:
        yield c


def strict_json(text: str):
    """Parse JSON refusing NaN and Infinity (which json.loads accepts by default)."""
    def refuse(token):
        raise ValueError(f"non-finite number {token} in JSON")
    return json.loads(text, parse_constant=refuse)


def big_scenario(min_bytes: int = 250 * 1024) -> bytes:
    """A valid scenario just under the upload limit: thousands of outages of real plants."""
    from cellchain.chain import model

    ids = sorted(model.facilities())
    lines = ["name: many outages", "year: 2024", "shocks:"]
    i = 0
    while sum(len(x) + 1 for x in lines) < min_bytes:
        lines.append(f"  - outage: {{facility: {ids[i % len(ids)]}, fraction: 0.{i % 9 + 1}}}")
        i += 1
    raw = "\n".join(lines).encode()
    assert len(raw) <= MAX_UPLOAD_BYTES
    return raw


GOOD_SMALL = (SCENARIOS / "us_no_covered_entities.yaml").read_bytes()


def multipart_stream(total: int, counter: list, filename: str = "big.yaml"):
    """A multipart body of ``total`` bytes of file content, sent in 64 KiB chunks
    (httpx sends a generator with Transfer-Encoding: chunked, no Content-Length)."""
    yield (f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; '
           f'filename="{filename}"\r\nContent-Type: application/yaml\r\n\r\n').encode()
    for _ in range(total // 65536):
        counter[0] += 65536
        yield b"#" * 65536
    yield f"\r\n--{BOUNDARY}--\r\n".encode()


# -- body limits, counted on the bytes that arrive --

@pytest.fixture
def spooled(monkeypatch):
    """Every temporary file the multipart parser creates during the test."""
    import starlette.formparsers as fp

    made = []
    original = fp.SpooledTemporaryFile

    def recording(*args, **kwargs):
        made.append(kwargs)
        return original(*args, **kwargs)

    monkeypatch.setattr(fp, "SpooledTemporaryFile", recording)
    return made


@pytest.mark.parametrize("path", ["/api/scenarios/run", "/scenario"])
def test_chunked_multipart_upload_of_8_mib_is_refused_before_parsing(client, path, spooled):
    counter = [0]
    res = client.post(path, content=multipart_stream(8 * 1024 * 1024, counter),
                      headers=MULTIPART)
    assert res.request.headers.get("transfer-encoding") == "chunked"
    assert "content-length" not in res.request.headers
    assert res.status_code == 413, res.text[:300]
    assert f"over the limit of {MAX_REQUEST_BYTES} bytes" in res.text
    assert spooled == []  # the multipart parser never saw a byte: nothing spooled
    assert client.get("/api/scenarios").status_code == 200  # still serving


def test_declared_length_over_the_limit_is_refused_unread(client, live_server, spooled):
    body = b"#" * (MAX_REQUEST_BYTES + 1)
    res = client.post("/api/scenarios/run", content=body, headers=YAML)
    assert res.status_code == 413
    assert f"Content-Length {len(body)}" in res.json()["error"]
    # Headers announcing 1 GB and no body at all: the answer comes without waiting for it,
    # on any method.
    host, port = live_server.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=60) as sock:
        sock.sendall(f"GET /api/scenarios HTTP/1.1\r\nHost: {host}:{port}\r\n"
                     "Content-Length: 1000000000\r\n\r\n".encode())
        answer = b""
        while chunk := sock.recv(65536):  # the server closes after answering
            answer += chunk
        answer = answer.decode("latin-1")
    assert answer.startswith("HTTP/1.1 413 ")
    assert "Content-Length 1000000000" in answer
    assert spooled == []


def test_a_file_within_the_limit_is_parsed_in_memory(client, spooled):
    """The counterpart of the tests above: a form within the limit does reach the
    multipart parser, whose spool stays in memory up to a size above the request limit."""
    import starlette.formparsers as fp

    res = client.post("/api/scenarios/run", files={"file": ("s.yaml", GOOD_SMALL)})
    assert res.status_code == 200, res.text[:300]
    assert len(spooled) == 1
    assert spooled[0].get("max_size", fp.MultiPartParser.spool_max_size) > MAX_REQUEST_BYTES


def test_a_file_between_the_two_limits_is_refused_by_size(client):
    body = (f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; '
            f'filename="s.yaml"\r\n\r\n').encode() + b"#" * (MAX_UPLOAD_BYTES + 10) + \
        f"\r\n--{BOUNDARY}--\r\n".encode()
    assert MAX_UPLOAD_BYTES < len(body) <= MAX_REQUEST_BYTES
    res = client.post("/api/scenarios/run", content=body, headers=MULTIPART)
    assert res.status_code == 413
    assert res.json()["error"] == (f"uploaded file s.yaml: the scenario is over the limit "
                                   f"of {MAX_UPLOAD_BYTES} bytes.")


# -- content types --

GOOD = (SCENARIOS / "us_no_covered_entities.yaml").read_bytes()


@pytest.mark.parametrize("content_type", ["application/yaml", "application/x-yaml",
                                          "text/yaml", "text/x-yaml; charset=utf-8"])
def test_yaml_media_types_are_accepted(client, content_type):
    res = client.post("/api/scenarios/run", content=GOOD,
                      headers={"Content-Type": content_type}, params={"market": "USA"})
    assert res.status_code == 200, res.text[:300]
    assert {r["market"] for r in res.json()["supply"]} == {"USA"}


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/octet-stream",
                                          "application/x-www-form-urlencoded", "text/html"])
def test_other_media_types_get_415(client, content_type):
    headers = {"Content-Type": content_type} if content_type else {}
    res = client.post("/api/scenarios/run", content=GOOD, headers=headers)
    assert res.status_code == 415, res.text[:300]
    assert "application/yaml" in res.json()["hint"]
    # the upload page takes only its form
    res = client.post("/scenario", content=GOOD, headers=headers)
    assert res.status_code == 415 and "multipart/form-data" in res.text


def test_json_and_multipart_bodies_give_the_yaml_answer(client):
    import yaml

    data = yaml.safe_load(GOOD)
    by_yaml = client.post("/api/scenarios/run", content=GOOD, headers=YAML).json()
    by_json = client.post("/api/scenarios/run", json=data).json()
    by_form = client.post("/api/scenarios/run",
                          files={"file": ("s.json", json.dumps(data).encode())}).json()
    shares = [[r["unserved_share"] for r in res["supply"]] for res in (by_yaml, by_json, by_form)]
    assert shares[0] == pytest.approx(shares[1]) and shares[0] == pytest.approx(shares[2])
    assert any(s > 0 for s in shares[0])


@pytest.mark.parametrize("body, message", [
    (b'{"name": "x", "shocks": [{"demand_change": {"market": "USA", "factor": NaN}}]}',
     "NaN is not a number JSON allows"),
    (b'{"name": "x", "year": Infinity}', "Infinity is not a number JSON allows"),
    (b'{"name": "x",', "not valid JSON"),
    (b'\xff\xfe{}', "not UTF-8"),
    (b'["a list"]', "(top level)"),
    (b'{"name": "x", "shocks": false}', "shocks: expected a list"),
    (b'{"name": "x", "shocks": [{"outage": false}]}', "shocks[0].outage"),
    (b'{"name": "x", "shocks": ' + b"[" * 50000 + b"]" * 50000 + b"}",
     "uploaded scenario: nested too deeply"),
])
def test_bad_json_bodies_are_400_naming_the_problem(client, body, message):
    res = client.post("/api/scenarios/run", content=body,
                      headers={"Content-Type": "application/json"})
    assert res.status_code == 400, res.text[:300]
    assert message in res.json()["error"]


# -- JSON is always finite --

def test_deeply_nested_yaml_is_400_and_the_worker_survives(client):
    body = b"name: x\nshocks: " + b"[" * 50000 + b"]" * 50000
    res = client.post("/api/scenarios/run", content=body, headers=YAML)
    assert res.status_code == 400
    error = res.json()["error"]
    assert error.startswith("uploaded scenario:") and "nested" in error
    res = client.post("/api/scenarios/run", content=GOOD, headers=YAML)
    assert res.status_code == 200


def test_finite_json_response_sends_null_for_nan_and_infinity():
    import numpy as np

    res = FiniteJSONResponse({"a": float("nan"), "b": [float("inf"), 1.5],
                              "c": np.float64("-inf"), "d": np.int64(3), "e": "\ud800x"})
    assert strict_json(res.body.decode()) == {"a": None, "b": [None, 1.5], "c": None,
                                              "d": 3, "e": "?x"}


def test_figures_embedded_in_pages_are_finite_json():
    from cellchain.report.html import script_json

    text = script_json({"data": [{"x": [1.0, float("nan")], "y": [float("inf"), 2]}],
                        "title": "</script>"})
    assert strict_json(text.replace("<\\/", "</")) == {
        "data": [{"x": [1.0, None], "y": [None, 2]}], "title": "</script>"}
    assert "</" not in text


def test_an_overflowing_scenario_answers_finite_json(client):
    body = b"name: huge\nyear: 2024\nshocks:\n  - demand_change: {market: USA, factor: 1e308}\n"
    res = client.post("/api/scenarios/run", content=body, headers=YAML)
    assert res.status_code in (200, 400), res.text[:300]
    data = strict_json(res.text)  # raises on NaN / Infinity
    numbers = re.findall(r"-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?", res.text)
    assert all(math.isfinite(float(n)) for n in numbers)
    assert data


# -- Host header (DNS rebinding) --

def test_requests_naming_another_host_are_refused(client, live_server):
    port = live_server.rsplit(":", 1)[1]
    res = client.get("/api/scenarios", headers={"Host": f"evil.example:{port}"})
    assert res.status_code == 400
    assert "'evil.example:" in res.json()["error"] and "DNS rebinding" in res.json()["hint"]
    page = client.get("/", headers={"Host": "rebind.attacker.test"})
    assert page.status_code == 400 and "does not name this server" in page.text
    for host in (f"localhost:{port}", f"127.0.0.1:{port}", "localhost"):
        assert client.get("/api/scenarios", headers={"Host": host}).status_code == 200


@pytest.mark.parametrize("bound, header, allowed", [
    ("127.0.0.1", "127.0.0.1:8000", True),
    ("127.0.0.1", "localhost:8000", True),
    ("127.0.0.1", "[::1]:8000", True),
    ("127.0.0.1", "LOCALHOST", True),
    ("127.0.0.1", "evil.example", False),
    ("127.0.0.1", "127.0.0.1.evil.example", False),
    ("127.0.0.1", "192.168.1.5:8000", False),
    ("127.0.0.1", "", False),
    ("127.0.0.1", "a b", False),
    ("127.0.0.1", "localhost:99999", False),
    ("127.0.0.1", "user@localhost", False),
    ("192.168.1.5", "192.168.1.5:8000", True),
    ("192.168.1.5", "localhost", False),
    ("0.0.0.0", "192.168.1.5:8000", True),
    ("0.0.0.0", "[fe80::1]:8000", True),
    ("0.0.0.0", "localhost", True),
    ("0.0.0.0", "evil.example", False),
    ("::", "10.0.0.2", True),
])
def test_host_policy(bound, header, allowed):
    assert HostPolicy(bound).allows(header) is allowed


def test_host_of():
    assert host_of("Example.ORG:8080") == "example.org"
    assert host_of("[::1]:80") == "::1"
    assert host_of("x/y") is None


# -- 405 --

@pytest.mark.parametrize("method, path, allow", [
    ("DELETE", "/api/facilities", "GET, HEAD"),
    ("POST", "/api/concentration", "GET, HEAD"),
    ("PUT", "/scenario", "GET, HEAD, POST"),
    ("PATCH", "/api/scenarios/run", "GET, HEAD, POST"),
    ("POST", "/api/docs", "GET, HEAD"),
    ("HEAD", "/api/scenarios/run", "GET, HEAD, POST"),
])
def test_405_lists_the_allowed_methods(client, method, path, allow):
    res = client.request(method, path)
    if method == "HEAD":  # served as GET without a body
        assert res.status_code == 404 and res.content == b""
        return
    assert res.status_code == 405
    assert res.headers["allow"] == allow
    assert allow in res.text


@pytest.mark.parametrize("path", ["/", "/api/facilities", "/api/docs", "/static/plotly.min.js"])
def test_head_is_get_without_the_body(client, path):
    head = client.head(path)
    get = client.get(path)
    assert head.status_code == get.status_code == 200
    assert head.content == b""
    assert head.headers["content-type"] == get.headers["content-type"]


# -- model runs: off the event loop, bounded, timed --

def test_gets_keep_answering_while_large_scenarios_run(client, live_server):
    raw = big_scenario()
    done = threading.Event()
    uploads = []

    def upload():
        with httpx.Client(base_url=live_server, timeout=300) as c:
            for _ in range(3):
                uploads.append(c.post("/api/scenarios/run", content=raw, headers=YAML,
                                      params={"market": "USA"}).status_code)
        done.set()

    thread = threading.Thread(target=upload)
    thread.start()
    during = []
    while not done.is_set():
        res = client.get("/api/facilities/liotech-novosibirsk", params={"year": 2011})
        if not done.is_set():
            during.append(res.status_code)
        done.wait(0.05)  # a steady trickle of GETs, not a flood
    thread.join()
    assert uploads == [200, 200, 200]
    # Had the runs blocked the server, each GET would have waited for a run to finish:
    # about one GET per upload. Off the event loop, they keep coming.
    assert len(during) >= 10 and set(during) == {200}


def test_a_run_over_the_time_limit_is_stopped_and_the_worker_replaced(warehouse):
    from cellchain.dashboard.app import create_app

    app = create_app(time_limit=0.01)
    with serve_app(app) as url, httpx.Client(base_url=url, timeout=120) as c:
        res = c.get("/api/scenarios/sanction_rosatom")
        assert res.status_code == 504
        assert res.json()["error"] == ("The model run took longer than 0.01 s and was "
                                       "stopped.")
        assert "cellchain scenario run" in res.json()["hint"]
        pool = app.state.dashboard.pool
        assert len(pool.processes) == pool.workers  # killed and replaced, not piled up
        assert c.get("/api/scenarios").status_code == 200
    assert pool.processes == []  # stopped with the server


def test_runs_beyond_the_pool_bound_get_503_with_retry_after(warehouse):
    from concurrent.futures import ThreadPoolExecutor

    from cellchain.dashboard.app import create_app

    raw = big_scenario()
    with serve_app(create_app(workers=1, max_pending=1)) as url:
        def post(_):
            with httpx.Client(base_url=url, timeout=300) as c:
                return c.post("/api/scenarios/run", content=raw, headers=YAML)

        with ThreadPoolExecutor(4) as ex:
            answers = list(ex.map(post, range(4)))
    codes = sorted(a.status_code for a in answers)
    assert 200 in codes and 503 in codes and set(codes) <= {200, 503}
    busy = next(a for a in answers if a.status_code == 503)
    assert busy.headers["retry-after"] == "5"
    assert "already in progress" in busy.json()["error"]


# -- the API reference, offline --

def test_openapi_describes_bodies_and_errors(client):
    from cellchain.scenarios.schema import POLICIES, SHOCKS

    doc = client.get("/api/openapi.json").json()
    run = doc["paths"]["/api/scenarios/run"]["post"]
    assert set(run["requestBody"]["content"]) == {
        "application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml",
        "application/json", "multipart/form-data"}
    assert {"400", "404", "413", "415", "503", "504"} <= set(run["responses"])
    assert run["responses"]["413"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ErrorBody"}
    scenario = doc["components"]["schemas"]["Scenario"]
    for section, kinds in (("shocks", SHOCKS), ("policy", POLICIES)):
        listed = scenario["properties"][section]["anyOf"][0]
        assert len(listed["items"]["oneOf"]) == len(kinds)
    from cellchain.network.network import MARKETS

    def enum(schema):
        return schema.get("enum") or next(
            (s["enum"] for s in schema.get("anyOf", []) if "enum" in s), None)

    # parameters whose values the document lists (the pipeline's free-text market is not)
    params = {p["name"]: {"enum": enum(p["schema"])} for item in doc["paths"].values()
              for op in item.values() for p in op.get("parameters", []) if p["name"] != "year"
              and p["name"] != "owner" and enum(p["schema"]) is not None}
    assert "liotech-novosibirsk" in params["facility_id"]["enum"]
    assert "rosatom" in params["entity_id"]["enum"]
    assert params["market"]["enum"] == list(MARKETS)
    assert "sanction_rosatom" in params["name"]["enum"]
    facilities = doc["paths"]["/api/facilities"]["get"]
    assert {"404", "422"} <= set(facilities["responses"])
    assert "HTTPValidationError" not in json.dumps(doc)  # our 422 body, not FastAPI's


def test_api_docs_page_is_self_contained(client):
    res = client.get("/api/docs")
    assert res.status_code == 200
    html = res.text
    doc = client.get("/api/openapi.json").json()
    for path in doc["paths"]:
        assert f"<code>{path}</code>" in html
    for needle in ("multipart/form-data", "application/json", "schema-Scenario",
                   "schema-ErrorBody", "413", "415"):
        assert needle in html
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)  # nothing from elsewhere
    assert "<script" not in html


# -- cellchain serve --

def test_serve_on_a_busy_port_is_one_line_exit_1():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        res = run_cli("serve", "--port", str(port))
    assert res.returncode == 1
    assert res.stdout == ""
    assert res.stderr.count("\n") == 1
    assert f"127.0.0.1:{port}: address already in use" in res.stderr
    assert "--port" in res.stderr


@pytest.mark.parametrize("host", ["nosuch.invalid", "999.1.1.1", "192.0.2.1"])
def test_serve_on_a_bad_host_is_one_line_exit_1(host):
    res = run_cli("serve", "--host", host, "--port", "8765")
    assert res.returncode == 1
    assert res.stdout == ""
    assert res.stderr.count("\n") == 1 and "Traceback" not in res.stderr
    assert f"Cannot serve on {host}" in res.stderr or f"host '{host}'" in res.stderr


def test_the_readme_curl_example_runs(client):
    from conftest import REPO

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    found = re.search(r"curl -H '([^']+)' --data-binary @(\S+) \\\n\s+"
                      r"'http://127\.0\.0\.1:8000(/[^']+)'", readme)
    assert found, "the README's curl example"
    header, path, url = found.groups()
    name, value = header.split(": ")
    res = client.post(url, content=(REPO / path).read_bytes(), headers={name: value})
    assert res.status_code == 200, res.text[:300]
    assert {r["market"] for r in res.json()["supply"]} == {"USA"}
    assert res.json()["name"].startswith("US")


def test_every_router_module_is_included_once():
    """A page is one module under dashboard/routes plus its line in app.ROUTERS."""
    import pkgutil

    from cellchain.dashboard import app, routes

    modules = {m.name for m in pkgutil.iter_modules(routes.__path__)}
    assert sorted(app.ROUTERS) == sorted(modules)
    assert len(set(app.ROUTERS)) == len(app.ROUTERS)
