"""The `measure_facts` projection, refreshed incrementally so dashboards never scan the log.

A refresh folds again only the cases whose log has grown since they were last folded: those with
an audit record above the watermark (the newest record id folded so far) and not already folded
to it. Each case's mark keeps the id and hash of the newest record folded. `reconcile=True` also
compares every case's chain tip (`cases.last_hash`) with its mark, which catches a record whose
transaction committed after a later-numbered one had already been folded (PostgreSQL hands out
ids at insert, not at commit); the scheduled job runs it.

Refreshes are serialised by their first statement, an UPDATE of the watermark row, and work in
chunks of cases, each its own short transaction, so the write path is never held up for long.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, delete, func, insert, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from audit.measures.facts import Fact, FoldContext
from audit.measures.source import CHUNK, case_logs
from ehcp_engine.persistence.models import (
    AuditEvent,
    Case,
    MeasureCase,
    MeasureFact,
    MeasureWatermark,
)

WATERMARK = "facts"


@dataclass(frozen=True)
class RefreshReport:
    cases: int
    facts: int
    watermark: int

    def __str__(self) -> str:
        return (
            f"refolded {self.cases} case(s) into {self.facts} fact(s); watermark {self.watermark}"
        )


def _lock(session: Session, now: datetime) -> int:
    """Take the refresh lock (the watermark row) and return the watermark."""
    session.execute(
        update(MeasureWatermark).where(MeasureWatermark.name == WATERMARK).values(refreshed_at=now)
    )
    found = session.get(MeasureWatermark, WATERMARK)
    if found is None:  # a database built before the row existed: make it
        found = MeasureWatermark(name=WATERMARK, audit_id=0, refreshed_at=now)
        session.add(found)
        session.flush()
    return found.audit_id


def _grown(session: Session, watermark: int) -> list[tuple[int, int]]:
    """(case, newest record id) for cases with a record above the watermark that their mark
    does not cover yet, in order of that newest id: every case whose newest record is below the
    last one returned is in the list, so the watermark may move up to it afterwards."""
    newest = (
        select(AuditEvent.case_id, func.max(AuditEvent.id).label("top"))
        .where(AuditEvent.id > watermark)
        .group_by(AuditEvent.case_id)
        .subquery()
    )
    query = (
        select(newest.c.case_id, newest.c.top)
        .outerjoin(MeasureCase, MeasureCase.case_id == newest.c.case_id)
        .where(or_(MeasureCase.case_id.is_(None), MeasureCase.audit_id < newest.c.top))
        .order_by(newest.c.top)
        .limit(CHUNK)
    )
    return [(int(case_id), int(top)) for case_id, top in session.execute(query)]


def _diverged(session: Session) -> list[int]:
    """Cases whose chain tip is not the one their mark recorded (or that have no mark)."""
    query = (
        select(Case.id)
        .outerjoin(MeasureCase, MeasureCase.case_id == Case.id)
        .where(
            Case.last_hash != "",
            or_(MeasureCase.case_id.is_(None), MeasureCase.last_hash != Case.last_hash),
        )
        .order_by(Case.id)
        .limit(CHUNK)
    )
    return list(session.scalars(query))


def _refold(session: Session, ctx: FoldContext, case_ids: Sequence[int]) -> tuple[int, int]:
    """Replace the facts and marks of these cases; return (facts written, newest record id)."""
    session.execute(delete(MeasureFact).where(MeasureFact.case_id.in_(case_ids)))
    session.execute(delete(MeasureCase).where(MeasureCase.case_id.in_(case_ids)))
    rows: list[dict[str, Any]] = []
    marks: list[dict[str, Any]] = []
    for log in case_logs(session, ctx, case_ids):
        rows.extend(fact.as_row() for fact in log.facts)
        marks.append(
            {"case_id": log.case_id, "audit_id": log.last_audit_id, "last_hash": log.last_hash}
        )
    if rows:
        session.execute(insert(MeasureFact), rows)
    if marks:
        session.execute(insert(MeasureCase), marks)
    return len(rows), max((m["audit_id"] for m in marks), default=0)


def _set_watermark(session: Session, audit_id: int) -> None:
    session.execute(
        update(MeasureWatermark)
        .where(MeasureWatermark.name == WATERMARK, MeasureWatermark.audit_id < audit_id)
        .values(audit_id=audit_id)
    )


def _watermark(session: Session) -> int:
    found = session.scalar(
        select(MeasureWatermark.audit_id).where(MeasureWatermark.name == WATERMARK)
    )
    return int(found or 0)


def refresh_measures(
    sessions: sessionmaker[Session], ctx: FoldContext, now: datetime, *, reconcile: bool = False
) -> RefreshReport:
    """Bring measure_facts up to date with the log; safe to run twice or concurrently. With
    nothing new it only reads (a dashboard's page view takes no write lock)."""
    cases = facts = 0
    while True:
        with sessions() as session:
            if not _grown(session, _watermark(session)):
                break
        with sessions.begin() as session:
            grown = _grown(session, _lock(session, now))  # again, now holding the lock
            if grown:
                facts += _refold(session, ctx, [case_id for case_id, _ in grown])[0]
                _set_watermark(session, max(top for _, top in grown))
        cases += len(grown)
    while reconcile:
        with sessions.begin() as session:
            _lock(session, now)
            diverged = _diverged(session)
            written, newest = _refold(session, ctx, diverged) if diverged else (0, 0)
        if not newest:
            break
        cases, facts = cases + len(diverged), facts + written
    with sessions() as session:
        return RefreshReport(cases, facts, _watermark(session))


def facts_from_projection(
    session: Session,
    window: tuple[date, date] | None = None,
    case_ids: Sequence[int] | None = None,
) -> list[Fact]:
    """The projected facts; with a window, only those a measure over it can look at; with case
    ids, only those cases' (a short list: it goes into one IN clause)."""
    m = MeasureFact
    # Columns, not ORM objects: a large authority has hundreds of thousands of facts.
    query = select(
        m.case_id, m.kind, m.key, m.start_on, m.due_on, m.met_on, m.ended_on, m.exception, m.attrs
    ).order_by(m.case_id, m.id)
    if case_ids is not None:
        query = query.where(MeasureFact.case_id.in_(case_ids))
    if window is not None:
        query = query.where(window_clause(*window))
    return [Fact(*row) for row in session.execute(query)]


def window_clause(lo: date, hi: date) -> ColumnElement[bool]:
    """The facts a measure over the window can look at: a date of theirs in it, or running
    through it."""
    m = MeasureFact
    return or_(
        m.start_on.between(lo, hi),
        m.due_on.between(lo, hi),
        m.met_on.between(lo, hi),
        m.ended_on.between(lo, hi),
        and_(
            m.start_on <= hi,
            or_(m.met_on.is_(None), m.met_on >= lo),
            or_(m.ended_on.is_(None), m.ended_on >= lo),
        ),
    )


def in_window(fact: Fact, window: tuple[date, date]) -> bool:
    """The same selection as `facts_from_projection`'s window, for facts folded from the log."""
    lo, hi = window
    dates = (fact.start_on, fact.due_on, fact.met_on, fact.ended_on)
    if any(d is not None and lo <= d <= hi for d in dates):
        return True
    return (
        fact.start_on is not None
        and fact.start_on <= hi
        and (fact.met_on is None or fact.met_on >= lo)
        and (fact.ended_on is None or fact.ended_on >= lo)
    )
