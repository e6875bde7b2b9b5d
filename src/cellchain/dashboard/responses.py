"""Responses: finite JSON, one error shape (JSON under /api/, an HTML page elsewhere), and
the 4xx/5xx answers the OpenAPI document lists."""

from __future__ import annotations

from pydantic import BaseModel, Field
from starlette.responses import JSONResponse, Response

from cellchain.jsonsafe import dumps, finite

__all__ = ["ERRORS", "ErrorBody", "FiniteJSONResponse", "error_response", "errors", "finite",
           "status_of", "wants_json"]


class FiniteJSONResponse(JSONResponse):
    """JSON that always parses: NaN and Infinity are sent as null, never as bare tokens."""

    def render(self, content) -> bytes:
        return dumps(content, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


class ErrorBody(BaseModel):
    """Every 4xx and 5xx answer of the JSON API."""

    error: str = Field(description="What was wrong, naming the bad value.")
    hint: str = Field(description="How to fix it (may be empty).")


def _answer(description: str) -> dict:
    return {"model": ErrorBody, "description": description}


#: The error answers of the API, by status; routes pick the ones they can give.
ERRORS = {
    400: _answer("Malformed request: a Host header that does not name this server, a "
                 "body that is not valid YAML/JSON/multipart, or a scenario that fails "
                 "validation (the message names the key path)."),
    404: _answer("An unknown id, code or name; the hint lists the nearest valid ones."),
    405: _answer("Method not allowed; the Allow header lists the methods that are."),
    413: _answer("The body is over the size limit (counted on the bytes received)."),
    415: _answer("The body's Content-Type is not YAML, JSON or multipart/form-data."),
    422: _answer("A query or path parameter of the wrong type or out of range."),
    503: _answer("Too many model runs in progress; retry after the Retry-After seconds."),
    504: _answer("The model run took longer than the time limit and was stopped."),
}


def errors(*codes: int) -> dict[int, dict]:
    """The OpenAPI ``responses`` entries for ``codes``."""
    return {code: ERRORS[code] for code in codes}


def wants_json(path: str) -> bool:
    """API paths answer errors in JSON; pages answer with an HTML error page."""
    return path.startswith("/api/") or path == "/api"


def error_response(templates, request, status: int, message: str, hint: str = "",
                   headers: dict | None = None) -> Response:
    """One error answer: ``{"error", "hint"}`` for the API, the error page for pages."""
    if templates is None or wants_json(request.url.path):
        return FiniteJSONResponse({"error": message, "hint": hint}, status_code=status,
                                  headers=headers)
    return templates.TemplateResponse(
        request, "error.html.j2", {"status": status, "message": message, "hint": hint},
        status_code=status, headers=headers)


def status_of(exc) -> int:
    """The HTTP status of a :class:`~cellchain.errors.CellchainError`: its ``http_status``
    when it has one, 404 for unknown names, 413 for size limits, else 400."""
    from cellchain.errors import TooLargeError, UnknownValueError

    status = getattr(exc, "http_status", None)
    if status:
        return status
    if isinstance(exc, UnknownValueError):
        return 404
    return 413 if isinstance(exc, TooLargeError) else 400
