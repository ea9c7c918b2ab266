"""Statutory date arithmetic for EHC plan deadlines (STATUTORY.md §1 "Counting rules").

A pure module: no I/O, no clock, no persistence. Every function takes the dates it needs and
returns a ``date``; deadlines therefore replay identically from the event log (STATUTORY.md §1).

Sources (abbreviations as in STATUTORY.md):

* Reg = SEND Regulations 2014 (SI 2014/1530); HESC = Tribunal Procedure (First-tier Tribunal)
  (Health, Education and Social Care Chamber) Rules 2008.
* "N weeks/days after D": D is day 0 (STATUTORY.md §6 default; a setting switches to day 1).
* "N days beginning with D": D is day 1 (Regs 13(1), 22(2)).
* Months: corresponding date, clamped to the month's last day.
* Working days: Mon–Fri except bank holidays in England (Banking and Financial Dealings Act 1971
  s.1 and Sch 1, plus days proclaimed under s.1(3)), Christmas Day and Good Friday (STATUTORY.md
  §1, following the usual statutory definition of "working day").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays

__all__ = [
    "UNITS",
    "CalendarSettings",
    "StatutoryCalendar",
    "academic_year_start",
    "national_curriculum_year",
]

UNITS: frozenset[str] = frozenset(
    {"weeks", "days", "days_beginning_with", "months", "working_days"}
)

LONDON = ZoneInfo("Europe/London")

_ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class CalendarSettings:
    """Configurable counting choices (STATUTORY.md §1 and §6: each is a setting, never a literal).

    * ``extra_bank_holidays``: one-off days proclaimed under the Banking and Financial Dealings
      Act 1971 s.1(3) (e.g. 19 Sep 2022, 8 May 2023). Days the ``holidays`` package already knows
      may be listed again harmlessly.
    * ``fixed_date_inclusive``: "before 15 February" (Reg 18(1)) ends 14 Feb when False (the
      words of the regulation), 15 Feb when True (most LAs say "by").
    * ``receipt_day_is_day_zero``: STATUTORY.md §6. True: N weeks after D = D + 7N (matches DfE's
      "days between" ≤ 140). False: D is day 1, so forward week/day counts end one day earlier.
    * ``close_of_business``: IPSEA practice, a request received at or after this local time
      counts from the next working day.
    """

    extra_bank_holidays: tuple[date, ...] = ()
    fixed_date_inclusive: bool = False
    receipt_day_is_day_zero: bool = True
    close_of_business: time = time(17, 0)


class StatutoryCalendar:
    """Date arithmetic for the statutory timers, with England's bank holidays."""

    def __init__(self, settings: CalendarSettings | None = None) -> None:
        self.settings: CalendarSettings = settings if settings is not None else CalendarSettings()
        self._extra: frozenset[date] = frozenset(self.settings.extra_bank_holidays)
        self._by_year: dict[int, frozenset[date]] = {}

    # -- bank holidays and working days -------------------------------------------------------

    def _package_holidays(self, year: int) -> frozenset[date]:
        """England's bank holidays for ``year`` from the ``holidays`` package, cached per year."""
        cached = self._by_year.get(year)
        if cached is None:
            # Same class as ``holidays.UK(subdiv="ENG")``; the factory is used because the package
            # loads ``holidays.UK`` lazily and mypy cannot see that attribute.
            cached = frozenset(holidays.country_holidays("UK", subdiv="ENG", years=year).keys())
            self._by_year[year] = cached
        return cached

    def is_bank_holiday(self, d: date) -> bool:
        """True for an England bank holiday (incl. substitute days) or a configured extra day.

        The package also lists Christmas Day and Good Friday (common-law holidays, which the
        working-day definitions name expressly) and the raw date of a holiday that falls on a
        weekend (e.g. Sat 25 Dec 2021) next to its substitute weekday.
        """
        return d in self._extra or d in self._package_holidays(d.year)

    def is_working_day(self, d: date) -> bool:
        """Mon–Fri and not a bank holiday, Christmas Day or Good Friday (STATUTORY.md §1)."""
        return d.weekday() < 5 and not self.is_bank_holiday(d)

    def next_working_day_after(self, d: date) -> date:
        """The first working day strictly after ``d``."""
        candidate = d + _ONE_DAY
        while not self.is_working_day(candidate):
            candidate += _ONE_DAY
        return candidate

    def _first_working_day_on_or_after(self, d: date) -> date:
        return d if self.is_working_day(d) else self.next_working_day_after(d)

    # -- period arithmetic ----------------------------------------------------------------------

    def _day_one_offset(self, n: int) -> int:
        """Shift for a forward "after D" count when D is day 1 rather than day 0 (STATUTORY §6)."""
        return -1 if n > 0 and not self.settings.receipt_day_is_day_zero else 0

    def add_weeks(self, d: date, n: int) -> date:
        """N weeks after ``d``: d + 7n (Regs 5(1), 10(1), 13(2)); negative n counts backwards
        (e.g. invitations "at least two weeks before" the review meeting, Reg 20(3))."""
        return d + timedelta(days=7 * n + self._day_one_offset(n))

    def add_days(self, d: date, n: int) -> date:
        """N days after ``d``: d + n (e.g. reassessment decision, Reg 25)."""
        return d + timedelta(days=n + self._day_one_offset(n))

    def days_beginning_with(self, d: date, n: int) -> date:
        """Last day of a period of n days beginning with ``d``: d + (n - 1) (Regs 13(1), 22(2))."""
        if n < 1:
            raise ValueError(f"a period 'beginning with' a day needs n >= 1, got {n}")
        return d + timedelta(days=n - 1)

    def add_months(self, d: date, n: int) -> date:
        """The corresponding date n months later (n may be negative); when that day does not
        exist, the month's last day (Interpretation Act 1978 Sch 1 "month" = calendar month;
        Dodds v Walker [1981] 1 WLR 1027). Used for annual reviews (Act s.44(1)), HESC r.20."""
        index = d.year * 12 + (d.month - 1) + n
        year, month = divmod(index, 12)
        month += 1
        return date(year, month, min(d.day, _days_in_month(year, month)))

    def add_working_days(self, d: date, n: int) -> date:
        """Count forward n working days, ``d`` itself not counted (Regs 15(2), 34, 39).

        n == 0 returns ``d`` unchanged; negative n is refused.
        """
        if n < 0:
            raise ValueError(f"working days are counted forwards only, got n={n}")
        result = d
        for _ in range(n):
            result = self.next_working_day_after(result)
        return result

    def due(self, unit: str, start: date, amount: int) -> date:
        """Dispatch a timer's period (STATUTORY §3 "due" column) on its unit."""
        if unit == "weeks":
            return self.add_weeks(start, amount)
        if unit == "days":
            return self.add_days(start, amount)
        if unit == "days_beginning_with":
            return self.days_beginning_with(start, amount)
        if unit == "months":
            return self.add_months(start, amount)
        if unit == "working_days":
            return self.add_working_days(start, amount)
        allowed = ", ".join(sorted(UNITS))
        raise ValueError(f"unknown unit {unit!r}; allowed units: {allowed}")

    # -- fixed dates and tribunal time ----------------------------------------------------------

    def before_fixed_date(self, year: int, month: int, day: int) -> date:
        """Last compliant day for "before <day month>" (Reg 18(1): "before 15 February" and
        "before 31 March"): the day before, or the day itself when ``fixed_date_inclusive``."""
        fixed = date(year, month, day)
        return fixed if self.settings.fixed_date_inclusive else fixed - _ONE_DAY

    def tribunal_last_day(self, d: date) -> date:
        """Last day to register an appeal whose time would end on ``d`` (HESC r.12(3)(a)).

        A day from 25 Dec to 1 Jan inclusive moves to the first working day after 1 January; a
        day in August to the first working day after 31 August; any other day is returned as is
        (STATUTORY.md §3 `appeal_window`).
        """
        if d.month == 8:
            return self._first_working_day_on_or_after(date(d.year, 9, 1))
        if d.month == 12 and d.day >= 25:
            return self._first_working_day_on_or_after(date(d.year + 1, 1, 2))
        if d.month == 1 and d.day == 1:
            return self._first_working_day_on_or_after(date(d.year, 1, 2))
        return d

    def legal_receipt_date(self, received_at: datetime) -> date:
        """The legal receipt date of a request (STATUTORY.md §1; IPSEA practice).

        An aware ``received_at`` is converted to Europe/London; a naive one is taken as London
        local time. Receipt on a non-working day, or at/after ``close_of_business``, counts from
        the next working day.
        """
        # An aware value is converted; a naive one (or a tzinfo without an offset) is London time,
        # never the server's zone (STATUTORY.md §1).
        aware = received_at.utcoffset() is not None
        local = received_at.astimezone(LONDON) if aware else received_at
        day = local.date()
        if not self.is_working_day(day) or local.time() >= self.settings.close_of_business:
            return self.next_working_day_after(day)
        return day


def _days_in_month(year: int, month: int) -> int:
    first_of_next = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return (first_of_next - _ONE_DAY).day


def academic_year_start(d: date) -> date:
    """1 September of the academic year (1 Sep–31 Aug) containing ``d`` (STATUTORY.md §3: the
    transfer year comes from the date of birth, academic year starting 1 September)."""
    return date(d.year if d.month >= 9 else d.year - 1, 9, 1)


def national_curriculum_year(date_of_birth: date, on: date) -> int:
    """England's national curriculum year group in the academic year containing ``on``.

    Children born 1 Sep Y to 31 Aug Y+1 share a cohort; Reception is 0, Nursery -1, so a child
    born 15 Mar 2015 is in Reception in 2019/20 and Year 6 in 2025/26.
    """
    return academic_year_start(on).year - academic_year_start(date_of_birth).year - 5
