"""What a QA panel member's pages show: the rounds, the plans in the sample still to mark, and one
sampled plan with the rubric as it applies to that child, the marks given and the moderation.

The rounds and marks are services/qa.py's; this module only gathers them for reading. A sample is
listed by case reference, never the child's name: the name is in the plan itself, read (and
access-logged) one plan at a time.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, select

from audit.qa.rubric import NOT_APPLICABLE
from ehcp_engine.domain.calendar import national_curriculum_year
from ehcp_engine.domain.errors import NotFound
from ehcp_engine.persistence.models import (
    Case,
    QaModeration,
    QaRound,
    QaSampleItem,
    QaScore,
    Team,
    User,
)
from ehcp_engine.services import qa
from ehcp_engine.services.context import Actor, Services


def list_rounds(svc: Services, actor: Actor) -> list[dict[str, Any]]:
    """Every round, newest first, with how much of its sample is marked (by anyone, by this
    user) and moderated."""
    with svc.sessions() as session:
        rounds = session.scalars(select(QaRound).order_by(QaRound.id.desc())).all()
        sizes = _count_by_round(session.execute(_per_round(QaSampleItem.id)))
        marked = _count_by_round(
            session.execute(
                _per_round(func.distinct(QaScore.item_id)).join(
                    QaScore, QaScore.item_id == QaSampleItem.id
                )
            )
        )
        mine = _count_by_round(
            session.execute(
                _per_round(QaScore.item_id)
                .join(QaScore, QaScore.item_id == QaSampleItem.id)
                .where(QaScore.marker_id == actor.user_id)
            )
        )
        moderated = _count_by_round(
            session.execute(
                _per_round(QaModeration.item_id).join(
                    QaModeration, QaModeration.item_id == QaSampleItem.id
                )
            )
        )
        return [
            {
                "id": r.id,
                "name": r.name,
                "from": r.period_from,
                "to": r.period_to,
                "status": r.status,
                "created_at": r.created_at,
                "created_by": r.created_by,
                "plans": sizes.get(r.id, 0),
                "marked": marked.get(r.id, 0),
                "marked_by_you": mine.get(r.id, 0),
                "moderated": moderated.get(r.id, 0),
            }
            for r in rounds
        ]


def _per_round(counted: Any) -> Any:
    return select(QaSampleItem.round_id, func.count(counted)).group_by(QaSampleItem.round_id)


def _count_by_round(rows: Iterable[tuple[int, int]]) -> dict[int, int]:
    return {round_id: int(n) for round_id, n in rows}


def my_sample(svc: Services, actor: Actor) -> list[dict[str, Any]]:
    """The plans in open rounds this user has not yet marked, oldest round first."""
    mine = select(QaScore.item_id).where(QaScore.marker_id == actor.user_id)
    with svc.sessions() as session:
        rows = session.execute(
            select(QaSampleItem, QaRound.name, Case.reference)
            .join(QaRound, QaRound.id == QaSampleItem.round_id)
            .join(Case, Case.id == QaSampleItem.case_id)
            .where(QaRound.status == "open", QaSampleItem.id.not_in(mine))
            .order_by(QaRound.id, QaSampleItem.id)
        ).all()
    return [
        {
            "round_id": item.round_id,
            "round": name,
            "item_id": item.id,
            "reference": reference,
            "issued_on": item.issued_on,
            "issue": item.issue,
        }
        for item, name, reference in rows
    ]


def people(svc: Services, user_ids: Iterable[int | None]) -> dict[int, str]:
    """Staff names (markers, moderators, officers) by user id."""
    wanted = sorted({i for i in user_ids if i is not None})
    if not wanted:
        return {}
    with svc.sessions() as session:
        rows = session.execute(select(User.id, User.name).where(User.id.in_(wanted)))
        return {user_id: name for user_id, name in rows}


def team_names(svc: Services) -> dict[str, str]:
    """Team names keyed as the QA results key them (the id as text; "None": no team)."""
    with svc.sessions() as session:
        rows = session.execute(select(Team.id, Team.name)).all()
    return {"None": "No team", **{str(team_id): name for team_id, name in rows}}


def item_for_marking(svc: Services, round_id: int, item_id: int) -> dict[str, Any]:
    """One sampled plan: which version to read, the child's year group when it was issued, and
    each criterion of the rubric with whether it applies (preparation for adulthood: Year 9+)."""
    rubric = qa.rubric(svc)
    with svc.sessions() as session:
        item = session.get(QaSampleItem, item_id)
        qa_round = session.get(QaRound, round_id)
        if item is None or qa_round is None or item.round_id != round_id:
            raise NotFound(f"no item {item_id} in QA round {round_id}")
        case = session.get(Case, item.case_id)
        assert case is not None
        year = national_curriculum_year(case.date_of_birth, item.issued_on)
        year += case.year_group_offset
        found = {
            "round_id": round_id,
            "round": qa_round.name,
            "round_status": qa_round.status,
            "item_id": item.id,
            "case_id": item.case_id,
            "reference": case.reference or str(case.id),
            "issued_on": item.issued_on,
            "issue": item.issue,
            "plan_version_id": item.plan_version_id,
            "year_group": year,
            "officer_id": item.officer_id,
        }
    found["criteria"] = [
        {
            "id": c.id,
            "section": c.section,
            "label": c.label,
            "from_year": c.from_year,
            "applies": rubric.applies(c, year),
        }
        for c in rubric.criteria
    ]
    found["ratings"] = [
        {"id": r, "label": rubric.labels[r], "description": rubric.descriptions.get(r, "")}
        for r in rubric.ratings
    ]
    found["not_applicable"] = NOT_APPLICABLE
    return found
