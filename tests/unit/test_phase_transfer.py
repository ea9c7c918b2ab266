"""Phase transfers (Reg 18(1)) and post-16 moves (Reg 18(2)) as pure date arithmetic.

Every expected date is worked out by hand from the child's date of birth (weekday in the comment);
none is computed by the code under test. Cohorts: a child born 1 Sep Y to 31 Aug Y+1 starts
Reception in September Y+5 (Nursery, year -1, the year before).
"""

from __future__ import annotations

import shutil
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from ehcp_engine.config import load_engine_config
from ehcp_engine.domain.calendar import CalendarSettings, StatutoryCalendar
from ehcp_engine.domain.case import CaseState, Child, RecordedEvent
from ehcp_engine.domain.errors import EventInvalid
from ehcp_engine.domain.law import Law
from ehcp_engine.domain.rules import RuleError
from ehcp_engine.domain.schools import SchoolStructures, Transfer, load_school_structures
from ehcp_engine.services.cases import check_date_of_birth
from ehcp_engine.settings import REPO_CONFIG
from workflows import calculators
from workflows.phase_transfer import (
    child_transfers,
    future_transfers,
    latest_invitations,
    latest_review_meeting,
)
from workflows.timers import Scope, apply_timers

CONFIG = load_engine_config(REPO_CONFIG)
LAW = CONFIG.law(CONFIG.rule_book.for_date(date(2026, 1, 5)).id)
INCLUSIVE = replace(LAW, calendar=StatutoryCalendar(CalendarSettings(fixed_date_inclusive=True)))


def child(born: date, structure: str | None = None, offset: int = 0) -> Child:
    return Child("Ada", "Example", born, year_group_offset=offset, school_structure=structure)


def dues(c: Child, law: Law = LAW) -> dict[str, tuple[date, date, date]]:
    """kind -> (starts_on, transfer_on, due_on)."""
    return {t.kind: (t.starts_on, t.transfer_on, t.due_on) for t in child_transfers(c, law)}


# --- two-tier: Nursery -> Reception, Year 6 -> 7, Year 11 -> post-16 -------------------------


def test_year_6_to_7_before_15_february_strict() -> None:
    # Born 15 Mar 2015: Reception 2019/20, Year 6 in 2025/26, transfers on Tue 1 Sep 2026.
    got = dues(child(date(2015, 3, 15)))
    assert got["primary_to_secondary"] == (
        date(2025, 9, 1),  # Mon: 12 months before the transfer
        date(2026, 9, 1),  # Tue
        date(2026, 2, 14),  # Sat: "before 15 February" (strict, the default)
    )


def test_year_6_to_7_inclusive_setting() -> None:
    got = dues(child(date(2015, 3, 15)), INCLUSIVE)
    assert got["primary_to_secondary"][2] == date(2026, 2, 15)  # Sun
    assert got["secondary_to_post16"][2] == date(2031, 3, 31)  # Mon


def test_year_11_to_post16_before_31_march() -> None:
    # Year 11 in 2030/31 -> post-16 on Mon 1 Sep 2031; Reg 18(1)(a): before 31 March.
    got = dues(child(date(2015, 3, 15)))
    assert got["secondary_to_post16"] == (date(2030, 9, 1), date(2031, 9, 1), date(2031, 3, 30))
    # Sun 1 Sep 2030, Mon 1 Sep 2031, Sun 30 Mar 2031


def test_nursery_to_reception() -> None:
    # Nursery (year -1) in 2018/19 -> Reception on Sun 1 Sep 2019; due Thu 14 Feb 2019.
    got = dues(child(date(2015, 3, 15)))
    assert got["early_years_to_school"] == (date(2018, 9, 1), date(2019, 9, 1), date(2019, 2, 14))


def test_born_31_august_and_1_september_are_a_year_apart() -> None:
    # 31 Aug 2015 is the youngest of the 2014/15 cohort; 1 Sep 2015 the oldest of the next.
    youngest = dues(child(date(2015, 8, 31)))["primary_to_secondary"]
    oldest = dues(child(date(2015, 9, 1)))["primary_to_secondary"]
    assert youngest[1:] == (date(2026, 9, 1), date(2026, 2, 14))  # Tue, Sat
    assert oldest[1:] == (date(2027, 9, 1), date(2027, 2, 14))  # Wed, Sun


def test_held_back_a_year_transfers_a_year_later() -> None:
    # Recorded in Year 5 when the date of birth says Year 6 (offset -1): Year 6 in 2026/27.
    got = dues(child(date(2015, 3, 15), offset=-1))
    assert got["primary_to_secondary"][1:] == (date(2027, 9, 1), date(2027, 2, 14))  # Wed, Sun
    assert got["secondary_to_post16"][1:] == (date(2032, 9, 1), date(2032, 3, 30))  # Wed, Tue


def test_moved_up_a_year_transfers_a_year_earlier() -> None:
    got = dues(child(date(2015, 3, 15), offset=1))
    assert got["primary_to_secondary"][1:] == (date(2025, 9, 1), date(2025, 2, 14))  # Mon, Fri


# --- other structures ---------------------------------------------------------------------


def test_infant_junior_year_2_to_3() -> None:
    # Born 10 Oct 2019: Reception 2024/25, Year 2 in 2026/27 -> junior school Wed 1 Sep 2027.
    got = dues(child(date(2019, 10, 10), "infant_junior"))
    assert got["infant_to_junior"] == (date(2026, 9, 1), date(2027, 9, 1), date(2027, 2, 14))
    # Tue 1 Sep 2026, Wed 1 Sep 2027, Sun 14 Feb 2027
    assert got["primary_to_secondary"][2] == date(2031, 2, 14)  # Fri: Year 6 in 2030/31
    assert set(got) == {
        "early_years_to_school",
        "infant_to_junior",
        "primary_to_secondary",
        "secondary_to_post16",
    }


def test_two_tier_has_no_year_2_transfer() -> None:
    assert "infant_to_junior" not in dues(child(date(2019, 10, 10)))


def test_three_tier_first_middle_upper() -> None:
    # Born 15 Mar 2015: Year 4 in 2023/24, Year 8 in 2027/28, Year 11 in 2030/31.
    got = dues(child(date(2015, 3, 15), "three_tier"))
    assert got["first_to_middle"][1:] == (date(2024, 9, 1), date(2024, 2, 14))  # Sun, Wed
    assert got["middle_to_upper"][1:] == (date(2028, 9, 1), date(2028, 2, 14))  # Fri, Mon
    assert got["secondary_to_post16"][1:] == (date(2031, 9, 1), date(2031, 3, 30))  # Mon, Sun
    assert "primary_to_secondary" not in got


def test_eleven_to_eighteen_school_has_no_year_11_transfer() -> None:
    # STATUTORY §6 default: staying on in a school sixth form is not a Reg 18(1)(a) transfer.
    assert set(dues(child(date(2015, 3, 15), "two_tier_11_18"))) == {
        "early_years_to_school",
        "primary_to_secondary",
    }


# --- which transfers a plan issued on a day gets ----------------------------------------------


def test_only_transfers_whose_long_stop_is_still_ahead() -> None:
    c = child(date(2015, 3, 15))
    on_the_day = [t.kind for t in future_transfers(c, date(2026, 2, 14), LAW)]
    day_after = [t.kind for t in future_transfers(c, date(2026, 2, 15), LAW)]
    assert on_the_day == ["primary_to_secondary", "secondary_to_post16"]
    assert day_after == ["secondary_to_post16"]


def test_nonsense_ages_have_no_transfers() -> None:
    assert future_transfers(child(date(1996, 1, 1)), date(2026, 1, 5), LAW) == []  # aged 30
    assert future_transfers(child(date(2001, 6, 1)), date(2026, 6, 1), LAW) == []  # 25 today
    # Aged 19 in Year 14: every transfer of the structure (none beyond Year 14) is behind.
    assert future_transfers(child(date(2006, 10, 10)), date(2026, 1, 5), LAW) == []


def test_calculator_keys_each_transfer_by_kind() -> None:
    c = child(date(2015, 10, 10))  # Year 5 in 2025/26
    case = CaseState(rule_set_id=LAW.rules.id, child=c)
    ev = RecordedEvent(seq=9, type="final_plan_issued", occurred_on=date(2026, 4, 20), data={})
    got = calculators.phase_transfer(case=case, event=ev, anchor=ev.occurred_on, law=LAW)
    assert got == [
        (".primary_to_secondary", date(2026, 9, 1), date(2027, 2, 14)),  # Tue, Sun
        (".secondary_to_post16", date(2031, 9, 1), date(2032, 3, 30)),  # Mon, Tue
    ]


# --- planning backwards from the long-stop -------------------------------------------------


def test_latest_review_meeting_is_12_weeks_before_the_long_stop() -> None:
    # Sun 14 Feb 2027 - 8 weeks (Reg 22(3)) = Sun 20 Dec 2026; - 4 weeks (Reg 20(10)) = 22 Nov.
    assert latest_review_meeting(date(2027, 2, 14), LAW) == date(2026, 11, 22)  # Sun
    # Post-16: Tue 30 Mar 2027 -> Tue 5 Jan 2027.
    assert latest_review_meeting(date(2027, 3, 30), LAW) == date(2027, 1, 5)  # Tue
    # Invitations at least 2 weeks before that meeting (Reg 20(3)).
    assert latest_invitations(date(2027, 2, 14), LAW) == date(2026, 11, 8)  # Sun


def test_latest_review_meeting_does_not_depend_on_the_day_one_setting() -> None:
    # Backward week counts are exact whichever way the receipt day counts (STATUTORY §6).
    day_one = replace(
        LAW, calendar=StatutoryCalendar(CalendarSettings(receipt_day_is_day_zero=False))
    )
    assert latest_review_meeting(date(2027, 2, 14), day_one) == date(2026, 11, 22)


# --- post-16 -> post-16 (Reg 18(2)): at least 5 months before the move -------------------------


def _post16_deadline(moves_on: date, proposed_on: date) -> tuple[date, date]:
    c = child(date(2008, 10, 10))
    case = CaseState(rule_set_id=LAW.rules.id, child=c)
    ev = RecordedEvent(
        seq=12,
        type="post16_move_proposed",
        occurred_on=proposed_on,
        data={"moves_on": moves_on.isoformat()},
    )
    apply_timers(case, ev, Scope("plan-1"), LAW)
    d = next(d for d in case.deadlines.values() if d.rule == "post16_transfer")
    return d.starts_on, d.due_on


def test_post16_move_mid_year_due_5_months_before() -> None:
    # A move in January (mid-year): Wed 6 Jan 2027 - 5 months = Thu 6 Aug 2026.
    assert _post16_deadline(date(2027, 1, 6), date(2026, 6, 1)) == (
        date(2026, 6, 1),  # Mon: live from the proposal
        date(2026, 8, 6),  # Thu
    )


def test_post16_move_month_end_clamps() -> None:
    # Sat 31 Jul 2027 - 5 months: 31 Feb does not exist, so Sun 28 Feb 2027.
    assert _post16_deadline(date(2027, 7, 31), date(2027, 1, 4))[1] == date(2027, 2, 28)


# --- the structures file ----------------------------------------------------------------------


def test_shipped_file_loads_and_default_is_two_tier() -> None:
    schools = load_school_structures(REPO_CONFIG / "phase_transfer.toml")
    assert schools.default_structure == "two_tier"
    assert {"two_tier", "infant_junior", "three_tier", "two_tier_11_18"} <= set(schools.names())
    assert schools.transfers(None) == schools.transfers("two_tier")
    assert schools.transfers("two_tier") == SchoolStructures.default().transfers(None)
    assert Transfer("infant_to_junior", 2, 3) in schools.transfers("infant_junior")


def test_unknown_structure_is_a_configuration_error() -> None:
    with pytest.raises(RuleError, match=r"'nowhere' is not configured .*two_tier"):
        SchoolStructures.default().transfers("nowhere")


def test_engine_config_without_the_file_uses_two_tier(tmp_path: Path) -> None:
    shutil.copytree(REPO_CONFIG, tmp_path / "config")
    (tmp_path / "config" / "phase_transfer.toml").unlink()
    config = load_engine_config(tmp_path / "config")
    assert config.schools == SchoolStructures.default()


GOOD = """
default_structure = "a"
[structures.a]
transfers = [{ kind = "primary_to_secondary", from_year = 6, to_year = 7 }]
"""


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (GOOD + "colour = 1\n", r"colour: unknown key"),
        (GOOD.replace('"a"\n[', '"b"\n['), r"default_structure: 'b' is not one of"),
        (GOOD.replace("to_year = 7", "to_year = 15"), r"transfers\[0\]\.to_year: 15 is not a"),
        (GOOD.replace("from_year = 6", "from_year = -2"), r"from_year: -2 is not a year"),
        (GOOD.replace("from_year = 6", "from_year = 7"), r"from_year 7 must be before"),
        (GOOD.replace("to_year = 7", "to_year = 7, school = 'x'"), r"\[0\]\.school: unknown"),
        (GOOD.replace("primary_to_secondary", "sideways"), r"'sideways' is not a Reg 2\(1\)"),
        (GOOD.replace("from_year = 6", 'from_year = "6"'), r"from_year: '6' is not a year"),
        (GOOD.replace("transfers = ", "moves = "), r"structures\.a\.moves: unknown key"),
        (GOOD.replace("[structures.a]", "[structures.A]"), r"structures\.A: a name is lower"),
        ('default_structure = "a"\n', r"give at least one \[structures.NAME\]"),
        (GOOD + "[structures.a.x]\n", r"structures\.a\.x: unknown key"),
        ("not = [toml", r"not valid TOML"),
    ],
)
def test_bad_file_names_file_and_key(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "phase_transfer.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RuleError, match=message) as caught:
        load_school_structures(path)
    assert str(path) in str(caught.value)


def test_a_kind_or_a_year_twice_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "phase_transfer.toml"
    path.write_text(
        GOOD.replace(
            "to_year = 7 }]",
            'to_year = 7 }, { kind = "primary_to_secondary", from_year = 6, to_year = 8 }]',
        ),
        encoding="utf-8",
    )
    with pytest.raises(RuleError, match=r"kind 'primary_to_secondary' is listed twice.*year 6"):
        load_school_structures(path)


# --- dates of birth that make no sense (422) ----------------------------------------------------


def test_date_of_birth_checks_for_requests_and_transfers_in() -> None:
    # Born Tue 10 Oct 2000: 25 on Fri 10 Oct 2025; that academic year ends Mon 31 Aug 2026.
    young_person = child(date(2000, 10, 10))
    check_date_of_birth(young_person, date(2025, 10, 9), "request_received")  # 24 the day before
    with pytest.raises(EventInvalid, match="would be 25 on 2025-10-10; a request is for"):
        check_date_of_birth(young_person, date(2025, 10, 10), "request_received")
    check_date_of_birth(young_person, date(2026, 8, 31), "plan_transferred_in")  # Act s.46
    with pytest.raises(EventInvalid, match="end of the academic year in which they turn 25"):
        check_date_of_birth(young_person, date(2026, 9, 1), "plan_transferred_in")
    with pytest.raises(EventInvalid, match="born after"):
        check_date_of_birth(child(date(2026, 1, 6)), date(2026, 1, 5))
