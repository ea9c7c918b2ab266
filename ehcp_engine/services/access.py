"""Row-level access to children's records, and the access log (UK GDPR special-category data).

Officers and managers see the cases of their team, their own, and the unassigned intake queue
(or every case, with EHCP_CASE_SCOPE=la). A record a user may not know exists is reported as not
found (404), never as forbidden. Every read of a case, its audit log or its notices is recorded
apart from the change audit, so "who looked at my child's file?" has an answer.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, or_, select, true
from sqlalchemy.orm import Session, aliased

from ehcp_engine.domain.errors import NotFound
from ehcp_engine.domain.events import ROW_ID_MAX
from ehcp_engine.persistence.models import AccessLog, Case, OutboxMessage, User
from ehcp_engine.services.context import Actor, Services

CASEWORK = ("officer", "manager")


def case_scope(actor: Actor, scope: str) -> ColumnElement[bool]:
    """SQL condition on Case for the cases this actor may see (used by lists)."""
    if actor.role == "system" or (actor.role in CASEWORK and scope == "la"):
        return true()
    if actor.role == "qa":
        return true()  # QA panels read sampled plans; the case list shows them what is sampled
    if actor.role not in CASEWORK:
        return Case.id.is_(None)
    officer = aliased(User)
    same_team = (
        select(officer.id)
        .where(officer.id == Case.officer_id, officer.team_id == actor.team_id)
        .exists()
        if actor.team_id is not None
        else Case.id.is_(None)
    )
    return or_(Case.officer_id.is_(None), Case.officer_id == actor.user_id, same_team)


def visible(session: Session, actor: Actor, case_id: int, scope: str) -> bool:
    found = session.scalar(select(Case.id).where(Case.id == case_id, case_scope(actor, scope)))
    return found is not None


def check_case(svc: Services, actor: Actor, case_id: int) -> None:
    """404 when the case does not exist or is outside the actor's scope."""
    if not 1 <= case_id <= ROW_ID_MAX:  # no row can have it: unknown, not a database error
        raise NotFound(f"no case {case_id}")
    with svc.sessions() as session:
        if not visible(session, actor, case_id, svc.settings.case_scope):
            raise NotFound(f"no case {case_id}")


def record_read(
    svc: Services,
    actor: Actor,
    what: str,
    case_id: int | None,
    client: str | None,
    detail: str = "",
) -> None:
    with svc.sessions.begin() as session:
        session.add(
            AccessLog(
                at=svc.clock.now(),
                user_id=actor.user_id,
                action=what,
                case_id=case_id,
                detail=detail[:2000],
                client=(client or "")[:100],
            )
        )


def who_looked(svc: Services, case_id: int, limit: int = 500) -> list[dict[str, Any]]:
    """Every recorded read of (and refused change to) a child's record, newest first."""
    with svc.sessions() as session:
        rows = session.execute(
            select(AccessLog, User.email)
            .outerjoin(User, User.id == AccessLog.user_id)
            .where(AccessLog.case_id == case_id)
            .order_by(AccessLog.id.desc())
            .limit(limit)
        ).all()
    return [
        {
            "at": log.at,
            "user_id": log.user_id,
            "user": email,
            "action": log.action,
            "detail": log.detail,
            "client": log.client,
        }
        for log, email in rows
    ]


def subject_access_export(svc: Services, case_id: int) -> dict[str, Any]:
    """Everything held about one child (UK GDPR Art. 15): the record, its audit log, messages
    and notices about it, and every recorded look at it."""
    from ehcp_engine.services.cases import audit_view, case_view
    from ehcp_engine.services.messages import case_notices

    with svc.sessions() as session:
        if session.get(Case, case_id) is None:
            raise NotFound(f"no case {case_id}")
        messages = session.execute(
            select(
                OutboxMessage.id,
                OutboxMessage.created_at,
                OutboxMessage.channel,
                OutboxMessage.audience,
                OutboxMessage.subject,
                OutboxMessage.status,
            )
            .where(OutboxMessage.case_id == case_id)
            .order_by(OutboxMessage.id)
        ).all()
    return {
        "case": case_view(svc, case_id),
        "audit_log": audit_view(svc, case_id),
        "notices": case_notices(svc, case_id),
        "messages": [dict(m._mapping) for m in messages],
        "access_log": who_looked(svc, case_id, limit=100_000),
        "exported_at": svc.clock.now(),
    }
