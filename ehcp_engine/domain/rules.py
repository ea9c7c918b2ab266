"""Timer rules as data: load and validate the rule sets in config/rules/*.toml.

A rule names its unit, its starting, meeting and cancelling events, its exception set and its
legal source. Loading is strict: a rule that names an unknown event, unit, calculator, condition
or exception set stops the service at start-up with a message naming the file, timer and value.
Rule sets carry `effective_from`; a case keeps the set in force when its request was received
(STATUTORY.md §6: a changed law is a new rule set, not an edit of the old one).
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ehcp_engine.domain.calendar import UNITS
from ehcp_engine.domain.events import ALL_EVENT_TYPES

# Rules the engine computes in code because no single calendar unit expresses them.
CALCULATORS = frozenset(
    {"appeal_window", "phase_transfer", "transfer_plan_sent", "transfer_review", "order_steps"}
)
# Conditions a rule may put on its start ("when"), evaluated by the workflows on the case.
CONDITIONS = frozenset(
    {
        "child_under_5",
        "outcome_amend",
        "appealable",
        "certificate_due",
        "wants_mediation",
        "non_appealable_agreement",
        "order_assess",
        "order_make_plan",
        "order_amend",
        "order_name_setting",
        "order_continue",
        "order_cease",
        "recommendation",
        "names_next_setting",
    }
)
SUBJECTS = ("case", "advice_request", "setting", "stage", "meeting", "decision", "event")


class RuleError(ValueError):
    """A rule file is wrong; the message says which file, timer and value."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Step(_Strict):
    id: str
    unit: str
    amount: int
    met_by: tuple[str, ...]
    cancelled_by: tuple[str, ...] = ()


class TimerRule(_Strict):
    id: str = ""
    label: str
    source: str
    exceptions: str
    starts: tuple[str, ...]
    met_by: tuple[str, ...] = ()
    cancelled_by: tuple[str, ...] = ()
    closed_by: tuple[str, ...] = ()
    # Events after which an unmet deadline can no longer be met: it is recorded as missed.
    lapsed_by: tuple[str, ...] = ()
    unit: str | None = None
    amount: int | None = None
    calculator: str | None = None
    anchor: str = "event"
    per: Literal["case", "advice_request", "setting", "stage", "meeting", "decision", "event"] = (
        "case"
    )
    when: str | None = None
    met_when: str | None = None
    guidance: bool = False
    window: bool = False
    steps: tuple[Step, ...] = ()

    @model_validator(mode="after")
    def _counted_somehow(self) -> TimerRule:
        if self.calculator is None and (self.unit is None or self.amount is None):
            raise ValueError("give unit and amount, or a calculator")
        return self

    def events(self) -> Iterable[str]:
        yield from self.starts
        yield from self.met_by
        yield from self.cancelled_by
        yield from self.closed_by
        yield from self.lapsed_by
        for step in self.steps:
            yield from step.met_by
            yield from step.cancelled_by


class RuleSet(_Strict):
    id: str
    title: str
    effective_from: date
    # A temporary modification (e.g. SI 2020/471, 1 May – 25 Sep 2020) ends; a new law does not.
    effective_to: date | None = None
    extends: str | None = None
    timers: dict[str, TimerRule]
    exception_sets: dict[str, tuple[str, ...]] = Field(default_factory=dict)

    def timer(self, timer_id: str) -> TimerRule:
        return self.timers[timer_id]

    def grounds_for(self, timer_id: str) -> tuple[str, ...]:
        return self.exception_sets.get(self.timers[timer_id].exceptions, ())


def _check_rule(rule: TimerRule, exception_sets: dict[str, tuple[str, ...]]) -> list[str]:
    problems: list[str] = []
    units = [rule.unit] if rule.unit else []
    units += [s.unit for s in rule.steps]
    problems += [f"unknown unit '{u}' (known: {sorted(UNITS)})" for u in units if u not in UNITS]
    problems += [f"unknown event '{e}'" for e in rule.events() if e not in ALL_EVENT_TYPES]
    if rule.calculator and rule.calculator not in CALCULATORS:
        problems.append(f"unknown calculator '{rule.calculator}' (known: {sorted(CALCULATORS)})")
    for condition in (rule.when, rule.met_when):
        if condition and condition not in CONDITIONS:
            problems.append(f"unknown condition '{condition}' (known: {sorted(CONDITIONS)})")
    if rule.exceptions not in exception_sets:
        problems.append(f"unknown exception set '{rule.exceptions}'")
    if rule.anchor not in ("event", "request") and not rule.anchor.startswith("data:"):
        problems.append(f"unknown anchor '{rule.anchor}' (event, request or data:FIELD)")
    return problems


def parse_rule_set(raw: dict[str, object], origin: str) -> RuleSet:
    """Validate one rule set; raise RuleError naming every problem found."""
    timers = raw.get("timers")
    if isinstance(timers, dict):
        raw = {**raw, "timers": {k: {**v, "id": k} for k, v in timers.items()}}
    try:
        rule_set = RuleSet.model_validate(raw)
    except ValidationError as exc:
        lines = [f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()]
        raise RuleError(f"{origin}: " + "; ".join(lines)) from None
    problems = [
        f"timer '{tid}': {problem}"
        for tid, rule in rule_set.timers.items()
        for problem in _check_rule(rule, rule_set.exception_sets)
    ]
    if problems:
        raise RuleError(f"{origin}: " + "; ".join(problems))
    return rule_set


@dataclass(frozen=True)
class RuleBook:
    """Every rule set, oldest first; `for_date` picks the one in force on a day."""

    rule_sets: tuple[RuleSet, ...]

    def for_date(self, day: date) -> RuleSet:
        """The rule set in force on a day: the latest that started by then and has not ended."""
        in_force = [
            rs
            for rs in self.rule_sets
            if rs.effective_from <= day and (rs.effective_to is None or day <= rs.effective_to)
        ]
        if not in_force:
            first = self.rule_sets[0].effective_from
            raise LookupError(
                f"no rule set is in force on {day}: the first takes effect on {first}"
            )
        return in_force[-1]

    def by_id(self, rule_set_id: str) -> RuleSet:
        for rs in self.rule_sets:
            if rs.id == rule_set_id:
                return rs
        raise KeyError(rule_set_id)


def merged(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """A rule set that `extends` another: tables merge key by key, values replace."""
    out = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merged(out[key], value)
        else:
            out[key] = value
    return out


def _read(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise RuleError(f"{path}: not valid TOML: {exc}") from None


def _resolve_extends(raws: dict[str, tuple[Path, dict[str, Any]]]) -> list[RuleSet]:
    by_id = {str(raw.get("id")): (path, raw) for path, raw in raws.values()}
    rule_sets = []
    for path, raw in raws.values():
        parent = raw.get("extends")
        if parent is not None:
            if parent not in by_id or by_id[parent][1].get("extends"):
                raise RuleError(f"{path}: extends '{parent}', which is not a base rule set here")
            raw = merged(
                {k: v for k, v in by_id[parent][1].items() if k not in ("effective_to",)}, raw
            )
        rule_sets.append(parse_rule_set(raw, str(path)))
    return rule_sets


def load_rule_book(rules_dir: Path) -> RuleBook:
    files = sorted(rules_dir.glob("*.toml"))
    if not files:
        raise RuleError(f"{rules_dir}: no rule sets (*.toml) found")
    rule_sets = _resolve_extends({str(p): (p, _read(p)) for p in files})
    rule_sets.sort(key=lambda rs: rs.effective_from)
    ids = [rs.id for rs in rule_sets]
    if len(set(ids)) != len(ids):
        raise RuleError(f"{rules_dir}: rule set ids repeat: {ids}")
    return RuleBook(tuple(rule_sets))
