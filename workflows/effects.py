"""What particular events do besides moving their stage: open stages, record advice requests,
name settings, apply exceptions. Pure functions on the case; refusals raise.

Handlers are looked up by event type: `OPENERS` create the stage an event starts (a request, a
transfer in, a mediation, an appeal); `BEFORE` run on the case as it was (checks, subjects);
`AFTER` run once the stage has moved and return the scope the timers act in.
"""

from __future__ import annotations

from collections.abc import Callable

from ehcp_engine.domain.case import AdviceRequest, CaseState, Deadline, RecordedEvent, Stage
from ehcp_engine.domain.errors import EventInvalid, EventRefused
from ehcp_engine.domain.law import Law
from ehcp_engine.domain.rules import RuleSet
from workflows import dispute_effects, plan_effects
from workflows.stages import JOURNEY_STAGES, open_stage
from workflows.timers import Scope, status_when_met

Before = Callable[[CaseState, RecordedEvent, Stage], Scope]
After = Callable[[CaseState, RecordedEvent, Stage, Scope, Law], Scope]


def open_request(case: CaseState, ev: RecordedEvent) -> Scope:
    """A request opens a new journey, unless one is in progress or a plan is in force."""
    for name in JOURNEY_STAGES:
        for stage in case.live_stages(name):
            raise EventRefused(
                f"a request is already in progress ({stage.key}, '{stage.state}' since "
                f"{stage.changed_on})"
            )
    if case.live_stages("plan"):
        raise EventRefused("the child already has a plan in force: ask for a reassessment")
    if ev.occurred_on < case.child.date_of_birth:
        raise EventRefused(
            f"the request is dated {ev.occurred_on}, before the child was born "
            f"({case.child.date_of_birth})"
        )
    key = open_stage(case, "request", ev)
    case.request_on = ev.occurred_on
    case.facts["request_source"] = ev.data.get("source")
    return Scope(stage_key=key)


def _advice_requested(case: CaseState, ev: RecordedEvent, stage: Stage) -> Scope:
    received = ev.data.get("received_by_contributor_on")
    if received and str(received) < ev.occurred_on.isoformat():
        raise EventInvalid(
            "data.received_by_contributor_on",
            f"{received} is before the advice was requested ({ev.occurred_on})",
        )
    # Keyed by the request's own audit seq: stable whatever order the history folds in.
    key = f"advice-{ev.seq}"
    case.advice_requests[key] = AdviceRequest(
        key=key,
        stage_key=stage.key,
        advice_type=str(ev.data["advice_type"]),
        contributor=str(ev.data["contributor"]),
        requested_on=ev.occurred_on,
        question=ev.data.get("question"),
    )
    return Scope(stage.key, key)


def _advice_received(case: CaseState, ev: RecordedEvent, stage: Stage) -> Scope:
    return Scope(stage.key, _advice_request_for(case, ev, stage).key)


def _setting(case: CaseState, ev: RecordedEvent, stage: Stage) -> Scope:
    subject = f"{stage.key}/setting:{ev.data['setting']}"
    consulted = any(d.subject_key == subject for d in case.deadlines.values())
    if ev.type == "setting_responded" and not consulted:
        raise EventRefused(f"{ev.data['setting']} was not consulted on this draft")
    return Scope(stage.key, subject)


def _still_running(case: CaseState, advice_key: str) -> bool:
    deadline = case.deadlines.get(f"advice:{advice_key}")
    return deadline is None or deadline.status != "cancelled"


def _advice_request_for(case: CaseState, ev: RecordedEvent, stage: Stage) -> AdviceRequest:
    key = ev.data.get("advice_request_key")
    if key:
        found = case.advice_requests.get(str(key))
        if found is None:
            raise EventInvalid("data.advice_request_id", "no such advice request on this case")
        if found.received_on is not None:
            raise EventRefused(f"advice {found.key} was already received on {found.received_on}")
        return found
    kind = ev.data.get("advice_type")
    open_ = [
        a
        for a in case.advice_requests.values()
        if a.advice_type == kind and a.received_on is None and _still_running(case, a.key)
    ]
    if len(open_) != 1:
        how_many = "no" if not open_ else f"{len(open_)}"
        raise EventRefused(
            f"{how_many} open advice requests of type '{kind}': name one by advice_request_id"
        )
    return open_[0]


def _assessment_agreed(
    case: CaseState, ev: RecordedEvent, stage: Stage, scope: Scope, law: Law
) -> Scope:
    open_stage(case, "assessment", ev, parent=stage.key)
    return scope


def _plan_agreed(case: CaseState, ev: RecordedEvent, stage: Stage, scope: Scope, law: Law) -> Scope:
    open_stage(case, "draft", ev, parent=stage.key)
    return scope


def _advice_in(case: CaseState, ev: RecordedEvent, stage: Stage, scope: Scope, law: Law) -> Scope:
    if scope.subject_key:
        case.advice_requests[scope.subject_key].received_on = ev.occurred_on
    return scope


def _representations(
    case: CaseState, ev: RecordedEvent, stage: Stage, scope: Scope, law: Law
) -> Scope:
    case.facts["requested_setting"] = ev.data.get("requested_setting")
    return scope


OPENERS: dict[str, Callable[[CaseState, RecordedEvent], Scope]] = {
    "request_received": open_request,
    **plan_effects.OPENERS,
    **dispute_effects.OPENERS,
}
BEFORE: dict[str, Before] = {
    "advice_requested": _advice_requested,
    "advice_received": _advice_received,
    "setting_consulted": _setting,
    "setting_responded": _setting,
    **plan_effects.BEFORE,
    **dispute_effects.BEFORE,
}
AFTER: dict[str, After] = {
    "assessment_agreed": _assessment_agreed,
    "plan_agreed": _plan_agreed,
    "advice_received": _advice_in,
    "representations_received": _representations,
    **plan_effects.AFTER,
    **dispute_effects.AFTER,
}


def before(case: CaseState, ev: RecordedEvent, stage: Stage) -> Scope:
    """Checks and subjects that need the case as it was before the event."""
    handler = BEFORE.get(ev.type)
    if handler is not None:
        return handler(case, ev, stage)
    # Mediation and appeals act for the decision they dispute (their stage's parent).
    subject = stage.parent_key if stage.stage in ("mediation", "tribunal") else None
    return Scope(stage.key, subject)


def after(case: CaseState, ev: RecordedEvent, stage: Stage, scope: Scope, law: Law) -> Scope:
    """Effects once the stage has moved; returns the scope the timers act in."""
    handler = AFTER.get(ev.type)
    return handler(case, ev, stage, scope, law) if handler is not None else scope


def record_exception(case: CaseState, ev: RecordedEvent, rules: RuleSet) -> None:
    """STATUTORY §2: an exception never moves a due date; it marks the deadline so a late act
    counts as `missed_exception`. A ground outside the timer's exception set is refused."""
    if case.request_on is not None and ev.occurred_on < case.request_on:
        raise EventRefused(f"the exception is dated before the request ({case.request_on})")
    deadline = _exception_target(case, ev, rules)
    grounds = rules.grounds_for(deadline.rule)
    ground = str(ev.data["ground"])
    if ground not in grounds:
        allowed = ", ".join(grounds) or "none: no exception applies to this timer"
        raise EventInvalid(
            "data.ground",
            f"'{ground}' is not a ground for {deadline.rule} ({deadline.source}); "
            f"allowed: {allowed}",
        )
    deadline.exception = {
        "ground": ground,
        "from": ev.data.get("from"),
        "to": ev.data.get("to"),
        "family_informed": bool(ev.data.get("family_informed")),
        "evidence": ev.data.get("evidence"),
        "recorded_on": ev.occurred_on.isoformat(),
        "seq": ev.seq,
    }
    if deadline.status == "missed":
        deadline.status = status_when_met(deadline)


def _exception_target(case: CaseState, ev: RecordedEvent, rules: RuleSet) -> Deadline:
    ref = ev.data.get("deadline_key")
    if ref:
        timer, _, started_by = str(ref).partition("@")
        candidates = [
            d
            for d in case.deadlines.values()
            if d.key.split(":")[0] == timer and str(d.started_by) == started_by
        ]
        if not candidates:
            raise EventInvalid("data.rule", f"no deadline {ref} on this case")
    else:
        rule = str(ev.data.get("rule"))
        if rule not in rules.timers:
            raise EventInvalid("data.rule", f"'{rule}' is not a timer id or a deadline id")
        candidates = [
            d for d in case.deadlines.values() if d.rule == rule and d.status in ("open", "missed")
        ]
        if len(candidates) > 1:
            keys = ", ".join(d.key for d in candidates)
            raise EventRefused(f"several {rule} deadlines are live ({keys}): name one by its id")
    if not candidates or candidates[0].status not in ("open", "missed", "missed_exception"):
        raise EventRefused(
            f"no open or missed {ev.data.get('rule')} deadline on this case to apply it to"
        )
    return candidates[0]
