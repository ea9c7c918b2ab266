"""Every error leaves as a clear 4xx with what is wrong; an unexpected one as a bare 500 with no
stack trace (it is logged)."""

from __future__ import annotations

import logging
import math
import re
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from ehcp_engine.domain.errors import DomainError, EventInvalid

log = logging.getLogger("ehcp.api")


def _renderable(value: Any) -> Any:
    """Error details echo the caller's input: make what JSON cannot carry (lone surrogates, NaN,
    infinities) printable, so a bad request gets its 4xx instead of failing to render (500)."""
    if isinstance(value, str):
        return value.encode("utf-8", "backslashreplace").decode("utf-8")
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {_renderable(k): _renderable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_renderable(v) for v in value]
    return value


async def _invalid_request(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    detail = _renderable(jsonable_encoder(exc.errors()))
    return JSONResponse({"detail": detail}, status_code=422)


async def _domain_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    if isinstance(exc, EventInvalid):
        return JSONResponse({"detail": _renderable(exc.as_detail())}, status_code=422)
    return JSONResponse({"detail": _renderable(exc.detail)}, status_code=exc.status_code)


async def _busy(request: Request, exc: Exception) -> JSONResponse:
    log.warning("database busy: %s", exc)
    return JSONResponse(
        {"detail": "the database is busy; nothing was written, try again"},
        status_code=503,
        headers={"Retry-After": "1"},
    )


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unexpected error on %s %s", request.method, request.url.path)
    return JSONResponse({"detail": "internal error; nothing was written"}, status_code=500)


def _documented_methods(app: FastAPI, path: str) -> set[str]:
    """The methods the OpenAPI schema documents for a concrete path (the most specific
    template wins: `/versions/{id}.pdf` over `/versions/{id}`)."""
    matches: list[tuple[int, set[str]]] = []
    for template, operations in app.openapi().get("paths", {}).items():
        pattern = "^" + re.sub(r"\\{[^/]+?\\}", "[^/]+", re.escape(template)) + "$"
        if re.match(pattern, path):
            literal = len(re.sub(r"\{[^/]+?\}", "", template))
            matches.append((literal, {method.upper() for method in operations}))
    if not matches:
        return set()
    best = max(length for length, _ in matches)
    return set().union(*(methods for length, methods in matches if length == best))


async def _http_error(request: Request, exc: Exception) -> Response:
    """Starlette's 405 lists only the first route's methods; list every method of the path."""
    assert isinstance(exc, StarletteHTTPException)
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        methods = _documented_methods(request.app, request.url.path)
        if methods:
            headers["Allow"] = ", ".join(sorted(methods))
    return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=headers)


def install(app: FastAPI) -> None:
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _invalid_request)
    app.add_exception_handler(DomainError, _domain_error)
    app.add_exception_handler(OperationalError, _busy)
    app.add_exception_handler(Exception, _unexpected)
