"""Declaring stage machines with `transitions`, and firing one event on one stage.

Each stage module declares its states, its transitions and named guards. One `Machine` per stage
type is built at import with `auto_transitions=False`; stage instances are not bound to it (no
per-case objects are registered), we trigger the machine's event on a small model instead. A
guard is a predicate with a sentence that says, in the officer's terms, why it refused.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from transitions import EventData, Machine, MachineError

from ehcp_engine.domain.case import CaseState, RecordedEvent, Stage
from ehcp_engine.domain.errors import EventRefused
from ehcp_engine.domain.law import Law


@dataclass(frozen=True)
class Context:
    """What a guard may look at: the case before the event, the event and its stage."""

    case: CaseState
    event: RecordedEvent
    stage: Stage
    law: Law


@dataclass(frozen=True)
class Guard:
    """A named condition; `refusal` explains a False answer to the person acting."""

    name: str
    check: Callable[[Context], bool]
    refusal: Callable[[Context], str]

    def __call__(self, event_data: EventData) -> bool:
        ctx: Context = event_data.kwargs["ctx"]
        return self.check(ctx)


@dataclass(frozen=True)
class T:
    """One transition: trigger (event type), sources, destination and guards."""

    trigger: str
    source: Sequence[str]
    dest: str
    guards: Sequence[Guard] = ()


@dataclass
class StageSpec:
    """A stage type: its states, initial and final states and transitions."""

    name: str
    states: Sequence[str]
    initial: str
    final: Sequence[str]
    transitions: Sequence[T]
    machine: Machine = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.machine = Machine(
            model=None,
            states=list(self.states),
            transitions=[
                {
                    "trigger": t.trigger,
                    "source": list(t.source),
                    "dest": t.dest,
                    "conditions": list(t.guards),
                }
                for t in self.transitions
            ],
            initial=self.initial,
            auto_transitions=False,
            send_event=True,
        )

    def triggers(self) -> set[str]:
        return {t.trigger for t in self.transitions}

    def allowed_from(self, state: str) -> list[str]:
        """Event types this stage accepts in a state (for refusal messages and action lists)."""
        return sorted({t.trigger for t in self.transitions if state in t.source})


class _Model:
    """The object transitions moves: only a `state` attribute."""

    def __init__(self, state: str) -> None:
        self.state = state


def fire(spec: StageSpec, ctx: Context) -> str:
    """Fire the event on the stage; return the new state or raise EventRefused with the reason."""
    trigger = ctx.event.type
    model = _Model(ctx.stage.state)
    try:
        moved = spec.machine.events[trigger].trigger(model, ctx=ctx)
    except (MachineError, KeyError):
        allowed = ", ".join(spec.allowed_from(ctx.stage.state)) or "nothing: the stage is closed"
        raise EventRefused(
            f"{trigger} is not allowed while the {spec.name} stage is '{ctx.stage.state}' "
            f"(allowed now: {allowed})"
        ) from None
    if not moved:
        raise EventRefused(_first_refusal(spec, ctx))
    return str(model.state)


def _first_refusal(spec: StageSpec, ctx: Context) -> str:
    for t in spec.transitions:
        if t.trigger == ctx.event.type and ctx.stage.state in t.source:
            for guard in t.guards:
                if not guard.check(ctx):
                    return guard.refusal(ctx)
    return f"{ctx.event.type} is not allowed now"
