"""Test and benchmark helpers: synthetic registry overlays of any size.

:func:`synthetic_overlay` writes registry overlay CSVs (for ``--data-dir`` or
``CELLCHAIN_DATA_DIR``) with ``n`` extra operating facilities across the refining,
materials and cell stages, each with a capacity, a status and one operator from a pool of
synthetic companies, which synthetic holdings (every fifth one a state) own in part.
The rows are marked ``low`` confidence and ``synthetic`` in their notes, and cite a
reserved example address: they exist to measure how the tool scales and to check that
answers add up, never as data. Write them to a temporary folder, not to ``registry/``.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

#: (stage, registry product, capacity unit, capacity range [unit]) of the synthetic plants,
#: taken in turn.
STAGES = (("cells", "cells", "GWh/yr", (1.0, 40.0)),
          ("materials", "cathode", "t/yr", (5_000.0, 60_000.0)),
          ("refining", "lithium_chemicals", "t/yr LCE", (2_000.0, 40_000.0)))
#: Countries the synthetic plants and companies are placed in.
COUNTRIES = ("USA", "CHN", "DEU", "POL", "HUN", "KOR", "JPN", "IND", "CAN", "AUS", "FRA",
             "SWE", "MEX", "IDN", "CHL", "ARG", "BRA", "MAR", "ESP", "GBR")
#: Equity each holding has in its companies [fraction]; the companies hold the rest.
HOLDING_SHARE = 0.6
#: Year the synthetic plants start operating and their capacity is stated [calendar year].
START = 2020
SOURCE = ("https://example.org/cellchain-synthetic-benchmark-data", "2026-12-03", "low",
          "synthetic row (tests and benchmarks only)")

_HEADERS = {
    "entities": ["id", "name", "country", "kind", "source_url", "seen", "confidence",
                 "notes"],
    "ownership": ["owner", "owned", "share", "valid_from", "valid_to", "source_url", "seen",
                  "confidence", "notes"],
    "facilities": ["id", "name", "stage", "products", "chemistry", "country", "region",
                   "city", "lat", "lon", "operator", "jobs", "jobs_year", "capex_musd",
                   "end_uses", "source_url", "seen", "confidence", "notes"],
    "capacity": ["facility", "year", "capacity", "unit", "basis", "source_url", "seen",
                 "confidence", "notes"],
    "status": ["facility", "status", "date", "source_url", "seen", "confidence", "notes"],
}


@dataclass(frozen=True)
class SyntheticPlant:
    """One synthetic facility as written (capacity in ``unit``)."""

    id: str
    stage: str
    product: str
    country: str
    operator: str
    capacity: float  # [unit]
    unit: str


@dataclass(frozen=True)
class SyntheticOverlay:
    """What :func:`synthetic_overlay` wrote."""

    folder: Path
    plants: tuple[SyntheticPlant, ...]
    entities: dict[str, tuple[str, str]]  # id -> (country, kind)
    parent: dict[str, str]  # company id -> holding id (holding HOLDING_SHARE of it)

    def owner_countries(self, plant: SyntheticPlant) -> dict[str, float]:
        """Look-through equity of the plant by owner country [fractions summing to 1]."""
        company = plant.operator
        holding = self.parent[company]
        out = {self.entities[holding][0]: HOLDING_SHARE}
        country = self.entities[company][0]
        out[country] = out.get(country, 0.0) + (1.0 - HOLDING_SHARE)
        return out

    def state_share(self, plant: SyntheticPlant) -> dict[str, float]:
        """Look-through equity held by states, by the state's country [fraction]."""
        country, kind = self.entities[self.parent[plant.operator]]
        return {country: HOLDING_SHARE} if kind == "state" else {}

    def sanction_scenario(self, holding: str = "synth-holding-1") -> str:
        """Scenario YAML (year 2024) sanctioning one synthetic holding in full (by default
        the first that is not a state)."""
        return ("name: synthetic sanction\nyear: 2024\nshocks:\n"
                f"  - sanction: {{entity: {holding}, share: 1.0}}\n")


def synthetic_overlay(folder: Path, n: int, seed: int = 1) -> SyntheticOverlay:
    """Write overlay CSVs for ``n`` synthetic facilities into ``folder`` (created if
    needed); the same ``n`` and ``seed`` always give the same rows."""
    import numpy as np

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    n_companies = max(10, n // 20)
    n_holdings = max(2, n_companies // 10)
    entities: dict[str, tuple[str, str]] = {}
    rows: dict[str, list[list]] = {t: [] for t in _HEADERS}
    for h in range(n_holdings):
        hid = f"synth-holding-{h}"
        entities[hid] = (COUNTRIES[h % len(COUNTRIES)], "state" if h % 5 == 0 else "holding")
        rows["entities"].append([hid, f"Synthetic holding {h}", *entities[hid], *SOURCE])
    parent = {}
    for c in range(n_companies):
        cid = f"synth-co-{c}"
        entities[cid] = (COUNTRIES[int(rng.integers(len(COUNTRIES)))], "company")
        rows["entities"].append([cid, f"Synthetic company {c}", *entities[cid], *SOURCE])
        parent[cid] = f"synth-holding-{c % n_holdings}"
        rows["ownership"].append([parent[cid], cid, str(HOLDING_SHARE), str(START), "",
                                  *SOURCE])
    plants = []
    for i in range(n):
        stage, product, unit, (lo, hi) = STAGES[i % len(STAGES)]
        plant = SyntheticPlant(f"synth-{i}", stage, product,
                               COUNTRIES[int(rng.integers(len(COUNTRIES)))],
                               f"synth-co-{int(rng.integers(n_companies))}",
                               round(float(rng.uniform(lo, hi)), 1), unit)
        plants.append(plant)
        rows["facilities"].append([plant.id, f"Synthetic plant {i}", stage, product, "",
                                   plant.country, "", "", "", "", plant.operator, "", "",
                                   "", "", *SOURCE])
        rows["capacity"].append([plant.id, START, f"{plant.capacity:.1f}", unit,
                                 "nameplate", *SOURCE])
        rows["status"].append([plant.id, "operating", str(START), *SOURCE])
    for table, header in _HEADERS.items():
        with (folder / f"{table}.csv").open("w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(header)
            w.writerows(rows[table])
    return SyntheticOverlay(folder, tuple(plants), entities, parent)
