"""The front door and the signed-in landing page.

/cases is a minimal list of the cases the user may see, by next deadline (the same service call
and access scope as GET /api/v1/cases); the caseload pages replace it.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import RedirectResponse, Response

from api.web.deps import SignedInDep, signed_in_user
from api.web.templating import render
from ehcp_engine.services.access import case_scope
from ehcp_engine.services.cases import CaseFilter, list_cases
from ehcp_engine.services.policy import allowed

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 50


@router.get("/")
def home(request: Request) -> Response:
    target = "/cases" if signed_in_user(request) is not None else "/sign-in"
    return RedirectResponse(target, status_code=303)


@router.get("/cases")
def cases(
    request: Request,
    user: SignedInDep,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    svc = request.app.state.services
    actor = user.actor
    if not allowed(actor, "case.list"):
        return render(request, "cases.html", {"may_list": False, "listing": None})
    f = CaseFilter(limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    listing = list_cases(svc, f, scope=case_scope(actor, svc.settings.case_scope))
    pages = max(1, -(-int(listing["total"]) // PAGE_SIZE))
    context = {"may_list": True, "listing": listing, "page": page, "pages": pages}
    return render(request, "cases.html", context)
