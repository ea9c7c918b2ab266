"""Effects of disagreement: a mediation or an appeal attaches to the decision it disputes.

Act s.51(2) lists the appealable decisions; each has its own mediation and appeal windows, keyed
`decision-<seq>` after the audit record that notified it. Regs 32-45; HESC r.20.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from ehcp_engine.domain.case import CaseState, RecordedEvent, Stage
from ehcp_engine.domain.errors import EventInvalid, EventRefused
from ehcp_engine.domain.law import Law
from workflows.stages import open_stage
from workflows.timers import Scope


def _disputed_decision(case: CaseState, ev: RecordedEvent) -> str:
    """The decision named by `decision_seq`, or the latest one whose appeal window is open."""
    windows = {d.subject_key: d for d in case.deadlines.values() if d.rule == "appeal_window"}
    seq = ev.data.get("decision_seq")
    if seq is not None:
        key = f"decision-{seq}"
        if key not in windows:
            raise EventInvalid("data.decision_seq", f"record {seq} is not an appealable decision")
        return key
    live = [d for d in windows.values() if d.status == "open" and d.subject_key]
    if not live:
        raise EventRefused(f"{ev.type} needs an appealable decision whose window is open")
    return str(max(live, key=lambda d: (d.starts_on, d.key)).subject_key)


def _not_twice(case: CaseState, stage: str, decision: str) -> None:
    for s in case.live_stages(stage):
        if s.parent_key == decision:
            raise EventRefused(f"a {stage} about this decision is already live ({s.key})")


def open_mediation(case: CaseState, ev: RecordedEvent) -> Scope:
    """Reg 33-34: the family's contact with the mediation adviser opens the mediation."""
    decision = _disputed_decision(case, ev)
    _not_twice(case, "mediation", decision)
    state = "arranging" if ev.data.get("wants_mediation") else "certificate_due"
    key = open_stage(case, "mediation", ev, parent=decision, state=state)
    return Scope(key, decision)


def _certificate_issued_for(case: CaseState, decision: str) -> bool:
    return any(
        s.stage == "mediation"
        and s.parent_key == decision
        and s.state in ("agreement_pending", "concluded")
        for s in case.stages.values()
    )


def open_appeal(case: CaseState, ev: RecordedEvent) -> Scope:
    """HESC r.20: an appeal registered against a decision opens the tribunal stage. Act s.55:
    the family must first have a mediation certificate, unless the appeal is only about the
    school or other institution named (or that none is)."""
    decision = _disputed_decision(case, ev)
    _not_twice(case, "tribunal", decision)
    if ev.data.get("appeal_type") != "setting_only" and not _certificate_issued_for(case, decision):
        raise EventRefused(
            "an appeal other than one only about the setting named needs a mediation "
            "certificate first (Act s.55): record mediation_certificate_issued"
        )
    key = open_stage(case, "tribunal", ev, parent=decision)
    return Scope(key, decision)


def _certificate_issued(
    case: CaseState, ev: RecordedEvent, stage: Stage, scope: Scope, law: Law
) -> Scope:
    """HESC r.20(1): the appeal window runs to the later of two months from the decision and
    one month from the certificate, with the r.12(3) roll-over."""
    window = case.deadlines.get(f"appeal_window:{stage.parent_key}")
    if window is not None and window.status == "open":
        cal = law.calendar
        later = max(cal.add_months(window.starts_on, 2), cal.add_months(ev.occurred_on, 1))
        window.due_on = cal.tribunal_last_day(later)
    return scope


def _order_made(case: CaseState, ev: RecordedEvent, stage: Stage, scope: Scope, law: Law) -> Scope:
    """An order (or a concession, Reg 45) reopens what the disputed decision closed, so the steps
    that comply with it can be recorded: Reg 44(2)."""
    order = ev.data.get("order")
    decided = case.facts.get("decisions", {}).get(stage.parent_key or "")
    if order == "continue":
        for plan in case.live_stages("plan"):
            if plan.state in ("ceasing", "cease_decided"):
                _set(plan, "maintained", ev)
        case.facts.pop("cease_decision", None)
    elif order == "assess" and decided == "assessment_refused":
        _reopen(case, "request", "received", ev)
    elif order == "assess" and decided == "reassessment_refused":
        for plan in case.live_stages("plan"):
            _set(plan, "reassessment_requested", ev)
    elif order == "make_plan" and decided == "plan_refused":
        assessment = _reopen(case, "assessment", "issue", ev)
        if assessment is not None:
            assessment.closed_on = ev.occurred_on
            open_stage(case, "draft", ev, parent=assessment.key)
    return scope


def _set(stage: Stage, state: str, ev: RecordedEvent) -> None:
    stage.state, stage.changed_on = state, ev.occurred_on


def _reopen(case: CaseState, kind: str, state: str, ev: RecordedEvent) -> Stage | None:
    latest = case.latest(kind)
    if latest is not None:
        _set(latest, state, ev)
        latest.closed_on = None
    return latest


def decision_date(case: CaseState, decision: str) -> date | None:
    window = case.deadlines.get(f"appeal_window:{decision}")
    return window.starts_on if window else None


OPENERS: dict[str, Callable[[CaseState, RecordedEvent], Scope]] = {
    "mediation_adviser_contacted": open_mediation,
    "appeal_registered": open_appeal,
}
BEFORE: dict[str, Any] = {}
AFTER: dict[str, Any] = {
    "mediation_certificate_issued": _certificate_issued,
    "tribunal_order_made": _order_made,
    "appeal_conceded": _order_made,
}
