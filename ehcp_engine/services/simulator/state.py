"""What the simulator keeps of each case's engine state, mirrored from the events it recorded,
and the preconditions planned acts check before acting (so they wait instead of being refused).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from ehcp_engine.services.simulator.world import APPEALABLE, CaseSim, Sim

_PLAN_STATES = {
    # The engine keeps the plan maintained until it goes; the simulator starts nothing new.
    "plan_transfer_notified": "moving",
    "reassessment_requested": "reassess_requested",
    "reassessment_agreed": "reassessing",
    "reassessment_refused": "maintained",
    "cease_proposed": "ceasing",
    "cease_decided": "cease_decided",
    "plan_ceased": "ended",
    "plan_transferred_out": "ended",
}
_REVIEW_STATES = {"review_meeting_scheduled": "scheduled", "review_meeting_held": "held"}
_NO_PLAN = ("none", "ended")
_ENDS_A_JOURNEY = frozenset({"assessment_refused", "plan_refused", "request_withdrawn"})


def mirror(sim: Sim, case: CaseSim, kind: str, data: Mapping[str, Any]) -> None:
    """Update the case's mirrored state after an accepted event."""
    today = sim.today
    if kind in _PLAN_STATES:
        case.plan = _PLAN_STATES[kind]
    if kind in _REVIEW_STATES:
        case.review = _REVIEW_STATES[kind]
    handler = _HANDLERS.get(kind)
    if handler is not None:
        handler(case, data, today)
    ends = kind in ("plan_ceased", "plan_transferred_out") or kind in _ENDS_A_JOURNEY
    if ends and case.officer is not None:
        case.officer.load = max(0, case.officer.load - 1)
    if kind in APPEALABLE or (kind == "review_decision_notified" and data["outcome"] == "maintain"):
        cal = sim.svc.config.calendar
        case.last_appealable = case.seq
        case.decisions[case.seq] = (kind, today)
        case.windows[case.seq] = cal.tribunal_last_day(cal.add_months(today, 2))
    if kind == "mediation_certificate_issued" and case.dispute in case.decisions:
        cal = sim.svc.config.calendar
        decided = case.decisions[case.dispute][1]
        later = max(cal.add_months(decided, 2), cal.add_months(today, 1))
        case.windows[case.dispute] = cal.tribunal_last_day(later)


def _request(case: CaseSim, data: Mapping[str, Any], today: date) -> None:
    case.requests += 1
    case.request_on = today


def _advice(case: CaseSim, data: Mapping[str, Any], today: date) -> None:
    case.advice += 1


def _plan_issued(case: CaseSim, data: Mapping[str, Any], today: date) -> None:
    case.plan, case.review, case.last_decision = "maintained", "idle", today
    case.named_setting = str(data.get("named_setting") or case.named_setting)


def _transferred_in(case: CaseSim, data: Mapping[str, Any], today: date) -> None:
    case.plan, case.review = "maintained", "idle"
    last = data.get("last_review_on") or data["plan_issued_on"]
    case.last_decision = date.fromisoformat(str(last))


def _decided(case: CaseSim, data: Mapping[str, Any], today: date) -> None:
    case.review = "amending" if data["outcome"] == "amend" else "idle"
    case.last_decision = today
    if data["outcome"] == "cease" and case.plan == "maintained":
        case.plan = "to_cease"  # the engine's plan is maintained until cease_proposed


def _amended(case: CaseSim, data: Mapping[str, Any], today: date) -> None:
    if case.review == "amending":
        case.review = "idle"
    elif case.plan == "reassessing":
        case.plan = "maintained"
    case.named_setting = str(data.get("named_setting") or case.named_setting)


def _cease_decided(case: CaseSim, data: Mapping[str, Any], today: date) -> None:
    case.cease_seq = case.seq


def _appeal(case: CaseSim, data: Mapping[str, Any], today: date) -> None:
    case.appeal_live = True


def _appeal_over(case: CaseSim, data: Mapping[str, Any], today: date) -> None:
    """An order or a concession reopens what the disputed decision closed (Reg 44)."""
    case.appeal_live = False
    order = data.get("order")
    decided = case.decisions.get(int(data.get("decision_seq") or 0), ("", today))[0]
    if order == "continue" and case.plan in ("ceasing", "cease_decided"):
        case.plan = "maintained"
    if order == "assess" and decided == "reassessment_refused" and case.plan not in _NO_PLAN:
        case.plan = "reassess_requested"


_HANDLERS: dict[str, Callable[[CaseSim, Mapping[str, Any], date], None]] = {
    "request_received": _request,
    "advice_requested": _advice,
    "final_plan_issued": _plan_issued,
    "plan_transferred_in": _transferred_in,
    "review_decision_notified": _decided,
    "amended_plan_issued": _amended,
    "cease_decided": _cease_decided,
    "appeal_registered": _appeal,
    "tribunal_order_made": _appeal_over,
    "appeal_withdrawn": _appeal_over,
    "appeal_conceded": _appeal_over,
}


def _plan_ok(case: CaseSim) -> str:
    if case.plan in ("ended", "none"):
        return "drop"
    return "go" if case.plan == "maintained" else "wait"


def _can_amend(case: CaseSim) -> str:
    if case.plan in ("ended", "none"):
        return "drop"
    if case.plan in ("maintained", "reassessing") and case.review != "amending":
        return "go"
    return "wait"


def _can_reassess(case: CaseSim) -> str:
    if case.plan in ("ended", "none"):
        return "drop"
    return "go" if case.plan == "maintained" and case.review == "idle" else "wait"


def _quiet(case: CaseSim) -> str:
    quiet = case.plan == "maintained" and case.review == "idle" and case.dispute is None
    return "go" if quiet else "drop"


def _reassessed(case: CaseSim) -> str:
    """The plan after a reassessment: once no review is amending (it would take the plan)."""
    if case.plan != "reassessing":
        return "drop"
    return "wait" if case.review == "amending" else "go"


CHECKS: dict[str, Callable[[CaseSim], str]] = {
    "reassessed": _reassessed,
    "reassess_ordered": lambda case: "go" if case.plan == "reassess_requested" else "drop",
    "plan_ok": _plan_ok,
    "can_amend": _can_amend,
    "can_reassess": _can_reassess,
    "quiet": _quiet,
    "cease_start": lambda case: "go" if case.plan in ("maintained", "to_cease") else "drop",
    "no_plan": lambda case: "go" if case.plan == "none" else "drop",
    "moving": lambda case: "go" if case.plan == "moving" else "drop",
}
