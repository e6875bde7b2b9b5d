"""Test setup: a private warehouse cache for the whole session, strict and offline."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
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


@pytest.fixture
def cli():
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


@pytest.fixture(scope="session")
def live_server(warehouse):
    """The dashboard served by uvicorn on a free loopback port, in a thread."""
    import socket
    import threading
    import time

    import uvicorn

    from cellchain.dashboard.app import create_app

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(), host="127.0.0.1", port=port,
                                           log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(300):
        if server.started:
            break
        time.sleep(0.05)
    assert server.started, "the dashboard did not start"
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def pytest_sessionfinish(session, exitstatus):
    shutil.rmtree(_CACHE, ignore_errors=True)
