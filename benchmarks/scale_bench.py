"""Scale: the everyday commands on the bundled registry plus synthetic overlays of 1k, 10k
and 100k extra facilities, in one run.

    python benchmarks/scale_bench.py [--sizes 0,1000,10000,100000] [--timeout 600] [--json]

For each size a synthetic overlay (:func:`cellchain.testing.synthetic_overlay`, written to
a temporary folder passed as ``CELLCHAIN_DATA_DIR``; never to the repository) adds that
many operating facilities across the refining, materials and cell stages, with
capacities, statuses, one operator each from a pool of companies (some held by a state)
and ownership rows. A fresh Python process per size, with its own warehouse cache, times:
the warehouse build, ``shares --stage cells --by owner``, ``exposure USA`` (network,
observed baseline and trace) and one scenario (a sanction on one synthetic holding; on
the bundled registry, on Rosatom). Each phase is timed by the wall clock and by the
process's CPU time (the machine may be shared: CPU time is what the load does not
inflate); the peak resident memory of the process is reported, and the load average
before and after each size.

The summary ends with the linearity check: the cost of the extra facilities,
``(t(n) - t(0))``, per 1,000 facilities, and ``(t(100k) - t(0)) / (t(10k) - t(0))``,
which is 10 when the cost grows linearly; and whether 100k meets the target (build +
shares + exposure + scenario < 60 s wall, < 4 GB peak).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

CHILD = r"""
import json, resource, sys, time
out = {}
def phase(name, fn):
    t, c = time.perf_counter(), time.process_time()
    result = fn()
    out[name + "_s"] = time.perf_counter() - t
    out[name + "_cpu_s"] = time.process_time() - c
    return result
from cellchain.io import store
phase("build", lambda: store.build(force=True))
from cellchain.chain import shares
phase("shares_owner", lambda: shares.shares("cells", 2024, "owner"))
from cellchain.trace.exposure import exposure
from cellchain.network.build import build_network
from cellchain.network import baseline
def expo():
    net = build_network(2024)
    base = baseline.build(net)
    exposure("USA", 2024, net=net, flows=base.flows, basis=base.basis)
    return net, base
net, base = phase("exposure", expo)
from cellchain.scenarios import run
from cellchain.scenarios.load import loads
sc = loads(sys.argv[1].encode(), "bench")
phase("scenario", lambda: run.run(sc, "bench", network=net, baseline=base))
out["facilities"] = len(net.plants)
out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(out))
"""

PHASES = ("build", "shares_owner", "exposure", "scenario")
BUNDLED_SCENARIO = ("name: bench sanction\nyear: 2024\nshocks:\n"
                    "  - sanction: {entity: rosatom, share: 1.0}\n")
#: The 100k target: build + shares + exposure + scenario [s] and peak memory [MB].
TARGET_S, TARGET_MB = 60.0, 4096.0


def load_average() -> float:
    return os.getloadavg()[0]


def run_size(n: int, timeout: float) -> dict:
    from cellchain.testing import synthetic_overlay

    with tempfile.TemporaryDirectory(prefix="cellchain-scale-") as tmp:
        tmp = Path(tmp)
        env = dict(os.environ, CELLCHAIN_CACHE_DIR=str(tmp / "cache"),
                   OPENBLAS_NUM_THREADS="1")
        env.pop("CELLCHAIN_DATA_DIR", None)
        scenario = BUNDLED_SCENARIO
        if n:
            scenario = synthetic_overlay(tmp / "overlay", n).sanction_scenario()
            env["CELLCHAIN_DATA_DIR"] = str(tmp / "overlay")
        load_before = load_average()
        try:
            res = subprocess.run([sys.executable, "-c", CHILD, scenario], env=env,
                                 capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            return {"extra": n, "error": f"did not finish in {timeout:.0f} s"}
        if res.returncode != 0:
            return {"extra": n, "error": res.stderr.strip().splitlines()[-1][:200]}
        out = json.loads(res.stdout.strip().splitlines()[-1])
        out.update(extra=n, load_before=load_before, load_after=load_average())
        out["total_s"] = sum(out[f"{k}_s"] for k in PHASES)
        out["total_cpu_s"] = sum(out[f"{k}_cpu_s"] for k in PHASES)
        return out


def summary(results: list[dict]) -> list[str]:
    """The compact table, the linearity check and the verdict on the 100k target."""
    lines = [f"{'extra':>7} {'build':>6} {'shares':>6} {'expo':>6} {'scen':>6} "
             f"{'total':>6} {'cpu':>6} {'MB':>6} {'load':>9}"]
    ok = {r["extra"]: r for r in results if "error" not in r}
    for r in results:
        if "error" in r:
            lines.append(f"{r['extra']:>7} {r['error']}")
            continue
        lines.append(f"{r['extra']:>7} " + " ".join(f"{r[f'{k}_s']:>6.2f}" for k in PHASES)
                     + f" {r['total_s']:>6.2f} {r['total_cpu_s']:>6.2f}"
                     + f" {r['peak_rss_mb']:>6.0f}"
                     + f" {r['load_before']:>4.1f}-{r['load_after']:<4.1f}")
    if 0 in ok:
        base = ok[0]
        for n, r in sorted(ok.items()):
            if n:
                lines.append(
                    f"per 1k extra at {n:>7,}: "
                    f"{(r['total_s'] - base['total_s']) / (n / 1000):.3f} s wall, "
                    f"{(r['total_cpu_s'] - base['total_cpu_s']) / (n / 1000):.3f} s CPU")
        if 10_000 in ok and 100_000 in ok:
            for kind in ("", "_cpu"):
                parts = []
                for k in (*PHASES, "total"):
                    key = f"{k}{kind}_s"
                    d10 = ok[10_000][key] - base[key]
                    d100 = ok[100_000][key] - base[key]
                    # a phase whose 10k cost is within noise of the bundled one has no ratio
                    parts.append(f"{k} {d100 / d10:.1f}" if d10 > max(0.05, 0.2 * base[key])
                                 else f"{k} n/a")
                lines.append(f"growth 10k->100k ({'CPU' if kind else 'wall'}; 10 = linear): "
                             + ", ".join(parts))
    if 100_000 in ok:
        r = ok[100_000]
        met = r["total_s"] < TARGET_S and r["peak_rss_mb"] < TARGET_MB
        lines.append(f"100k target (< {TARGET_S:.0f} s, < {TARGET_MB / 1024:.0f} GB): "
                     f"{'met' if met else 'NOT met'} ({r['total_s']:.1f} s wall, "
                     f"{r['total_cpu_s']:.1f} s CPU, {r['peak_rss_mb']:.0f} MB)")
    return lines


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="0,1000,10000,100000")
    ap.add_argument("--timeout", type=float, default=600.0)
    ap.add_argument("--json", action="store_true", help="also print every measurement as "
                    "one JSON line per size")
    args = ap.parse_args()
    results = [run_size(int(s), args.timeout) for s in args.sizes.split(",")]
    if args.json:
        for r in results:
            print(json.dumps(r))
    print(f"cpus {os.cpu_count()}, python {sys.version.split()[0]}")
    print("\n".join(summary(results)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
