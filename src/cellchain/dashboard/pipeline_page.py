"""The pipeline page (``/pipeline``) and its JSON (``/api/pipeline``): capacity bands and
expected capacity by year against the demand line, from :mod:`cellchain.pipeline`.

Its own router, included by :func:`cellchain.dashboard.app.create_app`.
"""

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from cellchain.dashboard.responses import errors
from cellchain.report import figures

#: Markets offered as links on the page (any country or bloc works in the URL).
MARKETS = ("world", "USA", "EU27", "CHN", "IND", "us_fta")
STAGES = ("cells", "cathode", "anode", "lithium_chemicals")


def router(lock, templates) -> APIRouter:
    """The page and API routes; ``lock`` serialises calls into the library (the warehouse
    connection is shared), ``templates`` renders the page."""
    from cellchain.pipeline import capacity, demand, output_records
    from cellchain.pipeline.config import HORIZON

    r = APIRouter()
    To = Query(HORIZON, ge=2027, le=HORIZON, description="last year")

    def table(market, stage, to, by, scenario):
        with lock:
            return output_records(capacity.pipeline(
                market, stage, to, by, scenario or demand.DEFAULT_SCENARIO))

    @r.get("/api/pipeline", responses=errors(400, 404, 405, 422))
    def api_pipeline(market: str = "world", stage: str = "cells", to: int = To,
                     by: str = "location", scenario: str | None = None):
        """Capacity by year (announced, expected, low/high) against sourced demand."""
        return table(market, stage, to, by, scenario)

    @r.get("/pipeline", response_class=HTMLResponse, include_in_schema=False)
    def pipeline_page(request: Request, market: str = "world", stage: str = "cells",
                      to: int = To, by: str = "location", scenario: str | None = None):
        rows = table(market, stage, to, by, scenario)
        fig = figures.pipeline_chart(rows, f"{rows[0]['market']}: {stage} capacity "
                                     "against demand")
        return templates.TemplateResponse(request, "pipeline.html.j2", {
            "rows": rows, "market": rows[0]["market"], "stage": stage, "by": by,
            "to": to, "figure": fig, "markets": MARKETS, "stages": STAGES,
            "scenario": rows[0]["demand_scenario"]})

    return r

