"""The case aggregate as plain data: the child, the stages, the deadlines and advice requests.

A case's state is a pure function of its events, the child's data and the rule set
(STATUTORY.md §1), so these types carry no behaviour beyond small queries. The workflows fold
events into them; persistence stores them; replay folds again and compares.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

DEADLINE_STATUSES = ("open", "met", "missed", "missed_exception", "cancelled")
# `overdue` is a display status only: an open deadline whose due date is before today.
DISPLAY_STATUSES = (*DEADLINE_STATUSES, "overdue")


@dataclass(frozen=True)
class Child:
    given_name: str
    family_name: str
    date_of_birth: date
    upn: str | None = None
    # A recorded national curriculum year group overrides the one derived from the date of birth
    # (a child held back or moved up a year). Stored as the offset it makes, so it ages with time.
    year_group_offset: int = 0
    # The local school structure the child's schools follow (config/phase_transfer.toml);
    # None means the authority's default.
    school_structure: str | None = None


@dataclass(frozen=True)
class RecordedEvent:
    """An event as the fold sees it: already validated, with corrections applied."""

    seq: int
    type: str
    occurred_on: date
    data: dict[str, Any]


@dataclass
class Stage:
    key: str
    stage: str
    state: str
    opened_on: date
    changed_on: date
    closed_on: date | None = None
    parent_key: str | None = None

    @property
    def live(self) -> bool:
        return self.closed_on is None


@dataclass
class Deadline:
    key: str
    rule: str
    stage_key: str
    starts_on: date
    due_on: date
    source: str
    guidance: bool = False
    # The family's own window (comments, mediation, appeal): it runs out, it is never overdue.
    window: bool = False
    subject_key: str | None = None
    # The audit seq of the event that started it: a reference that survives renumbering.
    started_by: int = 0
    status: str = "open"
    met_on: date | None = None
    exception: dict[str, Any] | None = None

    def display_status(self, today: date) -> str:
        return display_status(self.status, self.due_on, self.window, today)


def display_status(status: str, due_on: date, window: bool, today: date) -> str:
    """Only display looks at today: an open deadline past due is overdue, an open window past
    its last day has run its course (met)."""
    if status == "open" and due_on < today:
        return "met" if window else "overdue"
    return status


@dataclass
class AdviceRequest:
    key: str
    stage_key: str
    advice_type: str
    contributor: str
    requested_on: date
    received_on: date | None = None
    question: str | None = None


@dataclass
class CaseState:
    rule_set_id: str
    child: Child
    request_on: date | None = None
    # The date the case opened (its first request or transfer in): nothing may be dated before.
    opened_on: date | None = None
    stages: dict[str, Stage] = field(default_factory=dict)
    deadlines: dict[str, Deadline] = field(default_factory=dict)
    advice_requests: dict[str, AdviceRequest] = field(default_factory=dict)
    counters: dict[str, int] = field(default_factory=dict)
    facts: dict[str, Any] = field(default_factory=dict)

    def next_key(self, stage: str) -> str:
        n = self.counters.get(stage, 0) + 1
        self.counters[stage] = n
        return f"{stage}-{n}"

    def latest(self, stage: str) -> Stage | None:
        """The most recently opened stage of a type (live or not)."""
        found = [s for s in self.stages.values() if s.stage == stage]
        return found[-1] if found else None

    def live_stages(self, stage: str) -> list[Stage]:
        return [s for s in self.stages.values() if s.stage == stage and s.live]
