"""/cases: the caseload, nearest deadline first, with a red/amber/green status per case.

Filters are a GET form (bookmarkable, no JavaScript): stage, overdue only, phase-transfer cohort
year, mine or every case in scope, and a reference search. The list and its access scope are
the service's (services.cases.list_cases, services.access.case_scope); this page only shows it.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from api.web.deps import SignedInDep, services_of
from api.web.templating import render
from ehcp_engine.services.access import case_scope
from ehcp_engine.services.cases import CaseFilter, list_cases
from ehcp_engine.services.policy import allowed
from workflows.registry import SPECS

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 25
AMBER_DAYS = 7  # due within a week: at risk


def rag(next_due_on: date | None, today: date) -> dict[str, str]:
    """The tag for a case's next deadline: the words carry the meaning, the colour repeats it."""
    if next_due_on is None:
        return {"text": "No open deadline", "classes": "govuk-tag--grey"}
    if next_due_on < today:
        return {"text": "Overdue", "classes": "govuk-tag--red"}
    if (next_due_on - today).days <= AMBER_DAYS:
        return {"text": "Due this week", "classes": "govuk-tag--yellow"}
    return {"text": "On track", "classes": "govuk-tag--green"}


def _text(value: str | None, longest: int) -> str | None:
    value = (value or "").strip()[:longest]
    return value or None


@router.get("/cases")
def caseload(
    request: Request,
    user: SignedInDep,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    stage: Annotated[str | None, Query(max_length=30)] = None,
    overdue: Annotated[str | None, Query(max_length=5)] = None,
    cohort: Annotated[str | None, Query(max_length=10)] = None,
    officer: Annotated[str | None, Query(max_length=5)] = None,
    reference: Annotated[str | None, Query(max_length=40)] = None,
) -> Response:
    svc = services_of(request)
    actor = user.actor
    if not allowed(actor, "case.list"):
        return render(request, "caseload.html", {"may_list": False})
    errors: dict[str, str] = {}
    chosen: dict[str, Any] = {
        "stage": stage if stage in SPECS else None,
        "overdue": overdue == "yes",
        "cohort": _text(cohort, 10),
        "officer": "all" if officer == "all" else "mine",
        "reference": _text(reference, 40),
    }
    year: int | None = None
    if chosen["cohort"]:
        if str(chosen["cohort"]).isdigit() and 2000 <= int(str(chosen["cohort"])) <= 2100:
            year = int(str(chosen["cohort"]))
        else:
            errors["cohort"] = "Enter the year of the transfer as 4 digits, like 2027"
    f = CaseFilter(
        officer_id=actor.user_id if chosen["officer"] == "mine" else None,
        stage=chosen["stage"],
        overdue=True if chosen["overdue"] else None,
        transfer_year=year,
        reference=chosen["reference"],
        limit=PAGE_SIZE,
        offset=(page - 1) * PAGE_SIZE,
    )
    listing = list_cases(svc, f, scope=case_scope(actor, svc.settings.case_scope))
    today = svc.clock.today()
    for item in listing["items"]:
        item["rag"] = rag(item["next_due_on"], today)
    context = {
        "may_list": True,
        "may_create": allowed(actor, "case.create"),
        "listing": listing,
        "chosen": chosen,
        "stages": sorted(SPECS),
        "errors": errors,
        "pagination": _pagination(chosen, page, int(listing["total"])),
    }
    return render(request, "caseload.html", context, status_code=400 if errors else 200)


def _pagination(chosen: dict[str, Any], page: int, total: int) -> dict[str, Any] | None:
    pages = max(1, -(-total // PAGE_SIZE))
    if pages == 1:
        return None
    kept = {k: ("yes" if v is True else v) for k, v in chosen.items() if v not in (None, False)}

    def href(n: int) -> str:
        return "/cases?" + urlencode({**kept, "page": n})

    window = range(max(1, page - 2), min(pages, page + 2) + 1)
    return {
        "previous": {"href": href(page - 1)} if page > 1 else None,
        "next": {"href": href(page + 1)} if page < pages else None,
        "items": [{"number": n, "href": href(n), "current": n == page} for n in window],
    }
