"""Metrics: shares, concentration and, later, ownership look-through and GeoPolRisk."""

from cellchain.metrics.concentration import hhi, shares, top_n_share

__all__ = ["hhi", "shares", "top_n_share"]
