"""QA audit rounds: draw a reproducible sample of issued and amended plans, record each panel
member's marks against the rubric, moderate, and report the results (audit.qa).

The unit of QA is a plan issue: the case and the audit seq of its `final_plan_issued` or
`amended_plan_issued` record; the plan version issued with that seq (plan_versions.issued_seq),
when there is one, is the version marked.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from audit.measures import facts as k
from audit.measures.projection import facts_from_projection
from audit.measures.rates import timeliness
from audit.qa.results import Marked, Marking, feedback, results
from audit.qa.rubric import Rubric, load_rubric
from audit.qa.sampling import Issue, draw, sample_size
from ehcp_engine.domain.calendar import national_curriculum_year
from ehcp_engine.domain.errors import EventInvalid, EventRefused, NotFound
from ehcp_engine.persistence.models import (
    Case,
    PlanVersion,
    QaModeration,
    QaRound,
    QaSampleItem,
    QaScore,
)
from ehcp_engine.services import measures
from ehcp_engine.services.context import Actor, Services


@dataclass(frozen=True)
class RoundIn:
    start: date
    end: date
    size: int | None = None
    percent: float | None = None
    seed: int | None = None
    name: str | None = None


def rubric(svc: Services) -> Rubric:
    return load_rubric(svc.settings.config_dir / "qa_rubric.toml")


def population(svc: Services, start: date, end: date) -> list[Issue]:
    """Every plan issued or amended in [start, end], with its officer and team."""
    measures.refresh(svc)
    with svc.sessions() as session:
        who = measures.owners(session)
        found = facts_from_projection(session, (start, end))
    issues = []
    for f in found:
        if f.kind != k.PLAN_ISSUE or f.met_on is None or not start <= f.met_on <= end:
            continue
        owner = who.get(f.case_id, measures.Owner(None, None, None))
        issues.append(
            Issue(
                f.case_id,
                int(f.attrs["seq"]),
                f.met_on,
                str(f.attrs["issue"]),
                owner.officer_id,
                owner.team_id,
                f.attrs.get("request_seq"),
            )
        )
    return issues


def _check(spec: RoundIn) -> None:
    if spec.end < spec.start:
        raise EventInvalid("to", f"the period ends ({spec.end}) before it starts ({spec.start})")
    if (spec.size is None) == (spec.percent is None):
        raise EventInvalid("size", "give the sample's size or its percent, not both")
    if spec.size is not None and spec.size < 1:
        raise EventInvalid("size", "a sample has at least one plan")
    if spec.percent is not None and not 0 < spec.percent <= 100:
        raise EventInvalid("percent", "a percentage above 0 and at most 100")


def create_round(svc: Services, actor: Actor, spec: RoundIn, origin: str = "on_demand") -> int:
    """Draw the sample and store the round; the seed is kept so the draw can be repeated."""
    _check(spec)
    seed = spec.seed if spec.seed is not None else secrets.randbelow(2**31)
    found = population(svc, spec.start, spec.end)
    rub = rubric(svc)
    minimum = rub.sample_minimum if origin == "scheduled" else 0
    chosen = draw(found, sample_size(len(found), spec.size, spec.percent, minimum), seed)
    with svc.sessions.begin() as session:
        versions = _versions(session, chosen)
        row = QaRound(
            name=spec.name or f"QA {spec.start:%d %b %Y} to {spec.end:%d %b %Y}",
            period_from=spec.start,
            period_to=spec.end,
            seed=seed,
            size=spec.size,
            percent=spec.percent,
            origin=origin,
            rubric_version=rub.version,
            status="open",
            created_at=svc.clock.now(),
            created_by=actor.label,
        )
        session.add(row)
        session.flush()
        for issue in chosen:
            session.add(
                QaSampleItem(
                    round_id=row.id,
                    case_id=issue.case_id,
                    issued_seq=issue.issued_seq,
                    issued_on=issue.issued_on,
                    issue=issue.issue,
                    officer_id=issue.officer_id,
                    team_id=issue.team_id,
                    plan_version_id=versions.get((issue.case_id, issue.issued_seq)),
                )
            )
        return row.id


def _versions(session: Session, chosen: Sequence[Issue]) -> dict[tuple[int, int], int]:
    if not chosen:
        return {}
    rows = session.execute(
        select(PlanVersion.case_id, PlanVersion.issued_seq, PlanVersion.id).where(
            PlanVersion.case_id.in_(sorted({i.case_id for i in chosen})),
            PlanVersion.issued_seq.is_not(None),
        )
    )
    return {(case_id, int(seq or 0)): vid for case_id, seq, vid in rows}


def _round(session: Session, round_id: int) -> QaRound:
    found = session.get(QaRound, round_id)
    if found is None:
        raise NotFound(f"no QA round {round_id}")
    return found


def _item(session: Session, round_id: int, item_id: int) -> QaSampleItem:
    item = session.get(QaSampleItem, item_id)
    if item is None or item.round_id != round_id:
        raise NotFound(f"no item {item_id} in QA round {round_id}")
    return item


def _marking_view(m: QaScore | QaModeration) -> dict[str, Any]:
    common = {"ratings": m.ratings, "overall": m.overall}
    if isinstance(m, QaScore):
        return {"marker_id": m.marker_id, **common, "comments": m.comments, "at": m.scored_at}
    return {"moderator_id": m.moderator_id, **common, "feedback": m.feedback, "at": m.moderated_at}


def round_view(svc: Services, round_id: int) -> dict[str, Any]:
    with svc.sessions() as session:
        row = _round(session, round_id)
        items = _items(session, round_id)
        scores = _scores(session, [i.id for i in items])
        moderated = _moderations(session, [i.id for i in items])
        query = select(Case.id, Case.reference).where(Case.id.in_({i.case_id for i in items}))
        refs = {case_id: ref for case_id, ref in session.execute(query)}
    return {
        "id": row.id,
        "name": row.name,
        "from": row.period_from,
        "to": row.period_to,
        "seed": row.seed,
        "size": row.size,
        "percent": row.percent,
        "origin": row.origin,
        "rubric_version": row.rubric_version,
        "status": row.status,
        "created_at": row.created_at,
        "created_by": row.created_by,
        "items": [
            {
                "id": i.id,
                "case_id": i.case_id,
                "reference": refs.get(i.case_id),
                "issued_seq": i.issued_seq,
                "issued_on": i.issued_on,
                "issue": i.issue,
                "officer_id": i.officer_id,
                "team_id": i.team_id,
                "plan_version_id": i.plan_version_id,
                "scores": [_marking_view(s) for s in scores.get(i.id, [])],
                "moderation": _marking_view(moderated[i.id]) if i.id in moderated else None,
            }
            for i in items
        ],
    }


def _items(session: Session, round_id: int) -> list[QaSampleItem]:
    query = select(QaSampleItem).where(QaSampleItem.round_id == round_id)
    return list(session.scalars(query.order_by(QaSampleItem.id)))


def _scores(session: Session, item_ids: Sequence[int]) -> dict[int, list[QaScore]]:
    found: dict[int, list[QaScore]] = {}
    query = select(QaScore).where(QaScore.item_id.in_(item_ids)).order_by(QaScore.id)
    for s in session.scalars(query):
        found.setdefault(s.item_id, []).append(s)
    return found


def _moderations(session: Session, item_ids: Sequence[int]) -> dict[int, QaModeration]:
    query = select(QaModeration).where(QaModeration.item_id.in_(item_ids))
    return {m.item_id: m for m in session.scalars(query)}


def _year_group(session: Session, item: QaSampleItem) -> int:
    case = session.get(Case, item.case_id)
    assert case is not None
    return national_curriculum_year(case.date_of_birth, item.issued_on) + case.year_group_offset


def _marker(actor: Actor) -> int:
    if actor.user_id is None:
        raise EventRefused("marks are given by a signed-in panel member")
    return actor.user_id


def score(
    svc: Services, actor: Actor, round_id: int, item_id: int, marks: Marking
) -> dict[str, Any]:
    """Record (or replace) this panel member's marks for one sampled plan."""
    marker = _marker(actor)
    with svc.sessions.begin() as session:
        item = _item(session, round_id, item_id)
        rubric(svc).check(marks.ratings, marks.overall, _year_group(session, item))
        found = session.scalar(
            select(QaScore).where(QaScore.item_id == item_id, QaScore.marker_id == marker)
        )
        row = found or QaScore(item_id=item_id, marker_id=marker)
        row.ratings, row.overall, row.comments = dict(marks.ratings), marks.overall, marks.comments
        row.scored_at = svc.clock.now()
        session.add(row)
    return round_view(svc, round_id)


def moderate(
    svc: Services, actor: Actor, round_id: int, item_id: int, marks: Marking
) -> dict[str, Any]:
    """Record the moderated result of a plan marked at least once (it stands for the plan)."""
    moderator = _marker(actor)
    with svc.sessions.begin() as session:
        item = _item(session, round_id, item_id)
        if not _scores(session, [item_id]):
            raise EventRefused("a plan is moderated after at least one panel member has marked it")
        rubric(svc).check(marks.ratings, marks.overall, _year_group(session, item))
        row = session.get(QaModeration, item_id) or QaModeration(item_id=item_id)
        row.moderator_id, row.ratings, row.overall = moderator, dict(marks.ratings), marks.overall
        row.feedback, row.moderated_at = marks.comments, svc.clock.now()
        session.add(row)
    return round_view(svc, round_id)


def _marked(svc: Services, items: Sequence[QaSampleItem]) -> list[Marked]:
    """The sampled plans with their marks and whether their assessment's advice was late."""
    measures.refresh(svc)
    today = svc.clock.today()
    with svc.sessions() as session:
        scores = _scores(session, [i.id for i in items])
        moderated = _moderations(session, [i.id for i in items])
        cases = sorted({i.case_id for i in items})
        facts = facts_from_projection(session, case_ids=cases) if items else []
    issues = {(f.case_id, int(f.attrs["seq"])): f for f in facts if f.kind == k.PLAN_ISSUE}
    advice: dict[tuple[int, Any], list[bool | None]] = {}
    for f in facts:
        if f.kind == k.ADVICE:
            advice.setdefault((f.case_id, f.attrs.get("request_seq")), []).append(
                timeliness(f, today)
            )
    out = []
    for i in items:
        fact = issues.get((i.case_id, i.issued_seq))
        request_seq = fact.attrs.get("request_seq") if fact else None
        verdicts = [v for v in advice.get((i.case_id, request_seq), []) if v is not None]
        late = None if not verdicts else not all(verdicts)
        issue = Issue(i.case_id, i.issued_seq, i.issued_on, i.issue, i.officer_id, i.team_id)
        marks = tuple(
            Marking(s.marker_id, s.ratings, s.overall, s.comments) for s in scores.get(i.id, [])
        )
        mod = moderated.get(i.id)
        final = Marking(mod.moderator_id, mod.ratings, mod.overall, mod.feedback) if mod else None
        out.append(Marked(i.id, issue, marks, final, late))
    return out


def round_results(svc: Services, round_id: int) -> dict[str, Any]:
    with svc.sessions() as session:
        _round(session, round_id)
        items = _items(session, round_id)
    return {"round_id": round_id, **results(_marked(svc, items), rubric(svc))}


def qa_measures(svc: Services, start: date, end: date) -> dict[str, Any]:
    """Across every round: the plans issued in [start, end] that were sampled and marked."""
    with svc.sessions() as session:
        items = list(
            session.scalars(
                select(QaSampleItem)
                .where(QaSampleItem.issued_on >= start, QaSampleItem.issued_on <= end)
                .order_by(QaSampleItem.id)
            )
        )
    return {"from": start, "to": end, **results(_marked(svc, items), rubric(svc))}


def officer_feedback(svc: Services, officer_id: int) -> list[dict[str, Any]]:
    with svc.sessions() as session:
        items = list(
            session.scalars(select(QaSampleItem).where(QaSampleItem.officer_id == officer_id))
        )
    marked = [m for m in _marked(svc, items) if m.final is not None]
    return feedback(marked, rubric(svc)).get(str(officer_id), [])


def scheduled_round(svc: Services, today: date) -> str:
    """The monthly draw: last calendar month's plans, once (a second run finds the round)."""
    end = today.replace(day=1) - timedelta(days=1)
    start = end.replace(day=1)
    with svc.sessions() as session:
        done = session.scalar(
            select(QaRound.id).where(
                QaRound.origin == "scheduled",
                QaRound.period_from == start,
                QaRound.period_to == end,
            )
        )
    if done is not None:
        return f"{start:%B %Y} already sampled (round {done})"
    spec = RoundIn(
        start, end, percent=rubric(svc).sample_percent, seed=start.year * 100 + start.month
    )
    round_id = create_round(svc, Actor.system("scheduler"), spec, origin="scheduled")
    with svc.sessions() as session:
        n = len(_items(session, round_id))
    return f"round {round_id}: {n} plan(s) of {start:%B %Y} sampled"
