"""Errors on web pages are pages: a friendly 404, 403 or 500 with no stack trace, a redirect to
sign in, a 429 for too many attempts. The JSON API's handlers still answer every path of the API
(`/api/`, `/docs`, `/openapi.json`, `/healthz`, `/static/`): each handler here wraps the one
installed before it and hands those paths back to it.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import PlainTextResponse, RedirectResponse, Response

from api.web.deps import CsrfRejected, SignInRequired, sign_in_url
from api.web.ratelimit import TooManyAttempts
from api.web.templating import render
from ehcp_engine.domain.errors import DomainError, Forbidden, NotFound

log = logging.getLogger("ehcp.web")
Handler = Callable[[Request, Any], Awaitable[Response]]
Previous = Callable[[Request, Any], Response | Awaitable[Response]]
NOT_WEB = ("/api/", "/docs", "/redoc", "/openapi.json", "/healthz", "/static/")

PAGES: dict[int, tuple[str, str]] = {
    400: ("Sorry, there is a problem with that request", "Go back and try again."),
    403: (
        "You cannot do that",
        "The form may have been open too long, or you do not have permission. Go back, "
        "reload the page and try again.",
    ),
    404: (
        "Page not found",
        "If you typed the web address, check it is correct. If you pasted it, check you "
        "copied the entire address.",
    ),
    405: ("Sorry, there is a problem with that request", "Go back and try again."),
    429: (
        "Too many attempts",
        "You have tried too many times in a short while. Wait a minute, then try again.",
    ),
    500: (
        "Sorry, there is a problem with the service",
        "Try again later. Nothing you were doing has been saved unless the page said so.",
    ),
    503: (
        "Sorry, the service is busy",
        "Nothing was saved. Wait a moment, then try again.",
    ),
}


def is_web(request: Request) -> bool:
    return not request.url.path.startswith(NOT_WEB)


def error_page(request: Request, status: int, headers: dict[str, str] | None = None) -> Response:
    title, message = PAGES.get(status, PAGES[400])
    try:
        response = render(request, "error.html", {"title": title, "message": message}, status)
    except Exception:  # the page itself failed (database down): still no stack trace
        log.exception("could not render the %s page", status)
        response = PlainTextResponse(f"{title}. {message}", status_code=status)
    response.headers.update(headers or {})
    return response


def _status_of(exc: Exception) -> int:
    if isinstance(exc, StarletteHTTPException):
        return exc.status_code
    if isinstance(exc, NotFound):
        return 404
    if isinstance(exc, Forbidden | CsrfRejected):
        return 403
    if isinstance(exc, DomainError):
        return 400 if exc.status_code == 422 else exc.status_code
    if isinstance(exc, RequestValidationError):
        return 400
    if isinstance(exc, OperationalError):
        return 503
    return 500


def _wrap(previous: Previous | None) -> Handler:
    async def handle(request: Request, exc: Any) -> Response:
        if is_web(request) or previous is None:
            status = _status_of(exc)
            if status >= 500:
                log.error(
                    "unexpected error on %s %s", request.method, request.url.path, exc_info=exc
                )
            headers = getattr(exc, "headers", None) if status == 405 else None
            return error_page(request, status, headers)
        answer = previous(request, exc)
        return await answer if inspect.isawaitable(answer) else answer

    return handle


async def _sign_in(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, SignInRequired)
    return RedirectResponse(sign_in_url(exc.next_path), status_code=303)


async def _too_many(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, TooManyAttempts)
    return error_page(request, 429, {"Retry-After": str(exc.retry_after)})


def install(app: FastAPI) -> None:
    """After api.errors.install: pages for web paths, the JSON handlers for the API."""
    kinds = (
        StarletteHTTPException,
        RequestValidationError,
        DomainError,
        OperationalError,
        Exception,
    )
    for kind in kinds:
        app.add_exception_handler(kind, _wrap(app.exception_handlers.get(kind)))
    app.add_exception_handler(CsrfRejected, _wrap(None))
    app.add_exception_handler(SignInRequired, _sign_in)
    app.add_exception_handler(TooManyAttempts, _too_many)
