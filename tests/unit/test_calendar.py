"""Tests for ehcp_engine.domain.calendar (STATUTORY.md §1 counting rules).

Every expected date below is written out by hand from a printed calendar (weekday in the
comment); none is computed by the code under test.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ehcp_engine.domain.calendar import (
    UNITS,
    CalendarSettings,
    StatutoryCalendar,
    academic_year_start,
    national_curriculum_year,
)

CAL = StatutoryCalendar()


# --- STATUTORY.md §1 worked examples ---------------------------------------------------------


def test_twenty_weeks_from_request() -> None:
    assert CAL.add_weeks(date(2026, 1, 5), 20) == date(2026, 5, 25)  # Mon -> Mon


def test_draft_comments_fifteen_days_beginning_with_service() -> None:
    assert CAL.days_beginning_with(date(2026, 3, 2), 15) == date(2026, 3, 16)  # Mon -> Mon


def test_reassessment_fifteen_days_after_request() -> None:
    assert CAL.add_days(date(2026, 3, 2), 15) == date(2026, 3, 17)  # Mon -> Tue


def test_one_month_from_31_january_clamps_to_february_end() -> None:
    assert CAL.add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)  # Sat
    assert CAL.add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)  # Thu (leap year)


def test_three_working_days_over_christmas_2026() -> None:
    # Thu 24 (1), Fri 25 Christmas, Sat, Sun, Mon 28 Boxing Day substitute, Tue 29 (2), Wed 30 (3)
    assert CAL.add_working_days(date(2026, 12, 23), 3) == date(2026, 12, 30)  # Wed -> Wed


# --- Bank holidays -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2020, 12, 25), True),  # Fri Christmas Day
        (date(2020, 12, 28), True),  # Mon substitute for Boxing Day (Sat 26)
        (date(2021, 12, 27), True),  # Mon substitute for Christmas Day (Sat 25)
        (date(2021, 12, 28), True),  # Tue substitute for Boxing Day (Sun 26)
        (date(2021, 12, 29), False),  # Wed
        (date(2022, 12, 26), True),  # Mon Boxing Day
        (date(2022, 12, 27), True),  # Tue substitute for Christmas Day (Sun 25)
        (date(2022, 12, 28), False),  # Wed
        (date(2022, 1, 3), True),  # Mon substitute for New Year's Day (Sat 1)
        (date(2023, 1, 2), True),  # Mon substitute for New Year's Day (Sun 1)
        (date(2023, 12, 24), False),  # Sun Christmas Eve is not a bank holiday
        (date(2026, 1, 2), False),  # Fri 2 January is a holiday in Scotland only
    ],
)
def test_christmas_and_new_year_substitute_days(day: date, expected: bool) -> None:
    assert CAL.is_bank_holiday(day) is expected


@pytest.mark.parametrize(
    ("good_friday", "easter_monday"),
    [
        (date(2019, 4, 19), date(2019, 4, 22)),  # Fri, Mon
        (date(2024, 3, 29), date(2024, 4, 1)),  # Fri, Mon
        (date(2025, 4, 18), date(2025, 4, 21)),  # Fri, Mon
        (date(2026, 4, 3), date(2026, 4, 6)),  # Fri, Mon
        (date(2027, 3, 26), date(2027, 3, 29)),  # Fri, Mon
    ],
)
def test_easter(good_friday: date, easter_monday: date) -> None:
    assert not CAL.is_working_day(good_friday)
    assert not CAL.is_working_day(easter_monday)
    assert CAL.is_working_day(good_friday - timedelta(days=1))  # Maundy Thursday
    assert CAL.is_working_day(easter_monday + timedelta(days=1))  # Easter Tuesday


def test_working_days_over_easter_2026() -> None:
    # Thu 2 Apr -> skip Good Friday 3, Sat, Sun, Easter Monday 6 -> Tue 7
    assert CAL.add_working_days(date(2026, 4, 2), 1) == date(2026, 4, 7)  # Thu -> Tue


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2025, 5, 5), True),  # Mon early May
        (date(2025, 5, 26), True),  # Mon spring
        (date(2026, 5, 4), True),  # Mon early May
        (date(2026, 5, 25), True),  # Mon spring
        (date(2027, 5, 3), True),  # Mon early May
        (date(2027, 5, 31), True),  # Mon spring
        (date(2020, 5, 8), True),  # Fri early May moved for VE Day 75
        (date(2020, 5, 4), False),  # Mon first Monday of May 2020 was a working day
        (date(2022, 6, 2), True),  # Thu spring moved for the Platinum Jubilee
        (date(2022, 6, 3), True),  # Fri Platinum Jubilee
        (date(2022, 5, 30), False),  # Mon last Monday of May 2022 was a working day
        (date(2026, 8, 31), True),  # Mon late summer
    ],
)
def test_may_spring_and_summer_bank_holidays(day: date, expected: bool) -> None:
    assert CAL.is_bank_holiday(day) is expected
    assert CAL.is_working_day(day) is not expected


@pytest.mark.parametrize(
    "settings",
    [
        CalendarSettings(),
        # listing days the package already knows must be harmless
        CalendarSettings(extra_bank_holidays=(date(2022, 9, 19), date(2023, 5, 8))),
    ],
)
def test_proclaimed_days(settings: CalendarSettings) -> None:
    cal = StatutoryCalendar(settings)
    assert cal.is_bank_holiday(date(2022, 9, 19))  # Mon state funeral
    assert cal.is_bank_holiday(date(2023, 5, 8))  # Mon coronation
    assert cal.add_working_days(date(2022, 9, 16), 1) == date(2022, 9, 20)  # Fri -> Tue
    assert cal.add_working_days(date(2023, 5, 5), 1) == date(2023, 5, 9)  # Fri -> Tue


def test_extra_bank_holiday_setting_adds_a_made_up_day() -> None:
    made_up = date(2026, 6, 12)  # Fri
    cal = StatutoryCalendar(CalendarSettings(extra_bank_holidays=(made_up,)))
    assert not CAL.is_bank_holiday(made_up)
    assert cal.is_bank_holiday(made_up)
    assert not cal.is_working_day(made_up)
    assert CAL.add_working_days(date(2026, 6, 11), 1) == date(2026, 6, 12)  # Thu -> Fri
    assert cal.add_working_days(date(2026, 6, 11), 1) == date(2026, 6, 15)  # Thu -> Mon


def test_weekends_are_not_working_days() -> None:
    assert not CAL.is_working_day(date(2026, 3, 14))  # Sat
    assert not CAL.is_working_day(date(2026, 3, 15))  # Sun
    assert CAL.is_working_day(date(2026, 3, 16))  # Mon


# --- Working days --------------------------------------------------------------------------


def test_add_working_days_over_substitute_days() -> None:
    # 2021: Sat 25, Sun 26, Mon 27 and Tue 28 Dec off
    assert CAL.add_working_days(date(2021, 12, 24), 1) == date(2021, 12, 29)  # Fri -> Wed
    # 2022: Sun 25, Mon 26 and Tue 27 Dec off
    assert CAL.add_working_days(date(2022, 12, 23), 1) == date(2022, 12, 28)  # Fri -> Wed


def test_add_working_days_ordinary_weeks() -> None:
    assert CAL.add_working_days(date(2026, 3, 13), 1) == date(2026, 3, 16)  # Fri -> Mon
    assert CAL.add_working_days(date(2026, 3, 14), 1) == date(2026, 3, 16)  # Sat -> Mon
    assert CAL.add_working_days(date(2026, 3, 9), 15) == date(2026, 3, 30)  # Mon -> Mon


def test_add_working_days_zero_and_negative() -> None:
    assert CAL.add_working_days(date(2026, 3, 14), 0) == date(2026, 3, 14)  # Sat unchanged
    with pytest.raises(ValueError, match="forwards"):
        CAL.add_working_days(date(2026, 3, 16), -1)


def test_next_working_day_after() -> None:
    assert CAL.next_working_day_after(date(2026, 3, 10)) == date(2026, 3, 11)  # Tue -> Wed
    assert CAL.next_working_day_after(date(2021, 12, 24)) == date(2021, 12, 29)  # Fri -> Wed


# --- Weeks, days, months -------------------------------------------------------------------


def test_backwards_weeks() -> None:
    # invitations at least two weeks before a review meeting (Reg 20(3))
    assert CAL.add_weeks(date(2026, 5, 20), -2) == date(2026, 5, 6)  # Wed -> Wed
    assert CAL.add_weeks(date(2026, 1, 6), -2) == date(2025, 12, 23)  # Tue -> Tue


def test_six_and_sixteen_weeks() -> None:
    assert CAL.add_weeks(date(2026, 1, 5), 6) == date(2026, 2, 16)  # Mon -> Mon
    assert CAL.add_weeks(date(2026, 1, 5), 16) == date(2026, 4, 27)  # Mon -> Mon


def test_days_beginning_with_rejects_empty_window() -> None:
    with pytest.raises(ValueError, match="n >= 1"):
        CAL.days_beginning_with(date(2026, 3, 2), 0)


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2026, 1, 15), 0, date(2026, 1, 15)),  # Thu
        (date(2025, 11, 30), 3, date(2026, 2, 28)),  # Sun -> Sat (clamped)
        (date(2026, 3, 31), 1, date(2026, 4, 30)),  # Tue -> Thu (clamped)
        (date(2025, 12, 31), 2, date(2026, 2, 28)),  # Wed -> Sat (clamped, over new year)
        (date(2026, 11, 15), 2, date(2027, 1, 15)),  # Sun -> Fri
        (date(2026, 3, 31), -1, date(2026, 2, 28)),  # Tue -> Sat (clamped backwards)
        (date(2024, 3, 31), -1, date(2024, 2, 29)),  # Sun -> Thu (leap year)
        (date(2026, 5, 31), -1, date(2026, 4, 30)),  # Sun -> Thu (clamped backwards)
        (date(2026, 1, 15), -2, date(2025, 11, 15)),  # Thu -> Sat (over new year)
        (date(2024, 2, 29), 12, date(2025, 2, 28)),  # Thu -> Fri
        (date(2024, 2, 29), 48, date(2028, 2, 29)),  # Thu -> Tue
        (date(2024, 2, 29), -12, date(2023, 2, 28)),  # Thu -> Tue
        (date(2026, 6, 30), 2, date(2026, 8, 30)),  # Tue -> Sun
    ],
)
def test_add_months(start: date, months: int, expected: date) -> None:
    assert CAL.add_months(start, months) == expected


def test_receipt_day_as_day_one_setting() -> None:
    cal = StatutoryCalendar(CalendarSettings(receipt_day_is_day_zero=False))
    assert cal.add_weeks(date(2026, 1, 5), 20) == date(2026, 5, 24)  # Mon -> Sun
    assert cal.add_days(date(2026, 3, 2), 15) == date(2026, 3, 16)  # Mon -> Mon
    # backwards counts and "beginning with" windows are unaffected
    assert cal.add_weeks(date(2026, 5, 20), -2) == date(2026, 5, 6)  # Wed -> Wed
    assert cal.days_beginning_with(date(2026, 3, 2), 15) == date(2026, 3, 16)  # Mon -> Mon


# --- Fixed dates ---------------------------------------------------------------------------


def test_before_fixed_date_strict_by_default() -> None:
    assert CAL.before_fixed_date(2027, 2, 15) == date(2027, 2, 14)  # Sun
    assert CAL.before_fixed_date(2027, 3, 31) == date(2027, 3, 30)  # Tue
    assert CAL.before_fixed_date(2028, 3, 1) == date(2028, 2, 29)  # Tue (leap year)


def test_before_fixed_date_inclusive_setting() -> None:
    cal = StatutoryCalendar(CalendarSettings(fixed_date_inclusive=True))
    assert cal.before_fixed_date(2027, 2, 15) == date(2027, 2, 15)  # Mon
    assert cal.before_fixed_date(2027, 3, 31) == date(2027, 3, 31)  # Wed


# --- Tribunal time (HESC r.12(3)) ----------------------------------------------------------


@pytest.mark.parametrize(
    ("last_day", "expected"),
    [
        (date(2026, 8, 15), date(2026, 9, 1)),  # Sat in August -> Tue 1 Sep
        (date(2026, 8, 1), date(2026, 9, 1)),  # Sat 1 Aug -> Tue 1 Sep
        (date(2025, 8, 29), date(2025, 9, 1)),  # Fri -> Mon 1 Sep
        (date(2024, 8, 1), date(2024, 9, 2)),  # Thu -> Mon (1 Sep 2024 is a Sunday)
        (date(2029, 8, 31), date(2029, 9, 3)),  # Fri -> Mon (1 Sep 2029 is a Saturday)
        (date(2025, 12, 25), date(2026, 1, 2)),  # Thu Christmas Day -> Fri 2 Jan
        (date(2026, 12, 25), date(2027, 1, 4)),  # Fri -> Mon (2 Jan 2027 is a Saturday)
        (date(2026, 1, 1), date(2026, 1, 2)),  # Thu New Year's Day -> Fri 2 Jan
        (date(2027, 1, 1), date(2027, 1, 4)),  # Fri -> Mon (2 Jan 2027 is a Saturday)
        (date(2020, 12, 31), date(2021, 1, 4)),  # Thu -> Mon (2 Jan 2021 is a Saturday)
        (date(2021, 12, 31), date(2022, 1, 4)),  # Fri -> Tue (Sun 2, Mon 3 substitute day)
        (date(2022, 12, 31), date(2023, 1, 3)),  # Sat -> Tue (Mon 2 substitute day)
    ],
)
def test_tribunal_last_day_moves_out_of_closed_periods(last_day: date, expected: date) -> None:
    assert CAL.tribunal_last_day(last_day) == expected


@pytest.mark.parametrize(
    "last_day",
    [
        date(2026, 10, 14),  # Wed ordinary day
        date(2026, 7, 31),  # Fri, the day before August
        date(2026, 9, 1),  # Tue, the day after August
        date(2026, 12, 24),  # Thu Christmas Eve
        date(2026, 1, 2),  # Fri 2 January
    ],
)
def test_tribunal_last_day_leaves_other_days(last_day: date) -> None:
    assert CAL.tribunal_last_day(last_day) == last_day


def test_appeal_window_two_months_into_august() -> None:
    notice = date(2026, 6, 30)  # Tue
    assert CAL.tribunal_last_day(CAL.add_months(notice, 2)) == date(2026, 9, 1)  # Sun 30 -> Tue


# --- Legal receipt date --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("received_at", "expected"),
    [
        (datetime(2026, 3, 10, 16, 59), date(2026, 3, 10)),  # Tue before 5pm -> Tue
        (datetime(2026, 3, 10, 17, 0), date(2026, 3, 11)),  # Tue at 5pm -> Wed
        (datetime(2026, 3, 10, 23, 59), date(2026, 3, 11)),  # Tue late -> Wed
        (datetime(2026, 3, 13, 17, 30), date(2026, 3, 16)),  # Fri after 5pm -> Mon
        (datetime(2026, 3, 14, 10, 0), date(2026, 3, 16)),  # Sat morning -> Mon
        (datetime(2026, 5, 25, 9, 0), date(2026, 5, 26)),  # Mon spring bank holiday -> Tue
        (datetime(2026, 4, 3, 11, 0), date(2026, 4, 7)),  # Good Friday -> Tue
        (datetime(2026, 4, 2, 18, 0), date(2026, 4, 7)),  # Thu evening before Easter -> Tue
    ],
)
def test_legal_receipt_date_naive_london(received_at: datetime, expected: date) -> None:
    assert CAL.legal_receipt_date(received_at) == expected


@pytest.mark.parametrize(
    ("received_at", "expected"),
    [
        # GMT until Sun 29 Mar 2026: 16:30 UTC is 16:30 in London
        (datetime(2026, 3, 27, 16, 30, tzinfo=UTC), date(2026, 3, 27)),  # Fri -> Fri
        # BST from Sun 29 Mar 2026: 16:30 UTC is 17:30 in London, after close
        (datetime(2026, 3, 30, 16, 30, tzinfo=UTC), date(2026, 3, 31)),  # Mon -> Tue
        # still BST on Fri 23 Oct 2026: 17:30 London -> next working day
        (datetime(2026, 10, 23, 16, 30, tzinfo=UTC), date(2026, 10, 26)),  # Fri -> Mon
        # GMT again from Sun 25 Oct 2026
        (datetime(2026, 10, 26, 16, 30, tzinfo=UTC), date(2026, 10, 26)),  # Mon -> Mon
        # 23:30 UTC on Wed 1 Jul is 00:30 BST on Thu 2 Jul, a working morning
        (datetime(2026, 7, 1, 23, 30, tzinfo=UTC), date(2026, 7, 2)),  # Thu
        # 09:00 in New York on Tue 10 Mar 2026 (UTC-4) is 13:00 in London (GMT)
        (datetime(2026, 3, 10, 9, 0, tzinfo=timezone(timedelta(hours=-4))), date(2026, 3, 10)),
    ],
)
def test_legal_receipt_date_aware(received_at: datetime, expected: date) -> None:
    assert CAL.legal_receipt_date(received_at) == expected


def test_legal_receipt_date_custom_close_of_business() -> None:
    cal = StatutoryCalendar(CalendarSettings(close_of_business=time(16, 0)))
    assert cal.legal_receipt_date(datetime(2026, 3, 10, 15, 59)) == date(2026, 3, 10)  # Tue
    assert cal.legal_receipt_date(datetime(2026, 3, 10, 16, 0)) == date(2026, 3, 11)  # Wed


# --- Academic and national curriculum years ------------------------------------------------


def test_academic_year_start() -> None:
    assert academic_year_start(date(2026, 8, 31)) == date(2025, 9, 1)
    assert academic_year_start(date(2026, 9, 1)) == date(2026, 9, 1)
    assert academic_year_start(date(2027, 1, 10)) == date(2026, 9, 1)


@pytest.mark.parametrize(
    ("born", "on", "year_group"),
    [
        (date(2015, 3, 15), date(2019, 10, 1), 0),  # Reception 2019/20
        (date(2015, 3, 15), date(2025, 10, 1), 6),  # Year 6 2025/26
        (date(2015, 3, 15), date(2026, 8, 31), 6),  # still Year 6 on the last day
        (date(2015, 3, 15), date(2026, 9, 1), 7),  # Year 7 from 1 Sep 2026
        (date(2015, 3, 15), date(2018, 10, 1), -1),  # Nursery 2018/19
        (date(2015, 8, 31), date(2019, 9, 1), 0),  # youngest of the 2014/15 cohort
        (date(2015, 9, 1), date(2019, 9, 1), -1),  # oldest of the 2015/16 cohort: Nursery
        (date(2015, 9, 1), date(2020, 9, 1), 0),  # Reception a year later
        (date(2014, 9, 1), date(2025, 9, 1), 6),  # same cohort as 15 Mar 2015 and 31 Aug 2015
    ],
)
def test_national_curriculum_year(born: date, on: date, year_group: int) -> None:
    assert national_curriculum_year(born, on) == year_group


# --- due() dispatch ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("unit", "start", "amount", "expected"),
    [
        ("weeks", date(2026, 1, 5), 20, date(2026, 5, 25)),  # Mon -> Mon
        ("days", date(2026, 3, 2), 15, date(2026, 3, 17)),  # Mon -> Tue
        ("days_beginning_with", date(2026, 3, 2), 15, date(2026, 3, 16)),  # Mon -> Mon
        ("months", date(2026, 1, 31), 1, date(2026, 2, 28)),  # Sat -> Sat
        ("working_days", date(2026, 12, 23), 3, date(2026, 12, 30)),  # Wed -> Wed
    ],
)
def test_due_dispatch(unit: str, start: date, amount: int, expected: date) -> None:
    assert unit in UNITS
    assert CAL.due(unit, start, amount) == expected


def test_due_covers_every_unit() -> None:
    assert frozenset({"weeks", "days", "days_beginning_with", "months", "working_days"}) == UNITS


def test_due_unknown_unit() -> None:
    with pytest.raises(ValueError, match="fortnights") as excinfo:
        CAL.due("fortnights", date(2026, 1, 5), 1)
    message = str(excinfo.value)
    for unit in UNITS:
        assert unit in message


# --- Properties ----------------------------------------------------------------------------

DATES = st.dates(min_value=date(2000, 1, 1), max_value=date(2060, 12, 31))


@given(start=DATES, n=st.integers(min_value=1, max_value=40))
def test_add_working_days_lands_on_a_working_day(start: date, n: int) -> None:
    result = CAL.add_working_days(start, n)
    assert result > start
    assert CAL.is_working_day(result)
    between = (start + timedelta(days=i) for i in range(1, (result - start).days + 1))
    assert sum(1 for d in between if CAL.is_working_day(d)) == n


@given(start=DATES, n=st.integers(min_value=0, max_value=60))
def test_add_months_then_back(start: date, n: int) -> None:
    forward = CAL.add_months(start, n)
    back = CAL.add_months(forward, -n)
    assert forward.day <= start.day
    assert (back.year, back.month) == (start.year, start.month)
    assert back <= start
    if start.day <= 28:
        assert forward.day == start.day
        assert back == start


@given(day=DATES)
def test_tribunal_last_day_never_in_closed_period(day: date) -> None:
    result = CAL.tribunal_last_day(day)
    closed = day.month == 8 or (day.month, day.day) >= (12, 25) or (day.month, day.day) == (1, 1)
    assert result >= day
    assert (result == day) is not closed
    if closed:
        assert CAL.is_working_day(result)
        assert result.month != 8 and (result.month, result.day) not in {(12, 31), (1, 1)}
