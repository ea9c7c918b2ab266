"""Managers' daily digest and weekly summary.

The digest lists, for the manager's team (or every team when the manager has none): deadlines
overdue and due this week by officer, 20-week journeys at risk, and advice overdue by contributing
agency, each with a link to the case. Cases nobody is assigned to (the intake queue) appear in
every manager's digest under "Unassigned": a deadline with no officer is the likeliest to be
missed. One digest per manager per day: its key is unique.

The weekly summary goes on the first working day of the week (a bank-holiday Monday moves it to
Tuesday), so the job runs each weekday and acts on one of them.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, or_, select
from sqlalchemy.orm import Session, aliased, sessionmaker

from ehcp_engine.domain.calendar import StatutoryCalendar
from ehcp_engine.persistence.models import AdviceRequestRow, Case, DeadlineRow, User
from notifications.outbox import queue
from notifications.recipients import Recipient

LISTED = 15  # cases listed per section; the rest are counted


def _team_officers(session: Session, manager: User) -> dict[int, str]:
    query = select(User.id, User.name).where(User.role == "officer")
    if manager.team_id is not None:
        query = query.where(User.team_id == manager.team_id)
    return {uid: name for uid, name in session.execute(query).all()}


def _theirs(officers: Sequence[int]) -> ColumnElement[bool]:
    """The team's officers' cases and the unassigned intake."""
    return or_(Case.officer_id.in_(officers), Case.officer_id.is_(None))


def _open_deadlines(session: Session, officers: Sequence[int], until: date) -> list[Any]:
    return list(
        session.execute(
            select(DeadlineRow, Case.officer_id, Case.reference, AdviceRequestRow.contributor)
            .join(Case, Case.id == DeadlineRow.case_id)
            .outerjoin(
                AdviceRequestRow,
                and_(
                    AdviceRequestRow.case_id == DeadlineRow.case_id,
                    AdviceRequestRow.key == DeadlineRow.subject_key,
                ),
            )
            .where(DeadlineRow.status == "open", DeadlineRow.window.is_(False))
            .where(DeadlineRow.due_on <= until, _theirs(officers))
            .order_by(DeadlineRow.due_on)
        ).all()
    )


def _at_risk(session: Session, officers: Sequence[int], today: date, weeks: int) -> list[Any]:
    draft = aliased(DeadlineRow)
    drafted = exists().where(draft.case_id == DeadlineRow.case_id, draft.rule == "draft_comments")
    return list(
        session.execute(
            select(DeadlineRow, Case.reference)
            .join(Case, Case.id == DeadlineRow.case_id)
            .where(DeadlineRow.rule == "final_plan", DeadlineRow.status == "open", ~drafted)
            .where(DeadlineRow.starts_on <= today - timedelta(weeks=weeks))
            .where(_theirs(officers))
        ).all()
    )


def _line(d: DeadlineRow, reference: str, labels: dict[str, str], base_url: str) -> str:
    return (
        f"  - {reference}: {labels.get(d.rule, d.rule)} due {d.due_on} {base_url}/cases/{d.case_id}"
    )


def digest_text(
    session: Session,
    manager: User,
    today: date,
    labels: dict[str, str],
    base_url: str,
    at_risk_weeks: int,
) -> tuple[str, dict[str, Any]]:
    officers = _team_officers(session, manager)
    rows = _open_deadlines(session, list(officers), today + timedelta(days=6))
    overdue = [r for r in rows if r[0].due_on < today]
    this_week = [r for r in rows if r[0].due_on >= today]
    by_officer: dict[str, Counter[str]] = defaultdict(Counter)
    for d, officer, _ref, _c in rows:
        by_officer[officers.get(officer, "Unassigned") if officer else "Unassigned"][
            "overdue" if d.due_on < today else "week"
        ] += 1
    agencies = Counter(c for d, _o, _r, c in overdue if d.rule == "advice" and c)
    risk = _at_risk(session, list(officers), today, at_risk_weeks)
    lines = [
        f"Deadlines for {today:%A %d %B %Y}: {len(overdue)} overdue, {len(this_week)} due "
        "in the next 7 days.",
        "",
        "By officer (overdue / due this week):",
    ]
    lines += [f"  - {name}: {c['overdue']} / {c['week']}" for name, c in sorted(by_officer.items())]
    lines += ["", f"Overdue ({len(overdue)}):"]
    lines += [_line(d, ref, labels, base_url) for d, _o, ref, _c in overdue[:LISTED]]
    lines += ["", f"20 weeks at risk, no draft plan by week {at_risk_weeks} ({len(risk)}):"]
    lines += [_line(d, ref, labels, base_url) for d, ref in risk[:LISTED]]
    lines += ["", "Advice overdue by contributing agency:"]
    lines += [f"  - {agency}: {n}" for agency, n in agencies.most_common()] or ["  - none"]
    counts = {"overdue": len(overdue), "due_this_week": len(this_week), "at_risk": len(risk)}
    return "\n".join(lines), counts


def queue_daily_digests(
    sessions: sessionmaker[Session],
    *,
    today: date,
    now: datetime,
    labels: dict[str, str],
    base_url: str,
    at_risk_weeks: int,
) -> str:
    queued = 0
    with sessions.begin() as session:
        for manager in session.scalars(select(User).where(User.role == "manager", User.active)):
            text, counts = digest_text(session, manager, today, labels, base_url, at_risk_weeks)
            if queue(
                session,
                key=f"digest:{manager.id}:{today}",
                template="manager_digest",
                payload={"text": text, **counts},
                recipient=Recipient.of(manager),
                now=now,
                link=f"{base_url}/dashboard",
                kind="digest",
            ):
                queued += 1
    return f"queued {queued} daily digests"


def first_working_day_of_week(today: date, calendar: StatutoryCalendar) -> bool:
    monday = today - timedelta(days=today.weekday())
    days = [monday + timedelta(days=n) for n in range(today.weekday() + 1)]
    return [d for d in days if calendar.is_working_day(d)][:1] == [today]


def queue_weekly_summaries(
    sessions: sessionmaker[Session], *, today: date, now: datetime, base_url: str
) -> str:
    """Deadlines settled in the last 7 days: met on time and missed, by timer."""
    since = today - timedelta(days=7)
    queued = 0
    with sessions.begin() as session:
        settled = session.execute(
            select(DeadlineRow.rule, DeadlineRow.status)
            .where(DeadlineRow.met_on >= since, DeadlineRow.met_on < today)
            .where(DeadlineRow.window.is_(False))
        ).all()
        met = Counter(rule for rule, status in settled if status == "met")
        missed = Counter(rule for rule, status in settled if status != "met")
        text = "\n".join(
            [
                f"Week to {today - timedelta(days=1)}: {sum(met.values())} deadlines met, "
                f"{sum(missed.values())} met late."
            ]
            + [
                f"  - {rule}: {met[rule]} on time, {missed[rule]} late"
                for rule in sorted(set(met) | set(missed))
            ]
        )
        headline = f"{sum(met.values())} met, {sum(missed.values())} late"
        for manager in session.scalars(select(User).where(User.role == "manager", User.active)):
            if queue(
                session,
                key=f"weekly:{manager.id}:{today}",
                template="weekly_summary",
                payload={"text": text, "headline": headline},
                recipient=Recipient.of(manager),
                now=now,
                link=f"{base_url}/dashboard",
                kind="digest",
            ):
                queued += 1
    return f"queued {queued} weekly summaries"
