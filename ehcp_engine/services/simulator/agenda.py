"""Sampling a case's next acts: dates drawn from the calibrated rates (rates.py), as `Item`s.

Officers act on working days: a sampled date moves back to the previous working day, or forward
when moving back would break an order the law or the plan needs (`floor`). On-time targets are
drawn first and the intermediate acts fitted around them, so each measure lands on its rate.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from random import Random
from typing import TypeVar

from ehcp_engine.domain.calendar import StatutoryCalendar
from ehcp_engine.services.simulator import people, rates
from ehcp_engine.services.simulator.world import CaseSim, Item

K = TypeVar("K")
REFUSAL_REASONS = (
    "The evidence does not show that special educational provision may need to be made "
    "through a plan: the school's SEN support has not yet been tried for long enough.",
    "Needs can be met from the resources normally available to mainstream settings.",
)
NO_PLAN_REASONS = (
    "The assessment shows the child's needs can be met through SEN support at the school.",
    "Provision can be met within the setting's notional SEN budget with advice from the EP.",
)


def work(cal: StatutoryCalendar, day: date, floor: date | None = None) -> date:
    """The working day on or before `day`, or (if that is before `floor`) on or after it."""
    back = day
    while not cal.is_working_day(back):
        back -= timedelta(days=1)
    if floor is None or back >= floor:
        return back
    ahead = max(day, floor)
    while not cal.is_working_day(ahead):
        ahead += timedelta(days=1)
    return ahead


def plus(rng: Random, day: date, low: int, high: int) -> date:
    return day + timedelta(days=rng.randint(low, high))


def late(rng: Random, mean: float, cap: int) -> int:
    """Days beyond a limit: 1 or more, an exponential tail with `mean`, at most `cap`."""
    return min(cap, 1 + int(rng.expovariate(1 / mean)))


def chance(rng: Random, p: float) -> bool:
    return rng.random() < p


def pick(rng: Random, weights: Mapping[K, float]) -> K:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def ordered(items: list[Item]) -> list[Item]:
    """By date; items of one date keep the order they were planned in (cause before effect)."""
    return sorted(items, key=lambda i: i.day)


def decision_day(rng: Random, cal: StatutoryCalendar, start: date, limit: int, p: float) -> date:
    """A decision `limit` days after `start`: on time with probability `p`, else late."""
    due = start + timedelta(days=limit)
    if chance(rng, p):
        return work(cal, plus(rng, start, limit // 2, limit), floor=start)
    extra = late(rng, rates.ASSESSMENT_DECISION_LATE_MEAN_DAYS, 120)
    return work(cal, due + timedelta(days=extra), floor=due + timedelta(days=1))


def request_items(case: CaseSim, cal: StatutoryCalendar, received: date) -> list[Item]:
    """From a request to the decision whether to assess (Reg 5): withdrawn, refused, agreed."""
    rng = case.rng
    roll = rng.random()
    if roll < rates.REQUEST_WITHDRAWN:
        day = work(cal, plus(rng, received, 5, 40), floor=received)
        return [Item(day, "request_withdrawn", {"reason": "The family withdrew the request."})]
    decided = decision_day(rng, cal, received, 42, rates.ASSESSMENT_DECISION_ON_TIME)
    items = []
    if decided > received + timedelta(days=42) and chance(rng, rates.ASSESSMENT_DECISION_EXCEPTION):
        day = work(cal, plus(rng, received, 28, 41), floor=received)
        items.append(Item(day, "@exception", {"rule": "assessment_decision", "reg": "reg10_4"}))
    if roll < rates.REQUEST_WITHDRAWN + rates.ASSESSMENT_REFUSED:
        items += [
            Item(decided, "assessment_refused", {"reasons": rng.choice(REFUSAL_REASONS)}),
            Item(decided, "@dispute"),
        ]
    else:
        items += [Item(decided, "assessment_agreed"), Item(decided, "@assessment")]
    return ordered(items)


def advice_types(case: CaseSim, on: date) -> list[str]:
    """Reg 6(1): parent, educational, medical and psychological advice always; social care and
    sensory advice for some; preparation for adulthood from Year 9 (about age 14)."""
    assert case.child is not None
    kinds = ["parent", "educational", "psychological", "health"]
    kinds += [k for k, p in rates.OPTIONAL_ADVICE.items() if chance(case.rng, p)]
    if people.age_on(case.child.date_of_birth, on) >= 14:
        kinds.append("preparation_for_adulthood")
    return kinds


def advice_arrival(
    rng: Random, cal: StatutoryCalendar, asked: date, kind: str, cap: date | None
) -> date:
    """When an adviser answers (Reg 8: six weeks), late by agency; never after `cap` when the
    plan's timing needs it sooner."""
    due = asked + timedelta(days=42)
    if chance(rng, rates.ADVICE_ON_TIME[kind]):
        day = work(cal, plus(rng, asked, 14, 42), floor=asked + timedelta(days=1))
    else:
        extra = late(rng, rates.ADVICE_LATE_MEAN_DAYS, 150)
        day = work(cal, due + timedelta(days=extra), floor=due + timedelta(days=1))
    if cap is not None and day > cap:
        day = work(cal, max(cap, asked + timedelta(days=7)), floor=asked + timedelta(days=1))
    return day
