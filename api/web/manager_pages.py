"""The manager's pages: the dashboard of the team's deadlines and timeliness, and reassigning a
case to another officer.

The figures are the daily digest's (services/dashboard.py); the charts are drawn here as SVG
(api/web/charts.py). Reassigning records `case_reassigned` through the one write path, which
checks the officer and moves the case in the same transaction as its audit record.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from starlette.responses import RedirectResponse, Response

from api.web.charts import bar_chart, month_label
from api.web.deps import CsrfDep, SignedInDep, client_of, services_of
from api.web.templating import render
from ehcp_engine.domain.errors import EventInvalid, EventRefused, NotFound, VersionConflict
from ehcp_engine.domain.events import ROW_ID_MAX
from ehcp_engine.services.access import check_case, record_read
from ehcp_engine.services.assignment import assignable_officers, case_holder
from ehcp_engine.services.context import Actor, Services
from ehcp_engine.services.dashboard import dashboard as build_dashboard
from ehcp_engine.services.policy import require
from ehcp_engine.services.write_path import EventIn, record_event

router = APIRouter(include_in_schema=False)
FormText = Annotated[str, Form(max_length=6000)]
REASON_MAX = 5000


@router.get("/dashboard")
def dashboard(
    request: Request,
    user: SignedInDep,
    moved: Annotated[int | None, Query(ge=1, le=ROW_ID_MAX)] = None,
) -> Response:
    svc = services_of(request)
    board = build_dashboard(svc, user.actor)
    record_read(svc, user.actor, "read dashboard", None, client_of(request))
    notice = None
    if moved is not None:  # just reassigned: say where the case went (if still in sight)
        try:
            check_case(svc, user.actor, moved)
            holder = case_holder(svc, moved)
            notice = f"Case {holder['reference']} is now with {holder['officer']}."
        except NotFound:
            pass
    charts = [
        {**chart, "svg": bar_chart(f"chart-{chart['id']}", chart["title"], chart["months"])}
        for chart in board.charts
    ]
    context = {"board": board, "charts": charts, "month_label": month_label, "notice": notice}
    return render(request, "dashboard.html", context)


def _reassign_page(
    request: Request, svc: Services, actor: Actor, case_id: int
) -> dict[str, object]:
    require(actor, "case.reassign")
    check_case(svc, actor, case_id)
    holder = case_holder(svc, case_id)
    record_read(svc, actor, "read case", case_id, client_of(request), "reassign page")
    officers = [o for o in assignable_officers(svc, actor) if o["id"] != holder["officer_id"]]
    return {"case": holder, "officers": officers, "values": {}}


@router.get("/cases/{case_id}/reassign")
def reassign_form(request: Request, case_id: int, user: SignedInDep) -> Response:
    svc = services_of(request)
    context = _reassign_page(request, svc, user.actor, case_id)
    return render(request, "reassign.html", context)


def _form_errors(officer: str, reason: str) -> dict[str, str]:
    errors = {}
    if not officer.isdigit():
        errors["officer"] = "Select the officer to give the case to"
    if not reason.strip():
        errors["reason"] = "Enter why the case is moving"
    elif len(reason) > REASON_MAX:
        errors["reason"] = f"The reason must be {REASON_MAX:,} characters or fewer"
    return errors


@router.post("/cases/{case_id}/reassign", dependencies=[CsrfDep])
def reassign(
    request: Request,
    case_id: int,
    user: SignedInDep,
    officer: FormText = "",
    reason: FormText = "",
) -> Response:
    svc = services_of(request)
    context = _reassign_page(request, svc, user.actor, case_id)
    context["values"] = {"officer": officer, "reason": reason}
    errors = _form_errors(officer, reason)
    if not errors:
        data = {"officer_id": int(officer), "reason": reason.strip()}
        event = EventIn("case_reassigned", svc.clock.today(), data)
        try:
            record_event(svc, case_id=case_id, event=event, actor=user.actor)
        except EventInvalid as err:
            errors["officer"] = err.errors[0][1][:1].upper() + err.errors[0][1][1:]
        except (EventRefused, VersionConflict) as err:
            errors["officer"] = err.detail[:1].upper() + err.detail[1:]
        else:
            return RedirectResponse(f"/dashboard?moved={case_id}", status_code=303)
    context["errors"] = errors
    return render(request, "reassign.html", context, status_code=400)
