"""Timer effects: which deadlines an accepted event starts, meets, closes or cancels.

The rules come from config/rules/*.toml (see ehcp_engine.domain.rules); this module only applies
them. Every due date comes from the statutory calendar and the rule, never from today: deadlines
are a pure function of the case's events (STATUTORY.md §1). An exception never moves a due date
(§2); it changes how a late one is counted.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from ehcp_engine.domain.case import CaseState, Deadline, RecordedEvent
from ehcp_engine.domain.law import Law
from ehcp_engine.domain.rules import TimerRule
from workflows import calculators
from workflows.conditions import CONDITIONS


@dataclass(frozen=True)
class Scope:
    """Where an event acts: its stage, and the subject (advice request, setting, decision)."""

    stage_key: str
    subject_key: str | None = None


def apply_timers(case: CaseState, ev: RecordedEvent, scope: Scope, law: Law) -> None:
    """Meet, close and cancel first, then start: a review decision meets this year's review and
    starts next year's."""
    actions = _actions_for(law, ev.type)
    open_by_rule = _open_by_rule(case) if actions.settle else {}
    for rule, how, step in actions.settle:
        if how != "met" or step is not None or _meets(rule, case, ev):
            _settle(open_by_rule.get(rule.id, ()), rule, ev, scope, how, step=step)
    for rule in actions.start:
        if _applies(rule, case, ev):
            _start(case, rule, ev, scope, law)


def _open_by_rule(case: CaseState) -> dict[str, list[Deadline]]:
    """Open deadlines by rule, read once per event: a long case has many settled deadlines, and
    looking at each of them for every settlement of every event was most of a fold's time. (A
    deadline settled by one action is skipped by the next: `_matches` checks its status.)"""
    found: dict[str, list[Deadline]] = {}
    for d in case.deadlines.values():
        if d.status == "open":
            found.setdefault(d.rule, []).append(d)
    return found


@dataclass(frozen=True)
class _Actions:
    """What one event type does to timers, in rule order: (rule, how, step) settlements, then
    the rules it starts."""

    settle: tuple[tuple[TimerRule, str, str | None], ...]
    start: tuple[TimerRule, ...]


def _index(rules: Iterable[TimerRule], event_type: str) -> _Actions:
    settle: list[tuple[TimerRule, str, str | None]] = []
    rules = list(rules)
    for rule in rules:
        if event_type in rule.met_by:
            settle.append((rule, "met", None))
        for how, events in (
            ("closed", rule.closed_by),
            ("cancelled", rule.cancelled_by),
            ("lapsed", rule.lapsed_by),
        ):
            if event_type in events:
                settle.append((rule, how, None))
        for step in rule.steps:
            if event_type in step.met_by:
                settle.append((rule, "met", step.id))
            if event_type in step.cancelled_by:
                settle.append((rule, "cancelled", step.id))
    start = tuple(rule for rule in rules if event_type in rule.starts)
    return _Actions(tuple(settle), start)


# Each rule set's actions by event type, worked out once: asking every rule about every event
# of a case's history on every fold was the largest single cost of the write path in a
# long-running simulation. Keyed by the rule set's identity (it is immutable once loaded); the
# entry holds the rule set itself so the identity cannot be reused while cached.
_CACHE: dict[int, tuple[object, dict[str, _Actions]]] = {}
_CACHE_LIMIT = 32


def _actions_for(law: Law, event_type: str) -> _Actions:
    timers = law.rules.timers
    entry = _CACHE.get(id(timers))
    if entry is None or entry[0] is not timers:
        if len(_CACHE) >= _CACHE_LIMIT:
            _CACHE.clear()
        entry = _CACHE[id(timers)] = (timers, {})
    by_type = entry[1]
    found = by_type.get(event_type)
    if found is None:
        found = by_type[event_type] = _index(timers.values(), event_type)
    return found


def _applies(rule: TimerRule, case: CaseState, ev: RecordedEvent) -> bool:
    return rule.when is None or CONDITIONS[rule.when](case, ev)


def _meets(rule: TimerRule, case: CaseState, ev: RecordedEvent) -> bool:
    return rule.met_when is None or CONDITIONS[rule.met_when](case, ev)


def _matches(
    d: Deadline, rule: TimerRule, scope: Scope, step: str | None, ev: RecordedEvent
) -> bool:
    # A deadline not yet in force (a phase transfer years ahead) is not touched by today's act.
    if d.rule != rule.id or d.status != "open" or d.starts_on > ev.occurred_on:
        return False
    if step is not None and not d.key.startswith(f"{rule.id}.{step}:"):
        return False
    if rule.per in ("advice_request", "setting", "decision"):
        return scope.subject_key is None or d.subject_key == scope.subject_key
    if rule.per in ("stage", "meeting"):
        # An event of the same kind of stage acts on its own stage's deadlines; one from
        # elsewhere (the plan ceasing, say) acts on every stage's.
        return d.stage_key == scope.stage_key or _kind(d.stage_key) != _kind(scope.stage_key)
    return True


def _kind(stage_key: str) -> str:
    return stage_key.rsplit("-", 1)[0]


def _settle(
    deadlines: Iterable[Deadline],
    rule: TimerRule,
    ev: RecordedEvent,
    scope: Scope,
    how: str,
    step: str | None = None,
) -> None:
    for d in deadlines:
        if _matches(d, rule, scope, step, ev):
            settle(d, ev.occurred_on, how)


def settle(d: Deadline, on: date, how: str) -> None:
    """Close one deadline. A late act is `missed`, or `missed_exception` under an exception."""
    if how == "cancelled":
        d.status, d.met_on = "cancelled", None
    elif how == "lapsed":
        # It can no longer be done (the meeting it had to precede was held without it).
        d.status, d.met_on = "missed_exception" if d.exception else "missed", None
    elif how == "closed":
        # A family's window that ended unused: it was kept, and closed on its last day at latest.
        d.status, d.met_on = "met", min(on, d.due_on)
    else:
        d.met_on = on
        d.status = status_when_met(d)


def status_when_met(d: Deadline) -> str:
    # A family's own window is never the authority's breach, however late they act in it.
    if d.met_on is None or d.met_on <= d.due_on or d.window:
        return "met"
    return "missed_exception" if d.exception else "missed"


def _start(case: CaseState, rule: TimerRule, ev: RecordedEvent, scope: Scope, law: Law) -> None:
    anchor = _anchor(rule, case, ev)
    subject = scope.subject_key
    if rule.per == "decision":
        # Each appealable decision has its own mediation and appeal windows (Act s.51(2)).
        subject = f"decision-{ev.seq}"
        case.facts.setdefault("decisions", {})[subject] = ev.type
    elif rule.per == "event":
        subject = f"event-{ev.seq}"
    owner = subject if rule.per != "stage" and subject else scope.stage_key
    for suffix, starts_on, due in _due_dates(rule, anchor, case, ev, law):
        key = f"{rule.id}{suffix}:{owner}"
        if key in case.deadlines:
            continue
        case.deadlines[key] = Deadline(
            key=key,
            rule=rule.id,
            stage_key=scope.stage_key,
            subject_key=subject,
            starts_on=starts_on,
            due_on=due,
            source=rule.source,
            guidance=rule.guidance,
            window=rule.window,
            started_by=ev.seq,
        )


def _due_dates(
    rule: TimerRule, anchor: date, case: CaseState, ev: RecordedEvent, law: Law
) -> list[tuple[str, date, date]]:
    """(key suffix, starts_on, due_on) for each deadline the rule starts. A rule counted
    backwards (e.g. 2 weeks before a meeting) starts on the day of the event."""
    cal = law.calendar
    if rule.steps:
        return [(f".{s.id}", anchor, cal.due(s.unit, anchor, s.amount)) for s in rule.steps]
    if rule.calculator:
        calc: calculators.Calculator = getattr(calculators, rule.calculator)
        return calc(case=case, event=ev, anchor=anchor, law=law)
    assert rule.unit is not None and rule.amount is not None
    due = cal.due(rule.unit, anchor, rule.amount)
    return [("", anchor if due >= anchor else ev.occurred_on, due)]


def _anchor(rule: TimerRule, case: CaseState, ev: RecordedEvent) -> date:
    """Day zero: the event's date, the request's receipt date, or a date in the event's data."""
    if rule.anchor == "request" and case.request_on is not None:
        return case.request_on
    if rule.anchor.startswith("data:"):
        value = ev.data.get(rule.anchor.removeprefix("data:"))
        if value:
            return date.fromisoformat(str(value))
    return ev.occurred_on
