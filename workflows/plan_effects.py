"""Effects of events in a plan's life: issue, transfer in, reviews, amendments, ceasing.

Act ss.37, 44-45, 47; Regs 15, 18-31.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ehcp_engine.domain.case import CaseState, RecordedEvent, Stage
from ehcp_engine.domain.errors import EventRefused
from ehcp_engine.domain.law import Law
from workflows.stages import JOURNEY_STAGES, close_live, open_stage
from workflows.timers import Scope, settle


def open_transfer_in(case: CaseState, ev: RecordedEvent) -> Scope:
    """Reg 15: a plan transferred in from another authority is maintained from the transfer; the
    first review here is the Reg 15(5) transfer review."""
    if case.live_stages("plan") or any(case.live_stages(s) for s in JOURNEY_STAGES):
        raise EventRefused("the case already has a plan or a request in progress")
    if str(ev.data["plan_issued_on"]) > ev.occurred_on.isoformat():
        raise EventRefused("the plan cannot have been issued after it was transferred")
    if str(ev.data["plan_issued_on"]) < case.child.date_of_birth.isoformat():
        raise EventRefused("the plan cannot have been issued before the child was born")
    plan_key = open_stage(case, "plan", ev)
    open_stage(case, "annual_review", ev, parent=plan_key)
    case.facts.update(
        from_la=ev.data.get("from_la"),
        plan_issued_on=str(ev.data["plan_issued_on"]),
        transferred_in_on=ev.occurred_on.isoformat(),
    )
    return Scope(plan_key)


def _final_plan_issued(
    case: CaseState, ev: RecordedEvent, stage: Stage, scope: Scope, law: Law
) -> Scope:
    """Act s.37: the plan is in force from issue; its first review cycle opens at once."""
    plan_key = open_stage(case, "plan", ev, parent=stage.key)
    open_stage(case, "annual_review", ev, parent=plan_key)
    case.facts.update(
        named_setting=ev.data.get("named_setting"), plan_issued_on=ev.occurred_on.isoformat()
    )
    return Scope(plan_key)


def _meeting_scheduled(case: CaseState, ev: RecordedEvent, stage: Stage) -> Scope:
    """A rescheduled meeting replaces the old date's 2-week checks (Regs 20(3)-(4))."""
    if stage.state == "scheduled":
        for d in case.deadlines.values():
            if (
                d.stage_key == stage.key
                and d.rule in ("review_invitations", "review_advice_circulated")
                and d.status == "open"
            ):
                settle(d, ev.occurred_on, "cancelled")
    return Scope(stage.key, f"{stage.key}/meeting-{ev.seq}")


def _review_decided(
    case: CaseState, ev: RecordedEvent, stage: Stage, scope: Scope, law: Law
) -> Scope:
    """Act s.44: the next review cycle runs from the date this decision was notified."""
    open_stage(case, "annual_review", ev, parent=stage.parent_key)
    return scope


def _amended(case: CaseState, ev: RecordedEvent, stage: Stage, scope: Scope, law: Law) -> Scope:
    if ev.data.get("named_setting"):
        case.facts["named_setting"] = ev.data["named_setting"]
    return scope


def _cease_decided(case: CaseState, ev: RecordedEvent, stage: Stage) -> Scope:
    # The plan-ceased guard waits for this decision's appeal window (Act s.45(2); Reg 31).
    case.facts["cease_decision"] = f"decision-{ev.seq}"
    return Scope(stage.key)


def _plan_ended(case: CaseState, ev: RecordedEvent, stage: Stage, scope: Scope, law: Law) -> Scope:
    """A ceased or transferred-out plan has no more reviews here."""
    close_live(case, "annual_review", "cancelled", ev)
    return scope


OPENERS: dict[str, Callable[[CaseState, RecordedEvent], Scope]] = {
    "plan_transferred_in": open_transfer_in,
}
BEFORE: dict[str, Any] = {
    "review_meeting_scheduled": _meeting_scheduled,
    "cease_decided": _cease_decided,
}
AFTER: dict[str, Any] = {
    "final_plan_issued": _final_plan_issued,
    "review_decision_notified": _review_decided,
    "amended_plan_issued": _amended,
    "plan_ceased": _plan_ended,
    "plan_transferred_out": _plan_ended,
}
