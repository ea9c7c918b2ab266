"""Sign in with the authority's identity provider (OpenID Connect), when it is configured.

/sign-in/oidc sends the browser to the provider; the provider sends it back to
/sign-in/oidc/callback with a code, which ehcp_engine.services.oidc exchanges and verifies. The
user is matched by email and must already have an account here.
"""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from api.web.auth import signed_in_response
from api.web.deps import clear_cookie, client_of, safe_next, services_of, set_cookie
from ehcp_engine.services import oidc
from ehcp_engine.services.auth import record, user_for_email

router = APIRouter(include_in_schema=False)
log = logging.getLogger("ehcp.web")
OIDC_COOKIE = "ehcp_oidc"
FAILED = "/sign-in?status=oidc-failed"


def _failed(request: Request, why: str, user_id: int | None = None) -> Response:
    log.warning("OpenID Connect sign-in failed: %s", why)
    record(services_of(request), "sign-in failed", user_id, client_of(request), f"OIDC: {why}")
    response = RedirectResponse(FAILED, status_code=303)
    clear_cookie(response, request, OIDC_COOKIE)
    return response


@router.get("/sign-in/oidc")
def start(request: Request, next: str | None = None) -> Response:
    svc = services_of(request)
    if not svc.settings.oidc_enabled:
        return RedirectResponse("/sign-in", status_code=303)
    try:
        begun = oidc.begin(svc, safe_next(next))
    except oidc.OidcError as err:
        return _failed(request, str(err))
    response = RedirectResponse(begun.url, status_code=303)
    set_cookie(response, request, OIDC_COOKIE, begun.sealed, max_age=oidc.PENDING_SECONDS)
    return response


@router.get(oidc.CALLBACK_PATH)
def callback(
    request: Request,
    code: str | None = None,
    state: str | None = None,
    error: str | None = None,
    error_description: str | None = None,
    iss: str | None = None,
    session_state: str | None = None,
) -> Response:
    """The provider's answer. `iss` and `session_state` are parameters some providers add."""
    svc = services_of(request)
    if not svc.settings.oidc_enabled:
        return RedirectResponse("/sign-in", status_code=303)
    if error or not code or not state:
        return _failed(
            request,
            f"provider answered {error or 'without a code'}: {(error_description or '')[:200]}",
        )
    if iss is not None and iss != svc.settings.oidc_issuer:
        return _failed(request, f"callback from issuer {iss[:200]!r}")
    try:
        email, next_path = oidc.complete(svc, code, state, request.cookies.get(OIDC_COOKIE))
    except oidc.OidcError as err:
        return _failed(request, str(err))
    actor = user_for_email(svc, email)
    if actor is None or actor.user_id is None:
        return _failed(request, f"no active user {email[:320]}")
    record(svc, "signed in", actor.user_id, client_of(request), "OpenID Connect")
    response = signed_in_response(request, actor.user_id, next_path)
    clear_cookie(response, request, OIDC_COOKIE)
    return response
