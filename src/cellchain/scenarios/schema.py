"""The scenario file schema (YAML), validated completely before anything runs.

```yaml
name: US buys only from free-trade partners
year: 2024
shocks:
  - export_ban: {from: CHN, to: [USA], stages: [materials], products: [anode]}
  - sanction: {entity: rosatom, share: 1.0}
  - outage: {facility: liotech-novosibirsk, fraction: 1.0}
  - outage: {country: IDN, stage: refining, product: nickel_refined, fraction: 0.5}
  - new_facility: {id: ..., name: ..., stage: cells, products: [cells], country: BOL,
                   operator: rosatom, capacity: 10, unit: GWh/yr}
  - capacity_change: {country: USA, stage: cells, factor: 1.5}
  - demand_change: {market: USA, factor: 1.3}
policy:
  - bloc_only: {market: USA, bloc: us_fta}
  - no_covered_entities: {market: USA}
```
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

STAGES = Literal["mining", "refining", "materials", "cells"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class ExportBan(_Strict):
    from_: str = Field(alias="from", description="exporting country (ISO3)")
    to: list[str] | None = Field(None, description="importing countries or markets; all if omitted")
    stages: list[STAGES] | None = None
    products: list[str] | None = None


class Sanction(_Strict):
    entity: str
    share: float = Field(1.0, ge=0, le=1, description="fraction of affected capacity cut")


class Outage(_Strict):
    facility: str | None = None
    country: str | None = None
    stage: STAGES | None = None
    product: str | None = None
    fraction: float = Field(1.0, ge=0, le=1)


class NewFacility(_Strict):
    id: str
    name: str
    stage: STAGES
    products: list[str]
    country: str
    operator: str
    capacity: float = Field(ge=0)
    unit: str
    jobs: int | None = Field(None, ge=0)
    status: str = "operating"


class CapacityChange(_Strict):
    country: str
    stage: STAGES
    product: str | None = None
    factor: float = Field(ge=0)


class DemandChange(_Strict):
    market: str
    factor: float = Field(ge=0)


class BlocOnly(_Strict):
    market: str
    bloc: str


class NoCoveredEntities(_Strict):
    market: str


SHOCKS = {"export_ban": ExportBan, "sanction": Sanction, "outage": Outage,
          "new_facility": NewFacility, "capacity_change": CapacityChange,
          "demand_change": DemandChange}
POLICIES = {"bloc_only": BlocOnly, "no_covered_entities": NoCoveredEntities}


class Scenario(_Strict):
    """A validated scenario: name, year, shocks and policies (each a typed model)."""

    name: str
    description: str | None = None
    year: int = Field(2024, ge=2018, le=2035)
    shocks: list[tuple[str, BaseModel]] = []
    policy: list[tuple[str, BaseModel]] = []

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("name must not be empty")
        return v
