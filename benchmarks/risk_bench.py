"""Monte Carlo shortfall risk, each mode against its obvious alternative in the same run.

    python benchmarks/risk_bench.py [--market USA] [--year 2024] [--repeat 3]
                                    [--draws 1000000] [--long-draws 10000] [--no-dask]

1. Short mode, 1,000,000 draws in process (target < 10 s), without and with drivers (the
   CLI's default of 20,000 driver draws) vs a pure-Python loop over the same draws
   (:mod:`cellchain.risk.reference`; timed on ``--loop-draws`` and extrapolated).
2. Long mode, re-routed draws per minute in process (target >= 10,000 on 2 cores) vs
   building and solving a new flow model for every draw (``--rebuild-draws`` draws).
3. Dask, 1 worker and 2 workers (each cluster started once; start-up reported apart from
   compute), short mode at ``--draws`` and long mode at ``--long-draws`` (target >= 1.7x
   for 2 workers vs 1), results checked against the in-process run.

Every line shows the 1-minute load average before and after it (the machine is shared;
read the ratios with it), the CPU time of this process where it matters, and the peak
resident memory of this process during it and its rise over the start (sampled every 5 ms;
Dask workers' memory is theirs, not counted). Ends with a compact summary to re-run on a
quiet machine.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import threading
import time

import numpy as np
from run import median_time  # benchmarks/run.py: the one timing helper

PAGE = os.sysconf("SC_PAGE_SIZE")


class PeakRSS:
    """Peak resident memory of this process while the block runs [MB]."""

    def __enter__(self):
        self.start = self.peak = self._rss()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()
        return self

    def _watch(self):
        while not self._stop.wait(0.005):
            self.peak = max(self.peak, self._rss())

    @staticmethod
    def _rss() -> float:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * PAGE / 2**20

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._rss())
        return False


def load() -> float:
    return os.getloadavg()[0]


SUMMARY: list[str] = []


def report(line: str, load_before: float, rss: PeakRSS | None = None) -> None:
    mem = (f"; peak RSS {rss.peak:,.0f} MB (+{rss.peak - rss.start:,.0f})" if rss is not None
           else "")
    text = f"{line}{mem} [load {load_before:.1f} -> {load():.1f}]"
    print(text, flush=True)
    SUMMARY.append(text)


def timed(fn, repeat: int) -> tuple[float, float, PeakRSS]:
    """(median wall seconds, CPU seconds of this process per run, peak RSS)."""
    with PeakRSS() as rss:
        c0 = time.process_time()
        wall = median_time(fn, repeat)
        cpu = (time.process_time() - c0) / repeat
    return wall, cpu, rss


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--market", default="USA")
    ap.add_argument("--year", type=int, default=2024)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--draws", type=int, default=1_000_000)
    ap.add_argument("--loop-draws", type=int, default=20_000)
    ap.add_argument("--long-draws", type=int, default=10_000)
    ap.add_argument("--rebuild-draws", type=int, default=50)
    ap.add_argument("--no-dask", action="store_true")
    args = ap.parse_args()

    from cellchain.network import baseline
    from cellchain.network.build import build_network
    from cellchain.optimize.reroute import Changes, Reroute
    from cellchain.risk import montecarlo, sample, structure
    from cellchain.risk.model import load_model
    from cellchain.risk.reference import shortfall_loop
    from cellchain.risk.run import LONG_PIECE, local_cluster

    m, year, n = args.market, args.year, args.draws
    net = build_network(year)
    st = structure.build(year, (m,), load_model(), net=net)
    print(f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; {platform.machine()}, "
          f"{os.cpu_count()} cores, Python {platform.python_version()}, numpy "
          f"{np.__version__}; {m} {year}: {len(st.sources)} disruption sources, {st.width} "
          f"supply nodes", flush=True)

    # 1. short mode in process, vs the pure-Python loop
    lb = load()
    short, short_cpu, rss = timed(lambda: montecarlo(m, year, draws=n, seed=7, structure=st,
                                                     driver_draws=0), args.repeat)
    report(f"short {n:,} in process: {short:.2f} s (cpu {short_cpu:.2f} s; median of "
           f"{args.repeat}; target < 10 s {'OK' if short < 10 else 'MISSED'})", lb, rss)
    lb = load()
    with_drivers, wd_cpu, rss = timed(lambda: montecarlo(m, year, draws=n, seed=7,
                                                         structure=st), 1)
    report(f"short {n:,} in process with drivers on 20,000 draws: {with_drivers:.2f} s "
           f"(cpu {wd_cpu:.2f} s)", lb, rss)
    lb = load()
    with PeakRSS() as rss:
        t0 = time.perf_counter()
        shortfall_loop(st, m, args.loop_draws, 7)
        per_draw = (time.perf_counter() - t0) / args.loop_draws
    report(f"pure-Python loop: {per_draw * 1e3:.3f} ms/draw on {args.loop_draws:,} draws, "
           f"EXTRAPOLATED to {n:,}: {per_draw * n:,.0f} s = {per_draw * n / short:,.0f}x "
           f"the vectorised run", lb, rss)

    # 2. long mode in process, vs a model built and solved for every draw
    n_long = args.long_draws
    lb = load()
    t0 = time.perf_counter()
    montecarlo(m, year, draws=50, seed=7, mode="long", structure=st, net=net, driver_draws=0)
    report(f"long: flow model built and first 50 draws: {time.perf_counter() - t0:.2f} s", lb)
    lb = load()
    long_t, long_cpu, rss = timed(lambda: montecarlo(m, year, draws=n_long, seed=7,
                                                     mode="long", structure=st, net=net,
                                                     driver_draws=0), 1)
    per_min = n_long / long_t * 60
    report(f"long {n_long:,} in process: {long_t:.2f} s = {per_min:,.0f} draws/min (cpu "
           f"{long_cpu:.2f} s; target >= 10,000/min {'OK' if per_min >= 1e4 else 'MISSED'})",
           lb, rss)
    # the alternative: the same struck draws, a new programme built and solved for each
    hits = sample.strikes(sample.rng_for(7, 0), st.probabilities(), sample.CHUNK)
    direct = sample.direct_losses(hits, sample.Effects.from_dense(st.effects()))
    rows = np.flatnonzero(direct.any(axis=1))[:args.rebuild_draws]
    columns = [(p, c) for p in st.products for c in st.nodes[p]]
    capacity = np.array([net.capacity[p][net.countries.index(c)] for p, c in columns])
    observed = baseline.build(net)  # built once: only the programme is rebuilt
    lb = load()
    with PeakRSS() as rss:
        t0 = time.perf_counter()
        for row in rows:
            cut = {columns[k]: capacity[k] * (1.0 - direct[row, k])
                   for k in np.flatnonzero(direct[row] > 0) if capacity[k] > 0}
            Reroute(net, observed).unserved(Changes(capacity=cut))
        rebuild = (time.perf_counter() - t0) / rows.size
    report(f"build and solve a programme per draw ({rows.size} struck draws): "
           f"{rebuild * 1e3:.0f} ms = {60 / rebuild:,.0f} draws/min; the warm model is "
           f"{per_min * rebuild / 60:.0f}x faster", lb, rss)

    # 3. Dask: 1 worker vs 2, clusters started once
    if args.no_dask:
        return summary()
    try:
        from dask.distributed import Client
    except ImportError:
        print("dask: not installed (pip install 'cellchain[scale]')")
        return summary()
    ref = montecarlo(m, year, draws=n, seed=7, structure=st, driver_draws=0)
    ref_long = montecarlo(m, year, draws=n_long, seed=7, mode="long", structure=st, net=net,
                          driver_draws=0)
    times, idle = {}, {}
    for workers in (1, 2):
        lb = load()
        t0 = time.perf_counter()
        cluster = local_cluster(workers)  # as `--workers N` starts it
        watch = Client(cluster)  # only to read the workers' CPU clocks
        report(f"dask {workers} worker(s): cluster start-up {time.perf_counter() - t0:.2f} s",
               lb)
        try:
            address = cluster.scheduler_address
            out = {}

            def short_run(address=address, out=out):
                out["short"] = montecarlo(m, year, draws=n, seed=7, structure=st,
                                          driver_draws=0, scheduler=address)

            def long_run(address=address, out=out):
                out["long"] = montecarlo(m, year, draws=n_long, seed=7, mode="long",
                                         structure=st, net=net, driver_draws=0,
                                         scheduler=address)

            def measured(mode, fn, repeat, watch=watch, workers=workers):
                lb = load()
                w0 = watch.run(time.process_time)
                t, cpu, rss = timed(fn, repeat)
                w1 = watch.run(time.process_time)
                busy = [(w1[k] - w0[k]) / repeat for k in w0]
                times[(mode, workers)] = t
                # an estimate for an idle machine: the workers' CPU time shared evenly (many
                # small tasks) plus the client's (scheduler, gathering, statistics)
                idle[(mode, workers)] = sum(busy) / len(busy) + cpu
                return t, lb, rss, (f"workers' cpu {' + '.join(f'{b:.2f}' for b in busy)} s, "
                                    f"client cpu {cpu:.2f} s")

            t, lb, rss, cpu = measured("short", short_run, args.repeat)
            same = (np.array_equal(out["short"].cell_shortfall[m], ref.cell_shortfall[m])
                    and out["short"].summary.equals(ref.summary))
            report(f"dask {workers} worker(s), short {n:,}: {t:.2f} s (median of "
                   f"{args.repeat}; {cpu}); identical to in process: {same}", lb, rss)
            t0 = time.perf_counter()  # the workers build their flow models
            montecarlo(m, year, draws=2 * LONG_PIECE * workers, seed=7, mode="long", structure=st,
                       net=net, driver_draws=0, scheduler=address)
            warm = time.perf_counter() - t0
            t, lb, rss, cpu = measured("long", long_run, 1)
            diff = float(np.abs(out["long"].cell_shortfall[m]
                                - ref_long.cell_shortfall[m]).max())
            report(f"dask {workers} worker(s), long {n_long:,}: {t:.2f} s = "
                   f"{n_long / t * 60:,.0f} draws/min ({cpu}; flow models built first: "
                   f"{warm:.2f} s); largest difference from in process {diff:.1e}", lb, rss)
        finally:
            watch.close()
            cluster.close()
    for mode in ("short", "long"):
        ratio = times[(mode, 1)] / times[(mode, 2)]
        cpu_ratio = idle[(mode, 1)] / idle[(mode, 2)]
        report(f"dask {mode}: 2 workers vs 1: {ratio:.2f}x measured (target >= 1.7x "
               f"{'OK' if ratio >= 1.7 else 'MISSED'}); ESTIMATE for an idle machine from CPU "
               f"times (workers' mean + client): {cpu_ratio:.2f}x; 2 workers vs in process "
               f"{(short if mode == 'short' else long_t) / times[(mode, 2)]:.2f}x", load())
    return summary()


def summary() -> None:
    print("\nsummary:")
    for line in SUMMARY:
        print("  " + line)


if __name__ == "__main__":
    sys.exit(main())
