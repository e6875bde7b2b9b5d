"""Run a Monte Carlo: chunks of draws, in process or on Dask; statistics and drivers.

Statistics per market and product [fractions of the market's need, and in units]:
``mean`` (expected shortfall), ``prob_shortfall`` (P(shortfall > 0)), ``p95``, ``p99``
(percentiles, numpy's linear method) and ``cvar95`` (mean of the worst 5 % of draws).

Drivers: a source's ``contribution`` is the drop in the expected cell shortfall (the
whole chain) when that source never strikes, on the same draws — only the draws in which
it struck change, so it is computed exactly from them. Contributions of sources that
strike together overlap; they are not shares that add up to the total.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from cellchain.errors import InvalidInputError, unknown
from cellchain.risk import sample
from cellchain.years import DEFAULT_YEAR

MODES = ("short", "long")
#: Upper bound on draws x markets per run (memory: the run keeps each draw's shortfall,
#: about 80 bytes per product and market-draw).
MAX_DRAWS = 5_000_000
DRIVER_COLUMNS = ["market", "kind", "driver", "probability", "contribution",
                  "contribution_units", "unit", "rank", "mode"]
#: Draws on which long-run drivers are computed (each struck draw is re-solved).
LONG_DRIVER_DRAWS = 2_000
#: Tail level for CVaR and the percentiles reported.
TAIL = 0.95
#: Draws per piece of work in long mode (each draw is a solve: under a second per piece).
LONG_PIECE = 250
#: Tasks per worker on Dask: enough that a slow task at the end leaves little idle time,
#: few enough that the per-task cost and the result messages stay small.
TASKS_PER_WORKER = 8


@dataclass
class RiskResult:
    """summary and driver tables, and each market's draws of its cell shortfall; with
    ``shortfall``, each market's draws of every product's shortfall (a draws x products
    array, columns in ``meta["products"]``) [fraction of need]."""

    summary: object  # pandas.DataFrame
    drivers: object  # pandas.DataFrame
    cell_shortfall: dict[str, np.ndarray] = field(default_factory=dict)
    meta: dict = field(default_factory=dict)
    shortfall: dict[str, np.ndarray] = field(default_factory=dict)

    def rows(self):
        """Both tables as one long table with a ``section`` column."""
        import pandas as pd

        drivers = self.drivers.assign(section="driver")
        if "year" in self.meta:  # a driver row is about the run's year, as the summary is
            drivers = drivers.assign(year=self.meta["year"])
        out = pd.concat([self.summary.assign(section="summary"), drivers],
                        ignore_index=True)
        for column in ("rank", "year"):  # whole numbers; empty where a section has none
            if column in out:
                out[column] = out[column].astype("Int64")
        return out


# ---------------------------------------------------------------------------------------
# the work of one piece of a chunk (top-level functions: they are shipped to workers)
# ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Piece:
    """Draws ``lo:hi`` of chunk ``index`` (of ``size`` draws). A chunk is the unit of the
    random stream; a piece is the unit of work (long-mode chunks are split so both workers
    have something to do)."""

    index: int
    size: int
    lo: int
    hi: int


def pieces_of(sizes: list[int], mode: str) -> list[Piece]:
    """Every chunk whole in short mode; in pieces of :data:`LONG_PIECE` draws in long mode."""
    step = sample.CHUNK if mode == "short" else LONG_PIECE
    return [Piece(i, size, lo, min(lo + step, size))
            for i, size in enumerate(sizes) for lo in range(0, size, step)]


def tasks_of(pieces: list[Piece], workers: int) -> list[list[Piece]]:
    """Consecutive pieces grouped into about :data:`TASKS_PER_WORKER` tasks per worker."""
    per = max(1, -(-len(pieces) // (TASKS_PER_WORKER * max(workers, 1))))
    return [pieces[i:i + per] for i in range(0, len(pieces), per)]


def run_pieces(payload: dict, pieces: list[Piece]) -> list[dict]:
    """:func:`run_piece` for each of ``pieces``, in order, on one BLAS thread."""
    with one_blas_thread():
        return [run_piece(payload, p) for p in pieces]


def one_blas_thread():
    """A context in which BLAS runs on one thread. The propagation's products are small
    (10,000 draws x at most 27 nodes): a threaded BLAS spends more on waking threads than on
    the arithmetic, and on a busy machine many times more (measured: 57 ms per chunk
    against 2.8 ms on one thread). One thread computes the same numbers."""
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1, user_api="blas")


def run_piece(payload: dict, piece: Piece) -> dict:
    """Shortfalls of the draws of ``piece`` and, for draws below the driver limit, each
    driver candidate's per-draw effect.

    Returns ``short`` (market -> (products, draws) shortfall [fraction of need]) and
    ``drivers`` (market -> (source ids, shortfall minus shortfall without that source), one
    entry per draw the source struck, by source then draw).
    """
    rng = sample.rng_for(payload["seed"], piece.index)
    hits = sample.strikes(rng, payload["probabilities"], piece.size)[:, piece.lo:piece.hi]
    short = _shortfalls(payload, hits)
    drivers = {}
    limit = payload["driver_limit"] if piece.index < payload["driver_chunks"] else 0
    if limit > piece.lo:
        drivers = _driver_effects(payload, hits[:, :limit - piece.lo], short)
    return {"piece": piece, "short": short, "drivers": drivers}


def _shortfalls(payload, hits) -> dict[str, np.ndarray]:
    """Per market, (products, draws) shortfall for the strikes ``hits`` (K, draws)."""
    st, markets = payload["structure"], payload["markets"]
    direct = sample.direct_losses(hits, payload["effects"])
    if payload["mode"] == "short":
        from cellchain.risk.propagate import propagate, shortfall_by_product

        lost = propagate(st, direct)
        return {m: shortfall_by_product(st, lost, m) for m in markets}
    from cellchain.risk.reroute import reroute

    served = reroute(st, payload["net"], payload["token"], direct, markets)
    return {m: served[:, i][None, :] for i, m in enumerate(markets)}


def _driver_effects(payload, hits, short) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Drivers by removal on common random numbers: for every candidate source k and
    every draw it struck, the same draw with k taken away (nothing else re-drawn), all
    candidates' draws evaluated together in blocks of :data:`sample.CHUNK`."""
    st, markets = payload["structure"], payload["markets"]
    cell = st.products.index("cells") if payload["mode"] == "short" else 0
    ks, rows = [], []
    for k in payload["driver_sources"]:
        r = np.flatnonzero(hits[k])
        ks.append(np.full(r.size, k, dtype=np.int64))
        rows.append(r)
    ks = np.concatenate(ks) if ks else np.zeros(0, np.int64)
    rows = np.concatenate(rows) if rows else np.zeros(0, np.int64)
    diffs = {m: np.empty(rows.size) for m in markets}
    for start in range(0, rows.size, sample.CHUNK):
        sl = slice(start, start + sample.CHUNK)
        h = hits[:, rows[sl]]  # a copy: fancy indexing
        h[ks[sl], np.arange(h.shape[1])] = False
        without = _shortfalls(payload, h)
        for m in markets:
            diffs[m][sl] = short[m][cell, rows[sl]] - without[m][cell]
    return {m: (ks, diffs[m]) for m in markets}


# ---------------------------------------------------------------------------------------
# executors
# ---------------------------------------------------------------------------------------
def _run_local(payload, pieces, progress):
    with one_blas_thread():
        for piece in pieces:
            yield run_piece(payload, piece)
            if progress:
                progress(piece.hi - piece.lo)


def local_cluster(workers: int):
    """A local Dask cluster for Monte Carlo work: ``workers`` processes, one thread each, one
    BLAS thread.

    Dask sets ``MALLOC_TRIM_THRESHOLD_`` in its workers by default, which turns off glibc's
    adaptive mmap threshold: every array of more than 128 KiB is then a fresh mapping whose
    pages fault in on first touch, and a chunk makes many such arrays (measured: 17x the
    page faults and twice the CPU time of the same work in process). The variable is left
    unset here, so workers allocate as this process does.
    """
    import dask
    from dask.distributed import LocalCluster

    with dask.config.set({"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None}):
        return LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                            dashboard_address=None, silence_logs=logging.CRITICAL,
                            env={"OPENBLAS_NUM_THREADS": "1"})


def _run_dask(payload, pieces, progress, workers: int | None, scheduler: str | None):
    try:
        from dask.distributed import Client, as_completed
    except ImportError:
        raise InvalidInputError(
            "Running on several workers needs Dask.",
            'Install the scale extra: pip install "cellchain[scale]", or use --workers 1.'
        ) from None
    cluster = None
    try:
        if scheduler:
            client = Client(scheduler, timeout="10s")
        else:
            cluster = local_cluster(workers)
            client = Client(cluster)
    except (OSError, TimeoutError) as exc:
        raise InvalidInputError(f"Cannot reach the Dask scheduler {scheduler!r}: {exc}.",
                                "Check the address (tcp://HOST:PORT) and that it runs.") from None
    try:
        slots = sum(client.nthreads().values()) or 1
        shared = client.scatter(payload, broadcast=True)
        futures = [client.submit(run_pieces, shared, task, pure=False)
                   for task in tasks_of(pieces, slots)]
        for fut in as_completed(futures):
            for r in fut.result():
                yield r
                if progress:
                    progress(r["piece"].hi - r["piece"].lo)
            fut.release()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


# ---------------------------------------------------------------------------------------
# the entry point
# ---------------------------------------------------------------------------------------
def montecarlo(market: str | Sequence[str] = "USA", year: int = DEFAULT_YEAR,
               draws: int = 10_000,
               seed: int = 7, mode: str = "short", model=None, workers: int = 1,
               scheduler: str | None = None, driver_draws: int = 20_000,
               progress: Callable[[int], None] | None = None, *, structure=None,
               net=None) -> RiskResult:
    """Monte Carlo shortfall distribution per market and product, and its drivers.

    Parameters
    ----------
    market : a market id (``USA``, ``CHN``, ``EU27``, ``JPN``, ``KOR``, ``IND``, ``RoW``) or
        several, or ``"all"``
    year : the year of the network [calendar year; one of the flow model's years,
        :func:`cellchain.years.model_span`, checked before any work; a year after the
        as-of year runs on the projected network]
    draws : number of simulated years [1 to 5,000,000]
    seed : the random seed; the result is identical for any ``workers``/``scheduler``
    mode : ``short`` (sourcing fixed, vectorised) or ``long`` (re-routed by the flow model)
    model : a :class:`~cellchain.risk.model.DisruptionModel`, a path to its YAML file, or
        None for the shipped default
    workers : worker processes (1 runs in this process; more start a local Dask cluster)
    scheduler : address of an existing Dask scheduler (``tcp://HOST:PORT``)
    driver_draws : drivers are computed on the first this many draws (whole chunks of
        10,000 beyond the first; at most 2,000 in long mode)
    """
    import pandas as pd

    from cellchain import years
    from cellchain.chain import model as registry_model
    from cellchain.network.build import build_network
    from cellchain.network.network import MARKETS
    from cellchain.risk import structure as structure_mod
    from cellchain.risk.model import DisruptionModel, load_model
    from cellchain.trace.exposure import normalise_market

    if mode not in MODES:
        raise unknown("mode", mode, MODES)
    if isinstance(draws, bool) or not isinstance(draws, int) or not 1 <= draws <= MAX_DRAWS:
        raise InvalidInputError(f"Draws {draws!r} out of range.",
                                f"Use a whole number from 1 to {MAX_DRAWS:,}.")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise InvalidInputError(f"Seed {seed!r} is not a non-negative whole number.",
                                "Use e.g. --seed 7.")
    if isinstance(workers, bool) or not isinstance(workers, int) or not 1 <= workers <= 64:
        raise InvalidInputError(f"Workers {workers!r} out of range.", "Use 1 to 64.")
    if structure is None:
        year = years.check(year, "model")
    else:  # a structure built by hand (e.g. a toy chain) is not the flow model's
        registry_model.check_year(year)
    requested = [market] if isinstance(market, str) else list(market)
    if structure is not None:  # a structure built by hand (e.g. a toy chain)
        for m in requested:
            if m not in structure.shares:
                raise unknown("market", m, tuple(structure.shares))
        markets = tuple(dict.fromkeys(requested))
    else:
        markets = tuple(MARKETS) if market == "all" else tuple(
            dict.fromkeys(normalise_market(m) for m in requested))
    if draws * len(markets) > MAX_DRAWS:
        raise InvalidInputError(
            f"{draws:,} draws for {len(markets)} markets is over the limit of "
            f"{MAX_DRAWS:,} market-draws (memory: every draw's shortfall is kept).",
            "Use fewer draws or fewer markets.")
    if not isinstance(model, DisruptionModel):
        model = load_model(model)
    if structure is None:
        net = net if net is not None else build_network(year)
        structure = structure_mod.build(year, markets, model, net=net)
    elif mode == "long" and net is None:
        raise InvalidInputError("Long mode needs the network the structure was built from.")
    for m in markets:
        if structure.need[m].get("cells", 0.0) <= 0:
            raise InvalidInputError(f"Market {m} has no sourced cell demand in {year}.",
                                    "See `cellchain demand --year YEAR` for the markets.")

    probabilities = structure.probabilities()
    effects = sample.Effects.from_dense(structure.effects())
    sizes = sample.chunk_sizes(draws)
    driver_draws = min(max(driver_draws, 0), draws)
    if mode == "long":  # every struck draw of a candidate is re-solved: keep it small
        driver_draws = min(driver_draws, LONG_DRIVER_DRAWS)
    driver_chunks = -(-driver_draws // sample.CHUNK)
    if driver_chunks > 1:  # whole chunks
        driver_draws = sum(sizes[:driver_chunks])
    driver_limit = driver_draws if driver_chunks <= 1 else sample.CHUNK
    candidates = _driver_candidates(structure, markets, probabilities, mode)
    payload = {"structure": structure, "markets": markets, "seed": seed, "mode": mode,
               "probabilities": probabilities, "effects": effects,
               "driver_chunks": driver_chunks, "driver_sources": candidates,
               "driver_limit": driver_limit,
               "net": net if mode == "long" else None,
               "token": _token(structure, seed) if mode == "long" else ""}
    pieces = pieces_of(sizes, mode)
    if workers == 1 and not scheduler:
        results = _run_local(payload, pieces, progress)
    else:
        results = _run_dask(payload, pieces, progress, workers, scheduler)
    products = structure.products if mode == "short" else ("cells",)
    starts = np.concatenate(([0], np.cumsum(sizes)))
    # every draw's shortfall, product by product (rows contiguous for the statistics)
    values = {m: np.empty((len(products), draws)) for m in markets}
    effects_of: dict[tuple[int, int], dict] = {}
    for r in results:  # in any order: each piece fills its own columns
        p = r["piece"]
        for m in markets:
            values[m][:, starts[p.index] + p.lo:starts[p.index] + p.hi] = r["short"][m]
        if r["drivers"]:
            effects_of[(p.index, p.lo)] = r["drivers"]

    summary = _summary(structure, markets, products, values, mode, year)
    drivers = _drivers(structure, markets, effects_of, driver_chunks, driver_draws, mode)
    cells = {m: values[m][products.index("cells")].copy() for m in markets}
    shortfall = {m: values[m].T for m in markets}  # draws x products (a view)
    meta = {"draws": draws, "seed": seed, "mode": mode, "year": year,
            "chunks": len(sizes), "driver_draws": driver_draws,
            "sources": len(structure.sources), "products": list(products)}
    return RiskResult(pd.DataFrame(summary), pd.DataFrame(drivers, columns=DRIVER_COLUMNS),
                      cells, meta, shortfall)


def _token(structure, seed) -> str:
    return hashlib.sha256(f"{structure.year}:{id(structure)}:{seed}".encode()).hexdigest()


def _driver_candidates(st, markets, probabilities, mode) -> list[int]:
    """Sources whose drivers are computed: every source in short mode; in long mode the 12
    with the largest first-order effect (probability x traced share they strike)."""
    k = len(st.sources)
    if mode == "short" or k <= 12:
        return list(range(k))
    weight = np.zeros(st.width)
    for m in markets:
        for p in st.products:
            weight[st.offsets[p]] += st.shares[m][p]
    score = probabilities * (st.effects() @ weight)
    return sorted(np.argsort(-score, kind="stable")[:12].tolist())


def percentile(x: np.ndarray, q: float, partitioned: np.ndarray | None = None) -> float:
    """``np.percentile(x, q)`` (linear method), bit for bit, read from ``partitioned``: a
    copy of ``x`` partitioned at :func:`percentile_indexes` (no full sort)."""
    n = x.size
    v = (n - 1) * (q / 100)
    lo = int(np.floor(v))
    hi = lo + 1
    if v >= n - 1:
        lo = hi = n - 1
    xp = partitioned if partitioned is not None else np.partition(x, [lo, hi])
    a, b, t = xp[lo], xp[hi], v - lo
    d = b - a
    return float(b - d * (1 - t) if t >= 0.5 else a + d * t)


def percentile_indexes(n: int, q: float) -> list[int]:
    """The order statistics :func:`percentile` reads for ``n`` values."""
    v = (n - 1) * (q / 100)
    lo = min(int(np.floor(v)), n - 1)
    return sorted({lo, min(lo + 1, n - 1)})


def _stats(x: np.ndarray) -> dict[str, float]:
    """mean, P(> 0), p95, p99 and CVaR95 of ``x``: one partition at the order statistics
    they need, then a sort of the worst 5 % only."""
    n = x.size
    start = int(np.floor(TAIL * n))
    kth = sorted({*percentile_indexes(n, 95), *percentile_indexes(n, 99),
                  *([start] if start < n else [])})
    xp = np.partition(x, kth)
    tail = np.sort(xp[start:])
    return {"mean": float(x.mean()), "prob_shortfall": float((x > 1e-12).mean()),
            "p95": percentile(x, 95, xp), "p99": percentile(x, 99, xp),
            "cvar95": float(tail.mean()) if tail.size else float(x.max())}


def _summary(st, markets, products, values, mode, year) -> list[dict]:
    rows = []
    for m in markets:
        for j, p in enumerate(products):
            s = _stats(values[m][j])
            need = st.need[m].get(p, 0.0)
            rows.append({"market": m, "year": year, "stage": st.stages[p], "product": p,
                         "mode": mode, **s, "need": need,
                         "mean_units": s["mean"] * need, "p95_units": s["p95"] * need,
                         "p99_units": s["p99"] * need, "cvar95_units": s["cvar95"] * need,
                         "unit": st.units[p] + "/yr"})
    return rows


def _drivers(st, markets, effects_of, driver_chunks, n, mode) -> list[dict]:
    """Contribution of each source: the per-draw effects summed chunk by chunk, divided
    by the draws they were computed on."""
    rows = []
    if n == 0:
        return rows
    k_sources = len(st.sources)
    for m in markets:
        total = np.zeros(k_sources)
        for c in range(driver_chunks):
            parts = [effects_of[key][m] for key in sorted(effects_of) if key[0] == c]
            ks = np.concatenate([k for k, _ in parts])
            diffs = np.concatenate([d for _, d in parts])
            order = np.argsort(ks, kind="stable")  # by source, then draw
            ks, diffs = ks[order], diffs[order]
            chunk_sum = np.zeros(k_sources)
            bounds = np.flatnonzero(np.diff(ks)) + 1
            for first, seg in zip(np.r_[0, bounds], np.split(diffs, bounds), strict=True):
                if seg.size:
                    chunk_sum[ks[first]] = float(seg.sum())
            total += chunk_sum
        contribution = total / n
        order = [k for k in np.argsort(-contribution, kind="stable")
                 if contribution[k] > 1e-7]  # float32 losses: below is noise
        for rank, k in enumerate(order, start=1):
            s = st.sources[k]
            rows.append({"market": m, "kind": s.kind, "driver": s.name,
                         "probability": s.probability, "contribution": float(contribution[k]),
                         "contribution_units": float(contribution[k]) * st.need[m]["cells"],
                         "unit": "GWh/yr", "rank": rank, "mode": mode})
    return rows
