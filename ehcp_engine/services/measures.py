"""Measures for dashboards, CSV and the SEN2 return: the audit layer's folds wired to this
authority's configuration, with the filters (team, officer) and the projection kept current.

The dashboards read `measure_facts`, brought up to date first by an incremental refresh (only the
cases whose log grew). `from_log` computes the same report by folding the whole log afresh: the
two must agree, which the tests check.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from audit.measures import facts as k
from audit.measures.facts import CaseInfo, Fact, FoldContext, TransferWindow
from audit.measures.local import HeadingsOf
from audit.measures.projection import (
    RefreshReport,
    facts_from_projection,
    in_window,
    refresh_measures,
)
from audit.measures.rates import Period
from audit.measures.report import (
    MeasureSettings,
    load_measure_settings,
    measures_report,
    report_csv,
)
from audit.measures.source import facts_from_log
from audit.measures.timeliness import overdue_reviews
from ehcp_engine.domain.case import Child
from ehcp_engine.domain.errors import EventInvalid
from ehcp_engine.domain.plan_content import PlanContent
from ehcp_engine.persistence.models import Case, PlanVersion, User
from ehcp_engine.services.context import Services
from ehcp_engine.services.plan_progress import NO_HEADING, UNMATCHED
from ehcp_engine.services.plans import framework
from workflows.phase_transfer import future_transfers


@dataclass(frozen=True)
class Scope:
    """Which cases a measure covers: all, a team's (its officers' cases) or one officer's."""

    team_id: int | None = None
    officer_id: int | None = None


@dataclass(frozen=True)
class Owner:
    officer_id: int | None
    team_id: int | None
    reference: str | None


def fold_context(svc: Services) -> FoldContext:
    def transfers(case: CaseInfo, on: date) -> list[TransferWindow]:
        child = Child(
            given_name="",
            family_name="",
            date_of_birth=case.date_of_birth,
            year_group_offset=case.year_group_offset,
            school_structure=case.school_structure,
        )
        law = svc.config.law(case.rule_set)
        return [
            TransferWindow(t.kind, t.from_year, t.transfer_on, t.starts_on, t.due_on)
            for t in future_transfers(child, on, law)
        ]

    return FoldContext(svc.config.calendar, svc.config.rule_book, transfers)


def settings(svc: Services) -> MeasureSettings:
    return load_measure_settings(svc.settings.config_dir / "measures.toml")


def refresh(svc: Services, *, reconcile: bool = False) -> RefreshReport:
    return refresh_measures(svc.sessions, fold_context(svc), svc.clock.now(), reconcile=reconcile)


def owners(session: Session) -> dict[int, Owner]:
    """Each case's officer, the officer's team and the case reference (one query)."""
    rows = session.execute(
        select(Case.id, Case.officer_id, User.team_id, Case.reference).outerjoin(
            User, User.id == Case.officer_id
        )
    )
    return {row[0]: Owner(row[1], row[2], row[3]) for row in rows}


def _in_scope(facts: Sequence[Fact], who: dict[int, Owner], scope: Scope) -> list[Fact]:
    def keep(case_id: int) -> bool:
        owner = who.get(case_id, Owner(None, None, None))
        if scope.officer_id is not None and owner.officer_id != scope.officer_id:
            return False
        return scope.team_id is None or owner.team_id == scope.team_id

    return [f for f in facts if keep(f.case_id)]


def period_of(svc: Services, start: date, end: date) -> Period:
    if end < start:
        raise EventInvalid("to", f"the period ends ({end}) before it starts ({start})")
    return Period(start, end, min(end, svc.clock.today()))


def _window(svc: Services, period: Period) -> tuple[date, date]:
    """Every date a measure over the period looks at (12 months back for 'reviewed in the last
    12 months')."""
    return svc.config.calendar.add_months(period.start, -12), period.end


def dashboard(
    svc: Services, start: date, end: date, scope: Scope = Scope(), *, refresh_first: bool = True
) -> dict[str, Any]:
    """Every measure over [start, end] from the projection (refreshed incrementally first)."""
    period = period_of(svc, start, end)
    if refresh_first:
        refresh(svc)
    with svc.sessions() as session:
        facts = _in_scope(
            facts_from_projection(session, _window(svc, period)), owners(session), scope
        )
        headings = headings_of(session, svc, facts)
    return _report(svc, facts, period, scope, headings, "projection")


def from_log(svc: Services, start: date, end: date, scope: Scope = Scope()) -> dict[str, Any]:
    """The same report, folded from the whole audit log now (no projection)."""
    period = period_of(svc, start, end)
    window = _window(svc, period)
    with svc.sessions() as session:
        everything = facts_from_log(session, fold_context(svc))
        facts = _in_scope([f for f in everything if in_window(f, window)], owners(session), scope)
        headings = headings_of(session, svc, facts)
    return _report(svc, facts, period, scope, headings, "audit log")


def _report(
    svc: Services,
    facts: Sequence[Fact],
    period: Period,
    scope: Scope,
    headings: HeadingsOf,
    source: str,
) -> dict[str, Any]:
    report = measures_report(facts, period, settings(svc), svc.config.calendar, headings)
    report["filters"] = {"team": scope.team_id, "officer": scope.officer_id}
    report["computed_from"] = source
    return report


def dashboard_csv(svc: Services, start: date, end: date, scope: Scope = Scope()) -> str:
    return report_csv(dashboard(svc, start, end, scope))


def overdue(
    svc: Services, as_of: date, scope: Scope = Scope(), visible: set[int] | None = None
) -> dict[str, Any]:
    """Annual reviews overdue on `as_of` by more than 6, 12 and 24 months, listed by case
    (only cases in `visible`, when given: the actor's row-level scope)."""
    refresh(svc)
    with svc.sessions() as session:
        who = owners(session)
        facts = facts_from_projection(session, (as_of, as_of))
    facts = [f for f in _in_scope(facts, who, scope) if visible is None or f.case_id in visible]
    refs = {case_id: o.reference for case_id, o in who.items()}
    return overdue_reviews(facts, as_of, settings(svc).overdue_months, refs, svc.config.calendar)


def headings_of(session: Session, svc: Services, facts: Sequence[Fact]) -> HeadingsOf:
    """Map each rated outcome to its headings in the local outcomes framework, through the
    plan version in force at the review meeting (read in one query for all the cases)."""
    rated = {f.case_id for f in facts if f.kind == k.REVIEW and f.attrs.get("progress")}
    if not rated:
        return lambda case_id, seq, outcome: [UNMATCHED]
    issued = {(f.case_id, int(f.attrs["seq"])): f.met_on for f in facts if f.kind == k.PLAN_ISSUE}
    meetings = {(f.case_id, int(f.attrs["seq"])): f.start_on for f in facts if f.kind == k.REVIEW}
    versions = session.scalars(
        select(PlanVersion)
        .where(
            PlanVersion.case_id.in_(sorted(rated)),
            PlanVersion.status == "issued",
            PlanVersion.issued_seq.is_not(None),
        )
        .order_by(PlanVersion.case_id, PlanVersion.number)
    ).all()
    by_case: dict[int, list[tuple[date, int, PlanContent]]] = {}
    for v in versions:
        on = issued.get((v.case_id, int(v.issued_seq or 0)))
        if on is not None:
            content = PlanContent.model_validate(v.content)
            by_case.setdefault(v.case_id, []).append((on, int(v.issued_seq or 0), content))
    canonical = framework(svc).canonical

    def lookup(case_id: int, seq: int, outcome: str) -> list[str]:
        met = meetings.get((case_id, seq))
        plans = [p for on, s, p in by_case.get(case_id, []) if met and (on, s) <= (met, seq)]
        if not plans:
            return [UNMATCHED]
        wanted = outcome.strip().casefold()
        for o in plans[-1].e:
            if o.id == outcome or o.description.strip().casefold() == wanted:
                return [canonical(h) or h for h in o.headings] or [NO_HEADING]
        return [UNMATCHED]

    return lookup
