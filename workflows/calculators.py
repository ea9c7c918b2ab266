"""Due dates no single calendar unit expresses (`calculator` in config/rules/*.toml).

Each returns the deadlines the rule starts as (key suffix, starts_on, due_on): none when the timer
does not apply to this case, several when one event makes several knowable at once.
"""

from __future__ import annotations

from datetime import date
from typing import Protocol

from ehcp_engine.domain.case import CaseState, RecordedEvent
from ehcp_engine.domain.law import Law
from workflows.phase_transfer import future_transfers

Due = list[tuple[str, date, date]]


class Calculator(Protocol):
    def __call__(self, *, case: CaseState, event: RecordedEvent, anchor: date, law: Law) -> Due: ...


def appeal_window(*, case: CaseState, event: RecordedEvent, anchor: date, law: Law) -> Due:
    """HESC r.20: two months from the decision notice (or one month from a mediation
    certificate, if later; recomputed when one is issued), with the r.12(3) roll-over of a last
    day falling 25 Dec–1 Jan or in August."""
    cal = law.calendar
    return [("", anchor, cal.tribunal_last_day(cal.add_months(anchor, 2)))]


def phase_transfer(*, case: CaseState, event: RecordedEvent, anchor: date, law: Law) -> Due:
    """Reg 18(1): one deadline per phase transfer still ahead of the child on the event's date,
    keyed by its kind (e.g. `phase_transfer.primary_to_secondary:plan-1`), live from 12 months
    before the transfer. See workflows.phase_transfer for the years and the long-stops."""
    return [
        (f".{t.kind}", t.starts_on, t.due_on) for t in future_transfers(case.child, anchor, law)
    ]


def transfer_plan_sent(*, case: CaseState, event: RecordedEvent, anchor: date, law: Law) -> Due:
    """Reg 15(2): the day of the move with 15 working days' notice, else 15 working days."""
    moves_on = event.data.get("moves_on")
    notice_ends = law.calendar.add_working_days(anchor, 15)
    if moves_on is None:
        return [("", anchor, notice_ends)]
    move = date.fromisoformat(str(moves_on))
    return [("", anchor, move if move >= notice_ends else notice_ends)]


def transfer_review(*, case: CaseState, event: RecordedEvent, anchor: date, law: Law) -> Due:
    """Reg 15(5): the later of 12 months from the last review (or issue) and 3 months from the
    transfer."""
    cal = law.calendar
    last = event.data.get("last_review_on") or event.data.get("plan_issued_on")
    three_months = cal.add_months(anchor, 3)
    if last is None:
        return [("", anchor, three_months)]
    twelve = cal.add_months(date.fromisoformat(str(last)), 12)
    return [("", anchor, max(twelve, three_months))]


def order_steps(*, case: CaseState, event: RecordedEvent, anchor: date, law: Law) -> Due:
    """Order timers are counted per step from the rule's `steps`; never called directly."""
    return []
