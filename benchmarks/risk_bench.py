"""Monte Carlo shortfall risk, each mode against its obvious alternative in the same run.

    python benchmarks/risk_bench.py [--market USA] [--year 2024] [--repeat 3]

1. Short mode, 1,000,000 draws (target < 10 s) vs a pure-Python loop over draws doing the
   same arithmetic (timed on 20,000 draws and scaled; it is far too slow for a million).
2. Long mode, re-routed draws per minute (target >= 10,000 on 2 cores) vs building and
   solving a new flow model for every draw.
3. Dask with 2 workers vs in process (1 worker), short mode, 1,000,000 draws
   (target >= 1.7x).

Prints medians and ratios and the peak memory of this process; the numbers go in
BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import sys
import time

import numpy as np
from run import median_time  # benchmarks/run.py: the one timing helper


def python_loop(st, probabilities, effects, draws: int, seed: int, market: str) -> float:
    """The obvious alternative: one draw at a time in plain Python (same model)."""
    import random

    rng = random.Random(seed)
    total = 0.0
    cols = [list(np.flatnonzero(e)) for e in effects]
    for _ in range(draws):
        kept = [1.0] * effects.shape[1]
        for k, p in enumerate(probabilities):
            if rng.random() < p:
                for c in cols[k]:
                    kept[c] *= 1.0 - effects[k, c]
        lost = {}
        for prod in st.products:
            sl = st.offsets[prod]
            row = [1.0 - kept[c] for c in range(sl.start, sl.stop)]
            worst = None  # per node, the smallest available share of any input
            for q in st.inputs.get(prod, ()):
                s = st.sourcing[q]
                avail = [1.0 - sum(lost[q][i] * s[i, j] for i in range(s.shape[0]))
                         for j in range(len(row))]
                worst = avail if worst is None else [min(a, b) for a, b in
                                                     zip(worst, avail, strict=True)]
            if worst is not None:
                row = [1.0 - kept[sl.start + j] * min(1.0, max(0.0, worst[j]))
                       for j in range(len(row))]
            lost[prod] = row
        total += sum(a * b for a, b in zip(lost["cells"], st.shares[market]["cells"],
                                           strict=True))
    return total / draws


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--market", default="USA")
    ap.add_argument("--year", type=int, default=2024)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()

    from cellchain.network import baseline
    from cellchain.network.build import build_network
    from cellchain.optimize.reroute import Changes, Reroute
    from cellchain.risk import montecarlo, structure
    from cellchain.risk.model import load_model

    net = build_network(args.year)
    st = structure.build(args.year, (args.market,), load_model(), net=net)
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}; {len(st.sources)} disruption sources, "
          f"{st.width} supply nodes")

    # 1. short mode, a million draws, vs a pure-Python loop
    short = median_time(lambda: montecarlo(args.market, args.year, draws=1_000_000, seed=7,
                                           structure=st, driver_draws=0), args.repeat)
    n_loop = 20_000
    t0 = time.perf_counter()
    python_loop(st, st.probabilities(), st.effects(), n_loop, 7, args.market)
    loop = (time.perf_counter() - t0) * (1_000_000 / n_loop)
    print(f"short, 1,000,000 draws: {short:.2f} s (target < 10 s); pure-Python loop "
          f"{loop:.0f} s (scaled from {n_loop:,}); {loop / short:.0f}x faster")

    # 2. long mode draws per minute vs a model rebuilt for every draw
    n_long = 3_000
    t_long = median_time(lambda: montecarlo(args.market, args.year, draws=n_long, seed=7,
                                            mode="long", structure=st, net=net,
                                            driver_draws=0), args.repeat)
    struck_draws = 50
    rng = np.random.default_rng(7)
    t0 = time.perf_counter()
    for _ in range(struck_draws):
        cut = {("cells", net.countries[i]): net.capacity["cells"][i] * rng.uniform(0.5, 1)
               for i in rng.choice(len(net.countries), 3) if net.capacity["cells"][i] > 0}
        Reroute(net, baseline.build(net)).solve(Changes(capacity=cut))
    rebuild = (time.perf_counter() - t0) / struck_draws
    per_min = n_long / t_long * 60
    print(f"long, {n_long:,} draws: {t_long:.2f} s = {per_min:,.0f} re-routed draws/min "
          f"(target >= 10,000); rebuild per draw {rebuild * 1000:.1f} ms = "
          f"{60 / rebuild:,.0f} draws/min; {per_min * rebuild / 60:.1f}x faster")

    # 3. Dask, 2 workers vs 1 (in process)
    try:
        import distributed  # noqa: F401
    except ImportError:
        print("dask: not installed (pip install 'cellchain[scale]')")
    else:
        two = median_time(lambda: montecarlo(args.market, args.year, draws=1_000_000,
                                             seed=7, structure=st, workers=2,
                                             driver_draws=0), args.repeat)
        print(f"dask, 1,000,000 draws: 2 workers {two:.2f} s vs 1 in process "
              f"{short:.2f} s: {short / two:.2f}x (target >= 1.7x)")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory of this process: {peak:,.0f} MB")


if __name__ == "__main__":
    sys.exit(main())
