"""Due dates no single calendar unit expresses (`calculator` in config/rules/*.toml).

Each returns the due date, or None when the timer does not apply to this case (yet).
"""

from __future__ import annotations

from datetime import date

from ehcp_engine.domain.calendar import StatutoryCalendar
from ehcp_engine.domain.case import CaseState, RecordedEvent


def appeal_window(
    *, case: CaseState, event: RecordedEvent, anchor: date, calendar: StatutoryCalendar
) -> date | None:
    """HESC r.20: two months from the decision notice (or one month from a mediation
    certificate, if later; recomputed when one is issued), with the r.12(3) roll-over of a last
    day falling 25 Dec–1 Jan or in August."""
    return calendar.tribunal_last_day(calendar.add_months(anchor, 2))


def phase_transfer(
    *, case: CaseState, event: RecordedEvent, anchor: date, calendar: StatutoryCalendar
) -> date | None:
    """Reg 18(1): computed from the child's transfer years (whole-lifecycle work)."""
    return None


def transfer_plan_sent(
    *, case: CaseState, event: RecordedEvent, anchor: date, calendar: StatutoryCalendar
) -> date | None:
    """Reg 15(2): the day of the move with 15 working days' notice, else 15 working days."""
    moves_on = event.data.get("moves_on")
    notice_ends = calendar.add_working_days(anchor, 15)
    if moves_on is None:
        return notice_ends
    move = date.fromisoformat(str(moves_on))
    return move if move >= notice_ends else notice_ends


def transfer_review(
    *, case: CaseState, event: RecordedEvent, anchor: date, calendar: StatutoryCalendar
) -> date | None:
    """Reg 15(5): the later of 12 months from the last review (or issue) and 3 months from the
    transfer."""
    last = event.data.get("last_review_on") or event.data.get("plan_issued_on")
    three_months = calendar.add_months(anchor, 3)
    if last is None:
        return three_months
    return max(calendar.add_months(date.fromisoformat(str(last)), 12), three_months)


def order_steps(
    *, case: CaseState, event: RecordedEvent, anchor: date, calendar: StatutoryCalendar
) -> date | None:
    """Order timers are counted per step from the rule's `steps`; never called directly."""
    return None
