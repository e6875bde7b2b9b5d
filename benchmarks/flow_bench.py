"""Re-routing: warm re-solve of the built programme vs rebuilding per scenario.

    python benchmarks/flow_bench.py [--shocks 300] [--rebuilds 10] [--seed 1]

Each random shock cuts one (product, country) capacity with a positive baseline to a random
fraction. The warm path re-solves one built ``Reroute`` (stage-1 LP warm from the previous
basis, stage-2 QP over the products that moved). Two alternatives, each the median of
``--rebuilds``: rebuilding the programmes from the network and solving cold, and rebuilding
everything a scenario needs (network, observed baseline, programmes) and solving. Peak
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
    ap.add_argument("--shocks", type=int, default=300)
    ap.add_argument("--rebuilds", type=int, default=10)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--year", type=int, default=2024)
    args = ap.parse_args()

    from cellchain.network import baseline
    from cellchain.network.build import build_network
    from cellchain.network.products import PRODUCTS
    from cellchain.optimize.reroute import Changes, Reroute

    t0 = time.perf_counter()
    net = build_network(args.year)
    t_net = time.perf_counter() - t0
    t0 = time.perf_counter()
    base = baseline.build(net)
    t_base = time.perf_counter() - t0
    t0 = time.perf_counter()
    rr = Reroute(net, base)
    t_build = time.perf_counter() - t0
    t0 = time.perf_counter()
    rr.solve()
    t_noop = time.perf_counter() - t0

    rng = np.random.default_rng(args.seed)
    slots = [(p, c, net.capacity[p][i]) for p in PRODUCTS for i, c in enumerate(net.countries)
             if net.capacity[p][i] > 0]
    picks = rng.integers(0, len(slots), args.shocks)
    fractions = rng.uniform(0, 1, args.shocks)
    shocks = [Changes(capacity={(slots[k][0], slots[k][1]): slots[k][2] * f})
              for k, f in zip(picks, fractions, strict=True)]
    warm, methods = [], {}
    for ch in shocks:
        t0 = time.perf_counter()
        sol = rr.solve(ch)
        warm.append(time.perf_counter() - t0)
        methods[sol.method] = methods.get(sol.method, 0) + 1
    rebuild, full = [], []
    for ch in shocks[: args.rebuilds]:
        t0 = time.perf_counter()
        Reroute(net, base).solve(ch)
        rebuild.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        net2 = build_network(args.year)
        Reroute(net2, baseline.build(net2)).solve(ch)
        full.append(time.perf_counter() - t0)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    res = {
        "routes": rr.index.n_routes, "lp_columns": rr.lp.model.lp_.num_col_,
        "rows": rr.lp.model.lp_.num_row_, "network_s": t_net, "baseline_s": t_base,
        "build_programmes_s": t_build, "no_op_solve_s": t_noop,
        "warm_resolve_median_s": statistics.median(warm),
        "warm_resolve_p90_s": float(np.percentile(warm, 90)),
        "rebuild_programmes_and_solve_median_s": statistics.median(rebuild),
        "rebuild_everything_and_solve_median_s": statistics.median(full),
        "speedup_vs_rebuilding_programmes": statistics.median(rebuild) / statistics.median(warm),
        "speedup_vs_rebuilding_everything": statistics.median(full) / statistics.median(warm),
        "solutions_least_squares": methods.get("least squares", 0),
        "solutions_least_absolute_change": methods.get("least absolute change", 0),
        "peak_rss_mb": peak_mb, "shocks": args.shocks, "rebuilds": args.rebuilds,
    }
    for k, v in res.items():
        print(f"{k:<40} {v:.4g}" if isinstance(v, float) else f"{k:<40} {v}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
