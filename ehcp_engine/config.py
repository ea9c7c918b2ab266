"""Load and validate everything in config/ at start-up: a bad rule stops the service."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import date, time
from pathlib import Path

from ehcp_engine.domain.calendar import CalendarSettings, StatutoryCalendar
from ehcp_engine.domain.law import Law
from ehcp_engine.domain.rules import RuleBook, RuleError, load_rule_book
from ehcp_engine.domain.schools import SchoolStructures, load_school_structures
from ehcp_engine.domain.term_dates import TermDates, load_term_dates


@dataclass(frozen=True)
class EngineConfig:
    rule_book: RuleBook
    calendar: StatutoryCalendar
    schools: SchoolStructures = field(default_factory=SchoolStructures.default)
    term_dates: TermDates = field(default_factory=TermDates)

    def law(self, rule_set_id: str) -> Law:
        """The law a case is folded under: its own rule set, this authority's calendar and
        school structures."""
        return Law(self.rule_book.by_id(rule_set_id), self.calendar, self.schools)


def _calendar_settings(path: Path) -> CalendarSettings:
    if not path.exists():
        return CalendarSettings()
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    known = {
        "fixed_date_inclusive",
        "receipt_day_is_day_zero",
        "close_of_business",
        "extra_bank_holidays",
    }
    unknown = set(raw) - known
    if unknown:
        raise RuleError(f"{path}: unknown settings {sorted(unknown)} (known: {sorted(known)})")
    extra = raw.get("extra_bank_holidays", [])
    if not all(isinstance(d, date) for d in extra):
        raise RuleError(f"{path}: extra_bank_holidays must be dates like 2023-05-08")
    return CalendarSettings(
        extra_bank_holidays=tuple(extra),
        fixed_date_inclusive=bool(raw.get("fixed_date_inclusive", False)),
        receipt_day_is_day_zero=bool(raw.get("receipt_day_is_day_zero", True)),
        close_of_business=time.fromisoformat(str(raw.get("close_of_business", "17:00"))),
    )


def _school_structures(path: Path) -> SchoolStructures:
    """config/phase_transfer.toml is optional: without it, the built-in two-tier structure."""
    return load_school_structures(path) if path.exists() else SchoolStructures.default()


def load_engine_config(config_dir: Path) -> EngineConfig:
    """Read config/rules/*.toml, config/calendar.toml and config/phase_transfer.toml; raise
    RuleError on any problem."""
    if not config_dir.is_dir():
        raise RuleError(f"{config_dir}: the configuration directory does not exist")
    return EngineConfig(
        rule_book=load_rule_book(config_dir / "rules"),
        calendar=StatutoryCalendar(_calendar_settings(config_dir / "calendar.toml")),
        schools=_school_structures(config_dir / "phase_transfer.toml"),
        term_dates=load_term_dates(config_dir / "term_dates.toml"),
    )
