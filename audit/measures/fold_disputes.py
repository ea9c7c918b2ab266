"""Fold disagreements into facts: mediations, appeals and their outcomes, and the steps that
comply with a tribunal order or a concession (Act ss.51-55; Regs 32-45).

A mediation or an appeal belongs to the decision it disputes (`decision_seq`, or as the engine
picks it: the latest appealable decision not yet appealed). Order steps are read from the case's
rule set (the `order_*` and `unopposed_*` timers), so compliance is measured against the same
periods as the live deadlines.
"""

from __future__ import annotations

from collections.abc import Callable

from audit.measures import facts as k
from audit.measures.fold_state import CaseFold, Decision, Draft
from audit.measures.history import Event
from ehcp_engine.domain.rules import TimerRule

# SEN2 modules 2-3 count mediation and appeals about the decision (not) to assess, about the
# decision not to issue a plan, and about every other appealable decision ("other").
CATEGORY = {"assessment_refused": "request", "plan_refused": "assessment"}


def _disputed(f: CaseFold, ev: Event) -> Decision | None:
    seq = ev.data.get("decision_seq")
    if seq is not None:
        return f.decisions.get(f"decision-{seq}")
    unappealed = [d for d in f.decisions.values() if d.key not in f.appeals]
    if not unappealed:
        return None
    return max(unappealed, key=lambda d: (d.on, f"appeal_window:{d.key}"))


def _attrs(decision: Decision) -> dict[str, object]:
    return {
        "decision": decision.key,
        "decision_type": decision.type,
        "category": CATEGORY.get(decision.type, "other"),
        "request_seq": decision.request_seq,
    }


def _mediation_contacted(f: CaseFold, ev: Event) -> None:
    decision = _disputed(f, ev)
    if decision is None:
        return
    wants = bool(ev.data.get("wants_mediation"))
    fact = f.add(
        k.MEDIATION,
        f"{k.MEDIATION}@{ev.seq}",
        start_on=ev.occurred_on,
        due_on=f.due("mediation_held", ev.occurred_on) if wants else None,
        attrs={**_attrs(decision), "wants_mediation": wants, "agreement": None},
    )
    f.mediations[decision.key] = fact.key


def _live(
    f: CaseFold, ev: Event, table: dict[str, str], live: Callable[[Draft], bool]
) -> Draft | None:
    """The mediation or appeal an event acts on: the named decision's, else the latest one
    still in a state that takes the event."""
    seq = ev.data.get("decision_seq")
    if seq is not None:
        return f.get(table.get(f"decision-{seq}"))
    found = [f.drafts[key] for key in table.values() if live(f.drafts[key])]
    return max(found, key=lambda d: (d.start_on, d.key)) if found else None


def _no_certificate(d: Draft) -> bool:
    return not d.attrs.get("certificate_on")


def _undecided(d: Draft) -> bool:
    return d.attrs.get("outcome") is None


def _takes_orders(d: Draft) -> bool:
    return d.attrs.get("outcome") in (None, "order")


def _mediation_held(f: CaseFold, ev: Event) -> None:
    mediation = _live(f, ev, f.mediations, _no_certificate)
    if mediation is not None:
        mediation.meet(ev.occurred_on)
        mediation.attrs["held_on"] = ev.occurred_on.isoformat()
        mediation.attrs["agreement"] = ev.data.get("agreement", "none")


def _mediation_step(f: CaseFold, ev: Event) -> None:
    mediation = _live(f, ev, f.mediations, _no_certificate)
    if mediation is None:
        return
    if ev.type == "mediation_certificate_issued":
        mediation.attrs["certificate_on"] = ev.occurred_on.isoformat()
    elif ev.type == "mediation_not_possible":
        mediation.attrs["not_possible"] = True
        mediation.end(ev.occurred_on)


def _appeal_registered(f: CaseFold, ev: Event) -> None:
    decision = _disputed(f, ev)
    if decision is None:
        return
    fact = f.add(
        k.APPEAL,
        f"{k.APPEAL}@{ev.seq}",
        start_on=ev.occurred_on,
        attrs={**_attrs(decision), "appeal_type": ev.data.get("appeal_type"), "outcome": None},
    )
    f.appeals[decision.key] = fact.key


def _appeal_outcome(f: CaseFold, ev: Event) -> None:
    takes = _takes_orders if ev.type == "tribunal_order_made" else _undecided
    appeal = _live(f, ev, f.appeals, takes)
    if appeal is None:
        return
    if ev.type == "tribunal_response_lodged":
        appeal.attrs["response_on"] = ev.occurred_on.isoformat()
        return
    outcome = {"appeal_withdrawn": "withdrawn", "appeal_conceded": "conceded"}.get(ev.type)
    order = ev.data.get("order")
    if appeal.attrs.get("outcome") is None:
        appeal.attrs.update(outcome=outcome or "order", outcome_on=ev.occurred_on.isoformat())
    if order is not None:
        appeal.attrs["orders"] = [*appeal.attrs.get("orders", []), order]
    appeal.end(ev.occurred_on)
    if ev.type in ("tribunal_order_made", "appeal_conceded"):
        _start_steps(f, ev, appeal)


def _applies(rule: TimerRule, ev: Event) -> bool:
    order = ev.data.get("order")
    return ev.type in rule.starts and rule.when in (f"order_{order}", order)


def _start_steps(f: CaseFold, ev: Event, appeal: Draft) -> None:
    """Reg 44(2) / Reg 45: one fact per step the order (or concession) starts."""
    for rule in f.rules.timers.values():
        if not _applies(rule, ev):
            continue
        steps = [(s.id, s.unit, s.amount, s.met_by, s.cancelled_by) for s in rule.steps]
        if not steps:
            assert rule.unit is not None and rule.amount is not None
            steps = [("", rule.unit, rule.amount, rule.met_by, rule.cancelled_by)]
        for step, unit, amount, met_by, cancelled_by in steps:
            timer = f"{rule.id}.{step}" if step else rule.id
            f.add(
                k.ORDER_STEP,
                f"{k.ORDER_STEP}.{timer}@{ev.seq}",
                timer=timer,
                started_by=ev.seq,
                start_on=ev.occurred_on,
                due_on=f.ctx.calendar.due(unit, ev.occurred_on, amount),
                met_by=met_by,
                cancelled_by=cancelled_by,
                attrs={
                    "timer": timer,
                    "order": ev.data.get("order"),
                    "conceded": ev.type == "appeal_conceded",
                    "appeal": appeal.key,
                },
            )


def order_steps(f: CaseFold, ev: Event) -> None:
    """Meet or cancel the running order steps this event satisfies (on or after their start)."""
    for step in f.running(k.ORDER_STEP):
        if step.start_on is not None and step.start_on > ev.occurred_on:
            continue
        if ev.type in step.met_by:
            step.meet(ev.occurred_on)
        elif ev.type in step.cancelled_by:
            step.end(ev.occurred_on)


def _decision(f: CaseFold, ev: Event) -> None:
    f.decide(ev)


HANDLERS: dict[str, Callable[[CaseFold, Event], None]] = {
    "reassessment_refused": _decision,
    "cease_decided": _decision,
    "mediation_adviser_contacted": _mediation_contacted,
    "mediation_meeting_held": _mediation_held,
    "mediation_certificate_issued": _mediation_step,
    "mediation_not_possible": _mediation_step,
    "appeal_registered": _appeal_registered,
    "tribunal_response_lodged": _appeal_outcome,
    "tribunal_order_made": _appeal_outcome,
    "appeal_withdrawn": _appeal_outcome,
    "appeal_conceded": _appeal_outcome,
}
