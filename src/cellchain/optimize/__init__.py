"""The flow model: network data, build, solve (warm-started), results."""
