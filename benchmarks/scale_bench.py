"""Scale: the everyday commands on the bundled registry plus synthetic overlays of 1k, 10k
and 100k extra facilities, in one run.

    python benchmarks/scale_bench.py [--sizes 0,1000,10000,100000] [--timeout 600]

For each size a synthetic overlay (a temporary folder passed as ``CELLCHAIN_DATA_DIR``;
never written to the repository) adds that many operating facilities across the refining,
materials and cell stages, with capacities, statuses, one operator each from a pool of
companies (some held by a state) and ownership rows. A fresh Python process per size, with
its own warehouse cache, times: the warehouse build, ``shares --stage cells --by owner``,
``exposure USA`` (network, observed baseline and trace) and one scenario (a sanction on
one synthetic holding); it reports each time, their total and the process's peak resident
memory, and the growth per facility against the bundled size. The alternative in the same
run is the bundled size itself: costs should grow linearly with the number of facilities.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

CHILD = r"""
import json, resource, sys, time
out = {}
t = time.perf_counter()
from cellchain.io import store
store.build(force=True)
out["build_s"] = time.perf_counter() - t
t = time.perf_counter()
from cellchain.chain import shares
shares.shares("cells", 2024, "owner")
out["shares_owner_s"] = time.perf_counter() - t
t = time.perf_counter()
from cellchain.trace.exposure import exposure
from cellchain.network.build import build_network
from cellchain.network import baseline
net = build_network(2024)
base = baseline.build(net)
exposure("USA", 2024, net=net, flows=base.flows, basis=base.basis)
out["exposure_s"] = time.perf_counter() - t
t = time.perf_counter()
from cellchain.scenarios import run
from cellchain.scenarios.load import loads
sc = loads(sys.argv[1].encode(), "bench")
run.run(sc, "bench", network=net, baseline=base)
out["scenario_s"] = time.perf_counter() - t
out["facilities"] = len(net.plants)
out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(out))
"""

SEEN = "2026-12-03"
URL = "https://example.org/cellchain-synthetic-benchmark-data"
STAGES = (("cells", "cells", "GWh/yr", (1.0, 40.0)),
          ("materials", "cathode", "t/yr", (5_000.0, 60_000.0)),
          ("refining", "lithium_chemicals", "t/yr LCE", (2_000.0, 40_000.0)))
COUNTRIES = ("USA", "CHN", "DEU", "POL", "HUN", "KOR", "JPN", "IND", "CAN", "AUS", "FRA",
             "SWE", "MEX", "IDN", "CHL", "ARG", "BRA", "MAR", "ESP", "GBR")


def write_overlay(folder: Path, n: int, seed: int = 1) -> str:
    """Synthetic registry rows for ``n`` facilities; returns a scenario sanctioning one
    synthetic holding."""
    rng = np.random.default_rng(seed)
    n_companies = max(10, n // 20)
    n_holdings = max(2, n_companies // 10)

    def writer(name, header):
        f = (folder / f"{name}.csv").open("w", newline="")
        w = csv.writer(f)
        w.writerow(header)
        return f, w

    meta = [URL, SEEN, "low", "synthetic benchmark row"]
    f, w = writer("entities", ["id", "name", "country", "kind", "source_url", "seen",
                               "confidence", "notes"])
    for h in range(n_holdings):
        w.writerow([f"synth-holding-{h}", f"Synthetic holding {h}",
                    COUNTRIES[h % len(COUNTRIES)], "state" if h % 5 == 0 else "holding", *meta])
    for c in range(n_companies):
        w.writerow([f"synth-co-{c}", f"Synthetic company {c}",
                    COUNTRIES[int(rng.integers(len(COUNTRIES)))], "company", *meta])
    f.close()
    f, w = writer("ownership", ["owner", "owned", "share", "valid_from", "valid_to",
                                "source_url", "seen", "confidence", "notes"])
    for c in range(n_companies):
        w.writerow([f"synth-holding-{c % n_holdings}", f"synth-co-{c}", "0.6", "2015", "",
                    *meta])
    fac_rows, cap_rows, status_rows = [], [], []
    for i in range(n):
        stage, product, unit, (lo, hi) = STAGES[i % len(STAGES)]
        fid = f"synth-{i}"
        fac_rows.append([fid, f"Synthetic plant {i}", stage, product, "",
                         COUNTRIES[int(rng.integers(len(COUNTRIES)))], "", "", "", "",
                         f"synth-co-{int(rng.integers(n_companies))}", "", "", "", "",
                         *meta])
        cap_rows.append([fid, 2020, f"{rng.uniform(lo, hi):.1f}", unit, "nameplate", *meta])
        status_rows.append([fid, "operating", "2020", *meta])
    f, w = writer("facilities", ["id", "name", "stage", "products", "chemistry", "country",
                                 "region", "city", "lat", "lon", "operator", "jobs",
                                 "jobs_year", "capex_musd", "end_uses", "source_url", "seen",
                                 "confidence", "notes"])
    w.writerows(fac_rows)
    f.close()
    f, w = writer("capacity", ["facility", "year", "capacity", "unit", "basis", "source_url",
                               "seen", "confidence", "notes"])
    w.writerows(cap_rows)
    f.close()
    f, w = writer("status", ["facility", "status", "date", "source_url", "seen",
                             "confidence", "notes"])
    w.writerows(status_rows)
    f.close()
    return ("name: bench sanction\nyear: 2024\nshocks:\n"
            "  - sanction: {entity: synth-holding-1, share: 1.0}\n")


def run_size(n: int, timeout: float) -> dict:
    with tempfile.TemporaryDirectory(prefix="cellchain-scale-") as tmp:
        tmp = Path(tmp)
        env = dict(os.environ, CELLCHAIN_CACHE_DIR=str(tmp / "cache"),
                   OPENBLAS_NUM_THREADS="1")
        scenario = ("name: bench sanction\nyear: 2024\nshocks:\n"
                    "  - sanction: {entity: rosatom, share: 1.0}\n")
        if n:
            (tmp / "overlay").mkdir()
            scenario = write_overlay(tmp / "overlay", n)
            env["CELLCHAIN_DATA_DIR"] = str(tmp / "overlay")
        try:
            res = subprocess.run([sys.executable, "-c", CHILD, scenario], env=env,
                                 capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            return {"extra": n, "error": f"did not finish in {timeout:.0f} s"}
        if res.returncode != 0:
            return {"extra": n, "error": res.stderr.strip().splitlines()[-1][:200]}
        out = json.loads(res.stdout.strip().splitlines()[-1])
        out["extra"] = n
        out["total_s"] = sum(out[k] for k in ("build_s", "shares_owner_s", "exposure_s",
                                              "scenario_s"))
        return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="0,1000,10000,100000")
    ap.add_argument("--timeout", type=float, default=600.0)
    args = ap.parse_args()
    results = [run_size(int(s), args.timeout) for s in args.sizes.split(",")]
    base = next((r for r in results if r["extra"] == 0 and "error" not in r), None)
    cols = ("build_s", "shares_owner_s", "exposure_s", "scenario_s", "total_s", "peak_rss_mb")
    print(f"{'extra':>8} " + " ".join(f"{c:>15}" for c in cols) + f" {'s per 1k extra':>15}")
    for r in results:
        if "error" in r:
            print(f"{r['extra']:>8} {r['error']}")
            continue
        per_k = ((r["total_s"] - base["total_s"]) / (r["extra"] / 1000)
                 if base and r["extra"] else float("nan"))
        print(f"{r['extra']:>8} " + " ".join(f"{r[c]:>15.3f}" for c in cols)
              + f" {per_k:>15.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
