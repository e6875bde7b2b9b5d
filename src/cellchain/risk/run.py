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
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from cellchain.errors import InvalidInputError, unknown
from cellchain.risk import sample

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

        out = pd.concat([self.summary.assign(section="summary"),
                         self.drivers.assign(section="driver")], ignore_index=True)
        out["rank"] = out["rank"].astype("Int64")  # whole numbers; empty on summary rows
        return out


# ---------------------------------------------------------------------------------------
# the work of one chunk (a top-level function: it is shipped to worker processes)
# ---------------------------------------------------------------------------------------
def run_chunk(payload: dict, index: int, size: int) -> dict:
    """Shortfalls of chunk ``index`` (``size`` draws) and its driver sums."""
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    from cellchain.risk.propagate import market_shortfall, propagate

    st, markets = payload["structure"], payload["markets"]
    rng = sample.rng_for(payload["seed"], index)
    hits = sample.strikes(rng, payload["probabilities"], size)
    direct = sample.direct_losses(hits, payload["effects"])
    if payload["mode"] == "short":
        lost = propagate(st, direct)
        short = {m: market_shortfall(st, lost, m) for m in markets}
        cells = {m: short[m][:, st.products.index("cells")] for m in markets}
    else:
        from cellchain.risk.reroute import reroute

        served = reroute(st, payload["net"], payload["token"], direct, markets)
        short = {m: served[:, [i]] for i, m in enumerate(markets)}
        cells = {m: served[:, i] for i, m in enumerate(markets)}
    drivers = {}
    if index < payload["driver_chunks"]:
        drivers = _driver_sums(payload, hits, cells)
    return {"index": index, "short": short, "drivers": drivers}


def _driver_sums(payload, hits, cells) -> dict[str, np.ndarray]:
    """Per market, (K,) sum over the chunk of (shortfall - shortfall without source k)."""
    from cellchain.risk.propagate import market_shortfall, propagate

    st, markets = payload["structure"], payload["markets"]
    out = {m: np.zeros(hits.shape[0]) for m in markets}
    limit = payload["driver_limit"]
    for k in payload["driver_sources"]:
        rows = np.flatnonzero(hits[k, :limit])
        if rows.size == 0:
            continue
        h = hits[:, rows].copy()
        h[k] = False
        direct = sample.direct_losses(h, payload["effects"])
        if payload["mode"] == "short":
            lost = propagate(st, direct)
            for m in markets:
                without = market_shortfall(st, lost, m)[:, st.products.index("cells")]
                out[m][k] = float((cells[m][rows] - without).sum())
        else:
            from cellchain.risk.reroute import reroute

            without = reroute(st, payload["net"], payload["token"], direct, markets)
            for i, m in enumerate(markets):
                out[m][k] = float((cells[m][rows] - without[:, i]).sum())
    return out


# ---------------------------------------------------------------------------------------
# executors
# ---------------------------------------------------------------------------------------
def _run_local(payload, sizes, progress):
    for i, size in enumerate(sizes):
        yield run_chunk(payload, i, size)
        if progress:
            progress(size)


def _run_dask(payload, sizes, progress, workers: int | None, scheduler: str | None):
    try:
        from dask.distributed import Client, LocalCluster, as_completed
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
            cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                   dashboard_address=None, silence_logs=logging.CRITICAL,
                                   env={"OPENBLAS_NUM_THREADS": "1"})
            client = Client(cluster)
    except (OSError, TimeoutError) as exc:
        raise InvalidInputError(f"Cannot reach the Dask scheduler {scheduler!r}: {exc}.",
                                "Check the address (tcp://HOST:PORT) and that it runs.") from None
    try:
        shared = client.scatter(payload, broadcast=True)
        futures = [client.submit(run_chunk, shared, i, size, pure=False)
                   for i, size in enumerate(sizes)]
        results = {}
        for fut in as_completed(futures):
            r = fut.result()
            results[r["index"]] = r
            if progress:
                progress(sizes[r["index"]])
        for i in range(len(sizes)):
            yield results[i]
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


# ---------------------------------------------------------------------------------------
# the entry point
# ---------------------------------------------------------------------------------------
def montecarlo(market: str | Sequence[str] = "USA", year: int = 2024, draws: int = 10_000,
               seed: int = 7, mode: str = "short", model=None, workers: int = 1,
               scheduler: str | None = None, driver_draws: int = 20_000,
               progress: Callable[[int], None] | None = None, *, structure=None,
               net=None) -> RiskResult:
    """Monte Carlo shortfall distribution per market and product, and its drivers.

    Parameters
    ----------
    market : a market id (``USA``, ``CHN``, ``EU27``, ``JPN``, ``KOR``, ``IND``, ``RoW``) or
        several, or ``"all"``
    year : the baseline year
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
    if workers == 1 and not scheduler:
        chunks = list(_run_local(payload, sizes, progress))
    else:
        chunks = list(_run_dask(payload, sizes, progress, workers, scheduler))

    products = structure.products if mode == "short" else ("cells",)
    summary = _summary(structure, markets, products, chunks, mode, year)
    drivers = _drivers(structure, markets, chunks, driver_chunks, driver_draws, mode)
    shortfall = {m: np.concatenate([c["short"][m] for c in chunks]) for m in markets}
    cells = {m: shortfall[m][:, products.index("cells")] for m in markets}
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


def _stats(x: np.ndarray) -> dict[str, float]:
    tail = np.sort(x)[int(np.floor(TAIL * x.size)):]
    return {"mean": float(x.mean()), "prob_shortfall": float((x > 1e-12).mean()),
            "p95": float(np.percentile(x, 95)), "p99": float(np.percentile(x, 99)),
            "cvar95": float(tail.mean()) if tail.size else float(x.max())}


def _summary(st, markets, products, chunks, mode, year) -> list[dict]:
    rows = []
    for m in markets:
        values = np.concatenate([c["short"][m] for c in chunks])
        for j, p in enumerate(products):
            s = _stats(values[:, j])
            need = st.need[m].get(p, 0.0)
            rows.append({"market": m, "year": year, "stage": st.stages[p], "product": p,
                         "mode": mode, **s, "need": need,
                         "mean_units": s["mean"] * need, "p95_units": s["p95"] * need,
                         "p99_units": s["p99"] * need, "cvar95_units": s["cvar95"] * need,
                         "unit": st.units[p] + "/yr"})
    return rows


def _drivers(st, markets, chunks, driver_chunks, n, mode) -> list[dict]:
    rows = []
    if n == 0:
        return rows
    for m in markets:
        total = np.zeros(len(st.sources))
        for c in chunks[:driver_chunks]:
            total += c["drivers"].get(m, 0.0)
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
