"""What every router shares: the dashboard's state and the common parameters.

Routes get the state with ``dash: Dash`` (a FastAPI dependency), so a router module needs
nothing from :mod:`cellchain.dashboard.app` and a new page is one module plus one line
there.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, Query, Request

from cellchain import years
from cellchain.dashboard.limits import DEFAULT_YEAR


@dataclass
class Dashboard:
    """State of one running dashboard."""

    templates: object
    bundled: list[dict]
    pool: object  # runner.ModelPool
    #: The warehouse connection and the shared flow models are not thread-safe; plain
    #: ``def`` routes run in a thread pool, so every call into the library holds this.
    lock: threading.Lock = field(default_factory=threading.Lock)
    #: Baseline exposures by (market, year): read-only data, computed once per app.
    exposures: dict = field(default_factory=dict)

    def exposure(self, market: str, year: int) -> dict:
        """A market's baseline exposure (call with :attr:`lock` held)."""
        from cellchain.report import content

        key = (market, year)
        if key not in self.exposures:
            self.exposures[key] = content.exposure(market, year)
        return self.exposures[key]


def dashboard(request: Request) -> Dashboard:
    return request.app.state.dashboard


Dash = Annotated[Dashboard, Depends(dashboard)]

# The years each kind of answer has (one year policy, cellchain.years), read once when the
# dashboard is built so that the OpenAPI document states the real ranges.
_REGISTRY_YEARS = years.available("registry")
_MODEL_YEARS = years.available("model")

Year = Annotated[int | None, Query(
    ge=_REGISTRY_YEARS[0], le=_REGISTRY_YEARS[-1],
    description=f"Calendar year (default {DEFAULT_YEAR}); answers are as of 31 December.")]
ModelYear = Annotated[int | None, Query(
    ge=_MODEL_YEARS[0], le=_MODEL_YEARS[-1],
    description=f"Calendar year of the flow model (default {DEFAULT_YEAR}).")]


def year_or_default(year: int | None) -> int:
    return year if year is not None else DEFAULT_YEAR


def market_or_none(market: str | None) -> str | None:
    """The canonical market code (``usa`` -> ``USA``); UnknownValueError lists them."""
    from cellchain.trace.exposure import normalise_market

    return None if market is None else normalise_market(market)


def markets() -> tuple[str, ...]:
    from cellchain.network.network import MARKETS

    return MARKETS
