"""/cases/new: a new request for an EHC needs assessment (Act s.36(1)), opened through
services.cases.create_case (one transaction: no case without its first audit record).

The officer who enters the request holds the case. Errors come back field by field in the
GOV.UK style; the service's own checks (a date of birth after the request, a year group far
from the one the date of birth gives) are shown on the field they concern.
"""

from __future__ import annotations

from typing import Any, get_args

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from api.web.deps import CsrfDep, SignedInDep, services_of
from api.web.event_forms import humanise, read_date
from api.web.templating import render
from ehcp_engine.domain.case import Child
from ehcp_engine.domain.errors import DomainError, EventInvalid
from ehcp_engine.domain.events import RequestSource
from ehcp_engine.services.cases import NewCase, create_case
from ehcp_engine.services.policy import require
from ehcp_engine.services.write_path import EventIn

router = APIRouter(include_in_schema=False)
SOURCES = [(s, humanise(s)) for s in get_args(RequestSource)]
NAME_MAX = 100
# Where the service's error locations are on this form.
ANCHORS = {
    "child.date_of_birth": "date_of_birth-day",
    "occurred_on": "received_on-day",
    "data.source": "source",
    "child.year_group": "year_group",
    "request": "received_on-day",
}


def _page(request: Request, values: dict[str, Any], errors: dict[str, str]) -> Response:
    context = {"values": values, "errors": errors, "sources": SOURCES}
    return render(request, "new_request.html", context, 400 if errors else 200)


@router.get("/cases/new")
def new_request_form(request: Request, user: SignedInDep) -> Response:
    require(user.actor, "case.create")
    return _page(request, {}, {})


def _read(form: Any) -> tuple[dict[str, Any], dict[str, Any], dict[str, str]]:
    """(parsed values, values to show again, errors) from the posted form."""
    parsed: dict[str, Any] = {}
    shown: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for name, what in (("given_name", "first name"), ("family_name", "last name")):
        shown[name] = str(form.get(name) or "").strip()
        if not shown[name]:
            errors[name] = f"Enter the child's {what}"
        elif len(shown[name]) > NAME_MAX:
            errors[name] = f"The child's {what} must be {NAME_MAX} characters or fewer"
        parsed[name] = shown[name]
    for name, label in (("date_of_birth", "Date of birth"), ("received_on", "Date received")):
        parsed[name], shown[name], error = read_date(form, name, label, optional=False)
        if error:
            errors[f"{name}-day"] = error
    shown["source"] = str(form.get("source") or "")
    if shown["source"] not in dict(SOURCES):
        errors["source"] = "Select who made the request"
    shown["year_group"] = str(form.get("year_group") or "").strip()
    parsed["year_group"] = None
    if shown["year_group"]:
        try:
            parsed["year_group"] = int(shown["year_group"])
            if not -1 <= parsed["year_group"] <= 14:
                raise ValueError
        except ValueError:
            errors["year_group"] = "Year group must be a whole number from -1 (nursery) to 14"
    return parsed, shown, errors


@router.post("/cases/new", dependencies=[CsrfDep])
async def new_request(request: Request, user: SignedInDep) -> Response:
    actor = user.actor
    require(actor, "case.create")
    parsed, shown, errors = _read(await request.form())
    if errors:
        return _page(request, shown, errors)
    new = NewCase(
        child=Child(parsed["given_name"], parsed["family_name"], parsed["date_of_birth"]),
        request=EventIn("request_received", parsed["received_on"], {"source": shown["source"]}),
        officer_id=actor.user_id,
        year_group=parsed["year_group"],
    )
    try:
        case_id = create_case(services_of(request), new, actor)
    except EventInvalid as err:
        for location, message in err.errors:
            anchor = ANCHORS.get(location, "received_on-day")
            errors.setdefault(anchor, message[:1].upper() + message[1:])
        return _page(request, shown, errors)
    except DomainError as refusal:
        return _page(request, shown, {"received_on-day": str(refusal)})
    return RedirectResponse(f"/cases/{case_id}?recorded=request_received", status_code=303)
