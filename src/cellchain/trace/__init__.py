"""Exposure tracing: where a market's supply comes from, stage by stage."""
