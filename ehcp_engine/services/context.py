"""What every service function needs: sessions, the validated configuration and a clock.

The clock is injected so tests and the simulator choose "today"; business dates are taken in
Europe/London (STATUTORY.md §1), timestamps in UTC.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session, sessionmaker

from ehcp_engine.config import EngineConfig
from ehcp_engine.settings import Settings
from notifications.reminders import ReminderConfig

LONDON = ZoneInfo("Europe/London")


def system_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Clock:
    now: Callable[[], datetime] = system_now

    def today(self) -> date:
        """The business date in England now."""
        return self.now().astimezone(LONDON).date()


@dataclass
class Services:
    sessions: sessionmaker[Session]
    config: EngineConfig
    clock: Clock = field(default_factory=Clock)
    settings: Settings = field(default_factory=Settings)
    reminders: ReminderConfig = field(default_factory=ReminderConfig)


@dataclass(frozen=True)
class Actor:
    """Who asked: a signed-in user, or the system (scheduler, importer, simulator)."""

    user_id: int | None
    label: str
    role: str
    team_id: int | None = None
    organisation_id: int | None = None

    @classmethod
    def system(cls, label: str = "system") -> Actor:
        return cls(user_id=None, label=label, role="system")
