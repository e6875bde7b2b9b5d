"""Scenario files: schema, loading with key-path errors, applying to the flow model."""
