"""Re-routing: warm re-solve of the built programme vs rebuilding per scenario.

    python benchmarks/flow_bench.py [--shocks 300] [--rebuilds 20] [--runs 3] [--seed 1]

Each random shock cuts one (product, country) capacity with a positive baseline to a random
fraction. A shock *binds* when the cut leaves less capacity than the baseline's output
there; otherwise the baseline still stands and is returned without solving. The warm path
re-solves one built ``Reroute`` per run (stage-1 LP from the baseline's basis, stage-2 QP
over the products that moved). Two alternatives, on the first ``--rebuilds`` shocks:
rebuilding the programmes from the network and solving, and rebuilding everything a
scenario needs (network, observed baseline, programmes) and solving. Every run builds its
own ``Reroute``, so nothing kept by one run speeds up the next.

Times are wall clock [ms]; the machine may be shared, so the summary gives each run's
medians and the median over runs, and (rows "CPU") the calling thread's CPU time, which
other jobs on the machine disturb less. Peak memory (resident set) of the process is
reported.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import time

import numpy as np


def _ms(values) -> tuple[float, float]:
    """Median and 90th percentile [ms] of times in seconds (nan when empty)."""
    if not values:
        return float("nan"), float("nan")
    return 1e3 * statistics.median(values), 1e3 * float(np.percentile(values, 90))


def one_run(net, base, shocks, rebuilds: int, year: int) -> dict:
    """Time the warm path and both rebuilds on ``shocks``; returns the run's figures."""
    from cellchain.network import baseline
    from cellchain.network.build import build_network
    from cellchain.optimize.reroute import Reroute

    t0 = time.perf_counter()
    rr = Reroute(net, base)
    t_build = time.perf_counter() - t0
    warm, warm_binding, cpu, cpu_binding, methods, stands = [], [], [], [], {}, 0
    for ch in shocks:
        binds = not rr.baseline_stands(ch)
        t0, c0 = time.perf_counter(), time.thread_time()
        sol = rr.solve(ch)
        dt, dc = time.perf_counter() - t0, time.thread_time() - c0
        warm.append(dt)
        cpu.append(dc)
        if binds:
            warm_binding.append(dt)
            cpu_binding.append(dc)
        else:
            stands += 1
        label = sol.method.split(":")[0]
        methods[label] = methods.get(label, 0) + 1
    rebuild, cpu_rebuild, full = [], [], []
    for ch in shocks[:rebuilds]:
        t0, c0 = time.perf_counter(), time.thread_time()
        Reroute(net, base).solve(ch)
        rebuild.append(time.perf_counter() - t0)
        cpu_rebuild.append(time.thread_time() - c0)
        t0 = time.perf_counter()
        net2 = build_network(year)
        Reroute(net2, baseline.build(net2)).solve(ch)
        full.append(time.perf_counter() - t0)
    return {"build": t_build, "warm": _ms(warm), "warm_binding": _ms(warm_binding),
            "rebuild": _ms(rebuild), "full": _ms(full), "methods": methods,
            "cpu": _ms(cpu), "cpu_binding": _ms(cpu_binding), "cpu_rebuild": _ms(cpu_rebuild),
            "stands": stands, "binding": len(warm_binding), "routes": rr.index.n_routes,
            "lp_shape": (rr.lp.model.lp_.num_col_, rr.lp.model.lp_.num_row_)}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--shocks", type=int, default=300)
    ap.add_argument("--rebuilds", type=int, default=20)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--year", type=int, default=2024)
    args = ap.parse_args()

    from cellchain.network import baseline
    from cellchain.network.build import build_network
    from cellchain.network.products import PRODUCTS
    from cellchain.optimize.reroute import Changes

    t0 = time.perf_counter()
    net = build_network(args.year)
    t_net = time.perf_counter() - t0
    t0 = time.perf_counter()
    base = baseline.build(net)
    t_base = time.perf_counter() - t0

    rng = np.random.default_rng(args.seed)
    slots = [(p, c, net.capacity[p][i]) for p in PRODUCTS for i, c in enumerate(net.countries)
             if net.capacity[p][i] > 0]
    picks = rng.integers(0, len(slots), args.shocks)
    fractions = rng.uniform(0, 1, args.shocks)
    shocks = [Changes(capacity={(slots[k][0], slots[k][1]): slots[k][2] * f})
              for k, f in zip(picks, fractions, strict=True)]
    runs = [one_run(net, base, shocks, args.rebuilds, args.year) for _ in range(args.runs)]
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    def row(name, key, part=0):
        values = [r[key][part] if isinstance(r[key], tuple) else 1e3 * r[key] for r in runs]
        cells = " | ".join(f"{v:8.2f}" for v in values)
        return f"| {name:<44} | {cells} | {statistics.median(values):8.2f} |"

    def ratio(name, num, den):
        values = [r[num][0] / r[den][0] for r in runs]
        cells = " | ".join(f"{v:7.1f}x" for v in values)
        return f"| {name:<44} | {cells} | {statistics.median(values):7.1f}x |"

    first = runs[0]
    print(f"year {args.year}: {len(net.countries)} countries, {first['routes']} routes, "
          f"LP {first['lp_shape'][0]} columns x {first['lp_shape'][1]} rows; "
          f"{args.shocks} shocks ({first['binding']} bind, {first['stands']} leave the "
          f"baseline standing), {args.rebuilds} rebuilds, {args.runs} runs")
    print(f"network from the warehouse {1e3 * t_net:.0f} ms, observed baseline "
          f"{1e3 * t_base:.0f} ms, peak resident memory {peak_mb:.0f} MB")
    heads = " | ".join(f"run {i + 1:<4}" for i in range(args.runs))
    print(f"| {'time [ms]':<44} | {heads} | {'median':>8} |")
    print("|" + "---|" * (args.runs + 2))
    print(row("build the programmes", "build"))
    print(row("warm re-solve, all shocks: median", "warm"))
    print(row("warm re-solve, all shocks: p90", "warm", 1))
    print(row("warm re-solve, binding shocks: median", "warm_binding"))
    print(row("warm re-solve, binding shocks: p90", "warm_binding", 1))
    print(row("rebuild programmes + solve: median", "rebuild"))
    print(row("rebuild programmes + solve: p90", "rebuild", 1))
    print(row("rebuild everything + solve: median", "full"))
    print(ratio("speed-up over rebuilding the programmes", "rebuild", "warm"))
    print(ratio("... binding shocks only", "rebuild", "warm_binding"))
    print(ratio("speed-up over rebuilding everything", "full", "warm"))
    print(ratio("... binding shocks only", "full", "warm_binding"))
    print(row("CPU: warm re-solve, all shocks: median", "cpu"))
    print(row("CPU: warm re-solve, binding shocks: median", "cpu_binding"))
    print(row("CPU: rebuild programmes + solve: median", "cpu_rebuild"))
    print(ratio("CPU: speed-up over rebuilding, all shocks", "cpu_rebuild", "cpu"))
    print(ratio("CPU: speed-up over rebuilding, binding", "cpu_rebuild", "cpu_binding"))
    methods = ", ".join(f"{k}: {v}" for k, v in sorted(first["methods"].items()))
    print(f"solved by (run 1): {methods}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
