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
from pydantic import AfterValidator

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


def _model_year(year: int | None) -> int | None:
    """The year if the flow model answers for it; InvalidInputError (a ValueError, so a
    422 whose message names the years and why) otherwise."""
    return None if year is None else years.check(year, "model")


# Checked by the year policy itself, so a 422 says why the range ends where it does; the
# bounds are stated for the OpenAPI document.
ModelYear = Annotated[int | None, Query(
    json_schema_extra={"minimum": _MODEL_YEARS[0], "maximum": _MODEL_YEARS[-1]},
    description=f"Calendar year of the flow model, {_MODEL_YEARS[0]} to {_MODEL_YEARS[-1]} "
                f"(default {DEFAULT_YEAR}): from the first year every product of the chain "
                "has data to the last year a demand projection splits by market."),
    AfterValidator(_model_year)]


def year_or_default(year: int | None) -> int:
    return year if year is not None else DEFAULT_YEAR


def market_or_none(market: str | None) -> str | None:
    """The canonical market code (``usa`` -> ``USA``); UnknownValueError lists them."""
    from cellchain.trace.exposure import normalise_market

    return None if market is None else normalise_market(market)


def markets() -> tuple[str, ...]:
    from cellchain.network.network import MARKETS

    return MARKETS
