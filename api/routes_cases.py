"""/api/v1/cases: open cases, read them, record events, read the audit log."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, status

from api.deps import ActorDep, ClientDep, ServicesDep
from api.schemas import (
    DB_INT_MAX,
    AuditRecordOut,
    CaseCreate,
    CaseList,
    CaseOut,
    ErrorOut,
    EventPost,
)
from ehcp_engine.domain.case import Child
from ehcp_engine.domain.errors import EventInvalid, NotFound
from ehcp_engine.persistence.models import User
from ehcp_engine.services import cases as case_service
from ehcp_engine.services.access import case_scope, check_case, record_read
from ehcp_engine.services.policy import require
from ehcp_engine.services.write_path import EventIn, record_event

router = APIRouter(prefix="/api/v1/cases", tags=["cases"])
ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorOut} for code in (401, 403, 404, 409, 413, 422)
}


def _known(case_id: int) -> int:
    """An id no row can have is an unknown case (404), not a database error."""
    if not 1 <= case_id <= DB_INT_MAX:
        raise NotFound(f"no case {case_id}")
    return case_id


@router.post("", status_code=status.HTTP_201_CREATED, response_model=CaseOut, responses=ERRORS)
def open_case(body: CaseCreate, svc: ServicesDep, actor: ActorDep) -> dict[str, Any]:
    """Open a case with its request for an EHC needs assessment (starts the 6- and 20-week
    clocks)."""
    require(actor, "case.create")
    if body.officer_id is not None:
        with svc.sessions() as session:
            if session.get(User, body.officer_id) is None:
                raise EventInvalid("officer_id", f"no user {body.officer_id}")
    child = Child(
        given_name=body.child.given_name,
        family_name=body.child.family_name,
        date_of_birth=body.child.date_of_birth,
        upn=body.child.upn,
        school_structure=body.child.school_structure,
    )
    if body.transfer_in is not None:
        request = EventIn(
            type="plan_transferred_in",
            occurred_on=body.transfer_in.transferred_on,
            data=body.transfer_in.model_dump(exclude={"transferred_on"}, exclude_none=True),
        )
    else:
        assert body.request is not None
        request = EventIn(
            type="request_received",
            occurred_on=body.request.received_on,
            data=body.request.model_dump(exclude={"received_on"}, exclude_none=True),
        )
    new = case_service.NewCase(
        child=child,
        request=request,
        officer_id=body.officer_id,
        year_group=body.child.year_group,
        family_email=body.family_email,
    )
    try:
        case_id = case_service.create_case(svc, new, actor)
    except EventInvalid as err:
        raise _in_body_terms(err, "transfer_in" if body.transfer_in else "request") from None
    return case_service.case_view(svc, case_id)


def _in_body_terms(err: EventInvalid, opening: str) -> EventInvalid:
    """The opening is checked as an event: name the body's own fields in the 422
    (request.received_on, not the event's occurred_on)."""
    date_field = {"request": "received_on", "transfer_in": "transferred_on"}[opening]

    def field(name: str) -> str:
        if name == "occurred_on":
            return f"{opening}.{date_field}"
        if name.startswith("data."):
            return f"{opening}.{name.removeprefix('data.')}"
        return name

    (first, message), *more = err.errors
    return EventInvalid(field(first), message, [(field(f), m) for f, m in more])


@router.get("", response_model=CaseList, responses=ERRORS)
def list_cases(
    svc: ServicesDep,
    actor: ActorDep,
    officer: Annotated[int | None, Query(ge=1, le=DB_INT_MAX)] = None,
    stage: str | None = Query(default=None, max_length=30, pattern="^[a-z_]+$"),
    state: str | None = Query(default=None, max_length=30, pattern="^[a-z_]+$"),
    overdue: bool | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=DB_INT_MAX)] = 0,
) -> dict[str, Any]:
    """Cases sorted by their next deadline, with filters and pagination."""
    require(actor, "case.list")
    f = case_service.CaseFilter(
        officer_id=officer, stage=stage, state=state, overdue=overdue, limit=limit, offset=offset
    )
    return case_service.list_cases(svc, f, scope=case_scope(actor, svc.settings.case_scope))


@router.get("/{case_id}", response_model=CaseOut, responses=ERRORS)
def read_case(case_id: int, svc: ServicesDep, actor: ActorDep, client: ClientDep) -> dict[str, Any]:
    require(actor, "case.read")
    check_case(svc, actor, _known(case_id))
    record_read(svc, actor, "read case", case_id, client)
    return case_service.case_view(svc, case_id)


@router.post(
    "/{case_id}/events",
    status_code=status.HTTP_201_CREATED,
    response_model=CaseOut,
    responses=ERRORS,
)
def post_event(case_id: int, body: EventPost, svc: ServicesDep, actor: ActorDep) -> dict[str, Any]:
    """Record an event (STATUTORY.md §4a vocabulary). 409 says why the case's state refuses it;
    a stale `expected_version` gets 409 too."""
    require(actor, "case.event")
    check_case(svc, actor, _known(case_id))
    event = EventIn(
        type=body.type,
        occurred_on=body.occurred_on,
        data=body.data,
        expected_version=body.expected_version,
    )
    record_event(svc, case_id=_known(case_id), event=event, actor=actor)
    return case_service.case_view(svc, case_id)


@router.get("/{case_id}/audit", response_model=list[AuditRecordOut], responses=ERRORS)
def read_audit(
    case_id: int, svc: ServicesDep, actor: ActorDep, client: ClientDep
) -> list[dict[str, Any]]:
    require(actor, "audit.read")
    check_case(svc, actor, _known(case_id))
    record_read(svc, actor, "read audit log", case_id, client)
    return case_service.audit_view(svc, case_id)
