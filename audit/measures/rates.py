"""A measure's result (numerator, denominator, percentage and who is in each) and the rules that
decide whether a timed fact counts, and as on time or late."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from audit.measures.facts import Fact


@dataclass(frozen=True)
class Period:
    """Both ends included. `as_of` is the day open items are judged on (overdue or pending)."""

    start: date
    end: date
    as_of: date

    def __contains__(self, day: date | None) -> bool:
        return day is not None and self.start <= day <= self.end


@dataclass
class Rate:
    """One measure (or one group of it). `numerator_ids` / `denominator_ids` hold one case id per
    item counted (a case with two late advice requests appears twice), sorted."""

    numerator_ids: list[int] = field(default_factory=list)
    denominator_ids: list[int] = field(default_factory=list)
    excluded_ids: list[int] = field(default_factory=list)

    def count(self, case_id: int, hit: bool) -> None:
        self.denominator_ids.append(case_id)
        if hit:
            self.numerator_ids.append(case_id)

    @property
    def numerator(self) -> int:
        return len(self.numerator_ids)

    @property
    def denominator(self) -> int:
        return len(self.denominator_ids)

    @property
    def percent(self) -> float | None:
        return percent_of(self.numerator, self.denominator)

    def as_dict(self) -> dict[str, Any]:
        return counts_dict(self.numerator, self.denominator, len(self.excluded_ids)) | {
            "numerator_ids": sorted(self.numerator_ids),
            "denominator_ids": sorted(self.denominator_ids),
            "excluded_ids": sorted(self.excluded_ids),
        }


def percent_of(numerator: int, denominator: int) -> float | None:
    return round(100 * numerator / denominator, 1) if denominator else None


def counts_dict(numerator: int, denominator: int, excluded: int) -> dict[str, Any]:
    """A rate without its members (what the dashboard shows; the members only when asked)."""
    return {
        "numerator": numerator,
        "denominator": denominator,
        "percent": percent_of(numerator, denominator),
        "excluded": excluded,
    }


def timeliness(fact: Fact, as_of: date) -> bool | None:
    """True on time, False late, None not (yet) countable.

    Done: on time when done by the due date. Stopped undone (a plan ceased, advice overtaken by
    the final plan): late only if it had already run past its due date, else not countable.
    Still running: late once past due on `as_of`, else pending."""
    if fact.due_on is None:
        return None
    if fact.met_on is not None:
        return fact.met_on <= fact.due_on
    if fact.ended_on is not None:
        return False if fact.ended_on > fact.due_on else None
    return False if fact.due_on < as_of else None


def by_act(facts: Iterable[Fact], kind: str, period: Period, *, excl_exceptions: bool) -> Rate:
    """Acts done in the period (SEN2: e.g. plans issued in the calendar year), on time or not.
    Excluding exceptions removes them from numerator and denominator alike (SEN2 Week20)."""
    rate = Rate()
    for f in facts:
        if f.kind != kind or f.met_on not in period:
            continue
        if excl_exceptions and f.exception:
            rate.excluded_ids.append(f.case_id)
            continue
        rate.count(f.case_id, f.on_time())
    return rate


def by_due(
    facts: Iterable[Fact],
    kind: str,
    period: Period,
    *,
    excl_exceptions: bool = False,
    group: Callable[[Fact], str] | None = None,
) -> dict[str, Rate]:
    """Items due in the period, judged on `period.as_of`; grouped when `group` is given (the
    whole is under "all")."""
    rates: dict[str, Rate] = defaultdict(Rate)
    rates["all"] = Rate()
    for f in facts:
        if f.kind != kind or f.due_on not in period:
            continue
        verdict = timeliness(f, period.as_of)
        keys = ["all", *([group(f)] if group else [])]
        for key in keys:
            if verdict is None or (excl_exceptions and f.exception):
                rates[key].excluded_ids.append(f.case_id)
            else:
                rates[key].count(f.case_id, verdict)
    return dict(rates)


class AsDict(Protocol):
    def as_dict(self) -> dict[str, Any]: ...


def grouped(rates: Mapping[Any, AsDict]) -> dict[str, Any]:
    """The whole (under "all"), and each group under "by" when there is one, as JSON: for the
    Python rates and for the database's tallies (sql_rates.Tally) alike."""
    out = rates["all"].as_dict()
    groups = {k: v.as_dict() for k, v in sorted(rates.items()) if k != "all"}
    if groups:
        out["by"] = groups
    return out
