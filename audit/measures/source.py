"""Read the audit log for the measures: every case's records in one ordered stream (no query per
case), folded into facts case by case."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from audit.measures.facts import CaseInfo, Fact, FoldContext
from audit.measures.fold import fold_case
from audit.measures.history import Event, effective_events
from ehcp_engine.persistence.models import AuditEvent, Case

BATCH = 5000
CHUNK = 500  # cases per IN (...) list: well inside every backend's parameter limit


@dataclass(frozen=True)
class CaseLog:
    """One case's facts and the tip of its log (its newest record), for the projection's marks."""

    case_id: int
    facts: list[Fact]
    last_audit_id: int
    last_hash: str


def case_infos(session: Session, case_ids: Sequence[int] | None = None) -> dict[int, CaseInfo]:
    query = select(
        Case.id,
        Case.reference,
        Case.rule_set,
        Case.date_of_birth,
        Case.year_group_offset,
        Case.school_structure,
    )
    found: dict[int, CaseInfo] = {}
    for ids in _chunks(case_ids):
        q = query if ids is None else query.where(Case.id.in_(ids))
        for row in session.execute(q):
            found[row.id] = CaseInfo(
                row.id,
                row.reference,
                row.rule_set,
                row.date_of_birth,
                row.year_group_offset or 0,
                row.school_structure,
            )
    return found


def _chunks(ids: Sequence[int] | None) -> Iterator[Sequence[int] | None]:
    if ids is None:
        yield None
        return
    ordered = sorted(ids)
    for start in range(0, len(ordered), CHUNK):
        yield ordered[start : start + CHUNK]


def _records(ids: Sequence[int] | None) -> Select[Any]:
    query = select(
        AuditEvent.case_id,
        AuditEvent.id,
        AuditEvent.seq,
        AuditEvent.type,
        AuditEvent.occurred_on,
        AuditEvent.data,
        AuditEvent.hash,
    ).order_by(AuditEvent.case_id, AuditEvent.seq)
    return query if ids is None else query.where(AuditEvent.case_id.in_(ids))


def case_logs(
    session: Session, ctx: FoldContext, case_ids: Sequence[int] | None = None
) -> Iterator[CaseLog]:
    """Fold every case (or the given ones) from the log, streaming the records in
    (case_id, seq) order."""
    infos = case_infos(session, case_ids)
    for ids in _chunks(case_ids):
        current: list[Event] = []
        tip: tuple[int, int, str] | None = None
        for row in session.execute(_records(ids)).yield_per(BATCH):
            if tip is not None and tip[0] != row.case_id:
                yield _fold(infos[tip[0]], current, tip, ctx)
                current = []
            current.append(Event(row.seq, row.type, row.occurred_on, row.data))
            tip = (row.case_id, row.id, row.hash)
        if tip is not None:
            yield _fold(infos[tip[0]], current, tip, ctx)


def _fold(
    info: CaseInfo, events: list[Event], tip: tuple[int, int, str], ctx: FoldContext
) -> CaseLog:
    facts = fold_case(info, effective_events(events), ctx)
    return CaseLog(info.case_id, facts, tip[1], tip[2])


def facts_from_log(
    session: Session, ctx: FoldContext, case_ids: Sequence[int] | None = None
) -> list[Fact]:
    """Every fact, recomputed from the log now (the reference the projection must equal)."""
    return [fact for log in case_logs(session, ctx, case_ids) for fact in log.facts]
