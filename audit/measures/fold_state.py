"""The state one case's fold keeps while it reads the log: the facts drafted so far and what is
live (the request journey, the plan in force, the review cycle, disputes)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from audit.measures.facts import CaseInfo, Fact, FoldContext
from audit.measures.history import Event


@dataclass
class Draft:
    """A fact being built. `met_by` / `cancelled_by` serve the generic order steps."""

    kind: str
    key: str
    start_on: date | None = None
    due_on: date | None = None
    met_on: date | None = None
    ended_on: date | None = None
    exception: bool = False
    attrs: dict[str, Any] = field(default_factory=dict)
    met_by: tuple[str, ...] = ()
    cancelled_by: tuple[str, ...] = ()

    @property
    def running(self) -> bool:
        return self.met_on is None and self.ended_on is None

    def meet(self, on: date) -> bool:
        if not self.running:
            return False
        self.met_on = on
        return True

    def end(self, on: date) -> None:
        if self.running:
            self.ended_on = on


@dataclass
class Journey:
    """A request for assessment and what followed it (its SEN2 Requests record)."""

    seq: int
    received_on: date
    request_key: str


@dataclass(frozen=True)
class Decision:
    """An appealable decision (Act s.51(2)), keyed `decision-<seq>` as the engine keys it."""

    key: str
    type: str
    on: date
    request_seq: int | None


class CaseFold:
    def __init__(self, case: CaseInfo, ctx: FoldContext) -> None:
        self.case = case
        self.ctx = ctx
        self.rules = ctx.rule_book.by_id(case.rule_set)
        self.drafts: dict[str, Draft] = {}
        # "timer@started_by" -> fact key, as the write path names a deadline in an exception.
        self.index: dict[str, str] = {}
        self.latest: dict[str, str] = {}
        self.journey: Journey | None = None
        self.plan_key: str | None = None
        self.review_cycle: str | None = None
        self.meeting: str | None = None
        self.amending: str | None = None
        self.decisions: dict[str, Decision] = {}
        self.mediations: dict[str, str] = {}
        self.appeals: dict[str, str] = {}

    # -- drafting -----------------------------------------------------------------------------

    def add(
        self,
        kind: str,
        key: str,
        *,
        timer: str | None = None,
        started_by: int | None = None,
        **fields: Any,
    ) -> Draft:
        draft = Draft(kind=kind, key=key, **fields)
        self.drafts[key] = draft
        if timer is not None:
            self.index[f"{timer}@{started_by}"] = key
            self.latest[timer] = key
        return draft

    def get(self, key: str | None) -> Draft | None:
        return self.drafts.get(key) if key else None

    def due(self, timer: str, start: date) -> date:
        """The due date the rule set gives the timer, counted from `start`."""
        rule = self.rules.timer(timer)
        assert rule.unit is not None and rule.amount is not None, f"{timer} has no unit"
        return self.ctx.calendar.due(rule.unit, start, rule.amount)

    def request(self) -> Draft | None:
        return self.get(self.journey.request_key) if self.journey else None

    def journey_fact(self, kind: str) -> Draft | None:
        return self.get(f"{kind}@{self.journey.seq}") if self.journey else None

    def running(self, kind: str) -> list[Draft]:
        return [d for d in self.drafts.values() if d.kind == kind and d.running]

    def decide(self, ev: Event) -> None:
        key = f"decision-{ev.seq}"
        seq = self.journey.seq if self.journey else None
        self.decisions[key] = Decision(key, ev.type, ev.occurred_on, seq)

    def facts(self) -> list[Fact]:
        return [
            Fact(
                case_id=self.case.case_id,
                kind=d.kind,
                key=d.key,
                start_on=d.start_on,
                due_on=d.due_on,
                met_on=d.met_on,
                ended_on=d.ended_on,
                exception=d.exception,
                attrs=d.attrs,
            )
            for d in self.drafts.values()
        ]
