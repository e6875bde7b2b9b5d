"""Test setup: a private warehouse cache for the whole session, strict and offline."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import settings

# Tests never assert on time: no per-example deadline (the machines are shared and noisy).
settings.register_profile("cellchain", deadline=None, derandomize=True)
settings.load_profile("cellchain")

# Set before cellchain is imported, so every test and every CLI subprocess uses it.
_CACHE = Path(tempfile.mkdtemp(prefix="cellchain-test-cache-"))
os.environ["CELLCHAIN_CACHE_DIR"] = str(_CACHE)
# Invariant checks raise in tests (see cellchain.network.checks).
os.environ["CELLCHAIN_STRICT"] = "1"

REPO = Path(__file__).resolve().parents[1]


def cellchain_exe() -> list[str]:
    """The installed ``cellchain`` entry point (falling back to ``python -m``)."""
    exe = shutil.which("cellchain", path=str(Path(sys.executable).parent)) or shutil.which(
        "cellchain")
    return [exe] if exe else [sys.executable, "-m", "cellchain.cli.main"]


def run_cli(*args: str, cwd: Path | None = None, env: dict | None = None):
    """Run the installed CLI; return the CompletedProcess (text mode)."""
    full_env = dict(os.environ)
    full_env.update(env or {})
    return subprocess.run([*cellchain_exe(), *args], capture_output=True, text=True,
                          cwd=cwd, env=full_env, timeout=300)


@pytest.fixture(scope="session")
def warehouse():
    """The session's warehouse, built once."""
    from cellchain.io import store

    return store.build()


def invoke_cli(*args: str, cwd: Path | None = None, env: dict | None = None):
    """Run the CLI in-process with Typer's ``CliRunner`` (the same one-line error handling
    as the entry point, without a new interpreter); returns an object with ``returncode``,
    ``stdout`` and ``stderr`` like :func:`run_cli`. A run with its own warehouse cache or
    a registry overlay needs a fresh process and goes through :func:`run_cli`."""
    from types import SimpleNamespace

    from typer.testing import CliRunner

    from cellchain.cli.main import app

    if (env and "CELLCHAIN_CACHE_DIR" in env) or "--data-dir" in args:
        # its own warehouse or registry overlay: the process's caches would hide it
        return run_cli(*args, cwd=cwd, env=env)
    old = Path.cwd()
    if cwd is not None:
        os.chdir(cwd)
    try:
        res = CliRunner().invoke(app, list(args),
                                 env={"CELLCHAIN_DATA_DIR": None, **(env or {})})
    finally:
        os.chdir(old)
    if res.exception is not None and not isinstance(res.exception, SystemExit):
        raise res.exception
    return SimpleNamespace(returncode=res.exit_code, stdout=res.stdout, stderr=res.stderr)


@pytest.fixture
def bundle_copy(tmp_path, monkeypatch):
    """A writable copy of the bundle that the store reads instead of the installed one."""
    from cellchain import caches
    from cellchain.io import bundle

    copy = tmp_path / "bundle"
    shutil.copytree(bundle.BUNDLE_DIR, copy)
    monkeypatch.setattr(bundle, "BUNDLE_DIR", copy)
    caches.clear_all()
    yield copy
    caches.clear_all()


@pytest.fixture
def cli():
    """The CLI, in-process (fast; most tests)."""
    return invoke_cli


@pytest.fixture
def entry_cli():
    """The installed entry point in a subprocess (what a user runs; a few tests)."""
    return run_cli


@pytest.fixture(scope="session")
def usa_report(warehouse, tmp_path_factory):
    """The USA 2024 report written once through the CLI: (path, stdout)."""
    path = tmp_path_factory.mktemp("report") / "usa.html"
    res = run_cli("report", "USA", "--year", "2024", "-o", str(path))
    assert res.returncode == 0, res.stderr
    return path


def chromium_path() -> str | None:
    """The system Chromium (never a downloaded one)."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


@pytest.fixture(scope="session")
def chromium():
    """Path of the system Chromium. Without one the browser tests are skipped on a
    developer machine, but fail under CI (CELLCHAIN_REQUIRE_BROWSER=1, set by .ci/run
    after it installs Debian's chromium)."""
    path = chromium_path()
    if path is None:
        message = "no system Chromium (Debian/Ubuntu: apt-get install chromium)"
        if os.environ.get("CELLCHAIN_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture
def browser_page(chromium):
    """A fresh page of the system Chromium (1280 x 900) that records every request URL in
    ``page.requests``; :func:`assert_offline` checks them afterwards."""
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.requests = []
        page.on("request", lambda r: page.requests.append(r.url))
        yield page
        browser.close()


def assert_offline(requests: list[str]) -> None:
    """The page made requests, and every HTTP one went to the loopback test server."""
    from urllib.parse import urlparse

    assert requests
    assert all(urlparse(u).hostname == "127.0.0.1" for u in requests
               if urlparse(u).scheme in ("http", "https"))


#: HTTP requests the test servers answered, by sender (reported at the end of the run):
#: generated by schemathesis (its User-Agent), or hand-made by tests and browsers.
SERVED = {"generated": 0, "hand-made": 0}


class _Counted:
    """ASGI wrapper counting the HTTP requests a test server answers."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            agent = dict(scope["headers"]).get(b"user-agent", b"")
            SERVED["generated" if agent.startswith(b"schemathesis") else "hand-made"] += 1
        await self.app(scope, receive, send)


@contextmanager
def serve_app(app):
    """Serve ``app`` with uvicorn on a free loopback port, in a thread; yields the URL."""
    import socket
    import threading
    import time

    import uvicorn

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(_Counted(app), host="127.0.0.1", port=port,
                                           log_level="error", lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(300):
        if server.started:
            break
        time.sleep(0.05)
    assert server.started, "the dashboard did not start"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def live_server(warehouse):
    """The dashboard served by uvicorn on a free loopback port, in a thread."""
    from cellchain.dashboard.app import create_app

    with serve_app(create_app()) as url:
        yield url


def pytest_terminal_summary(terminalreporter):
    """How many HTTP requests the dashboard tests sent, generated and hand-made."""
    if sum(SERVED.values()):
        terminalreporter.write_line(
            f"dashboard: {sum(SERVED.values())} HTTP requests answered by the test servers: "
            f"{SERVED['generated']} generated (schemathesis), {SERVED['hand-made']} "
            "hand-made (tests and browser page loads)")


def pytest_sessionfinish(session, exitstatus):
    shutil.rmtree(_CACHE, ignore_errors=True)


@pytest.fixture(scope="module")
def net(warehouse):
    """The bundled data's supply network for 2024 (one per test module)."""
    from cellchain.network.build import build_network

    return build_network(2024)


@pytest.fixture(scope="module")
def base(net):
    """The observed baseline of :func:`net`."""
    from cellchain.network import baseline

    return baseline.build(net)
