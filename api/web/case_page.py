"""/cases/{id}: the child, each live stage with where it is in its diagram, the deadlines with
their status and legal source, the actions the state allows, and the timeline (audit log).

The diagram is the stage machine's own declaration (workflows/registry.py, the same one
`ehcp diagrams` draws into docs/stages/): its states in order with the current one marked, and
the events that move it on from here. It is HTML, so it needs no script and reads aloud.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from api.web.case_common import offered_events, read_case, read_timeline, title_of
from api.web.deps import SignedInDep, services_of
from api.web.templating import render
from ehcp_engine.services.advice import case_documents
from ehcp_engine.services.policy import allowed
from workflows.registry import SPECS

router = APIRouter(include_in_schema=False)
# Out of range is "not found" (services.access.check_case), not a bad request.
CaseId = int
SOON_DAYS = 7

# Deadline status -> (tag text, tag colour). The words carry the meaning on their own.
STATUS_TAGS: dict[str, tuple[str, str]] = {
    "open": ("Open", "govuk-tag--blue"),
    "overdue": ("Overdue", "govuk-tag--red"),
    "met": ("Met", "govuk-tag--green"),
    "missed": ("Missed", "govuk-tag--red"),
    "missed_exception": ("Missed, exception applies", "govuk-tag--orange"),
    "cancelled": ("No longer applies", "govuk-tag--grey"),
}


def deadline_tag(d: dict[str, Any], today: date) -> dict[str, str]:
    if d["status"] == "open" and not d["window"] and (d["due_on"] - today).days <= SOON_DAYS:
        return {"text": "Due this week", "classes": "govuk-tag--yellow"}
    if d["status"] == "open" and d["window"]:
        return {"text": "Family's window open", "classes": "govuk-tag--blue"}
    text, colour = STATUS_TAGS.get(d["status"], (d["status"], "govuk-tag--grey"))
    return {"text": text, "classes": colour}


def diagram(stage: dict[str, Any]) -> dict[str, Any]:
    spec = SPECS[stage["stage"]]
    return {
        "states": [
            {"name": s, "current": s == stage["state"], "final": s in spec.final}
            for s in spec.states
        ],
        "next": [
            {"event": t.trigger, "to": t.dest, "guards": [g.name for g in t.guards]}
            for t in spec.transitions
            if stage["state"] in t.source and not stage["closed_on"]
        ],
    }


@router.get("/cases/{case_id}")
def case_page(
    request: Request,
    user: SignedInDep,
    case_id: CaseId,
    recorded: Annotated[str | None, Query(max_length=40, pattern="^[a-z_0-9]+$")] = None,
) -> Response:
    actor = user.actor
    view = read_case(request, actor, case_id, "case.read")
    today = services_of(request).clock.today()
    live = [s for s in view["stages"] if not s["closed_on"]]
    for s in view["stages"]:
        s["diagram"] = diagram(s)
    deadlines = sorted(
        view["deadlines"], key=lambda d: (d["status"] not in ("open", "overdue"), d["due_on"])
    )
    for d in deadlines:
        d["tag"] = deadline_tag(d, today)
    may_act = allowed(actor, "case.event")
    timeline = read_timeline(request, case_id) if allowed(actor, "audit.read") else None
    context = {
        "case": view,
        "live_stages": live,
        "closed_stages": [s for s in view["stages"] if s["closed_on"]],
        "deadlines": deadlines,
        "actions": [(t, s, title_of(t)) for t, s in offered_events(view)] if may_act else [],
        "timeline": list(reversed(timeline)) if timeline is not None else None,
        "may_act": may_act,
        # The case's other pages (the plan's, the manager's), offered as the policy allows.
        "links": [
            (text, f"/cases/{case_id}/{path}")
            for text, path, permission in (
                ("The plan (sections A to K)", "plan", "plan.read"),
                ("Reassign this case", "reassign", "case.reassign"),
            )
            if allowed(actor, permission)
        ],
        "documents": case_documents(services_of(request), case_id),
        "recorded": recorded.replace("_", " ").capitalize() if recorded else None,
        "title_of": title_of,
    }
    return render(request, "case.html", context)
