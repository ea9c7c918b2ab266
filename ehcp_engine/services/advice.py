"""The contributor portal: advice requests sent to me, and submitting advice.

A contributor (an educational psychologist, a health or social care professional, a school)
sees only what they were asked to advise on, and only the minimum the task needs: the child's
name and date of birth, the question and the due date (UK GDPR data minimisation). Submitting
advice records `advice_received` through the one write path, as the contributor.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select

from ehcp_engine.domain.errors import NotFound
from ehcp_engine.domain.events import ROW_ID_MAX
from ehcp_engine.persistence.models import AdviceRequestRow, Case, DeadlineRow, Organisation
from ehcp_engine.services.context import Actor, Services
from ehcp_engine.services.write_path import EventIn, record_event


def _mine(svc: Services, actor: Actor) -> ColumnElement[bool]:
    """Advice requests addressed to the contributor's organisation, or to them by email."""
    names = [actor.label.lower()]
    if actor.organisation_id is not None:
        with svc.sessions() as session:
            org = session.get(Organisation, actor.organisation_id)
        if org is not None:
            names.append(org.name.lower())
    return func.lower(AdviceRequestRow.contributor).in_(names)


def _row(a: AdviceRequestRow, case: Case, due: DeadlineRow | None, today: Any) -> dict[str, Any]:
    status = "received" if a.received_on else ("overdue" if due and due.due_on < today else "open")
    return {
        "id": a.id,
        "case_reference": case.reference,
        "advice_type": a.advice_type,
        "child": {
            "given_name": case.given_name,
            "family_name": case.family_name,
            "date_of_birth": case.date_of_birth,
        },
        "question": a.question,
        "requested_on": a.requested_on,
        "due_on": due.due_on if due else None,
        "received_on": a.received_on,
        "status": status,
    }


def _query(svc: Services, actor: Actor) -> Any:
    due = and_(
        DeadlineRow.case_id == AdviceRequestRow.case_id,
        DeadlineRow.rule == "advice",
        DeadlineRow.subject_key == AdviceRequestRow.key,
    )
    return (
        select(AdviceRequestRow, Case, DeadlineRow)
        .join(Case, Case.id == AdviceRequestRow.case_id)
        .outerjoin(DeadlineRow, due)
        .where(_mine(svc, actor))
        .where(or_(DeadlineRow.status.is_(None), DeadlineRow.status != "cancelled"))
    )


def my_requests(svc: Services, actor: Actor) -> list[dict[str, Any]]:
    today = svc.clock.today()
    with svc.sessions() as session:
        rows = session.execute(_query(svc, actor).order_by(AdviceRequestRow.requested_on)).all()
    return [_row(a, case, due, today) for a, case, due in rows]


def my_request(svc: Services, actor: Actor, request_id: int) -> dict[str, Any]:
    """One request, or 404 when it does not exist or was not sent to this contributor."""
    if not 1 <= request_id <= ROW_ID_MAX:
        raise NotFound(f"no advice request {request_id}")
    with svc.sessions() as session:
        found = session.execute(_query(svc, actor).where(AdviceRequestRow.id == request_id)).first()
    if found is None:
        raise NotFound(f"no advice request {request_id}")
    a, case, due = found
    return {**_row(a, case, due, svc.clock.today()), "case_id": case.id}


def submit_advice(svc: Services, actor: Actor, request_id: int) -> dict[str, Any]:
    """Record the advice as received today (Reg 8), through the write path."""
    request = my_request(svc, actor, request_id)
    record_event(
        svc,
        case_id=request["case_id"],
        event=EventIn("advice_received", svc.clock.today(), {"advice_request_id": request_id}),
        actor=actor,
    )
    return my_request(svc, actor, request_id)
