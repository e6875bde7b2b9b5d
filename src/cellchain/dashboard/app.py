"""The local web dashboard: pages and a JSON API over the same library functions.

Imported only by ``cellchain serve`` and the tests (FastAPI is the [web] extra).

Read-only over the warehouse. Every chart uses the figure dicts of
:mod:`cellchain.report.figures`; plotly.js and the world outline are served from the
package (``/static/...``), so no page makes a request that leaves the machine.
"""

import threading
from datetime import date
from typing import Annotated

from fastapi import FastAPI, File, Form, Query, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException

from cellchain.chain.model import YEARS
from cellchain.errors import CellchainError, TooLargeError, UnknownValueError
from cellchain.report import assets, content, figures

#: Largest scenario upload accepted [bytes] (same limit as scenario files on disk).
MAX_UPLOAD_BYTES = 256 * 1024
#: Largest request body of any kind [bytes]: an upload plus room for the form fields.
MAX_REQUEST_BYTES = MAX_UPLOAD_BYTES + 64 * 1024
DEFAULT_YEAR = 2024

# The flow model and the warehouse connection are shared and not thread-safe; FastAPI runs
# plain ``def`` endpoints in a thread pool, so every call into the library holds this lock.
_LOCK = threading.Lock()


def _status_of(exc: CellchainError) -> int:
    if isinstance(exc, UnknownValueError):
        return 404
    return 413 if isinstance(exc, TooLargeError) else 400


def create_app():
    """Build the FastAPI application."""
    from cellchain.chain import describe
    from cellchain.io import store
    from cellchain.report.html import environment
    from cellchain.scenarios import load as scenario_load

    templates = Jinja2Templates(env=environment("cellchain.dashboard"))
    # The bundled scenarios ship with the package and do not change while serving.
    bundled_list = [{"id": name, "name": s.name, "year": s.year, "description": s.description}
                    for name, s in ((n, scenario_load.load(p))
                                    for n, p in scenario_load.bundled().items())]
    store.build()  # make sure the warehouse exists before serving; read-only afterwards

    app = FastAPI(title="cellchain", description="The battery supply chain, mapped and "
                  "stress-tested.", docs_url="/api/docs", redoc_url=None,
                  openapi_url="/api/openapi.json")

    @app.middleware("http")
    async def limit_body(request: Request, call_next):
        """Refuse oversized bodies before anything reads them (multipart included)."""
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > MAX_REQUEST_BYTES:
            return error_response(request, 413, f"The request is {declared} bytes; the "
                                  f"limit is {MAX_REQUEST_BYTES} bytes.",
                                  f"Scenarios are limited to {MAX_UPLOAD_BYTES} bytes.")
        return await call_next(request)

    def wants_json(request: Request) -> bool:
        return request.url.path.startswith("/api/")

    def error_response(request: Request, status: int, message: str, hint: str = ""):
        if wants_json(request):
            return JSONResponse({"error": message, "hint": hint}, status_code=status)
        return templates.TemplateResponse(
            request, "error.html.j2", {"status": status, "message": message, "hint": hint},
            status_code=status)

    @app.exception_handler(CellchainError)
    async def cellchain_error(request: Request, exc: CellchainError):
        return error_response(request, _status_of(exc), exc.message, exc.hint or "")

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError):
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err.get("loc", ()) if p not in ("query", "path"))
        return error_response(request, 422, f"{where}: {err.get('msg')}",
                              "Check the query parameters (years and ports are numbers).")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        hint = "See / for the map and /api/docs for the API." if exc.status_code == 404 else ""
        return error_response(request, exc.status_code, str(exc.detail), hint)

    def year_param(year: int | None) -> int:
        return year if year is not None else DEFAULT_YEAR  # Query bounds it to YEARS

    Year = Query(None, ge=YEARS[0], le=YEARS[1], description="calendar year")

    # -- static assets, served from the package only (no directory listing, no paths) --
    @app.get("/static/plotly.min.js", include_in_schema=False)
    def plotly_js():
        return FileResponse(assets.plotly_js_path(), media_type="text/javascript")

    @app.get(f"/static/topojson/{assets.WORLD_TOPOJSON}", include_in_schema=False)
    def world_outline():
        return FileResponse(assets.world_topojson_path(), media_type="application/json")

    # -- JSON API --
    @app.get("/api/facilities")
    def api_facilities(year: int | None = Year, stage: str | None = None,
                       status: str | None = None, owner: str | None = None):
        """Facilities with coordinates, status and capacity as of ``year``."""
        with _LOCK:
            return content.facility_points(year_param(year), stage, status, owner)

    @app.get("/api/facilities/{facility_id}")
    def api_facility(facility_id: str, year: int | None = Year):
        """Everything about one facility (owners as of ``year``, history, sources)."""
        with _LOCK:
            return describe.facility(facility_id, year_param(year))

    @app.get("/api/entities/{entity_id}")
    def api_entity(entity_id: str, year: int | None = Year):
        """What an entity owns, directly and through subsidiaries."""
        with _LOCK:
            return describe.entity(entity_id, year_param(year))

    @app.get("/api/exposure/{market}")
    def api_exposure(market: str, year: int | None = Year):
        """A market's stage-by-stage supply shares by location and by owner country."""
        from cellchain.trace.exposure import normalise_market

        with _LOCK:
            return content.exposure(normalise_market(market), year_param(year))

    @app.get("/api/concentration")
    def api_concentration(year: int | None = Year):
        """World capacity concentration per stage."""
        with _LOCK:
            return content.concentration(year_param(year))

    @app.get("/api/scenarios")
    def api_scenarios():
        """The bundled scenarios' ids, names and years."""
        return bundled_list

    @app.get("/api/scenarios/{name}")
    def api_scenario(name: str, market: str | None = None):
        """Run a bundled scenario; rows for ``market`` or for every market."""
        with _LOCK:
            scenario = scenario_load.load(scenario_load.find_bundled(name))
            return content.scenario_result(scenario, name, _market(market))

    @app.post("/api/scenarios/run")
    async def api_scenario_upload(request: Request, market: str | None = None):
        """Run a scenario sent as the YAML request body (at most 256 KiB)."""
        raw = await _read_limited(request)
        scenario = scenario_load.loads(raw, "uploaded scenario")
        with _LOCK:
            return content.scenario_result(scenario, "uploaded scenario", _market(market))

    # -- pages --
    @app.get("/", response_class=HTMLResponse)
    def map_page(request: Request, year: int | None = Year, stage: str | None = None,
                 status: str | None = None, owner: str | None = None):
        year = year_param(year)
        stage, status, owner = (v or None for v in (stage, status, owner))
        with _LOCK:
            points = content.facility_points(year, stage, status, owner)
        fig = figures.facility_map(points, f"Facilities, {year}")
        from cellchain import nomenclature as nom
        return templates.TemplateResponse(request, "map.html.j2", {
            "year": year, "stage": stage, "status": status, "owner": owner,
            "stages": nom.STAGES, "statuses": nom.STATUSES, "points": points,
            "figure": fig})

    @app.get("/facility/{facility_id}", response_class=HTMLResponse)
    def facility_page(request: Request, facility_id: str, year: int | None = Year):
        year = year if year is not None else date.today().year
        with _LOCK:
            fac = describe.facility(facility_id, year)
        return templates.TemplateResponse(request, "facility.html.j2", {"f": fac})

    @app.get("/market/{market}", response_class=HTMLResponse)
    def market_page(request: Request, market: str, year: int | None = Year):
        from cellchain.trace.exposure import normalise_market

        market = normalise_market(market)
        year = year_param(year)
        with _LOCK:
            exp = content.exposure(market, year)
        figs = {"exposure_location": figures.exposure_bars(
                    exp["location"], f"{market}: where each stage's supply is made"),
                "exposure_owner": figures.exposure_bars(
                    exp["owner"], f"{market}: who owns each stage's supply")}
        return templates.TemplateResponse(request, "market.html.j2", {
            "market": market, "year": year, "exposure": exp, "figures": figs,
            "markets": _markets()})

    @app.get("/scenario", response_class=HTMLResponse)
    def scenario_page(request: Request, name: str | None = None, market: str = "USA"):
        market = _market(market)
        result = None
        if name:
            with _LOCK:
                scenario = scenario_load.load(scenario_load.find_bundled(name))
                result = content.scenario_result(scenario, name, market)
        return _scenario_response(request, result, market, name)

    @app.post("/scenario", response_class=HTMLResponse)
    async def scenario_upload_page(request: Request, file: Annotated[UploadFile, File()],
                                   market: Annotated[str, Form()] = "USA"):
        market = _market(market)
        raw = await file.read(MAX_UPLOAD_BYTES + 1)
        scenario = scenario_load.loads(raw, f"uploaded file {file.filename or ''}".strip())
        with _LOCK:
            result = content.scenario_result(scenario, file.filename or "upload", market)
        return _scenario_response(request, result, market, None)

    def _scenario_response(request, result, market, name):
        fig = figures.scenario_figures(result, market) if result else None
        return templates.TemplateResponse(request, "scenario.html.j2", {
            "scenarios": api_scenarios(), "result": result, "market": market,
            "selected": name, "figure": fig, "markets": _markets(),
            "max_kib": MAX_UPLOAD_BYTES // 1024})

    return app


def _markets() -> tuple[str, ...]:
    from cellchain.network.network import MARKETS

    return MARKETS


def _market(market: str | None) -> str | None:
    from cellchain.trace.exposure import normalise_market

    return None if market is None else normalise_market(market)


async def _read_limited(request) -> bytes:
    """The request body, refusing anything over MAX_UPLOAD_BYTES without reading it all
    (a declared length over MAX_REQUEST_BYTES was already refused by the size middleware)."""
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_UPLOAD_BYTES:
            raise TooLargeError(f"The scenario is over the limit of {MAX_UPLOAD_BYTES} bytes.",
                                "Send a smaller file.")
    return body
