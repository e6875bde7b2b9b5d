"""The everyday command against the obvious alternatives, side by side in one run.

    python benchmarks/cli_bench.py [--repeat 7] [--json results.json]

Each contender is a fresh Python process that answers the same question — lithium mine
production by country in 2023, with shares, rank, HHI and top-3 share, as JSON on
stdout — from the same data (the bundled World Mining Data Parquet file):

1. ``cellchain production --material lithium --year 2023 -f json`` with a warm warehouse
   (validates the material and year, reads the warehouse, checks that it is current);
2. a pandas-only script (``pd.read_parquet``, filter, shares, ``to_json``);
3. a DuckDB-only script (one SQL query with window functions over ``read_parquet``).

Also ``cellchain --help``. The contenders run in turn, ``--repeat`` rounds, so that a
busy moment on a shared machine hits all of them alike. Prints the median wall time and
the median CPU time (user + system) of each, and the ratios (alternative / cellchain:
above 1 means cellchain is faster), after checking that the three answers agree on every
country's quantity.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PANDAS_SCRIPT = r"""
import sys
import pandas as pd
df = pd.read_parquet(sys.argv[1], columns=["material", "year", "iso3", "country_name",
                                           "quantity", "unit", "data_flag", "is_aggregate"])
df = df[(df.material == "lithium") & (df.year == 2023) & ~df.is_aggregate
        & df.quantity.notna() & (df.quantity > 0)]
df = df.sort_values(["quantity", "iso3"], ascending=[False, True])
df["share"] = df.quantity / df.quantity.sum()
df["rank"] = range(1, len(df) + 1)
df["hhi"] = ((100 * df.share) ** 2).sum()
df["top3_share"] = df.share.head(3).sum()
sys.stdout.write(df.drop(columns="is_aggregate").to_json(orient="records"))
"""

DUCKDB_SCRIPT = r"""
import json, sys
import duckdb
rows = duckdb.connect().execute('''
    WITH p AS (
        SELECT material, year, iso3, country_name, quantity, unit, data_flag,
               quantity / sum(quantity) OVER () AS share,
               row_number() OVER (ORDER BY quantity DESC, iso3) AS rank
        FROM read_parquet(?)
        WHERE material = 'lithium' AND year = 2023 AND NOT is_aggregate
          AND quantity IS NOT NULL AND quantity > 0)
    SELECT *, sum((100 * share) ** 2) OVER () AS hhi,
           sum(CASE WHEN rank <= 3 THEN share END) OVER () AS top3_share
    FROM p ORDER BY rank''', [sys.argv[1]])
cols = [d[0] for d in rows.description]
sys.stdout.write(json.dumps([dict(zip(cols, r)) for r in rows.fetchall()]))
"""


def timed(cmd: list[str]) -> tuple[float, float, str]:
    """Wall time [s], CPU time (user + system of the child) [s] and stdout of one run."""
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    res = subprocess.run(cmd, check=True, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, res.stdout


def interleaved(commands: dict[str, list[str]], repeat: int) -> tuple[dict, dict]:
    """Run the commands in turn, ``repeat`` rounds (so a busy moment on a shared machine
    hits every contender alike); returns {name: (median wall, median CPU)} and
    {name: stdout}."""
    walls: dict[str, list[float]] = {k: [] for k in commands}
    cpus: dict[str, list[float]] = {k: [] for k in commands}
    outs: dict[str, str] = {}
    for _ in range(repeat):
        for name, cmd in commands.items():
            wall, cpu, outs[name] = timed(cmd)
            walls[name].append(wall)
            cpus[name].append(cpu)
    return ({k: (statistics.median(walls[k]), statistics.median(cpus[k])) for k in commands},
            outs)


def quantities(stdout: str) -> dict[str, float]:
    """Country -> quantity from any of the three JSON answers."""
    return {r.get("country") or r.get("iso3"): r["quantity"] for r in json.loads(stdout)}


def machine() -> dict:
    """nproc, CPU model, Python version and platform of this machine."""
    cpu = platform.processor() or "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"nproc": os.cpu_count(), "cpu": cpu, "python": platform.python_version(),
            "platform": platform.platform()}


def run(repeat: int = 7) -> dict:
    """Run every contender ``repeat`` times; return medians [s], ratios and the machine."""
    from cellchain.io import bundle

    exe = shutil.which("cellchain") or sys.exit("install cellchain first (pip install .)")
    parquet = str(bundle.table_path("production"))
    cache = Path(tempfile.mkdtemp(prefix="cellchain-cli-bench-"))
    old = os.environ.get("CELLCHAIN_CACHE_DIR")
    os.environ["CELLCHAIN_CACHE_DIR"] = str(cache)
    try:
        cli = [exe, "production", "--material", "lithium", "--year", "2023", "-f", "json"]
        subprocess.run(cli, check=True, capture_output=True)  # build: the runs are warm
        medians, outs = interleaved({
            "cli_production": cli,
            "pandas_script": [sys.executable, "-c", PANDAS_SCRIPT, parquet],
            "duckdb_script": [sys.executable, "-c", DUCKDB_SCRIPT, parquet],
            "cli_help": [exe, "--help"],
        }, repeat)
    finally:
        shutil.rmtree(cache, ignore_errors=True)
        if old is None:
            os.environ.pop("CELLCHAIN_CACHE_DIR", None)
        else:
            os.environ["CELLCHAIN_CACHE_DIR"] = old
    answers = [quantities(outs[k]) for k in ("cli_production", "pandas_script",
                                                "duckdb_script")]
    if not answers[0] or any(a != answers[0] for a in answers[1:]):
        raise SystemExit("the three answers differ: the comparison would be meaningless")
    res: dict = {}
    for name, (wall, cpu) in medians.items():
        res[f"{name}_s"] = wall
        res[f"{name}_cpu_s"] = cpu
    for alt in ("pandas", "duckdb"):
        res[f"ratio_{alt}_vs_cli"] = res[f"{alt}_script_s"] / res["cli_production_s"]
        res[f"ratio_{alt}_vs_cli_cpu"] = (res[f"{alt}_script_cpu_s"]
                                          / res["cli_production_cpu_s"])
    res["repeat"] = repeat
    res["countries"] = len(answers[0])
    res["machine"] = machine()
    return res


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    res = run(max(args.repeat, 7))
    for key, value in res.items():
        print(f"{key:<24} {value:.3f}" if isinstance(value, float) else f"{key:<24} {value}")
    if args.json:
        args.json.write_text(json.dumps(res, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
