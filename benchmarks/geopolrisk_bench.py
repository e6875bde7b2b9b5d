"""GeoPolRisk: cellchain's whole grid vs the reference implementation's gprs_calc.

    python benchmarks/geopolrisk_bench.py --reference-python PATH [--sample 24]

Times cellchain's full grid (every material x every importer x every year, plus EU27) in
this process, and the reference (geopolrisk-py 2.0.1, its own venv and a temporary HOME)
calling its public ``gprs_calc`` on a sample of combinations. The reference's full-grid
time is extrapolated from its per-combination time on the sample (said so in the output),
plus its measured load time.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REFERENCE_SNIPPET = r"""
import json, sys, time
t0 = time.perf_counter()
from geopolrisk.assessment.main import gprs_calc
load = time.perf_counter() - t0
spec = json.load(open(sys.argv[1]))
t1 = time.perf_counter()
gprs_calc(spec["years"], spec["countries"], spec["materials"])
calc = time.perf_counter() - t1
print(json.dumps({"load_s": load, "calc_s": calc}))
"""


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reference-python", default=os.environ.get("CELLCHAIN_REFERENCE_PYTHON"))
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    from cellchain.metrics import geopolrisk as gpr

    t0 = time.perf_counter()
    df = gpr.grid(regions={"EU27": gpr.EU27})
    cold = time.perf_counter() - t0
    warm = []
    for _ in range(args.repeat):
        gpr._trade_frame.cache_clear()
        gpr._production_frame.cache_clear()
        t0 = time.perf_counter()
        gpr.grid(regions={"EU27": gpr.EU27})
        warm.append(time.perf_counter() - t0)
    n = len(df)
    result = {"combinations": n, "cellchain_grid_cold_s": cold,
              "cellchain_grid_median_s": statistics.median(warm)}
    if args.reference_python:
        materials = ["Lithium", "Cobalt", "Nickel", "Graphite"]
        countries = ["USA", "China", "Germany", "Japan", "India", "Rep. of Korea"]
        years = [2022]
        spec = {"materials": materials, "countries": countries, "years": years}
        with tempfile.TemporaryDirectory() as tmp:
            Path(tmp, "spec.json").write_text(json.dumps(spec))
            Path(tmp, "ref.py").write_text(REFERENCE_SNIPPET)
            home = Path(tmp, "home")
            home.mkdir()
            res = subprocess.run([args.reference_python, "ref.py", "spec.json"], cwd=tmp,
                                 env={**os.environ, "HOME": str(home)}, capture_output=True,
                                 text=True, timeout=3600)
            if res.returncode != 0:
                sys.exit(res.stderr[-2000:])
            ref = json.loads(res.stdout.strip().splitlines()[-1])
        k = len(materials) * len(countries) * len(years)
        per_combo = ref["calc_s"] / k
        result.update({
            "reference_sample_combinations": k, "reference_load_s": ref["load_s"],
            "reference_per_combination_s": per_combo,
            "reference_full_grid_s_extrapolated": ref["load_s"] + per_combo * n,
            "throughput_ratio": per_combo / (result["cellchain_grid_median_s"] / n),
        })
    for key, value in result.items():
        print(f"{key:<40} {value:.4g}" if isinstance(value, float) else f"{key:<40} {value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
