"""/cases/{id}/events/{type}: one form per action the case's state allows, generated from the
event's data model (api/web/event_forms.py), posted through the one write path.

The form carries the case version it was drawn from: if someone else changed the case since,
the write path refuses (optimistic lock) and the page says so; nothing is written. Anything
the write path refuses (bad data, a guard, a date out of order) comes back as a GOV.UK error
summary on the same form, with the officer's answers kept.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from starlette.responses import RedirectResponse, Response

from api.web.case_common import (
    CORRECTION,
    EXCEPTION,
    check_offered,
    read_case,
    read_timeline,
    title_of,
)
from api.web.deps import CsrfDep, SignedInDep, services_of
from api.web.event_forms import EVENT_DATE, FormField, Parsed, error_anchor, form_fields, parse
from api.web.event_forms import read_date as read_date_input
from api.web.templating import render
from ehcp_engine.domain.errors import DomainError, EventInvalid, NotFound, VersionConflict
from ehcp_engine.domain.events import ROW_ID_MAX, VOCABULARY
from ehcp_engine.services.write_path import EventIn, record_event

router = APIRouter(include_in_schema=False)
# Out of range is "not found" (services.access.check_case), not a bad request.
CaseId = int
EventType = Annotated[str, Path(max_length=40, pattern="^[a-z_0-9]+$")]
DATE_LABEL = "Date it happened"
# Exceptions and corrections are dated when they are made, not when what they are about happened.
DATE_LABELS = {
    EXCEPTION: "Date the exception is recorded",
    CORRECTION: "Date of the correction",
}
STALE = (
    "Someone else changed this case since you opened this form, so nothing was saved. Check "
    "the case's timeline, then submit the form again if it is still right."
)


def case_choices(
    request: Request, view: dict[str, Any], event_type: str
) -> dict[str, list[tuple[Any, str]]]:
    """Options for fields that name something on this case."""
    if event_type == "advice_received":
        waiting = [a for a in view["advice_requests"] if a["received_on"] is None]
        return {
            "advice_request_id": [
                (a["id"], f"{a['contributor']} ({a['advice_type'].replace('_', ' ')})")
                for a in waiting
            ]
        }
    if event_type == EXCEPTION:
        open_ = [d for d in view["deadlines"] if d["status"] in ("open", "overdue")]
        return {"rule": [(d["id"], f"{d['label']}, due {d['due_on']:%-d %b %Y}") for d in open_]}
    if event_type == CORRECTION:
        records = [r for r in read_timeline(request, view["id"]) if r["type"] != CORRECTION]
        return {"seq": [(r["seq"], _record_text(r)) for r in reversed(records)]}
    return {}


def _record_text(r: dict[str, Any]) -> str:
    what = r["type"].replace("_", " ").capitalize()
    return f"{what}, {r['occurred_on']:%-d %b %Y} (record {r['seq']})"


def _page(
    request: Request,
    view: dict[str, Any],
    event_type: str,
    fields: list[FormField],
    *,
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
    problem: str | None = None,
    version: int | None = None,
) -> Response:
    context = {
        "case": view,
        "event_type": event_type,
        "title": title_of(event_type),
        "fields": fields,
        "values": values,
        "errors": errors or {},
        "problem": problem,
        "version": version if version is not None else view["version"],
        "event_date": EVENT_DATE,
        "date_label": DATE_LABELS.get(event_type, DATE_LABEL),
    }
    return render(request, "event_form.html", context, 400 if errors or problem else 200)


@router.get("/cases/{case_id}/events/{event_type}")
def event_form(
    request: Request,
    user: SignedInDep,
    case_id: CaseId,
    event_type: EventType,
    seq: Annotated[int | None, Query(ge=1, le=ROW_ID_MAX)] = None,
) -> Response:
    view = read_case(request, user.actor, case_id, "case.event")
    check_offered(view, event_type)
    fields = form_fields(event_type, case_choices(request, view, event_type))
    values: dict[str, Any] = {f.name: "no" for f in fields if f.kind == "bool" and f.optional}
    if seq is not None:
        values["seq"] = str(seq)
    return _page(request, view, event_type, fields, values=values)


@router.post("/cases/{case_id}/events/{event_type}", dependencies=[CsrfDep])
async def record(
    request: Request, user: SignedInDep, case_id: CaseId, event_type: EventType
) -> Response:
    view = read_case(request, user.actor, case_id, "case.event")
    if event_type not in VOCABULARY:
        raise NotFound(f"no event type {event_type}")
    # Not check_offered: if the case moved on meanwhile, the write path says why (or "stale").
    fields = form_fields(event_type, case_choices(request, view, event_type))
    form = await request.form()
    parsed = parse(form, fields)
    occurred_on, shown, date_error = read_date_input(
        form, EVENT_DATE, DATE_LABELS.get(event_type, DATE_LABEL), optional=False
    )
    parsed.values[EVENT_DATE] = shown
    if date_error:
        parsed.errors[f"{EVENT_DATE}-day"] = date_error
    version = str(form.get("version") or "")
    if not version.isdigit() or len(version) > 9:
        return _page(request, view, event_type, fields, values=parsed.values, problem=STALE)
    if parsed.errors:  # keep the version read with the form: a stale form stays stale
        return _page(
            request,
            view,
            event_type,
            fields,
            values=parsed.values,
            errors=parsed.errors,
            version=int(version),
        )
    event = EventIn(event_type, occurred_on, parsed.data, expected_version=int(version))
    try:
        record_event(services_of(request), case_id=case_id, event=event, actor=user.actor)
    except DomainError as refusal:
        return _refused(request, view, event_type, fields, parsed, refusal, int(version))
    return RedirectResponse(f"/cases/{case_id}?recorded={event_type}", status_code=303)


def _refused(
    request: Request,
    view: dict[str, Any],
    event_type: str,
    fields: list[FormField],
    parsed: Parsed,
    refusal: DomainError,
    version: int,
) -> Response:
    """The write path said no: say why, where it applies, and keep what was typed."""
    if isinstance(refusal, VersionConflict):
        return _page(request, view, event_type, fields, values=parsed.values, problem=STALE)
    if isinstance(refusal, EventInvalid):
        errors: dict[str, str] = {}
        problems: list[str] = []
        for location, message in refusal.errors:
            anchor = error_anchor(location, fields)
            text = message[:1].upper() + message[1:]
            if anchor is None:
                problems.append(text)
            else:
                errors.setdefault(anchor, text)
        return _page(
            request,
            view,
            event_type,
            fields,
            values=parsed.values,
            errors=errors,
            problem="; ".join(problems) or None,
            version=version,
        )
    detail = refusal.detail[:1].upper() + refusal.detail[1:]
    if " dated " in refusal.detail:  # the date is what the state refuses: show it there
        errors = {f"{EVENT_DATE}-day": detail}
        return _page(
            request, view, event_type, fields, values=parsed.values, errors=errors, version=version
        )
    return _page(
        request, view, event_type, fields, values=parsed.values, problem=detail, version=version
    )
