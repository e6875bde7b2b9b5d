"""Short-run mode one draw at a time in plain Python: the vectorised code's oracle and the
obvious alternative the benchmark times it against.

It reads the same uniforms as :func:`cellchain.risk.sample.strikes` (chunk by chunk, from
the same spawned streams) and does everything after that per draw with Python floats: which
sources strike, what each node keeps (the product of ``1 - effect`` over the sources that
strike it), the losses carried downstream through the fixed sourcing, and the market's
shortfall. Slow by design; no numpy in the loop.
"""

from __future__ import annotations

from cellchain.risk import sample


def shortfall_loop(st, market: str, draws: int, seed: int) -> list[list[float]]:
    """Per draw, the shortfall of every product of ``st.products`` for ``market``
    [fraction of its need], as :func:`cellchain.risk.run.montecarlo` draws them."""
    probabilities = [float(p) for p in st.probabilities()]
    effects = [[(c, float(e)) for c, e in enumerate(row) if e > 0] for row in st.effects()]
    shares = {p: st.shares[market][p].tolist() for p in st.products}
    sourcing = {q: st.sourcing[q].tolist() for q in st.sourcing}
    spans = {p: range(st.offsets[p].start, st.offsets[p].stop) for p in st.products}
    out: list[list[float]] = []
    for index, size in enumerate(sample.chunk_sizes(draws)):
        rng = sample.rng_for(seed, index)
        u = rng.random((len(probabilities), size)).tolist() if probabilities else []
        for d in range(size):
            kept = [1.0] * st.width
            for k, p in enumerate(probabilities):
                if u[k][d] < p:
                    for c, e in effects[k]:
                        kept[c] *= 1.0 - e
            lost: dict[str, list[float]] = {}
            for p in st.products:
                own = [kept[c] for c in spans[p]]
                worst = None  # per node, the smallest available share of any input
                for q in st.inputs.get(p, ()):
                    s, up = sourcing[q], lost[q]
                    available = [1.0 - sum(up[i] * s[i][j] for i in range(len(up)))
                                 for j in range(len(own))]
                    worst = available if worst is None else [
                        min(a, b) for a, b in zip(worst, available, strict=True)]
                if worst is None:
                    lost[p] = [1.0 - k for k in own]
                else:
                    lost[p] = [1.0 - k * min(1.0, max(0.0, w))
                               for k, w in zip(own, worst, strict=True)]
            out.append([sum(a * b for a, b in zip(lost[p], shares[p], strict=True))
                        for p in st.products])
    return out
