"""What particular events do besides moving their stage: open the next stage, record an advice
request, name a setting, apply an exception. Pure functions on the case; refusals raise."""

from __future__ import annotations

from ehcp_engine.domain.case import AdviceRequest, CaseState, Deadline, RecordedEvent, Stage
from ehcp_engine.domain.errors import EventInvalid, EventRefused
from ehcp_engine.domain.rules import RuleSet
from workflows.timers import Scope, status_when_met

JOURNEY_STAGES = ("request", "assessment", "draft")


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
    if case.request_on is not None and ev.occurred_on < case.request_on:
        raise EventRefused(f"a new request cannot be dated before the last one ({case.request_on})")
    key = _open(case, "request", ev)
    case.request_on = ev.occurred_on
    case.facts["request_source"] = ev.data.get("source")
    return Scope(stage_key=key)


def _open(case: CaseState, stage: str, ev: RecordedEvent, parent: str | None = None) -> str:
    key = case.next_key(stage)
    initial = {
        "request": "received",
        "assessment": "gathering_advice",
        "draft": "drafting",
        "plan": "maintained",
    }[stage]
    case.stages[key] = Stage(
        key=key,
        stage=stage,
        state=initial,
        opened_on=ev.occurred_on,
        changed_on=ev.occurred_on,
        parent_key=parent,
    )
    return key


def before(case: CaseState, ev: RecordedEvent, stage: Stage, scope: Scope) -> Scope:
    """Checks and subjects that need the case as it was before the event."""
    if ev.type == "advice_requested":
        key = case.next_key("advice")
        case.advice_requests[key] = AdviceRequest(
            key=key,
            stage_key=stage.key,
            advice_type=str(ev.data["advice_type"]),
            contributor=str(ev.data["contributor"]),
            requested_on=ev.occurred_on,
            question=ev.data.get("question"),
        )
        return Scope(stage.key, key)
    if ev.type == "advice_received":
        return Scope(stage.key, _advice_request_for(case, ev, stage).key)
    if ev.type in ("setting_consulted", "setting_responded"):
        subject = f"{stage.key}/setting:{ev.data['setting']}"
        consulted = any(d.subject_key == subject for d in case.deadlines.values())
        if ev.type == "setting_responded" and not consulted:
            raise EventRefused(f"{ev.data['setting']} was not consulted on this draft")
        return Scope(stage.key, subject)
    return scope


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
        if a.stage_key == stage.key and a.advice_type == kind and a.received_on is None
    ]
    if len(open_) != 1:
        how_many = "no" if not open_ else f"{len(open_)}"
        raise EventRefused(
            f"{how_many} open advice requests of type '{kind}': name one by advice_request_id"
        )
    return open_[0]


def after(case: CaseState, ev: RecordedEvent, stage: Stage, scope: Scope) -> Scope:
    """Effects once the stage has moved; returns the scope the timers act in."""
    if ev.type == "assessment_agreed":
        _open(case, "assessment", ev, parent=stage.key)
    elif ev.type == "plan_agreed":
        _open(case, "draft", ev, parent=stage.key)
    elif ev.type == "advice_received" and scope.subject_key:
        case.advice_requests[scope.subject_key].received_on = ev.occurred_on
    elif ev.type == "representations_received":
        case.facts["requested_setting"] = ev.data.get("requested_setting")
    elif ev.type == "final_plan_issued":
        plan_key = _open(case, "plan", ev, parent=stage.key)
        case.facts.update(
            named_setting=ev.data.get("named_setting"), plan_issued_on=ev.occurred_on.isoformat()
        )
        return Scope(plan_key)
    return scope


def record_exception(case: CaseState, ev: RecordedEvent, rules: RuleSet) -> None:
    """STATUTORY §2: an exception never moves a due date; it marks the deadline so a late act
    counts as `missed_exception`. A ground outside the timer's exception set is refused."""
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
    if case.request_on is not None and ev.occurred_on < case.request_on:
        raise EventRefused(f"the exception is dated before the request ({case.request_on})")
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
    key = ev.data.get("deadline_key")
    if key:
        if str(key) not in case.deadlines:
            raise EventInvalid("data.rule", f"no deadline {key} on this case")
        candidates = [case.deadlines[str(key)]]
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
