"""Sign in, sign out, and reset a forgotten password (GOV.UK Design System patterns).

Wrong details, an unknown email and a locked account get the same message, and asking for a
reset link gets the same answer whether or not the address has an account, so the pages never
tell anyone who has an account.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from starlette.responses import RedirectResponse, Response

from api.web.deps import (
    SESSION_COOKIE,
    CsrfDep,
    clear_cookie,
    client_of,
    require_csrf,
    safe_next,
    services_of,
    set_cookie,
    signed_in_user,
)
from api.web.ratelimit import SlidingWindow
from api.web.templating import render
from ehcp_engine.domain.errors import EventInvalid
from ehcp_engine.services.auth import authenticate, record
from ehcp_engine.services.password_reset import complete_reset, request_reset, reset_is_valid
from ehcp_engine.services.web_sessions import create_session, end_session

router = APIRouter(include_in_schema=False)
FormText = Annotated[str, Form(max_length=1000)]
NOTICES = {
    "signed-out": "You have signed out.",
    "password-changed": "Your password has been changed. Sign in with your new password.",
    "expired": "You have been signed out because you had not used the service for a while.",
}
PROBLEMS = {
    "oidc-failed": "We could not sign you in with your organisation account. Try again, or ask "
    "your administrator to check that you have an account for this service.",
}
WRONG_DETAILS = (
    "Enter a correct email address and password. After 5 wrong attempts in a row an account is "
    "locked for 15 minutes."
)


def _limit(request: Request) -> None:
    limiter: SlidingWindow = request.app.state.web_limiter
    limiter.hit(client_of(request) or "unknown")


def signed_in_response(request: Request, user_id: int, next_path: str) -> Response:
    """Start a session and send the browser on (also used by OpenID Connect sign-in)."""
    token = create_session(services_of(request), user_id)
    response = RedirectResponse(safe_next(next_path), status_code=303)
    set_cookie(response, request, SESSION_COOKIE, token)
    return response


@router.get("/sign-in")
def sign_in_page(request: Request, next: str | None = None, status: str | None = None) -> Response:
    if signed_in_user(request) is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    context = {
        "next": safe_next(next),
        "notice": NOTICES.get(status or ""),
        "problem": PROBLEMS.get(status or ""),
    }
    return render(request, "sign_in.html", context)


@router.post("/sign-in", dependencies=[CsrfDep])
def sign_in(
    request: Request, email: FormText = "", password: FormText = "", next: FormText = ""
) -> Response:
    _limit(request)
    errors: dict[str, str] = {}
    if not email.strip():
        errors["email"] = "Enter your email address"
    if not password:
        errors["password"] = "Enter your password"
    status = 400
    if not errors:
        svc = services_of(request)
        result = authenticate(svc, email, password, client_of(request))
        if result.actor is not None and result.actor.user_id is not None:
            return signed_in_response(request, result.actor.user_id, next)
        errors["email"] = WRONG_DETAILS
        status = 401
    context = {"next": safe_next(next), "email": email, "errors": errors}
    return render(request, "sign_in.html", context, status_code=status)


@router.post("/sign-out")
async def sign_out(request: Request) -> Response:
    """Signing out a browser whose session has already ended just goes to the sign-in page."""
    user = signed_in_user(request)
    if user is not None:
        await require_csrf(request)
        svc = services_of(request)
        end_session(svc, request.cookies.get(SESSION_COOKIE))
        record(svc, "signed out", user.actor.user_id, client_of(request))
    response = RedirectResponse("/sign-in?status=signed-out", status_code=303)
    clear_cookie(response, request, SESSION_COOKIE)
    return response


@router.get("/password-reset")
def reset_request_page(request: Request) -> Response:
    return render(request, "password_reset_request.html")


@router.post("/password-reset", dependencies=[CsrfDep])
def reset_request(request: Request, email: FormText = "") -> Response:
    _limit(request)
    if "@" not in email or len(email.strip()) < 3:
        errors = {"email": "Enter an email address in the correct format, like name@example.com"}
        return render(
            request, "password_reset_request.html", {"email": email, "errors": errors}, 400
        )
    request_reset(services_of(request), email, client_of(request))
    return render(request, "password_reset_sent.html", {"email": email.strip()})


@router.get("/password-reset/{token}")
def reset_page(request: Request, token: str) -> Response:
    if not reset_is_valid(services_of(request), token):
        return render(request, "password_reset_invalid.html", status_code=404)
    return render(request, "password_reset_form.html", {"token": token})


@router.post("/password-reset/{token}", dependencies=[CsrfDep])
def reset(
    request: Request, token: str, password: FormText = "", confirm: FormText = ""
) -> Response:
    _limit(request)
    errors: dict[str, str] = {}
    if not password:
        errors["password"] = "Enter a new password"
    elif password != confirm:
        errors["confirm"] = "Enter the same password twice"
    if not errors:
        try:
            complete_reset(services_of(request), token, password, client_of(request))
        except EventInvalid as err:
            field, message = err.errors[0]
            if field == "token":
                return render(request, "password_reset_invalid.html", status_code=404)
            errors["password"] = message
        else:
            return RedirectResponse("/sign-in?status=password-changed", status_code=303)
    return render(
        request, "password_reset_form.html", {"token": token, "errors": errors}, status_code=400
    )
