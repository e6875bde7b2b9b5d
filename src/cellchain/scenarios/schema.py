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

``year`` is one of the flow model's years (:func:`cellchain.years.model_span`: 2021 to
2030 on the bundled data), checked after the schema. A year after the as-of year (2027
to 2030) is a projection: the network holds the pipeline's capacities and a named demand
projection, chosen with

```yaml
year: 2030
demand: {projection: "IEA STEPS (GEVO2025)"}   # default: the IEA GEVO 2025 STEPS
capacity: expected                             # or low, announced; default expected
```

Both keys are refused for a year up to the as-of year (observed capacity and demand).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from cellchain import nomenclature as nom
from cellchain import units
from cellchain.years import DEFAULT_YEAR

STAGES = Literal["mining", "refining", "materials", "cells"]
#: Facility statuses a new facility may have (nomenclature.STATUSES).
STATUS = Literal[nom.STATUSES]  # type: ignore[valid-type]
#: Units a figure may carry (units.UNITS).
UNIT = Literal[tuple(units.UNITS)]  # type: ignore[valid-type]
#: Largest capacity a scenario may give [t/yr or GWh/yr]: above any plant or country, and
#: far below where sums could overflow.
MAX_CAPACITY = 1e9
#: Largest scaling factor a scenario may apply [-].
MAX_FACTOR = 1000.0

#: Numbers are numbers: YAML booleans and quoted strings are refused, and so are NaN and
#: infinities (``allow_inf_nan=False`` on every model).
Fraction = Annotated[float, Field(ge=0, le=1, strict=True)]
Factor = Annotated[float, Field(ge=0, le=MAX_FACTOR, strict=True)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, allow_inf_nan=False)


class ExportBan(_Strict):
    from_: str = Field(alias="from", description="exporting country (ISO3)")
    to: list[str] | None = Field(None, description="importing countries or markets; all if omitted")
    stages: list[STAGES] | None = None
    products: list[str] | None = None


class Sanction(_Strict):
    entity: str
    share: Fraction = Field(1.0, description="fraction of affected capacity cut")


class Outage(_Strict):
    facility: str | None = None
    country: str | None = None
    stage: STAGES | None = None
    product: str | None = None
    fraction: Fraction = 1.0


class NewFacility(_Strict):
    id: str
    name: str
    stage: STAGES
    products: list[str]
    country: str
    operator: str
    capacity: float = Field(ge=0, le=MAX_CAPACITY, strict=True)
    unit: UNIT
    jobs: int | None = Field(None, ge=0, le=10_000_000, strict=True)
    status: STATUS = "operating"


class CapacityChange(_Strict):
    country: str
    stage: STAGES
    product: str | None = None
    factor: Factor


class DemandChange(_Strict):
    market: str
    factor: Factor


class BlocOnly(_Strict):
    market: str
    bloc: str


class NoCoveredEntities(_Strict):
    market: str
    #: How capacity known only as a country total (owners unknown) counts: by where it is
    #: (``location``, the default: compliant outside the covered nations) or as covered
    #: (``covered``: the strict reading, a lower bound on what complies).
    unknown_owners: Literal["location", "covered"] = "location"


class DemandSpec(_Strict):
    """The demand a projected year's network carries."""

    projection: str = Field(description="a demand projection of registry/demand.csv, "
                                        "e.g. 'IEA STEPS (GEVO2025)'")


#: Capacity bases a projected year may use (cellchain.pipeline.capacity.BASES).
CAPACITY = Literal["expected", "low", "announced"]


SHOCKS = {"export_ban": ExportBan, "sanction": Sanction, "outage": Outage,
          "new_facility": NewFacility, "capacity_change": CapacityChange,
          "demand_change": DemandChange}
POLICIES = {"bloc_only": BlocOnly, "no_covered_entities": NoCoveredEntities}


class Scenario(_Strict):
    """A validated scenario: name, year, shocks and policies (each a typed model)."""

    name: str
    description: str | None = None
    year: int = Field(DEFAULT_YEAR, strict=True)
    demand: DemandSpec | None = None
    capacity: CAPACITY | None = None
    shocks: list[tuple[str, BaseModel]] = []
    policy: list[tuple[str, BaseModel]] = []

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("name must not be empty")
        return v
