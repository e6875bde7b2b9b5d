"""Seeded draws of which disruption sources strike, one chunk of draws at a time.

Chunk ``i`` of a run with seed ``s`` always draws from
``numpy.random.SeedSequence(s, spawn_key=(i,))`` — the i-th child of
``SeedSequence(s).spawn`` — so a run's draws do not depend on how many workers run the
chunks or in what order.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: Draws per chunk: the unit of work sent to a worker (large enough that scheduling
#: overhead of a few milliseconds per task is negligible).
CHUNK = 10_000


def chunk_sizes(draws: int, chunk: int = CHUNK) -> list[int]:
    """Sizes of the chunks that make up ``draws`` (all ``chunk`` but the last)."""
    full, rest = divmod(int(draws), chunk)
    return [chunk] * full + ([rest] if rest else [])


def rng_for(seed: int, index: int) -> np.random.Generator:
    """The random stream of chunk ``index``."""
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(index,)))


def strikes(rng: np.random.Generator, probabilities: np.ndarray, size: int,
            block: int = 64) -> np.ndarray:
    """(K, size) booleans: which of the K sources strike in each of ``size`` draws.

    The uniforms are those of ``rng.random((K, size))`` (one row per source, in order),
    generated ``block`` rows at a time into a reused buffer so the whole float matrix never
    exists at once.
    """
    k = probabilities.size
    out = np.empty((k, size), dtype=bool)
    buf = np.empty((min(block, k), size))
    for start in range(0, k, block):
        stop = min(start + block, k)
        u = buf[:stop - start]
        rng.random(out=u)
        np.less(u, probabilities[start:stop, None], out=out[start:stop])
    return out


@dataclass(frozen=True)
class Effects:
    """The sources' effects in sparse form: for source k, the columns it strikes and
    ``log(1 - effect)`` there [<= 0; a total loss is kept finite as log(1e-30); float32, which
    keeps losses to about 1e-7]."""

    width: int
    columns: tuple[np.ndarray, ...]
    log_kept: tuple[np.ndarray, ...]

    @classmethod
    def from_dense(cls, effects: np.ndarray) -> Effects:
        cols = tuple(np.flatnonzero(row) for row in effects)
        logs = tuple(np.log(np.clip(1.0 - row[c], 1e-30, 1.0)).astype(np.float32)
                     for row, c in zip(effects, cols, strict=True))
        return cls(effects.shape[1], cols, logs)


def direct_losses(hits: np.ndarray, effects: Effects) -> np.ndarray:
    """(D, width) fraction of each node's output lost directly in each draw.

    Sources strike independently of each other's effect: a node keeps the product of
    (1 - effect) over the sources that strike it. Accumulated source by source over the
    draws it strikes (strikes are rare, so this is far cheaper than a dense product, and
    its order of summation is fixed). hits : (K, D) booleans.
    """
    total = np.zeros((hits.shape[1], effects.width), dtype=np.float32)
    for k, (cols, logs) in enumerate(zip(effects.columns, effects.log_kept, strict=True)):
        rows = np.flatnonzero(hits[k])
        if rows.size == 0:
            continue
        if cols.size == 1:
            total[rows, cols[0]] += logs[0]
        else:
            total[rows[:, None], cols[None, :]] += logs[None, :]
    np.expm1(total, out=total)
    return np.negative(total, out=total)
