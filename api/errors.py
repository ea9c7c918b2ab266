"""Every error leaves as a clear 4xx with what is wrong; an unexpected one as a bare 500 with no
stack trace (it is logged)."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError

from ehcp_engine.domain.errors import DomainError, EventInvalid

log = logging.getLogger("ehcp.api")


async def _domain_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    if isinstance(exc, EventInvalid):
        return JSONResponse({"detail": exc.as_detail()}, status_code=422)
    return JSONResponse({"detail": exc.detail}, status_code=exc.status_code)


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


def install(app: FastAPI) -> None:
    app.add_exception_handler(DomainError, _domain_error)
    app.add_exception_handler(OperationalError, _busy)
    app.add_exception_handler(Exception, _unexpected)
