"""Flow model: build, cold solve, warm re-solve over random shocks vs rebuild per scenario.

    python benchmarks/flow_bench.py [--shocks 1000] [--rebuilds 20] [--seed 1]

Each random shock cuts one (product, country) capacity with a positive baseline to a random
fraction. The warm path re-solves one built model with changed bounds; the alternative
builds a fresh model for each scenario and solves it cold (median of ``--rebuilds``). Peak
memory (resident set) of the process is reported.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import time

import numpy as np


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--shocks", type=int, default=1000)
    ap.add_argument("--rebuilds", type=int, default=20)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--year", type=int, default=2024)
    args = ap.parse_args()

    from cellchain.optimize.network import PRODUCTS, build_network
    from cellchain.optimize.solve import BoundChanges, FlowModel

    t0 = time.perf_counter()
    net = build_network(args.year)
    t_net = time.perf_counter() - t0
    t0 = time.perf_counter()
    fm = FlowModel(net)
    t_build = time.perf_counter() - t0
    t0 = time.perf_counter()
    fm.solve()
    t_cold = time.perf_counter() - t0

    rng = np.random.default_rng(args.seed)
    slots = [(p, c, net.capacity[p][i]) for p in PRODUCTS for i, c in enumerate(net.countries)
             if net.capacity[p][i] > 0]
    shocks = [slots[k] for k in rng.integers(0, len(slots), args.shocks)]
    fractions = rng.uniform(0, 1, args.shocks)
    warm = []
    for (p, c, cap), f in zip(shocks, fractions, strict=True):
        ch = BoundChanges(capacity={(p, c): cap * f})
        t0 = time.perf_counter()
        fm.solve(ch)
        warm.append(time.perf_counter() - t0)
    rebuild = []
    for (p, c, cap), f in list(zip(shocks, fractions, strict=True))[: args.rebuilds]:
        ch = BoundChanges(capacity={(p, c): cap * f})
        t0 = time.perf_counter()
        FlowModel(net).solve(ch)
        rebuild.append(time.perf_counter() - t0)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    res = {
        "columns": fm.lp.num_col_, "rows": fm.lp.num_row_,
        "network_assembly_s": t_net, "build_s": t_build, "cold_solve_s": t_cold,
        "warm_resolve_median_s": statistics.median(warm),
        "warm_resolve_p90_s": float(np.percentile(warm, 90)),
        "rebuild_and_solve_median_s": statistics.median(rebuild),
        "speedup_vs_rebuild": statistics.median(rebuild) / statistics.median(warm),
        "peak_rss_mb": peak_mb, "shocks": args.shocks, "rebuilds": args.rebuilds,
    }
    for k, v in res.items():
        print(f"{k:<32} {v:.4g}" if isinstance(v, float) else f"{k:<32} {v}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
