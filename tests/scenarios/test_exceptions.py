"""Exceptions to the time limits (STATUTORY.md §2; Regs 8(2), 10(4)): an exception never moves a
due date; a deadline missed under a recorded exception is `missed_exception`; a ground outside the
timer's exception set is refused (422) with the reason.

Every expected date is worked out by hand from a calendar (weekday in the comment).
"""

from __future__ import annotations

from datetime import date

import pytest

from ehcp_engine.domain.errors import EventInvalid
from tests.journey import Journey
from tests.scenarios.steps import exception_data, record_exception, timeline, to_draft


def drafted(svc) -> Journey:
    """Request Mon 5 Jan 2026 (final plan due Mon 25 May 2026); draft served Thu 2 Apr 2026,
    comments until Thu 16 Apr. Today follows the events."""
    svc.clock.set(date(2026, 1, 5))  # Mon
    j = Journey(svc, date(2026, 1, 5))  # Mon
    to_draft(j, agreed=date(2026, 2, 10), decided=date(2026, 4, 1), served=date(2026, 4, 2))
    return j


# --- reg10_4: assessment_decision, no_plan_notice, final_plan ------------------------------------


def test_late_final_plan_with_reg10_4_exception_is_missed_exception_and_due_date_stays(svc):
    """Reg 10(4)(c), 13(3); STATUTORY §2: the LA need not comply with the 20 weeks when it is
    impractical because of the family's exceptional personal circumstances; the due date stays
    Mon 25 May 2026 and the late plan is 'missed - exception applies'."""
    j = drafted(svc)
    svc.clock.set(date(2026, 5, 4))  # Mon: compare the display on the same day
    before = timeline(j)
    record_exception(
        j,
        date(2026, 5, 4),  # Mon
        "final_plan",
        "personal_circumstances",
        date(2026, 4, 20),  # Mon
        date(2026, 5, 15),  # Fri
        family_informed=True,
        evidence="Parent in hospital; letter of 4 May",
    )
    assert timeline(j) == before, "an exception moves no due date and changes no status"
    d = j.deadline("final_plan")
    assert d["due_on"] == date(2026, 5, 25)  # Mon
    assert d["exception"]["ground"] == "personal_circumstances"
    assert d["exception"]["from"] == "2026-04-20"
    assert d["exception"]["to"] == "2026-05-15"
    assert d["exception"]["family_informed"] is True
    assert d["exception"]["evidence"] == "Parent in hospital; letter of 4 May"

    j.do("final_plan_issued", date(2026, 6, 1), named_setting="Oak Primary")  # Mon
    d = j.deadline("final_plan")
    assert (d["status"], d["met_on"], d["due_on"]) == (
        "missed_exception",
        date(2026, 6, 1),
        date(2026, 5, 25),  # Mon
    )
    j.assert_replays()


def test_exception_recorded_after_a_late_final_plan_makes_it_missed_exception(svc):
    """STATUTORY §2: an exception recorded after the event (officers record late) applies to the
    missed deadline: missed -> missed_exception; the due date stays."""
    j = drafted(svc)
    j.do("final_plan_issued", date(2026, 6, 1), named_setting="Oak Primary")  # Mon
    assert j.deadline("final_plan")["status"] == "missed"
    record_exception(
        j, date(2026, 6, 3), "final_plan", "absence_from_area", date(2026, 4, 6), date(2026, 5, 8)
    )
    d = j.deadline("final_plan")
    assert (d["status"], d["met_on"], d["due_on"]) == (
        "missed_exception",
        date(2026, 6, 1),
        date(2026, 5, 25),  # Mon
    )
    j.assert_replays()


def test_final_plan_on_time_under_an_exception_is_met(svc):
    """STATUTORY §2: an exception only changes how a LATE act counts; on time is met."""
    j = drafted(svc)
    record_exception(
        j, date(2026, 4, 6), "final_plan", "setting_closure", date(2026, 4, 3), date(2026, 4, 20)
    )
    j.do("final_plan_issued", date(2026, 5, 25), named_setting="Oak Primary")  # Mon, last day
    d = j.deadline("final_plan")
    assert (d["status"], d["met_on"]) == ("met", date(2026, 5, 25))
    j.assert_replays()


@pytest.mark.parametrize(
    "ground",
    ["setting_closure", "early_years_closure", "personal_circumstances", "absence_from_area"],
)
def test_final_plan_accepts_every_reg10_4_ground(svc, ground):
    """Reg 10(4)(a)–(d): the four grounds of the reg10_4 set."""
    j = drafted(svc)
    record_exception(j, date(2026, 4, 6), "final_plan", ground, date(2026, 4, 3))
    assert j.deadline("final_plan")["exception"]["ground"] == ground
    j.assert_replays()


@pytest.mark.parametrize("ground", ["missed_appointment", "representations"])
def test_final_plan_refuses_a_ground_outside_reg10_4(svc, ground):
    """STATUTORY §2: missed_appointment (Reg 8(2)(c)) and representations (Reg 44(3)) are not
    reg10_4 grounds: refused with EventInvalid (422) naming the ground, nothing written."""
    j = drafted(svc)
    err = j.refused(
        "exception_recorded",
        date(2026, 4, 6),
        match=f"'{ground}' is not a ground for final_plan",
        **exception_data("final_plan", ground, date(2026, 4, 3)),
    )
    assert isinstance(err, EventInvalid)
    assert err.status_code == 422
    assert ground in err.detail
    assert j.deadline("final_plan")["exception"] is None
    j.assert_replays()


def test_late_assessment_decision_under_reg10_4_exception_is_missed_exception(svc):
    """Reg 5(4), 10(4)(d): the family was away from the area for 4+ weeks; the decision notified
    after 6 weeks is 'missed - exception applies'; due stays Mon 16 Feb 2026."""
    svc.clock.set(date(2026, 1, 5))  # Mon
    j = Journey(svc, date(2026, 1, 5))  # Mon
    record_exception(
        j,
        date(2026, 1, 12),  # Mon
        "assessment_decision",
        "absence_from_area",
        date(2026, 1, 10),  # Sat
        date(2026, 2, 14),  # Sat, five weeks away
        family_informed=True,
    )
    j.do("assessment_agreed", date(2026, 2, 23))  # Mon
    d = j.deadline("assessment_decision")
    assert (d["status"], d["met_on"], d["due_on"]) == (
        "missed_exception",
        date(2026, 2, 23),
        date(2026, 2, 16),  # Mon
    )
    j.assert_replays()


def test_late_no_plan_notice_under_reg10_4_exception_is_missed_exception(svc):
    """Reg 10(1), 10(4)(a): the school was closed for 4+ weeks while its advice was asked; the
    notice after 16 weeks (due Mon 27 Apr 2026) is 'missed - exception applies'."""
    svc.clock.set(date(2026, 1, 5))  # Mon
    j = Journey(svc, date(2026, 1, 5))  # Mon
    j.do("assessment_agreed", date(2026, 2, 10))  # Tue
    record_exception(
        j, date(2026, 3, 2), "no_plan_notice", "setting_closure", date(2026, 3, 2)
    )  # Mon
    j.do("plan_refused", date(2026, 5, 4), reasons="needs met at SEN support")  # Mon
    d = j.deadline("no_plan_notice")
    assert (d["status"], d["met_on"], d["due_on"]) == (
        "missed_exception",
        date(2026, 5, 4),
        date(2026, 4, 27),  # Mon
    )
    j.assert_replays()


# --- timers with no exception set ----------------------------------------------------------------


@pytest.mark.parametrize(
    "ground", ["personal_circumstances", "absence_from_area", "missed_appointment"]
)
def test_draft_comments_accepts_no_exception(svc, ground):
    """STATUTORY §2 'none': the family's 15-day comment window (Reg 13(1)) has no exception."""
    j = drafted(svc)
    err = j.refused(
        "exception_recorded",
        date(2026, 4, 6),
        match=f"'{ground}' is not a ground for draft_comments .*no exception applies",
        **exception_data("draft_comments", ground, date(2026, 4, 3)),
    )
    assert isinstance(err, EventInvalid)
    j.assert_replays()


def test_setting_consultation_accepts_no_exception(svc):
    """STATUTORY §2 'none': setting consultation (guidance) has no exception set."""
    j = drafted(svc)
    j.do("setting_consulted", date(2026, 4, 3), setting="Oak Primary")  # Fri
    err = j.refused(
        "exception_recorded",
        date(2026, 4, 6),
        match="'personal_circumstances' is not a ground for setting_consultation",
        **exception_data("setting_consultation", "personal_circumstances", date(2026, 4, 3)),
    )
    assert isinstance(err, EventInvalid)
    j.assert_replays()


def test_annual_review_accepts_no_exception(svc):
    """STATUTORY §2 'none': reviews (Act s.44(1)) have no exception."""
    j = drafted(svc)
    j.do("final_plan_issued", date(2026, 4, 20), named_setting="Oak Primary")  # Mon
    err = j.refused(
        "exception_recorded",
        date(2026, 4, 21),
        match="'absence_from_area' is not a ground for annual_review",
        **exception_data("annual_review", "absence_from_area", date(2026, 4, 21)),
    )
    assert isinstance(err, EventInvalid)
    j.assert_replays()


# --- refusals about the exception itself ---------------------------------------------------------


def test_exception_dated_before_the_request_is_refused(svc):
    """STATUTORY §4: no event may be dated before the request."""
    svc.clock.set(date(2026, 1, 5))  # Mon
    j = Journey(svc, date(2026, 1, 5))  # Mon
    j.refused(
        "exception_recorded",
        date(2026, 1, 2),  # Fri
        match="before the request",
        **exception_data("final_plan", "personal_circumstances", date(2026, 1, 2)),
    )
    j.assert_replays()


def test_exception_for_an_unknown_timer_is_refused(svc):
    """§4a: `rule` is a timer id or a deadline id; anything else is refused (422)."""
    j = drafted(svc)
    err = j.refused(
        "exception_recorded",
        date(2026, 4, 6),
        match="'final_plans' is not a timer id",
        **exception_data("final_plans", "personal_circumstances", date(2026, 4, 3)),
    )
    assert isinstance(err, EventInvalid)
    j.assert_replays()


def test_exception_with_to_before_from_is_refused(svc):
    """§4a: an exception's date range must be in order (422)."""
    j = drafted(svc)
    err = j.refused(
        "exception_recorded",
        date(2026, 4, 6),
        match="'to' is before 'from'",
        **exception_data(
            "final_plan", "personal_circumstances", date(2026, 4, 3), date(2026, 4, 1)
        ),
    )
    assert isinstance(err, EventInvalid)
    j.assert_replays()


def test_exception_for_a_cancelled_deadline_is_refused(svc):
    """STATUTORY §2: an exception marks an open or missed deadline; a refusal to assess cancelled
    the final plan timer, so there is nothing to excuse."""
    svc.clock.set(date(2026, 1, 5))  # Mon
    j = Journey(svc, date(2026, 1, 5))  # Mon
    j.do("assessment_refused", date(2026, 2, 2), reasons="not needed")  # Mon
    j.refused(
        "exception_recorded",
        date(2026, 2, 3),
        match="no open or missed final_plan deadline",
        **exception_data("final_plan", "personal_circumstances", date(2026, 1, 20)),
    )
    j.assert_replays()


def test_exception_for_a_deadline_met_on_time_is_refused(svc):
    """STATUTORY §2: a deadline met on time needs no exception."""
    svc.clock.set(date(2026, 1, 5))  # Mon
    j = Journey(svc, date(2026, 1, 5))  # Mon
    j.do("assessment_agreed", date(2026, 2, 10))  # Tue
    j.refused(
        "exception_recorded",
        date(2026, 2, 11),
        match="no open or missed assessment_decision deadline",
        **exception_data("assessment_decision", "personal_circumstances", date(2026, 1, 20)),
    )
    j.assert_replays()
