"""Opening and closing stage instances (shared by the effects modules)."""

from __future__ import annotations

from ehcp_engine.domain.case import CaseState, RecordedEvent, Stage

JOURNEY_STAGES = ("request", "assessment", "draft")
INITIAL = {
    "request": "received",
    "assessment": "gathering_advice",
    "draft": "drafting",
    "plan": "maintained",
    "annual_review": "due",
    "mediation": "arranging",
    "tribunal": "registered",
}


def open_stage(
    case: CaseState,
    stage: str,
    ev: RecordedEvent,
    parent: str | None = None,
    state: str | None = None,
) -> str:
    """Open a stage instance in its initial state (or `state`); return its key."""
    key = case.next_key(stage)
    case.stages[key] = Stage(
        key=key,
        stage=stage,
        state=state or INITIAL[stage],
        opened_on=ev.occurred_on,
        changed_on=ev.occurred_on,
        parent_key=parent,
    )
    return key


def close_live(case: CaseState, stage: str, on_state: str, ev: RecordedEvent) -> None:
    """End every live stage of a type without an event of its own (the plan ceased, say)."""
    for s in case.live_stages(stage):
        s.state, s.changed_on, s.closed_on = on_state, ev.occurred_on, ev.occurred_on
