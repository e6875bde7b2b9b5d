"""Bad input through the installed entry point, where only a real process can show it:
a full standard output, an unusable cache folder, a build killed half-way, a 50 MB
invalid overlay read in bounded memory, and a sample of the in-process harness."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
import tracemalloc
from pathlib import Path

import pytest
from conftest import cellchain_exe, run_cli

REGISTRY = Path(__file__).resolve().parents[1] / "registry"


def one_line_error(res, needle: str, code: int = 1) -> None:
    shown = f"rc={res.returncode}\nstdout: {res.stdout!r}\nstderr: {res.stderr!r}"
    assert res.returncode == code, shown
    lines = res.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), shown
    assert needle in lines[0], shown
    assert "Traceback" not in res.stderr, shown


@pytest.mark.parametrize("args", [
    ["production", "-m", "lithium", "--year", "2023", "-f", "json"],
    ["shares"], ["data", "path"], ["--help"], ["--version"],
    ["facility", "show", "liotech-novosibirsk"],
    ["scenario", "validate", str(Path(__file__).resolve().parents[1] / "scenarios"
                                 / "us_fta_only.yaml")],
])
def test_full_stdout_is_one_line(warehouse, args):
    with open("/dev/full", "w") as full:
        res = subprocess.run([*cellchain_exe(), *args], stdout=full, stderr=subprocess.PIPE,
                             text=True, timeout=120)
    res.stdout = ""
    one_line_error(res, "No space left on device")


@pytest.mark.parametrize("args, needle, code", [
    (["production", "-m", "lithum"], "lithum", 1),
    (["shares", "--year", "1999"], "year 1999", 1),
    (["exposure", "JPN"], "JPN", 1),
    (["production", "--year", "abc", "-m", "lithium"], "abc", 2),
    (["--data-dir", "/nonexistent-overlay", "shares"], "/nonexistent-overlay", 1),
])
def test_entry_point_matches_in_process_harness(warehouse, tmp_path, args, needle, code):
    res = run_cli(*args, cwd=tmp_path)
    one_line_error(res, needle, code)
    assert res.stdout == "" and list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("value", ["/nonexistent-overlay", "/etc/hostname", "/"])
def test_bad_data_dir_from_the_environment_is_one_line(warehouse, tmp_path, value):
    res = run_cli("shares", env={"CELLCHAIN_DATA_DIR": value}, cwd=tmp_path)
    one_line_error(res, f"'{value}'")
    assert res.stdout == "" and list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("kind", ["file", "proc", "under_a_file"])
def test_unusable_cache_dir_is_one_line(tmp_path, kind):
    (tmp_path / "afile").write_text("x\n")
    cache = {"file": tmp_path / "afile", "proc": Path("/proc/cellchain-cache"),
             "under_a_file": tmp_path / "afile" / "cache"}[kind]
    res = run_cli("shares", env={"CELLCHAIN_CACHE_DIR": str(cache)}, cwd=tmp_path)
    one_line_error(res, str(cache))
    assert res.stdout == ""


def _stale(cache: Path) -> list[Path]:
    return sorted(cache.glob(".warehouse.duckdb.*"))


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT])
def test_interrupted_build_is_cleaned_up_next_run(tmp_path, sig):
    cache = tmp_path / "cache"
    env = dict(os.environ, CELLCHAIN_CACHE_DIR=str(cache))
    proc = subprocess.Popen([*cellchain_exe(), "data", "build", "--force"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        for _ in range(6000):  # wait (at most 60 s) until the build has its temp file
            if _stale(cache) or proc.poll() is not None:
                break
            time.sleep(0.01)
        assert proc.poll() is None and _stale(cache), "the build ended before the test"
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode != 0
    assert "Traceback" not in err and len(err.splitlines()) <= 1, err
    if sig == signal.SIGKILL:
        assert _stale(cache), "a killed build leaves its temp file (cleaned next run)"
    res = run_cli("production", "-m", "lithium", "--year", "2023", "-f", "csv",
                  env={"CELLCHAIN_CACHE_DIR": str(cache)})
    assert res.returncode == 0, res.stderr
    assert res.stdout.startswith("material,year,country")
    assert "reinstall" not in res.stderr.lower()
    assert _stale(cache) == []
    assert (cache / "warehouse.duckdb").is_file()


def _big_invalid_overlay(folder: Path, size: int) -> Path:
    folder.mkdir()
    header = (REGISTRY / "capacity.csv").read_text(encoding="utf-8").splitlines()[0]
    row = "no-such-plant,twenty,lots,GWh,guess,not-a-url,yesterday,sure,\n"
    with open(folder / "capacity.csv", "w", encoding="utf-8") as fh:
        fh.write(header + "\n")
        chunk = row * 10_000
        written = 0
        while written < size:
            fh.write(chunk)
            written += len(chunk)
    return folder


def test_50_mb_invalid_overlay_in_bounded_memory(tmp_path):
    from cellchain.io import registry

    folder = _big_invalid_overlay(tmp_path / "overlay", 50 * 1024 * 1024)
    assert (folder / "capacity.csv").stat().st_size >= 50 * 1024 * 1024
    tracemalloc.start()
    try:
        reg = registry.load(folder)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(reg.problems) <= registry.MAX_PROBLEMS + 20  # a row can add several
    assert "stopped reading after" in reg.problems[-1].message
    assert reg.problems[0].file.endswith("capacity.csv") and reg.problems[0].row == 2
    assert peak < 40 * 1024 * 1024, f"peak {peak / 1e6:.1f} MB"
    res = run_cli("--data-dir", str(folder), "data", "build", cwd=tmp_path)
    one_line_error(res, "capacity.csv, line 2")


def test_full_copy_overlay_gives_the_same_answers(warehouse, tmp_path):
    shutil.copytree(REGISTRY, tmp_path / "copy")
    plain = run_cli("shares", "--by", "owner", "-f", "csv")
    copied = run_cli("--data-dir", str(tmp_path / "copy"), "shares", "--by", "owner",
                     "-f", "csv", env={"CELLCHAIN_CACHE_DIR": str(tmp_path / "cache")})
    assert plain.returncode == 0 and copied.returncode == 0, copied.stderr
    assert copied.stdout == plain.stdout and plain.stdout.count("\n") > 5


def test_concurrent_first_runs_share_one_warehouse(tmp_path):
    """Three first runs at once on an empty cache: each builds or reuses the warehouse,
    all answer the same, and no temporary file is left."""
    cache = tmp_path / "cache"
    env = dict(os.environ, CELLCHAIN_CACHE_DIR=str(cache))
    args = [*cellchain_exe(), "production", "-m", "lithium", "--year", "2023", "-f", "csv"]
    procs = [subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) for _ in range(3)]
    outs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], [e for _, e in outs]
    assert len({o for o, _ in outs}) == 1 and outs[0][0].startswith("material,")
    assert sorted(p.name for p in cache.iterdir()) == ["warehouse.duckdb",
                                                       "warehouse.duckdb.stamp"]


@pytest.mark.parametrize("where", ["scenario", "regions", "overlay"])
def test_fifo_never_hangs_the_entry_point(warehouse, tmp_path, where):
    """A FIFO with no writer would block a plain open() forever; the process must answer
    (run_cli's timeout turns a hang into a failure)."""
    if where == "overlay":
        (tmp_path / "overlay").mkdir()
        os.mkfifo(tmp_path / "overlay" / "facilities.csv")
        args = ["--data-dir", "overlay", "data", "build"]
    else:
        os.mkfifo(tmp_path / "pipe")
        args = (["scenario", "validate", "pipe"] if where == "scenario" else
                ["risk", "geopolrisk", "-m", "lithium", "--regions-file", "pipe"])
    res = run_cli(*args, cwd=tmp_path)
    one_line_error(res, "is a FIFO")
