"""Who holds a case: reassigning it to another officer (`case_reassigned`).

A manager moves a case between the officers of their team (every officer with EHCP_CASE_SCOPE=la,
or when the manager oversees every team, as the digest does). The change is an audited event
through the one write path, which calls `apply_reassignment` inside its transaction, so the
audit record and Case.officer_id move together or not at all.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ehcp_engine.domain.errors import EventInvalid, EventRefused, NotFound
from ehcp_engine.persistence.models import Case, Team, User
from ehcp_engine.services.context import Actor, Services
from ehcp_engine.services.policy import require


def _candidates(actor: Actor, scope: str) -> Any:
    # Officers carry the caseload (the dashboard and digest count officers' cases).
    query = select(User).where(User.active.is_(True), User.role == "officer")
    if actor.role != "system" and scope == "team" and actor.team_id is not None:
        query = query.where(User.team_id == actor.team_id)
    return query


def assignable_officers(svc: Services, actor: Actor) -> list[dict[str, Any]]:
    """The officers this actor may give a case to, by name, with their team."""
    with svc.sessions() as session:
        rows = session.execute(
            _candidates(actor, svc.settings.case_scope)
            .add_columns(Team.name)
            .outerjoin(Team, Team.id == User.team_id)
            .order_by(User.name, User.email)
        ).all()
    return [
        {"id": user.id, "name": user.name or user.email, "email": user.email, "team": team}
        for user, team in rows
    ]


def apply_reassignment(
    session: Session, actor: Actor, row: Case, data: dict[str, Any], scope: str
) -> dict[str, Any]:
    """Check the new officer and move the case (in the write path's transaction); return the
    event's data with the officer who held it before."""
    require(actor, "case.reassign")
    officer_id = int(data["officer_id"])
    allowed = session.scalar(_candidates(actor, scope).where(User.id == officer_id))
    if allowed is None:
        raise EventInvalid(
            "data.officer_id", f"there is no officer {officer_id} in your team to give the case to"
        )
    if row.officer_id == officer_id:
        raise EventRefused(f"the case is already with {allowed.name or allowed.email}")
    previous = row.officer_id
    row.officer_id = officer_id
    filled = {k: v for k, v in data.items() if k != "previous_officer_id"}
    return {**filled, **({"previous_officer_id": previous} if previous is not None else {})}


def case_holder(svc: Services, case_id: int) -> dict[str, Any]:
    """The case's reference, child's name and who holds it (the caller has checked scope)."""
    with svc.sessions() as session:
        found = session.execute(
            select(Case, User).outerjoin(User, User.id == Case.officer_id).where(Case.id == case_id)
        ).first()
    if found is None:
        raise NotFound(f"no case {case_id}")
    case, officer = found
    return {
        "id": case.id,
        "reference": case.reference or str(case.id),
        "child": f"{case.given_name} {case.family_name}",
        "officer_id": case.officer_id,
        "officer": (officer.name or officer.email) if officer else None,
    }
