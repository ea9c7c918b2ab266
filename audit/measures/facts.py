"""Measure facts: what one case's log says about each thing a measure counts.

A fact is one timed act or one counted occurrence: a request received, a decision due and made,
a plan issued, a review, an advice request, an order step, a mediation, an appeal. Each carries
the dates a measure needs (`start_on` the day zero, `due_on`, `met_on` when done, `ended_on` when
it stopped running undone) and a few attributes. Facts are a pure function of the case's log and
the configuration, so the `measure_facts` projection and a fresh fold of the log hold the same
rows, and every measure is computed the same way from either.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ehcp_engine.domain.calendar import StatutoryCalendar
from ehcp_engine.domain.rules import RuleBook

# Fact kinds (the `kind` column of measure_facts).
REQUEST = "request"
ASSESSMENT_DECISION = "assessment_decision"
NO_PLAN = "no_plan_notice"
FINAL_PLAN = "final_plan"
PLAN_ISSUE = "plan_issue"
PLAN = "plan"
ANNUAL_REVIEW = "annual_review"
REVIEW = "review"
AMENDED_PLAN = "amended_plan"
PHASE_TRANSFER = "phase_transfer"
ADVICE = "advice"
ORDER_STEP = "order_step"
MEDIATION = "mediation"
APPEAL = "appeal"


@dataclass(frozen=True)
class Fact:
    case_id: int
    kind: str
    key: str
    start_on: date | None = None
    due_on: date | None = None
    met_on: date | None = None
    ended_on: date | None = None
    exception: bool = False
    attrs: Mapping[str, Any] = field(default_factory=dict)

    def on_time(self) -> bool:
        return self.met_on is not None and self.due_on is not None and self.met_on <= self.due_on

    def as_row(self) -> dict[str, Any]:
        return {
            "case_id": self.case_id,
            "kind": self.kind,
            "key": self.key,
            "start_on": self.start_on,
            "due_on": self.due_on,
            "met_on": self.met_on,
            "ended_on": self.ended_on,
            "exception": self.exception,
            "attrs": dict(self.attrs),
        }


@dataclass(frozen=True)
class CaseInfo:
    """The case row's data the fold needs besides the log."""

    case_id: int
    reference: str | None
    rule_set: str
    date_of_birth: date
    year_group_offset: int = 0
    school_structure: str | None = None


@dataclass(frozen=True)
class TransferWindow:
    """One phase transfer ahead of a child (Reg 18(1)), as the engine's timer computes it."""

    kind: str
    from_year: int
    transfer_on: date
    starts_on: date
    due_on: date


# (case, the day the plan came into force) -> the phase transfers it must meet. The service layer
# passes the workflows' own calculator, so the measure and the live deadline share one rule.
TransferSchedule = Callable[[CaseInfo, date], Sequence[TransferWindow]]


@dataclass(frozen=True)
class FoldContext:
    calendar: StatutoryCalendar
    rule_book: RuleBook
    transfers: TransferSchedule
