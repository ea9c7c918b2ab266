"""The simulation's moving parts: cases, their threads of planned acts, and the driver loop.

A case's life is a few *threads* (its journey, its review cycle, a dispute, a ceasing...). Each
thread is a list of planned `Item`s with dates; only its next item sits in one global heap, so
every event of every case is recorded in date order while the clock moves forward. An item is an
event recorded through the one write path, or a control step (`@name`) that plans more items.
The driver mirrors each accepted event into a few flags (is the plan maintained? is a review
amending?) so that planned acts wait, or are dropped, rather than being refused.
"""

from __future__ import annotations

import heapq
from collections import Counter, deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from random import Random
from typing import Any

from ehcp_engine.domain.case import Child
from ehcp_engine.domain.errors import EventInvalid, EventRefused
from ehcp_engine.domain.law import Law
from ehcp_engine.services.cases import NewCase, create_case
from ehcp_engine.services.context import Services
from ehcp_engine.services.simulator.clock import SimClock
from ehcp_engine.services.simulator.staff import Officer, Team
from ehcp_engine.services.write_path import EventIn, record_event

WAIT_DAYS = 7
MAX_WAITS = 100
APPEALABLE = frozenset(
    {
        "assessment_refused",
        "plan_refused",
        "final_plan_issued",
        "amended_plan_issued",
        "reassessment_refused",
        "cease_decided",
    }
)


@dataclass(frozen=True)
class Item:
    """One planned act: an event type (recorded on `day`) or a control step `@name`."""

    day: date
    kind: str
    data: Mapping[str, Any] = field(default_factory=dict)
    # A precondition (see checks.CHECKS) asked before acting: go, wait a week, or drop.
    when: str | None = None


@dataclass
class CaseSim:
    """What the simulator knows about one case: its child, its officer and mirrored state."""

    index: int
    rng: Random
    law: Law
    child: Child | None = None
    officer: Officer | None = None
    case_id: int = 0
    seq: int = 0
    source: str = "parent"
    requests: int = 0
    request_on: date | None = None
    advice: int = 0
    plan: str = "none"
    review: str = "idle"
    last_decision: date | None = None
    review_due: date | None = None
    named_setting: str = ""
    done_transfers: set[str] = field(default_factory=set)
    windows: dict[int, date] = field(default_factory=dict)
    decisions: dict[int, tuple[str, date]] = field(default_factory=dict)
    last_appealable: int | None = None
    dispute: int | None = None
    appeal_live: bool = False
    cease_seq: int | None = None
    cease_reason: int = 9
    derailed: bool = False
    threads: dict[str, Thread] = field(default_factory=dict)


@dataclass
class Thread:
    case: CaseSim
    name: str
    items: deque[Item]
    waits: int = 0


Control = Callable[["Sim", CaseSim, Item], list[Item]]
Check = Callable[[CaseSim], str]


@dataclass
class Tally:
    events: int = 0
    refused: int = 0
    refusals: list[str] = field(default_factory=list)
    by_type: Counter[str] = field(default_factory=Counter)
    cases: int = 0
    dropped: int = 0
    misplanned: int = 0


class Sim:
    """Runs every thread in date order through the real services."""

    def __init__(
        self,
        svc: Services,
        clock: SimClock,
        controls: Mapping[str, Control],
        checks: Mapping[str, Check],
        mirror: Callable[[Sim, CaseSim, str, Mapping[str, Any]], None],
    ) -> None:
        self.svc = svc
        self.clock = clock
        self.controls = controls
        self.checks = checks
        self.mirror = mirror
        self.tally = Tally()
        self.teams: list[Team] = []
        self._heap: list[tuple[int, int, Thread]] = []
        self._counter = 0

    @property
    def today(self) -> date:
        return self.clock.current

    def start(self, case: CaseSim, name: str, items: list[Item]) -> None:
        """Start (or replace) a thread of the case; its first item goes on the heap."""
        thread = Thread(case, name, deque(items))
        case.threads[name] = thread
        self._push(thread)

    def _push(self, thread: Thread) -> None:
        if not thread.items:
            if thread.case.threads.get(thread.name) is thread:
                del thread.case.threads[thread.name]
            return
        day = thread.items[0].day
        if day < self.today:
            # A planning bug: act today rather than go back in time, and count it.
            self.tally.misplanned += 1
            day = self.today
        self._counter += 1
        heapq.heappush(self._heap, (day.toordinal(), self._counter, thread))

    def run(self, until: date, on_day: Callable[[date], None] | None = None) -> None:
        """Act on every item dated before `until`, in date order."""
        end = until.toordinal()
        while self._heap and self._heap[0][0] < end:
            ordinal, _, thread = heapq.heappop(self._heap)
            day = date.fromordinal(ordinal)
            if day > self.today:
                self.clock.move_to(day)
                if on_day is not None:
                    on_day(day)
            self._step(thread)

    def _step(self, thread: Thread) -> None:
        case = thread.case
        if case.threads.get(thread.name) is not thread or case.derailed:
            return
        item = thread.items[0]
        verdict = self.checks[item.when](case) if item.when else "go"
        if verdict == "drop" or (verdict == "wait" and thread.waits >= MAX_WAITS):
            self.tally.dropped += 1
            del case.threads[thread.name]
            return
        if verdict == "wait":
            thread.waits += 1
            shift = timedelta(days=WAIT_DAYS)
            thread.items = deque(replace(i, day=i.day + shift) for i in thread.items)
            self._push(thread)
            return
        thread.items.popleft()
        if item.kind.startswith("@"):
            thread.items.extendleft(reversed(self.controls[item.kind](self, case, item)))
        elif not self.record(case, item.kind, dict(item.data)):
            return
        self._push(thread)

    def open_case(self, case: CaseSim, opening: EventIn) -> bool:
        """Create the case with its opening event (a request, or a plan transferred in)."""
        assert case.child is not None and case.officer is not None
        new = NewCase(child=case.child, request=opening, officer_id=case.officer.user_id)
        try:
            case.case_id = create_case(self.svc, new, case.officer.actor)
        except (EventRefused, EventInvalid) as err:
            self._refused(case, opening.type, err)
            return False
        self.tally.cases += 1
        self._accepted(case, opening.type, opening.data)
        return True

    def record(self, case: CaseSim, kind: str, data: dict[str, Any]) -> bool:
        """Record one event, dated today, through the write path; False if it was refused."""
        assert case.officer is not None
        event = EventIn(kind, self.today, data)
        try:
            record_event(self.svc, case_id=case.case_id, event=event, actor=case.officer.actor)
        except (EventRefused, EventInvalid) as err:
            self._refused(case, kind, err)
            return False
        self._accepted(case, kind, data)
        return True

    def _accepted(self, case: CaseSim, kind: str, data: Mapping[str, Any]) -> None:
        case.seq += 1
        self.tally.events += 1
        self.tally.by_type[kind] += 1
        self.mirror(self, case, kind, data)

    def _refused(self, case: CaseSim, kind: str, err: Exception) -> None:
        """A refusal is a simulator bug: count it, keep the first few, stop that case."""
        self.tally.refused += 1
        if len(self.tally.refusals) < 50:
            self.tally.refusals.append(f"case {case.case_id} {kind} on {self.today}: {err}")
        case.derailed = True
        case.threads.clear()
