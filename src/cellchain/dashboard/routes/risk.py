"""Monte Carlo shortfall risk: the page (``/risk``) and its JSON (``/api/risk``).

Both run :func:`cellchain.report.content.risk` in a model worker process with the pool's
time limit (:mod:`cellchain.dashboard.runner`), so the event loop never does the work.
Draws are capped per request by mode (:data:`~cellchain.dashboard.limits.RISK_MAX_DRAWS`);
the command line has no such cap.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from cellchain.dashboard import deps, limits
from cellchain.dashboard.deps import Dash, ModelYear
from cellchain.dashboard.responses import errors
from cellchain.errors import InvalidInputError
from cellchain.report import figures

router = APIRouter()

#: Drivers listed on the page (the API returns all of them).
PAGE_DRIVERS = 15


class DrawLimitError(InvalidInputError):
    """More draws than a dashboard run of that mode may take."""

    http_status = 422


Market = Annotated[str, Query(
    description="The market: ISO3 code, EU27 or RoW, any case.")]
Draws = Annotated[int, Query(
    ge=1, le=limits.RISK_MAX_DRAWS["short"],
    description=f"Simulated years: at most {limits.RISK_MAX_DRAWS['short']:,} in short mode "
                f"and {limits.RISK_MAX_DRAWS['long']:,} in long mode (more is a 422; the "
                "command line has no cap).")]
Seed = Annotated[int, Query(
    ge=0, le=2**32 - 1, description="Random seed: the same seed gives the same answer.")]
Mode = Annotated[Literal["short", "long"], Query(
    description="short: sourcing fixed, losses carried downstream; long: every draw "
                "re-routed by the flow model (cells only).")]


def check_draws(draws: int, mode: str) -> None:
    """DrawLimitError (422) when ``draws`` is over the mode's cap."""
    cap = limits.RISK_MAX_DRAWS[mode]
    if draws > cap:
        raise DrawLimitError(
            f"draws: {draws:,} is over the {mode}-mode limit of {cap:,} per request.",
            f"Use at most {cap:,}, or run cellchain risk montecarlo --mode {mode} "
            f"--draws {draws} from the command line (no cap).")


async def run(dash, market: str, year: int | None, draws: int, seed: int, mode: str) -> dict:
    check_draws(draws, mode)
    return await dash.pool.run("risk", deps.market_or_none(market),
                               deps.year_or_default(year), draws, seed, mode)


@router.get("/api/risk", tags=["risk"], responses=errors(400, 404, 405, 422, 503, 504))
async def api_risk(dash: Dash, market: Market = "USA", year: ModelYear = None,
                   draws: Draws = limits.RISK_DEFAULT_DRAWS, seed: Seed = 7,
                   mode: Mode = "short"):
    """Monte Carlo shortfall risk of a market under the shipped disruption model.

    ``summary``: per product (stage) the expected shortfall (``mean``),
    ``prob_shortfall`` = P(shortfall > 0), ``p95``, ``p99`` and ``cvar95`` (mean of the
    worst 5 % of draws) as fractions of the market's demand, and the same in ``unit``
    (``*_units``). ``drivers``: countries, events, owners and plants ranked by
    ``contribution``, the drop in the expected cell shortfall when that driver never
    strikes [fraction of cell demand]. ``histograms``: per product, the probability of
    each 5 % band of shortfall. Runs in a model worker process with a time limit; a
    market without sourced cell demand that year is a 400 naming it; a year outside the
    flow model's years a 422 naming them and why."""
    return await run(dash, market, year, draws, seed, mode)


@router.get("/risk", response_class=HTMLResponse, include_in_schema=False)
async def risk_page(request: Request, dash: Dash, market: Market = "USA",
                    year: ModelYear = None, draws: Draws = limits.RISK_DEFAULT_DRAWS,
                    seed: Seed = 7, mode: Mode = "short"):
    risk = await run(dash, market, year, draws, seed, mode)
    figs = {"risk": figures.risk_distribution(
                risk, figures.risk_title(risk, "shortfall per product")),
            "risk_drivers": figures.risk_drivers(
                risk, figures.risk_title(risk, "drivers of the cell shortfall"))}
    from cellchain import years

    return dash.templates.TemplateResponse(request, "risk.html.j2", {
        "risk": risk, "figures": figs, "drivers": risk["drivers"][:PAGE_DRIVERS],
        "markets": deps.markets(), "years": years.available("model"),
        "caps": limits.RISK_MAX_DRAWS})
