"""The front door: signed in, the first page of the user's role (an officer's or manager's
caseload, a contributor's advice requests, a QA member's rounds, an administrator's users);
otherwise the sign-in page."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from api.web.deps import signed_in_user
from api.web.templating import navigation_for

router = APIRouter(include_in_schema=False)


@router.get("/")
def home(request: Request) -> Response:
    user = signed_in_user(request)
    if user is None:
        return RedirectResponse("/sign-in", status_code=303)
    sections = navigation_for(user, "/")
    return RedirectResponse(sections[0]["href"] if sections else "/cases", status_code=303)
