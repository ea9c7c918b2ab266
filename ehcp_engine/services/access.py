"""Row-level access to children's records, and the access log (UK GDPR special-category data).

Officers and managers see the cases of their team, their own, and the unassigned intake queue
(or every case, with EHCP_CASE_SCOPE=la); a manager in no team manages every team. A record a
user may not know exists is reported as not found (404), never as forbidden. Every read of a
case, its audit log or its notices is recorded apart from the change audit, so "who looked at my
child's file?" has an answer.

QA panel members read the plans sampled for audit and nothing else. The rule: a QA user may read
a case, and a plan version of it, when that version is a sampled item of a QA round, open or
closed (panels return to past rounds' plans to moderate and to give feedback). The data keeps
no per-round panel membership, so every QA user is on every round's panel; a case is readable
only through its sampled versions (not its other drafts and amendments), and QA users cannot
list cases: they reach the sample through the rounds (/qa).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, or_, select, true
from sqlalchemy.orm import Session, aliased

from ehcp_engine.domain.errors import NotFound
from ehcp_engine.domain.events import ROW_ID_MAX
from ehcp_engine.persistence.models import (
    AccessLog,
    Case,
    OutboxMessage,
    PlanVersion,
    QaSampleItem,
    User,
)
from ehcp_engine.services.context import Actor, Services

CASEWORK = ("officer", "manager")


def case_scope(actor: Actor, scope: str) -> ColumnElement[bool]:
    """SQL condition on Case for the cases this actor may see (used by lists)."""
    if actor.role == "system" or (actor.role in CASEWORK and scope == "la"):
        return true()
    if actor.role == "manager" and actor.team_id is None:
        # A manager in no team manages the service (head of SEN): every team's cases, as their
        # digest and dashboard show them.
        return true()
    if actor.role == "qa":
        return select(QaSampleItem.id).where(QaSampleItem.case_id == Case.id).exists()
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


def plan_version_scope(actor: Actor) -> ColumnElement[bool]:
    """SQL condition on PlanVersion for the versions this actor may read, within a case it may
    see: every version, except for QA, who read only the versions sampled for audit."""
    if actor.role != "qa":
        return true()
    return (
        select(QaSampleItem.id)
        .where(
            QaSampleItem.plan_version_id == PlanVersion.id,
            QaSampleItem.case_id == PlanVersion.case_id,
        )
        .exists()
    )


def check_plan_version(svc: Services, actor: Actor, case_id: int, *version_ids: int) -> None:
    """404 unless the actor may see the case and read each of these versions of it."""
    check_case(svc, actor, case_id)
    if actor.role != "qa":
        return  # casework roles read every version of a case they see
    with svc.sessions() as session:
        for vid in version_ids:
            found = session.scalar(
                select(PlanVersion.id).where(
                    PlanVersion.id == vid,
                    PlanVersion.case_id == case_id,
                    plan_version_scope(actor),
                )
            )
            if found is None:
                raise NotFound(f"no plan version {vid} of case {case_id}")


def check_plan_diff(
    svc: Services, actor: Actor, case_id: int, version_id: int, against: int | None
) -> None:
    """A comparison shows both versions' text: the actor must read both (`against` defaults to
    the version this one was based on)."""
    if against is None:
        with svc.sessions() as session:
            against = session.scalar(
                select(PlanVersion.based_on_id).where(
                    PlanVersion.id == version_id, PlanVersion.case_id == case_id
                )
            )
    check_plan_version(svc, actor, case_id, version_id, *([against] if against else []))


def readable_versions(svc: Services, actor: Actor, case_id: int) -> set[int]:
    """The ids of the case's plan versions this actor may read (the case itself is checked with
    check_case first)."""
    with svc.sessions() as session:
        query = select(PlanVersion.id).where(
            PlanVersion.case_id == case_id, plan_version_scope(actor)
        )
        return set(session.scalars(query))


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
