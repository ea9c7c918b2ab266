"""Replay: rebuild every case from its audit log and compare with what is stored.

The fold that replay runs is the write path's own (`workflows.journey.fold`), so a difference
means stored rows were changed outside the write path, or the rules changed under a case.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import select

from audit import log as audit_log
from ehcp_engine.domain.errors import DomainError
from ehcp_engine.persistence.models import Case
from ehcp_engine.services.context import Services
from ehcp_engine.services.history import effective_history
from ehcp_engine.services.projection import differences, rows_snapshot, state_snapshot
from ehcp_engine.services.write_path import child_of
from workflows.journey import fold


@dataclass(frozen=True)
class ReplayReport:
    cases: int
    events: int
    differences: list[str]


def replay_case(svc: Services, case_id: int) -> tuple[int, list[str]]:
    """(events folded, differences) for one case."""
    with svc.sessions() as session:
        row = session.get(Case, case_id)
        if row is None:
            return 0, [f"case {case_id}: not found"]
        records = audit_log.history(session, case_id)
        law = svc.config.law(row.rule_set)
        try:
            state = fold(child_of(row), law, effective_history(records))
        except DomainError as err:
            return len(records), [f"case {case_id}: the log no longer folds: {err}"]
        diffs = differences(rows_snapshot(session, case_id), state_snapshot(state))
    return len(records), [f"case {case_id}: {d}" for d in diffs]


def case_ids(svc: Services) -> Iterator[int]:
    with svc.sessions() as session:
        yield from session.scalars(select(Case.id).order_by(Case.id)).all()


def replay_all(svc: Services) -> ReplayReport:
    cases = events = 0
    found: list[str] = []
    for case_id in case_ids(svc):
        n, diffs = replay_case(svc, case_id)
        cases, events = cases + 1, events + n
        found += diffs
    return ReplayReport(cases=cases, events=events, differences=found)
