"""The simulation's clock: "today" is the date the simulator has reached, never the real one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from ehcp_engine.services.context import Clock

# Events are recorded at midday UTC of their day: the same business date in England all year.
RECORDED_AT = time(12, 0)


@dataclass
class SimClock(Clock):
    """A clock that only moves forward, and only when the simulator moves it."""

    current: date = date(2000, 1, 1)

    def __post_init__(self) -> None:
        self.now = self._now

    def _now(self) -> datetime:
        return datetime.combine(self.current, RECORDED_AT, tzinfo=UTC)

    def move_to(self, day: date) -> None:
        if day < self.current:
            raise ValueError(f"the simulation clock cannot go back from {self.current} to {day}")
        self.current = day
