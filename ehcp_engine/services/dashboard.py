"""The manager's dashboard: the daily digest's figures as a page, and monthly timeliness.

The deadlines come from the same queries as the manager's daily digest (notifications/digest.py),
so the page and the email never disagree: the manager's team's officers' cases and the
unassigned intake (every team's when the manager has none), deadlines overdue and due in the next
7 days, 20-week journeys with no draft plan by the configured week, and advice overdue by
contributing agency. The monthly figures come from the measures service, for the same team.
Only case references are shown (no child's name): the case page, which logs the read, has them.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from ehcp_engine.persistence.models import Case, Team, User
from ehcp_engine.services import measures
from ehcp_engine.services.context import Actor, Services
from ehcp_engine.services.jobs import labels as timer_labels
from ehcp_engine.services.policy import require
from notifications.digest import _at_risk, _open_deadlines, _team_officers

UNASSIGNED = "Unassigned"
# Monthly charts: (measure id in the trend, title).
CHARTS = (
    ("final_plan_20w_excl", "New plans issued within 20 weeks (excluding exceptions)"),
    ("assessment_decision_6w", "Decisions whether to assess within 6 weeks"),
    ("annual_review_12m", "Annual reviews within 12 months"),
)
MONTHS = 12


@dataclass(frozen=True)
class DeadlineLine:
    case_id: int
    reference: str
    label: str
    due_on: date
    officer: str
    team: str
    days: int  # past the due date (overdue) or until it (due this week)


@dataclass
class Dashboard:
    today: date
    week_end: date
    team: str
    at_risk_weeks: int
    overdue: list[DeadlineLine] = field(default_factory=list)
    due_this_week: list[DeadlineLine] = field(default_factory=list)
    by_officer: list[dict[str, Any]] = field(default_factory=list)
    at_risk: list[dict[str, Any]] = field(default_factory=list)
    advice_by_agency: list[dict[str, Any]] = field(default_factory=list)
    charts: list[dict[str, Any]] = field(default_factory=list)


def _teams(session: Any, officer_ids: list[int]) -> dict[int, str]:
    rows = session.execute(
        select(User.id, Team.name)
        .join(Team, Team.id == User.team_id)
        .where(User.id.in_(officer_ids))
    ).all()
    return {uid: name for uid, name in rows}


def dashboard(svc: Services, actor: Actor) -> Dashboard:
    require(actor, "dashboard.read")
    today = svc.clock.today()
    weeks = svc.reminders.at_risk_after_weeks
    labels = timer_labels(svc)
    with svc.sessions() as session:
        manager = session.get(User, actor.user_id) if actor.user_id else None
        if manager is None:
            manager = User(role="manager", team_id=actor.team_id)
        officers = _team_officers(session, manager)
        teams = _teams(session, list(officers))
        team = session.get(Team, manager.team_id) if manager.team_id else None
        rows = _open_deadlines(session, list(officers), today + timedelta(days=6))
        risk = _at_risk(session, list(officers), today, weeks)
        risk_officers = _officer_of_cases(session, [d.case_id for d, _ref in risk])
    board = Dashboard(today, today + timedelta(days=6), team.name if team else "", weeks)

    def line(d: Any, officer_id: int | None, reference: str | None) -> DeadlineLine:
        return DeadlineLine(
            case_id=d.case_id,
            reference=reference or str(d.case_id),
            label=labels.get(d.rule, d.rule),
            due_on=d.due_on,
            officer=officers.get(officer_id, UNASSIGNED) if officer_id else UNASSIGNED,
            team=teams.get(officer_id, "") if officer_id else "",
            days=abs((today - d.due_on).days),
        )

    for d, officer_id, reference, _contributor in rows:
        target = board.overdue if d.due_on < today else board.due_this_week
        target.append(line(d, officer_id, reference))
    board.by_officer = _by_officer(board)
    board.advice_by_agency = _by_agency(rows, today)
    for d, reference in risk:
        officer_id = risk_officers.get(d.case_id)
        board.at_risk.append(
            {
                "line": line(d, officer_id, reference),
                "received_on": d.starts_on,
                "at_risk_on": d.starts_on + timedelta(weeks=weeks),
            }
        )
    board.at_risk.sort(key=lambda r: r["line"].due_on)
    board.charts = timeliness_charts(svc, manager.team_id)
    return board


def _officer_of_cases(session: Any, case_ids: list[int]) -> dict[int, int | None]:
    rows = session.execute(select(Case.id, Case.officer_id).where(Case.id.in_(case_ids))).all()
    return {case_id: officer_id for case_id, officer_id in rows}


def _by_officer(board: Dashboard) -> list[dict[str, Any]]:
    counts: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for kind, lines in (("overdue", board.overdue), ("week", board.due_this_week)):
        for item in lines:
            counts[(item.team or "No team", item.officer)][kind] += 1
    return [
        {"team": team, "officer": officer, "overdue": c["overdue"], "week": c["week"]}
        for (team, officer), c in sorted(counts.items(), key=lambda kv: (-kv[1]["overdue"], kv[0]))
    ]


def _by_agency(rows: list[Any], today: date) -> list[dict[str, Any]]:
    cases: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for d, _officer, reference, contributor in rows:
        if d.rule == "advice" and d.due_on < today and contributor:
            cases[contributor].append((d.case_id, reference or str(d.case_id)))
    return [
        {"agency": agency, "count": len(listed), "cases": listed}
        for agency, listed in sorted(cases.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    ]


def _month_start(day: date, back: int) -> date:
    month = day.year * 12 + day.month - 1 - back
    return date(month // 12, month % 12 + 1, 1)


def timeliness_charts(svc: Services, team_id: int | None) -> list[dict[str, Any]]:
    """The last 12 months of each headline measure, month by month, for the team."""
    today = svc.clock.today()
    report = measures.dashboard(
        svc, _month_start(today, MONTHS - 1), today, measures.Scope(team_id=team_id)
    )
    return [
        {
            "id": measure,
            "title": title,
            "months": [
                {"month": row["month"], **row[measure]} for row in report["trend"] if measure in row
            ],
        }
        for measure, title in CHARTS
    ]
