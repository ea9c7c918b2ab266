"""What every web page needs: the signed-in user from the session cookie, CSRF checks on posted
forms, the cookies' flags, and safe `next` addresses.

A page that needs a user depends on `SignedInDep`: a browser without a live session is sent to
/sign-in?next=<where it was going>. A form post depends on `CsrfDep`: its `csrf_token` field must
equal the session's token (or, signed out, the HMAC of the browser's random `ehcp_anon` cookie);
otherwise the post is refused with a 403 page. The JSON API is untouched: it keeps bearer tokens.
"""

from __future__ import annotations

import secrets
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, Request
from starlette.responses import Response

from ehcp_engine.services.context import Services
from ehcp_engine.services.web_sessions import (
    SignedIn,
    anonymous_csrf,
    csrf_matches,
    lookup_session,
)

SESSION_COOKIE = "ehcp_session"
ANON_COOKIE = "ehcp_anon"
_UNSET = object()


class SignInRequired(Exception):
    """Raised by pages that need a user; answered with a redirect to the sign-in page."""

    def __init__(self, next_path: str) -> None:
        self.next_path = next_path


class CsrfRejected(Exception):
    """A form post without its page's CSRF token; answered with a 403 page."""


def services_of(request: Request) -> Services:
    svc: Services = request.app.state.services
    return svc


def client_of(request: Request) -> str | None:
    return request.client.host if request.client else None


def signed_in_user(request: Request) -> SignedIn | None:
    """The live session of this request, looked up once per request."""
    found = getattr(request.state, "signed_in", _UNSET)
    if found is _UNSET:
        found = lookup_session(services_of(request), request.cookies.get(SESSION_COOKIE))
        request.state.signed_in = found
    return found if isinstance(found, SignedIn) else None


def csrf_token_for(request: Request) -> str:
    """The token this browser's forms must carry; makes a signed-out browser its random cookie
    (set on the response by `render`) when it has none."""
    user = signed_in_user(request)
    if user is not None:
        return user.csrf_token
    nonce = request.cookies.get(ANON_COOKIE) or getattr(request.state, "new_anon_nonce", None)
    if not nonce or len(nonce) > 100:
        nonce = secrets.token_urlsafe(24)
        request.state.new_anon_nonce = nonce
    return anonymous_csrf(services_of(request), nonce)


def safe_next(value: str | None, default: str = "/") -> str:
    """Only a path on this site: never another host (no open redirect)."""
    if not value or not value.startswith("/") or value.startswith(("//", "/\\")):
        return default
    if any(ch in value for ch in "\r\n\t\\") or len(value) > 2000:
        return default
    return value


def require_sign_in(request: Request) -> SignedIn:
    user = signed_in_user(request)
    if user is None:
        here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise SignInRequired(safe_next(here, "/"))
    return user


SignedInDep = Annotated[SignedIn, Depends(require_sign_in)]


async def require_csrf(request: Request) -> None:
    form = await request.form()
    given = form.get("csrf_token")
    user = signed_in_user(request)
    if user is not None:
        expected = user.csrf_token
    else:
        nonce = request.cookies.get(ANON_COOKIE)
        if not nonce:
            raise CsrfRejected
        expected = anonymous_csrf(services_of(request), nonce)
    if not csrf_matches(expected, given if isinstance(given, str) else None):
        raise CsrfRejected


CsrfDep = Depends(require_csrf)


def set_cookie(response: Response, request: Request, name: str, value: str, **kw: int) -> None:
    """HttpOnly, SameSite=Lax, and Secure behind https (always in production)."""
    response.set_cookie(
        name,
        value,
        httponly=True,
        samesite="lax",
        secure=services_of(request).settings.secure_cookies,
        path="/",
        **kw,  # type: ignore[arg-type]
    )


def clear_cookie(response: Response, request: Request, name: str) -> None:
    response.delete_cookie(
        name,
        path="/",
        httponly=True,
        samesite="lax",
        secure=services_of(request).settings.secure_cookies,
    )


def sign_in_url(next_path: str) -> str:
    return "/sign-in?next=" + quote(next_path, safe="/")
