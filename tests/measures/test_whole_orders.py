"""Tribunal orders complied with in full and in time, per order (audit/measures/timeliness.py).

Hand-built order steps for orders made on Mon 2 Feb 2026 (audit seq 7 and 9); the period is
2026 judged on Wed 25 Nov 2026.
"""

from __future__ import annotations

from datetime import date

from audit.measures import facts as k
from audit.measures.facts import Fact
from audit.measures.rates import Period
from audit.measures.timeliness import whole_orders

YEAR = Period(date(2026, 1, 1), date(2026, 12, 31), as_of=date(2026, 11, 25))


def step(case: int, seq: int, timer: str, due: date, met: date | None = None, **kw) -> Fact:
    return Fact(
        case_id=case,
        kind=k.ORDER_STEP,
        key=f"{k.ORDER_STEP}.{timer}@{seq}",
        start_on=date(2026, 2, 2),
        due_on=due,
        met_on=met,
        attrs={"timer": timer, "order": "make_plan", "conceded": False},
        **kw,
    )


def test_an_order_counts_once_and_only_when_every_step_was_in_time():
    facts = [
        # Case 1: draft in time (9 Feb <= 16 Feb), final late (6 Apr > 30 Mar): not complied.
        step(1, 7, "order_make_plan.draft", date(2026, 2, 16), date(2026, 2, 9)),
        step(1, 7, "order_make_plan.final", date(2026, 3, 30), date(2026, 4, 6)),
        # Case 2: both steps in time: complied.
        step(2, 9, "order_make_plan.draft", date(2026, 2, 16), date(2026, 2, 16)),
        step(2, 9, "order_make_plan.final", date(2026, 3, 30), date(2026, 3, 27)),
    ]
    result = whole_orders(facts, YEAR)
    assert (result["numerator_ids"], result["denominator_ids"]) == ([2], [1, 2])
    assert result["by"]["order: make_plan"]["denominator"] == 2


def test_an_order_with_a_step_still_to_fall_due_is_pending_and_one_overdue_is_late():
    facts = [
        step(3, 7, "order_make_plan.draft", date(2026, 11, 20), date(2026, 11, 18)),
        step(3, 7, "order_make_plan.final", date(2026, 12, 14)),  # not yet due on 25 Nov
        step(4, 7, "order_make_plan.draft", date(2026, 11, 2)),  # never done, overdue
        step(4, 7, "order_make_plan.final", date(2026, 11, 23), date(2026, 11, 20)),
    ]
    result = whole_orders(facts, YEAR)
    assert result["denominator_ids"] == [4] and result["numerator_ids"] == []
    assert result["excluded_ids"] == [3]


def test_a_step_stopped_before_it_fell_due_does_not_count_against_the_order():
    facts = [
        step(5, 7, "order_make_plan.draft", date(2026, 2, 16), date(2026, 2, 10)),
        step(5, 7, "order_make_plan.final", date(2026, 3, 30), ended_on=date(2026, 3, 1)),
    ]
    result = whole_orders(facts, YEAR)
    assert (result["numerator_ids"], result["denominator_ids"]) == ([5], [5])
