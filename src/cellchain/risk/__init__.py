"""Monte Carlo disruption risk: how likely a market's shortfall is, and who drives it.

- :mod:`~cellchain.risk.model` — the disruption model as data (YAML, validated), with a
  documented default derived from governance and the record of export restrictions.
- :mod:`~cellchain.risk.structure` — the supply chain a draw acts on: sourcing matrices,
  each market's traced shares and the disruption sources with their effects.
- :mod:`~cellchain.risk.sample` — seeded draws of which sources strike, chunk by chunk.
- :mod:`~cellchain.risk.propagate` — short-run mode: sourcing fixed, losses carried
  downstream (vectorised over draws).
- :mod:`~cellchain.risk.reroute` — long-run mode: each draw re-routed by the flow model.
- :mod:`~cellchain.risk.run` — chunks, workers (in process or on Dask), statistics and
  drivers; :func:`montecarlo` is the entry point.
"""

from cellchain.risk.run import MODES, RiskResult, montecarlo

__all__ = ["MODES", "RiskResult", "montecarlo"]
