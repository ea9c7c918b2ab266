"""Reminder and escalation rules (config/reminders.toml) and the pure step calendar.

For one deadline and one rule, `due_steps` says which steps have fallen due by `today`: the step
to send now (the latest) and the ones it supersedes. Nothing here reads a clock or a database.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from ehcp_engine.domain.calendar import StatutoryCalendar
from ehcp_engine.domain.rules import RuleError

AUDIENCES = ("contributor", "officer", "manager")


@dataclass(frozen=True)
class ReminderRule:
    name: str
    timers: tuple[str, ...]
    audience: str
    before_days: tuple[int, ...] = ()
    on_due_day: bool = True
    overdue_every_days: int | None = None
    escalate_after_days: int | None = None

    def covers(self, rule_id: str, family_window: bool) -> bool:
        if "*" in self.timers:
            return not family_window
        return rule_id in self.timers


@dataclass(frozen=True)
class ReminderConfig:
    rules: tuple[ReminderRule, ...] = ()
    quiet_days: bool = True
    at_risk_after_weeks: int = 14
    at_risk_audience: tuple[str, ...] = ("officer", "manager")
    transfer_from: tuple[int, int] = (11, 1)
    transfer_audience: tuple[str, ...] = ("officer", "manager")
    max_before_days: int = field(default=0)


@dataclass(frozen=True)
class Step:
    name: str  # before:10, due, overdue:2, escalate
    fire_on: date
    days: int  # days before (positive) or after (negative) the due date


def _fire_on(day: date, cal: StatutoryCalendar, quiet: bool) -> date:
    """A step that falls on a weekend or bank holiday fires on the next working day."""
    if quiet and not cal.is_working_day(day):
        return cal.next_working_day_after(day)
    return day


def plan_steps(
    rule: ReminderRule, due_on: date, today: date, cal: StatutoryCalendar, quiet: bool
) -> list[Step]:
    """Every step of the main track that has fired by today, oldest first."""
    steps = [Step(f"before:{n}", due_on - timedelta(days=n), n) for n in rule.before_days]
    if rule.on_due_day:
        steps.append(Step("due", due_on, 0))
    if rule.overdue_every_days and today > due_on:
        weeks = (today - due_on).days // rule.overdue_every_days
        steps += [
            Step(
                f"overdue:{k}",
                due_on + timedelta(days=k * rule.overdue_every_days),
                -k * rule.overdue_every_days,
            )
            for k in range(1, weeks + 1)
        ]
    fired = [Step(s.name, _fire_on(s.fire_on, cal, quiet), s.days) for s in steps]
    return sorted((s for s in fired if s.fire_on <= today), key=lambda s: (s.fire_on, -s.days))


def escalation_step(
    rule: ReminderRule, due_on: date, today: date, cal: StatutoryCalendar, quiet: bool
) -> Step | None:
    if rule.escalate_after_days is None:
        return None
    fire_on = _fire_on(due_on + timedelta(days=rule.escalate_after_days), cal, quiet)
    return Step("escalate", fire_on, -rule.escalate_after_days) if fire_on <= today else None


def _rule(raw: dict[str, Any], where: str) -> ReminderRule:
    known = {
        "name",
        "timers",
        "audience",
        "before_days",
        "on_due_day",
        "overdue_every_days",
        "escalate_after_days",
    }
    if set(raw) - known:
        raise RuleError(f"{where}: unknown keys {sorted(set(raw) - known)}")
    if raw.get("audience") not in AUDIENCES:
        raise RuleError(f"{where}: audience must be one of {AUDIENCES}")
    if any(n <= 0 for n in raw.get("before_days", [])):
        raise RuleError(f"{where}: before_days are positive numbers of days")
    return ReminderRule(
        name=str(raw.get("name", where)),
        timers=tuple(raw.get("timers", ())),
        audience=str(raw["audience"]),
        before_days=tuple(sorted(raw.get("before_days", []), reverse=True)),
        on_due_day=bool(raw.get("on_due_day", True)),
        overdue_every_days=raw.get("overdue_every_days"),
        escalate_after_days=raw.get("escalate_after_days"),
    )


def load_reminders(path: Path, timer_ids: set[str]) -> ReminderConfig:
    """Read config/reminders.toml; a rule naming an unknown timer or audience stops start-up."""
    if not path.exists():
        return ReminderConfig()
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    rules = tuple(_rule(r, f"{path}: reminder[{i}]") for i, r in enumerate(raw.get("reminder", [])))
    for r in rules:
        unknown = [t for t in r.timers if t != "*" and t not in timer_ids]
        if unknown:
            raise RuleError(f"{path}: reminder '{r.name}' names unknown timers {unknown}")
    risk = raw.get("twenty_weeks_at_risk", {})
    transfer = raw.get("phase_transfer_at_risk", {})
    if "digest" in raw:
        raise RuleError(f"{path}: [digest] moved: the digest's times are jobs in config/jobs.toml")
    return ReminderConfig(
        rules=rules,
        quiet_days=bool(raw.get("quiet_days", True)),
        at_risk_after_weeks=int(risk.get("after_weeks", 14)),
        at_risk_audience=tuple(risk.get("audience", ("officer", "manager"))),
        transfer_from=(int(transfer.get("from_month", 11)), int(transfer.get("from_day", 1))),
        transfer_audience=tuple(transfer.get("audience", ("officer", "manager"))),
        max_before_days=max((max(r.before_days, default=0) for r in rules), default=0),
    )
