"""Measures for dashboards, CSV and the SEN2 return: the audit layer's folds wired to this
authority's configuration, with the filters (team, officer) and the projection kept current.

The dashboards read `measure_facts`, brought up to date first by an incremental refresh (only the
cases whose log grew), and the database does the counting (audit/measures/sql_report.py), so a
page view costs grouped queries, not every fact of the period in memory. The Python measures stay
the definition: `in_python` computes the report from the projection's facts and `from_log` by
folding the whole log afresh; all three must agree, which the tests check.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import or_, select
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
from audit.measures.sql_rates import Base
from audit.measures.sql_report import sql_measures_report
from audit.measures.timeliness import overdue_reviews
from ehcp_engine.domain.case import Child
from ehcp_engine.domain.errors import EventInvalid
from ehcp_engine.persistence.models import Case, MeasureFact, User
from ehcp_engine.services.context import Services
from ehcp_engine.services.measures_outcomes import headings_of, outcomes_table
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
    svc: Services,
    start: date,
    end: date,
    scope: Scope = Scope(),
    *,
    refresh_first: bool = True,
    ids: bool = False,
) -> dict[str, Any]:
    """Every measure over [start, end], counted by the database over the projection (refreshed
    incrementally first): the same figures as `from_log`, which computes them in Python. The
    cases counted in each measure (`numerator_ids` ...) come only with `ids`: at a large
    authority each list is a whole cohort."""
    period = period_of(svc, start, end)
    if refresh_first:
        refresh(svc)
    base = Base(_window(svc, period), scope.team_id, scope.officer_id)
    with svc.sessions() as session:
        report = sql_measures_report(
            session,
            period,
            base,
            settings(svc),
            svc.config.calendar,
            lambda: outcomes_table(session, svc, period, base),
            ids=ids,
        )
    report["filters"] = {"team": scope.team_id, "officer": scope.officer_id}
    report["computed_from"] = "projection"
    return report


def in_python(svc: Services, start: date, end: date, scope: Scope = Scope()) -> dict[str, Any]:
    """The dashboard as the Python measures compute it from the projection's facts (every fact
    of the window read into memory): the reference the SQL counts are tested against, cheaper
    to run than `from_log`, which folds the log too."""
    period = period_of(svc, start, end)
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
    (only cases in `visible`, when given: the actor's row-level scope). The database picks the
    overdue reviews; only those come back."""
    refresh(svc)
    base = Base((as_of, as_of), scope.team_id, scope.officer_id)
    running = base.of(
        k.ANNUAL_REVIEW,
        MeasureFact.due_on < as_of,
        or_(MeasureFact.met_on.is_(None), MeasureFact.met_on > as_of),
        or_(MeasureFact.ended_on.is_(None), MeasureFact.ended_on > as_of),
    )
    query = (
        select(MeasureFact.case_id, MeasureFact.due_on, Case.reference)
        .join(Case, Case.id == MeasureFact.case_id)
        .where(*running)
    )
    with svc.sessions() as session:
        rows = [r for r in session.execute(query) if visible is None or r[0] in visible]
    facts = [Fact(case_id, k.ANNUAL_REVIEW, "", due_on=due) for case_id, due, _ in rows]
    refs = {case_id: ref for case_id, _, ref in rows}
    return overdue_reviews(facts, as_of, settings(svc).overdue_months, refs, svc.config.calendar)


__all__ = ["headings_of"]  # re-exported: the Python reference (from_log) uses it
