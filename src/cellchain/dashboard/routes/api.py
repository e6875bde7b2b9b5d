"""The JSON API under /api/: the same library functions the pages and the CLI use."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request

from cellchain.dashboard import deps, openapi, uploads
from cellchain.dashboard.deps import Dash, ModelYear, Year
from cellchain.dashboard.responses import errors

router = APIRouter(prefix="/api", tags=["data"], responses=errors(400, 405))

_QUERY = errors(404, 422)

Stage = Annotated[str | None, Query(description="mining, refining, materials or cells.")]
Status = Annotated[str | None, Query(
    description="operating, construction, announced, considered, idle or closed.")]
Owner = Annotated[str | None, Query(
    description="Country of the ultimate owner: ISO3 code or name.")]
Market = Annotated[str | None, Query(
    description="Only this market's rows: ISO3 code, EU27 or RoW, any case (all when "
                "omitted).")]
FacilityId = Annotated[str, Path(description="Registry facility id, e.g. "
                                             "liotech-novosibirsk.")]
EntityId = Annotated[str, Path(description="Registry entity id, e.g. rosatom.")]


@router.get("/facilities", responses=_QUERY)
def facilities(dash: Dash, year: Year = None, stage: Stage = None, status: Status = None,
               owner: Owner = None):
    """Facilities with coordinates, status and capacity as of ``year``.

    Filters: ``stage`` (mining, refining, materials, cells), ``status`` (operating,
    construction, announced, ...), ``owner`` (ISO3 code or name of the ultimate owner's
    country). An unknown value is a 404 naming the valid ones. Capacities are in each
    row's ``unit``; numbers the registry does not have are null.
    """
    from cellchain.report import content

    with dash.lock:
        return content.facility_points(deps.year_or_default(year), stage, status, owner)


@router.get("/facilities/{facility_id}", responses=_QUERY)
def facility(dash: Dash, facility_id: FacilityId, year: Year = None):
    """Everything about one facility: owners as of ``year``, history, sources."""
    from cellchain.chain import describe

    with dash.lock:
        return describe.facility(facility_id, deps.year_or_default(year))


@router.get("/entities/{entity_id}", responses=_QUERY)
def entity(dash: Dash, entity_id: EntityId, year: Year = None):
    """What an entity (company, fund, state body) owns, directly and through
    subsidiaries."""
    from cellchain.chain import describe

    with dash.lock:
        return describe.entity(entity_id, deps.year_or_default(year))


@router.get("/exposure/{market}", responses=_QUERY)
def exposure(dash: Dash, market: Annotated[str, Path(
        description="ISO3 code, EU27 or RoW, any case.")], year: ModelYear = None):
    """A market's stage-by-stage supply shares by location and by owner country
    (``market``: ISO3 code, EU27 or RoW, any case)."""
    with dash.lock:
        return dash.exposure(deps.market_or_none(market), deps.year_or_default(year))


@router.get("/concentration", responses=_QUERY)
def concentration(dash: Dash, year: Year = None):
    """World capacity concentration per stage: HHI (0-10,000), top-3 shares, state-owned
    share, by location and by owner country."""
    from cellchain.report import content

    with dash.lock:
        return content.concentration(deps.year_or_default(year))


@router.get("/scenarios")
def scenarios(dash: Dash):
    """The bundled scenarios' ids, names, years and descriptions."""
    return dash.bundled


@router.get("/scenarios/{name}", tags=["scenarios"], responses=errors(404, 422, 503, 504))
async def bundled_scenario(dash: Dash, name: Annotated[str, Path(
        description="A bundled scenario's id (see /api/scenarios).")],
        market: Market = None):
    """Run a bundled scenario against its baseline; rows for ``market`` (all markets when
    omitted). Runs in a model worker process with a time limit."""
    return await dash.pool.run("bundled", name, deps.market_or_none(market))


@router.post("/scenarios/run", tags=["scenarios"],
             responses=errors(404, 413, 415, 422, 503, 504),
             openapi_extra=openapi.scenario_body())
async def run_scenario(dash: Dash, request: Request, market: Market = None):
    """Validate and run a scenario sent as the request body: YAML, JSON, or a multipart
    form whose ``file`` field holds it. Validation errors name the key path (400); unknown
    ids, countries or markets are 404. Runs in a model worker process with a time limit."""
    market = deps.market_or_none(market)
    upload = await uploads.read_scenario(request)
    return await dash.pool.run("upload", upload.raw, upload.kind, upload.source, market)
