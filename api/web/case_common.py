"""What the case page and its action forms share: reading a case the user may see (checked and
access-logged), and which actions the case's state offers.

The services decide: services.access.check_case answers 404 for a case outside the user's
scope, services.policy whether they may act, and the stage machines (through case_view's
`allowed_events`) which events each live stage accepts now.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request

from api.web.deps import client_of, services_of
from ehcp_engine.domain.errors import NotFound
from ehcp_engine.domain.events import VOCABULARY
from ehcp_engine.services.access import check_case, record_read
from ehcp_engine.services.cases import audit_view, case_view
from ehcp_engine.services.context import Actor
from ehcp_engine.services.policy import require

# Events that act on any stage: always offered while there is something for them to act on.
EXCEPTION = "exception_recorded"
CORRECTION = "event_corrected"
# Events that open a stage of their own about a decision: offered while an appeal window is open.
DISPUTES = ("mediation_adviser_contacted", "appeal_registered")

TITLES: dict[str, str] = {
    "assessment_agreed": "Record the decision to assess",
    "assessment_refused": "Record the decision not to assess",
    "request_withdrawn": "Record that the request was withdrawn",
    "advice_requested": "Request advice",
    "advice_received": "Record advice received",
    "plan_agreed": "Record the decision to issue a plan",
    "plan_refused": "Record the decision not to issue a plan",
    "draft_plan_served": "Record that the draft plan was sent",
    "representations_received": "Record the family's comments on the draft",
    "setting_consulted": "Record a setting consulted",
    "setting_responded": "Record a setting's response",
    "final_plan_issued": "Record the final plan issued",
    "case_reassigned": "Reassign the case",
    "mediation_adviser_contacted": "Record the family's contact with a mediation adviser",
    "appeal_registered": "Record an appeal registered with the tribunal",
    EXCEPTION: "Record an exception to a deadline",
    CORRECTION: "Correct an event",
}


def title_of(event_type: str) -> str:
    return TITLES.get(event_type, event_type.replace("_", " ").capitalize())


def read_case(request: Request, actor: Actor, case_id: int, permission: str) -> dict[str, Any]:
    """The case view, after the permission and scope checks; the read goes in the access log
    (as GET /api/v1/cases/{id} does)."""
    svc = services_of(request)
    require(actor, permission)
    check_case(svc, actor, case_id)
    record_read(svc, actor, "read case", case_id, client_of(request))
    return case_view(svc, case_id)


def read_timeline(request: Request, case_id: int) -> list[dict[str, Any]]:
    return audit_view(services_of(request), case_id)


def offered_events(view: dict[str, Any]) -> list[tuple[str, str]]:
    """(event type, stage) the live stages accept now, then the exception and correction."""
    offered: list[tuple[str, str]] = []
    for stage in view["stages"]:
        for event_type in stage["allowed_events"]:
            if event_type in VOCABULARY and all(event_type != t for t, _ in offered):
                offered.append((event_type, stage["stage"]))
    if any(
        d["rule"] == "appeal_window" and d["status"] in ("open", "overdue")
        for d in view["deadlines"]
    ):
        # A decision the family may dispute (Act s.51(2)): they may go to mediation or appeal.
        offered += [(t, "any") for t in DISPUTES if all(t != o for o, _ in offered)]
    if any(d["status"] in ("open", "overdue") for d in view["deadlines"]):
        offered.append((EXCEPTION, "any"))
    offered.append((CORRECTION, "any"))
    return offered


def check_offered(view: dict[str, Any], event_type: str) -> None:
    """A form for an event the case's state does not accept now does not exist (404)."""
    if event_type not in {t for t, _ in offered_events(view)}:
        raise NotFound(f"{event_type} is not possible on this case now")
