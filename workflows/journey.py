"""The fold: apply one event to a case, or refuse it with the reason.

`apply_event` is the only way state changes, live and in replay. It checks dates against the
request, fires the stage's machine, runs the event's own effects (opening stages, recording advice
requests) and then the timer rules. It reads no clock and does no I/O. `fold` rebuilds a case
from its history; corrections are applied to the history before folding, so a corrected event
counts as if it had been right from the start (STATUTORY.md §1).
"""

from __future__ import annotations

from collections.abc import Iterable

from ehcp_engine.domain.case import CaseState, Child, RecordedEvent, Stage
from ehcp_engine.domain.errors import DomainError, EventRefused
from ehcp_engine.domain.events import ADMINISTRATIVE, stage_of
from ehcp_engine.domain.law import Law
from workflows import effects
from workflows.machine import Context, fire
from workflows.registry import FALLBACK, SPECS, spec_for
from workflows.timers import apply_timers


def new_case(child: Child, rule_set_id: str) -> CaseState:
    return CaseState(rule_set_id=rule_set_id, child=child)


def apply_event(case: CaseState, ev: RecordedEvent, law: Law) -> None:
    """Apply one event in place; raise EventRefused/EventInvalid. The caller folds into a fresh
    state and discards it on refusal, so nothing is ever half-applied."""
    if ev.type in ADMINISTRATIVE:
        return  # who holds the case is not a statutory state (the write path applies it)
    if ev.type == "exception_recorded":
        _not_before_request(case, ev)
        effects.record_exception(case, ev, law.rules)
        return
    opener = effects.OPENERS.get(ev.type)
    if opener is not None:
        _not_before_request(case, ev)
        scope = opener(case, ev)
        apply_timers(case, ev, scope, law)
        return
    _not_before_request(case, ev)
    stages = _target_stages(case, ev)
    scope = effects.before(case, ev, stages[0])
    for stage in stages:
        _move(case, stage, ev, law)
    scope = effects.after(case, ev, stages[0], scope, law)
    apply_timers(case, ev, scope, law)


def fold(child: Child, law: Law, history: Iterable[RecordedEvent]) -> CaseState:
    """Fold a history (already in the order things happened). A refusal carries the event that
    could not be applied, so the write path can say which later event a backdated one breaks."""
    events = list(history)
    case = new_case(child, law.rules.id)
    # The case opened with the first request (or transfer) entered, not the earliest-dated one:
    # a request keyed later but dated before it is refused as dated before the request.
    openers = sorted((e for e in events if e.type in OPENING), key=lambda e: e.seq)
    case.opened_on = openers[0].occurred_on if openers else None
    for ev in events:
        try:
            apply_event(case, ev, law)
        except DomainError as err:
            err.event = ev  # type: ignore[attr-defined]
            raise
    return case


OPENING = ("request_received", "plan_transferred_in")


def _not_before_request(case: CaseState, ev: RecordedEvent) -> None:
    if case.request_on is None and case.opened_on is not None and ev.occurred_on < case.opened_on:
        raise EventRefused(
            f"{ev.type} is dated {ev.occurred_on}, before the request was received "
            f"({case.opened_on}): no event may be dated before the request"
        )
    if case.request_on is not None and ev.occurred_on < case.request_on:
        raise EventRefused(
            f"{ev.type} is dated {ev.occurred_on}, before the request was received "
            f"({case.request_on}): no event may be dated before the request"
        )


_NEEDS: dict[str, str] = {
    "assessment": "a decision to assess (assessment_agreed)",
    "draft": "a decision to issue a plan (plan_agreed)",
    "request": "a request for assessment (request_received)",
    "plan": "a plan in force (final_plan_issued or plan_transferred_in)",
    "annual_review": "a plan in force (final_plan_issued or plan_transferred_in)",
    "mediation": "contact with the mediation adviser (mediation_adviser_contacted)",
    "tribunal": "an appeal (appeal_registered)",
}


def _accepting(case: CaseState, stage_type: str, ev: RecordedEvent) -> Stage | None:
    """The most recent live stage of a type whose state allows the event (guards aside); then a
    closed one that still takes late paperwork (e.g. a decided review's report). Mediation and
    appeal events may name the decision they belong to (`decision_seq`)."""
    stages = [s for s in case.stages.values() if s.stage == stage_type]
    seq = ev.data.get("decision_seq")
    if seq is not None and stage_type in ("mediation", "tribunal"):
        stages = [s for s in stages if s.parent_key == f"decision-{seq}"]
    allowed = SPECS[stage_type].allowed_from
    for stage in [
        *reversed([s for s in stages if s.live]),
        *reversed([s for s in stages if not s.live]),
    ]:
        if ev.type in allowed(stage.state):
            return stage
    return None


def _target_stages(case: CaseState, ev: RecordedEvent) -> list[Stage]:
    """The live stage(s) an event acts on; withdrawal ends every live stage of the journey."""
    if ev.type == "request_withdrawn":
        # A family may withdraw at any point before the final plan: every live stage ends.
        live = [s for name in ("request", "assessment", "draft") for s in case.live_stages(name)]
        if live:
            return live
    kinds = (stage_of(ev.type), *FALLBACK.get(ev.type, ()))
    for kind in kinds:
        found = _accepting(case, kind, ev)
        if found is not None:
            return [found]
    for kind in kinds:
        live = case.live_stages(kind)
        if live:
            return [live[-1]]  # firing on it raises the "not allowed while …" refusal
    latest = case.latest(kinds[0])
    if latest is not None:
        raise EventRefused(
            f"{ev.type} is not allowed: the {kinds[0]} stage ended in '{latest.state}'"
        )
    raise EventRefused(f"{ev.type} needs {_NEEDS.get(kinds[0], f'a live {kinds[0]} stage')} first")


def _move(case: CaseState, stage: Stage, ev: RecordedEvent, law: Law) -> None:
    if ev.occurred_on < stage.changed_on:
        raise EventRefused(
            f"{ev.type} is dated {ev.occurred_on}, before the {stage.stage} stage's last step "
            f"on {stage.changed_on}"
        )
    spec = spec_for(stage.stage)
    new_state = fire(spec, Context(case=case, event=ev, stage=stage, law=law))
    stage.state = new_state
    stage.changed_on = ev.occurred_on
    if new_state in spec.final and stage.closed_on is None:
        stage.closed_on = ev.occurred_on
