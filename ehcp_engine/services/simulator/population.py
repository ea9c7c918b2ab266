"""How many cases arrive, and when: the stock of plans at the start, requests and transfers in.

Sized so that about `plans` plans are in force at the end: the stock starts at
plans / PLAN_GROWTH_PER_YEAR ** years and requests arrive at the rate that makes
NEW_PLANS_PER_PLAN new plans a year (both from STATUTORY.md §5 "Scale"), spread over working days
with a seasonal shape.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from random import Random

from ehcp_engine.domain.calendar import StatutoryCalendar
from ehcp_engine.services.simulator import rates

STOCK_ISSUED_OVER_DAYS = 365  # stock plans were issued in the year before the start


@dataclass(frozen=True)
class Arrival:
    day: date
    kind: str  # "@stock", "@request" or "@transfer_in"
    issue: date | None = None


def stock_size(plans: int, years: int) -> int:
    return max(1, round(plans / rates.PLAN_GROWTH_PER_YEAR**years))


def arrivals(
    rng: Random, cal: StatutoryCalendar, plans: int, years: int, start: date, end: date
) -> list[Arrival]:
    """Every arrival of the run, in date order (ties keep their planned order)."""
    stock = stock_size(plans, years)
    found = [_stock(rng, start) for _ in range(stock)]
    first = start - timedelta(days=rates.WARM_UP_DAYS)
    for period_start, period_end in _periods(first, start, end):
        middle = period_start + (period_end - period_start) / 2
        in_force = stock * rates.PLAN_GROWTH_PER_YEAR ** ((middle - start).days / 365.25)
        share = (period_end - period_start).days / 365.25
        days = _working_days(cal, period_start, period_end)
        weights = [rates.MONTHLY_REQUEST_WEIGHTS[d.month - 1] for d in days]
        n_requests = round(in_force * rates.requests_per_plan() * share)
        found += [Arrival(d, "@request") for d in rng.choices(days, weights, k=n_requests)]
        if period_end > start:
            n_in = round(in_force * rates.TRANSFERS_IN_PER_PLAN * share)
            found += [Arrival(d, "@transfer_in") for d in rng.choices(days, k=n_in)]
    return sorted(found, key=lambda a: a.day)


def _stock(rng: Random, start: date) -> Arrival:
    issue = start - timedelta(days=rng.randint(1, STOCK_ISSUED_OVER_DAYS))
    received = issue - timedelta(days=rng.randint(112, 200))
    return Arrival(received, "@stock", issue)


def _periods(first: date, start: date, end: date) -> list[tuple[date, date]]:
    """The warm-up before the start, then each calendar year (or part) to the end."""
    periods = [(first, start)] if first < start else []
    cursor = start
    while cursor < end:
        nxt = min(end, date(cursor.year + 1, 1, 1))
        periods.append((cursor, nxt))
        cursor = nxt
    return periods


def _working_days(cal: StatutoryCalendar, first: date, end: date) -> list[date]:
    days = [first + timedelta(days=n) for n in range((end - first).days)]
    return [d for d in days if cal.is_working_day(d)]
