"""A request's journey after the decision to assess: advice, the decision whether to issue, the
draft, the family's comments, settings consulted and the final plan (Regs 6-14)."""

from __future__ import annotations

from datetime import date, timedelta
from random import Random

from ehcp_engine.domain.calendar import StatutoryCalendar
from ehcp_engine.services.simulator import people, rates
from ehcp_engine.services.simulator.agenda import (
    NO_PLAN_REASONS,
    advice_arrival,
    advice_types,
    chance,
    late,
    ordered,
    pick,
    plus,
    work,
)
from ehcp_engine.services.simulator.world import CaseSim, Item

FINAL_LIMIT = 140  # Reg 13(2): 20 weeks, in days
NO_PLAN_LIMIT = 112  # Reg 10(1): 16 weeks
# The shortest tail after the last advice: decision, draft next day, 15 days of comments.
SHORTEST_TAIL = 18


def assessment_items(
    case: CaseSim, cal: StatutoryCalendar, today: date, forced: str | None = None
) -> list[Item]:
    """Advice asked and received, then withdrawal, a decision not to issue, or a final plan."""
    rng = case.rng
    received = case_request_on(case)
    outcome = forced or pick(
        rng,
        {
            "withdrawn": rates.ASSESSMENT_WITHDRAWN,
            "not_issue": rates.PLAN_REFUSED,
            "issue": 1 - rates.ASSESSMENT_WITHDRAWN - rates.PLAN_REFUSED,
        },
    )
    exception = outcome == "issue" and chance(rng, rates.FINAL_PLAN_EXCEPTION)
    if outcome == "issue":
        on_time = not exception and chance(rng, rates.FINAL_PLAN_ON_TIME)
        cap = received + timedelta(days=FINAL_LIMIT - SHORTEST_TAIL)
    else:
        on_time = chance(rng, rates.NO_PLAN_NOTICE_ON_TIME)
        cap = received + timedelta(days=NO_PLAN_LIMIT - 3)
    asked = work(cal, plus(rng, today, 0, 6), floor=today)
    items, last = advice_items(case, cal, asked, cap if on_time else None)
    if outcome == "withdrawn":
        return withdrawn(cal, rng, items, asked)
    if outcome == "not_issue":
        return ordered(items + no_plan_items(rng, cal, received, last, on_time))
    if exception:
        items.append(Item(exception_day(rng, cal, received, today), "@exception", _final_exc(case)))
    return ordered(items + final_items(case, cal, received, last, on_time))


def case_request_on(case: CaseSim) -> date:
    assert case.request_on is not None
    return case.request_on


def _final_exc(case: CaseSim) -> dict[str, str]:
    return {"rule": "final_plan", "reg": "reg10_4"}


def exception_day(rng: Random, cal: StatutoryCalendar, received: date, today: date) -> date:
    """When the delay's reason is recorded: before the 20 weeks run out, after the decision."""
    day = max(today, plus(rng, received, 70, FINAL_LIMIT - 1))
    return work(cal, day, floor=today)


def advice_items(
    case: CaseSim, cal: StatutoryCalendar, asked: date, cap: date | None
) -> tuple[list[Item], date]:
    """One request per adviser on `asked`, each answered on its sampled day (Regs 6, 8)."""
    assert case.child is not None
    rng = case.rng
    school = case.named_setting or people.setting_for(rng, _age(case, asked), special=False)
    items, last = [], asked
    for kind in advice_types(case, asked):
        contributor = people.adviser(kind, school)
        items.append(
            Item(asked, "advice_requested", {"advice_type": kind, "contributor": contributor})
        )
        answered = advice_arrival(rng, cal, asked, kind, cap)
        if answered > asked + timedelta(days=42) and chance(rng, rates.ADVICE_EXCEPTION):
            day = work(cal, plus(rng, asked, 21, 41), floor=asked)
            data = {"rule": "advice", "advice_type": kind, "reg": "reg8_2"}
            items.append(Item(day, "@exception", data))
        items.append(Item(answered, "advice_received", {"advice_type": kind}))
        last = max(last, answered)
    return items, last


def _age(case: CaseSim, on: date) -> int:
    assert case.child is not None
    return people.age_on(case.child.date_of_birth, on)


def withdrawn(cal: StatutoryCalendar, rng: Random, items: list[Item], asked: date) -> list[Item]:
    """The family withdraws during the assessment: advice not yet in is never received."""
    day = work(cal, plus(rng, asked, 10, 60), floor=asked)
    kept = [i for i in items if i.day <= day and i.kind != "@exception"]
    reason = {"reason": "The family withdrew the request during the assessment."}
    return ordered([*kept, Item(day, "request_withdrawn", reason)])


def no_plan_items(
    rng: Random, cal: StatutoryCalendar, received: date, last: date, on_time: bool
) -> list[Item]:
    """Reg 10(1): notice of a decision not to issue, within 16 weeks or late."""
    limit = received + timedelta(days=NO_PLAN_LIMIT)
    day = work(cal, plus(rng, last, 2, 14), floor=last)
    if on_time and day > limit:
        day = work(cal, max(last, limit), floor=last)
    if not on_time:
        target = limit + timedelta(days=late(rng, 30, 150))
        day = work(cal, max(day, target), floor=max(last, limit + timedelta(days=1)))
    reasons = {"reasons": rng.choice(NO_PLAN_REASONS)}
    return [Item(day, "plan_refused", reasons), Item(day, "@dispute")]


def final_items(
    case: CaseSim, cal: StatutoryCalendar, received: date, last: date, on_time: bool
) -> list[Item]:
    """Decision to issue, draft, comments, consultation and the final plan (Regs 12-14)."""
    rng = case.rng
    agreed, draft, final = _draft_dates(rng, cal, received, last, on_time)
    named = people.setting_for(rng, _age(case, final))
    items = [Item(agreed, "plan_agreed"), Item(draft, "draft_plan_served")]
    items += consultation_items(rng, cal, draft, final, named)
    items += [
        Item(final, "final_plan_issued", {"named_setting": named}),
        Item(final, "@dispute"),
        Item(final, "@plan_life"),
    ]
    return items


def _draft_dates(
    rng: Random, cal: StatutoryCalendar, received: date, last: date, on_time: bool
) -> tuple[date, date, date]:
    limit = received + timedelta(days=FINAL_LIMIT)
    agreed = work(cal, plus(rng, last, 2, 10), floor=last)
    draft = work(cal, plus(rng, agreed, 1, 7), floor=agreed + timedelta(days=1))
    final = work(cal, plus(rng, draft, 15, 22), floor=draft + timedelta(days=15))
    if on_time and final > limit:  # the officer hurries: the shortest lawful tail
        agreed = last
        draft = work(cal, agreed + timedelta(days=1), floor=agreed + timedelta(days=1))
        final = work(cal, draft + timedelta(days=15), floor=draft + timedelta(days=15))
    if not on_time:
        target = limit + timedelta(days=late(rng, rates.FINAL_PLAN_LATE_MEAN_DAYS, 300))
        if final < target:  # the delay falls before the decision and before the draft
            shift = (target - final).days
            first = int(shift * rng.random() * 0.6)
            second = first + int(shift * rng.random() * 0.3)
            agreed = work(cal, agreed + timedelta(days=first), floor=agreed)
            draft = work(cal, draft + timedelta(days=second), floor=agreed + timedelta(days=1))
        floor = max(draft + timedelta(days=15), limit + timedelta(days=1))
        final = work(cal, max(final, target), floor=floor)
    return agreed, draft, final


def consultation_items(
    rng: Random, cal: StatutoryCalendar, draft: date, final: date, named: str
) -> list[Item]:
    """Act s.39: the setting consulted; Reg 13(1): the family's comments, within 15 days."""
    consulted = work(cal, plus(rng, draft, 0, 3), floor=draft)
    answered = min(final, work(cal, plus(rng, consulted, 5, 20), floor=consulted))
    items = [
        Item(consulted, "setting_consulted", {"setting": named}),
        Item(answered, "setting_responded", {"setting": named}),
    ]
    if chance(rng, rates.REPRESENTATIONS_MADE):
        data: dict[str, str] = {}
        if chance(rng, rates.SETTING_REQUESTED):
            data["requested_setting"] = named
        items.append(Item(plus(rng, draft, 3, 14), "representations_received", data))
    return items


def stock_items(case: CaseSim, cal: StatutoryCalendar, received: date, issue: date) -> list[Item]:
    """A plan issued before the simulated period: the journey's main steps only."""
    rng = case.rng
    agreed = work(cal, plus(rng, received, 28, 42), floor=received)
    decided = work(cal, issue - timedelta(days=rng.randint(25, 40)), floor=agreed)
    draft = work(cal, plus(rng, decided, 1, 5), floor=decided + timedelta(days=1))
    final = work(cal, max(issue, draft + timedelta(days=15)), floor=draft + timedelta(days=15))
    named = people.setting_for(rng, _age(case, final))
    return [
        Item(agreed, "assessment_agreed"),
        Item(decided, "plan_agreed"),
        Item(draft, "draft_plan_served"),
        Item(final, "final_plan_issued", {"named_setting": named}),
        Item(final, "@plan_life"),
    ]
