"""The HTML pages: map, facility, market exposure, scenario runner."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from cellchain.dashboard import deps, limits, uploads
from cellchain.dashboard.deps import Dash, ModelYear, Year
from cellchain.report import figures

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)


@router.get("/")
def map_page(request: Request, dash: Dash, year: Year = None, stage: str | None = None,
             status: str | None = None, owner: str | None = None):
    from cellchain import nomenclature as nom
    from cellchain.report import content

    year = deps.year_or_default(year)
    stage, status, owner = (v or None for v in (stage, status, owner))
    with dash.lock:
        points = content.facility_points(year, stage, status, owner)
    fig = figures.facility_map(points, f"Facilities, {year}")
    return dash.templates.TemplateResponse(request, "map.html.j2", {
        "year": year, "stage": stage, "status": status, "owner": owner,
        "stages": nom.STAGES, "statuses": nom.STATUSES, "points": points, "figure": fig})


@router.get("/facility/{facility_id}")
def facility_page(request: Request, dash: Dash, facility_id: str, year: Year = None):
    from cellchain.chain import describe

    year = year if year is not None else date.today().year
    with dash.lock:
        fac = describe.facility(facility_id, year)
    return dash.templates.TemplateResponse(request, "facility.html.j2", {"f": fac})


@router.get("/market/{market}")
def market_page(request: Request, dash: Dash, market: str, year: ModelYear = None):
    market = deps.market_or_none(market)
    year = deps.year_or_default(year)
    with dash.lock:
        exp = dash.exposure(market, year)
    figs = {"exposure_location": figures.exposure_bars(
                exp["location"], f"{market}: where each stage's supply is made"),
            "exposure_owner": figures.exposure_bars(
                exp["owner"], f"{market}: who owns each stage's supply")}
    return dash.templates.TemplateResponse(request, "market.html.j2", {
        "market": market, "year": year, "exposure": exp, "figures": figs,
        "markets": deps.markets()})


@router.get("/scenario")
async def scenario_page(request: Request, dash: Dash, name: str | None = None,
                        market: str = "USA"):
    market = deps.market_or_none(market)
    result = await dash.pool.run("bundled", name, market) if name else None
    return _scenario_response(request, dash, result, market, name)


@router.post("/scenario")
async def scenario_upload_page(request: Request, dash: Dash):
    upload = await uploads.read_scenario(request, form_fields=("market",),
                                         multipart_only=True)
    market = deps.market_or_none(upload.fields.get("market", "USA"))
    result = await dash.pool.run("upload", upload.raw, upload.kind, upload.source, market)
    return _scenario_response(request, dash, result, market, None)


def _scenario_response(request, dash, result, market, name):
    fig = figures.scenario_figures(result, market) if result else None
    return dash.templates.TemplateResponse(request, "scenario.html.j2", {
        "scenarios": dash.bundled, "result": result, "market": market, "selected": name,
        "figure": fig, "markets": deps.markets(),
        "max_kib": limits.MAX_UPLOAD_BYTES // 1024})
