"""Settings' closures, for the Reg 10(4)(a)/(b) exception (and Reg 5(4)(a)).

The LA need not meet the 6-week decision, 16-week no-plan or 20-week final-plan limits where it
asked a school's or post-16 institution's head (or an early years provider) for advice in the
period from one week before the setting closes for at least four continuous weeks until one week
before it reopens. Settings' term dates are data (config/term_dates.toml); the engine proposes
the exception with this evidence instead of waiting for someone to remember it.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from ehcp_engine.domain.rules import RuleError

LONG_CLOSURE = timedelta(weeks=4)
WINDOW_MARGIN = timedelta(weeks=1)


@dataclass(frozen=True)
class Closure:
    """A setting closed from `first_day` to `last_day` inclusive."""

    first_day: date
    last_day: date
    label: str = ""

    @property
    def reopens_on(self) -> date:
        return self.last_day + timedelta(days=1)

    @property
    def long(self) -> bool:
        """Reg 10(4)(a): closed 'for a continuous period of not less than 4 weeks'."""
        return self.reopens_on - self.first_day >= LONG_CLOSURE

    def exception_window(self) -> tuple[date, date]:
        """From one week before it closes until one week before it reopens."""
        return self.first_day - WINDOW_MARGIN, self.reopens_on - WINDOW_MARGIN

    def covers(self, day: date) -> bool:
        start, end = self.exception_window()
        return self.long and start <= day <= end


@dataclass(frozen=True)
class TermDates:
    """Closures by setting name, and the authority's default for schools not listed."""

    default: tuple[Closure, ...] = ()
    settings: dict[str, tuple[Closure, ...]] = field(default_factory=dict)
    early_years: frozenset[str] = frozenset()

    def closures_for(self, setting: str) -> tuple[Closure, ...]:
        return self.settings.get(setting, self.default)

    def closure_covering(self, setting: str, day: date) -> Closure | None:
        for closure in self.closures_for(setting):
            if closure.covers(day):
                return closure
        return None


def _closures(raw: object, where: str) -> tuple[Closure, ...]:
    if not isinstance(raw, list):
        raise RuleError(f"{where}: expected a list of {{from, to, label}} tables")
    out = []
    for i, item in enumerate(raw):
        if not isinstance(item, dict) or set(item) - {"from", "to", "label"}:
            raise RuleError(f"{where}[{i}]: give from, to and an optional label")
        first, last = item.get("from"), item.get("to")
        if not isinstance(first, date) or not isinstance(last, date) or last < first:
            raise RuleError(f"{where}[{i}]: from and to must be dates, from first")
        out.append(Closure(first, last, str(item.get("label", ""))))
    return tuple(out)


def load_term_dates(path: Path) -> TermDates:
    if not path.exists():
        return TermDates()
    raw: dict[str, Any] = tomllib.loads(path.read_text(encoding="utf-8"))
    unknown = set(raw) - {"default", "settings", "early_years"}
    if unknown:
        raise RuleError(f"{path}: unknown keys {sorted(unknown)}")
    settings = {
        name: _closures(value.get("closures", []), f"{path}: settings.{name}.closures")
        for name, value in raw.get("settings", {}).items()
    }
    early = frozenset(n for n, v in raw.get("settings", {}).items() if v.get("early_years"))
    default = _closures(raw.get("default", {}).get("closures", []), f"{path}: default.closures")
    return TermDates(default=default, settings=settings, early_years=early)
