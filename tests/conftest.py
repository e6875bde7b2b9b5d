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


def pytest_sessionfinish(session, exitstatus):
    shutil.rmtree(_CACHE, ignore_errors=True)
