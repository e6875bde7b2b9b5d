"""The local web dashboard: pages and a JSON API over the same library functions.

Imported only by ``cellchain serve`` and the tests (FastAPI is the [web] extra).

Read-only over the warehouse. Every chart uses the figure dicts of
:mod:`cellchain.report.figures`; plotly.js and the world outline are served from the
package (``/static/...``) and the API reference is a page rendered here, so no page makes
a request that leaves the machine.

Layout: one router module per area under :mod:`cellchain.dashboard.routes`, listed in
:data:`ROUTERS` (a new page is a module there plus one line here); the guards
(:mod:`~cellchain.dashboard.guards`) run before any route; model runs go to a pool of
worker processes (:mod:`~cellchain.dashboard.runner`).
"""

from __future__ import annotations

from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from cellchain.dashboard import limits
from cellchain.dashboard.limits import DEFAULT_YEAR, MAX_REQUEST_BYTES, MAX_UPLOAD_BYTES
from cellchain.dashboard.responses import FiniteJSONResponse, error_response, status_of
from cellchain.errors import CellchainError

__all__ = ["DEFAULT_YEAR", "MAX_REQUEST_BYTES", "MAX_UPLOAD_BYTES", "ROUTERS", "create_app"]

#: The routers, in the order they are matched (dotted names under dashboard.routes).
ROUTERS = (
    "assets",
    "api",
    "docs",
    "pages",
    "risk",
)


def create_app(host: str = "127.0.0.1", *, workers: int = limits.MODEL_WORKERS,
               time_limit: float = limits.MODEL_TIME_LIMIT,
               max_pending: int = limits.MODEL_MAX_PENDING) -> FastAPI:
    """Build the application.

    Parameters
    ----------
    host : str
        The address the server is bound to; requests whose ``Host`` header names anything
        else are refused (see :class:`~cellchain.dashboard.guards.HostPolicy`).
    workers, time_limit, max_pending
        The model pool: worker processes, time limit per run [s], runs admitted at once.
    """
    from importlib import import_module

    from cellchain.dashboard import guards, openapi
    from cellchain.dashboard.deps import Dashboard
    from cellchain.dashboard.runner import ModelPool
    from cellchain.io import store
    from cellchain.report.html import environment
    from cellchain.scenarios import load as scenario_load

    templates = _templates(environment("cellchain.dashboard"))
    # The bundled scenarios ship with the package and do not change while serving.
    bundled = [{"id": name, "name": s.name, "year": s.year, "description": s.description}
               for name, s in ((n, scenario_load.load(p))
                               for n, p in scenario_load.bundled().items())]
    store.build()  # make sure the warehouse exists before serving; read-only afterwards
    pool = ModelPool(workers, time_limit, max_pending, warm_year=DEFAULT_YEAR)

    @asynccontextmanager
    async def lifespan(app):
        pool.start()  # workers warm up while the first pages are served
        try:
            yield
        finally:
            pool.close()

    app = FastAPI(title="cellchain", version=_version(),
                  description="The battery supply chain, mapped and stress-tested.",
                  docs_url=None, redoc_url=None, openapi_url="/api/openapi.json",
                  default_response_class=FiniteJSONResponse, lifespan=lifespan)
    app.state.dashboard = Dashboard(templates=templates, bundled=bundled, pool=pool)
    for name in ROUTERS:
        app.include_router(import_module(f"cellchain.dashboard.routes.{name}").router)
    from cellchain.dashboard import news as news_page

    app.include_router(news_page.router(app.state.dashboard.lock, templates))
    openapi.install(app, lambda: openapi.known_values(bundled))
    _install_error_handlers(app, templates)

    def respond(request, status, message, hint="", headers=None):
        return error_response(templates, request, status, message, hint, headers)

    from cellchain.dashboard import pipeline_page  # its own router module

    app.include_router(pipeline_page.router(app.state.dashboard.lock, templates))

    # Added innermost first: the Host check runs first and refuses before any byte of the
    # body is read; then the body limit; then HEAD is served as GET.
    app.add_middleware(guards.HeadAsGet)
    app.add_middleware(guards.BodyLimit, max_bytes=MAX_REQUEST_BYTES, respond=respond)
    app.add_middleware(guards.HostGuard, policy=guards.HostPolicy(host), respond=respond)
    return app


def _templates(env):
    from fastapi.templating import Jinja2Templates

    return Jinja2Templates(env=env)


def _version() -> str:
    from cellchain import __version__

    return __version__


#: Methods probed for ``Allow`` (the ones the HTTP spec defines for resources).
PROBED = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def allowed_methods(app, scope) -> list[str]:
    """Every method some route serves at this request's path (for ``Allow`` on 405),
    found by asking each route whether it would take the request with that method."""
    allowed = {method for method in PROBED
               if any(route.matches({**scope, "method": method})[0] == Match.FULL
                      for route in app.router.routes)}
    if "GET" in allowed:
        allowed.add("HEAD")  # see guards.HeadAsGet
    return [method for method in PROBED if method in allowed]


def _install_error_handlers(app: FastAPI, templates) -> None:
    @app.exception_handler(CellchainError)
    async def cellchain_error(request, exc: CellchainError):
        return error_response(templates, request, status_of(exc), exc.message,
                              exc.hint or "", getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def bad_parameter(request, exc: RequestValidationError):
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err.get("loc", ()) if p not in ("query", "path"))
        cause = (err.get("ctx") or {}).get("error")
        if isinstance(cause, CellchainError):  # a check of ours (e.g. the year policy)
            return error_response(templates, request, 422, f"{where}: {cause.message}",
                                  cause.hint or "")
        return error_response(templates, request, 422, f"{where}: {err.get('msg')}",
                              "Check the query parameters (years are whole numbers).")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request, exc: StarletteHTTPException):
        headers = dict(exc.headers or {})
        hint = ""
        if exc.status_code == 404:
            hint = "See / for the map and /api/docs for the API."
        elif exc.status_code == 405:
            allow = allowed_methods(app, request.scope)
            headers["Allow"] = ", ".join(allow)
            hint = f"Use {', '.join(allow)}."
        return error_response(templates, request, exc.status_code, str(exc.detail), hint,
                              headers or None)
