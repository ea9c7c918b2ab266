"""Reassessing a plan in force (STATUTORY.md §3 `reassessment_decision`, `reassessment_plan`):
the decision within 15 days of the request (Reg 25), the plan within 14 weeks of the decision to
reassess (Reg 27) with the Reg 10(4) exceptions, and the refusal's appeal rights (Act s.51(2)).

Every expected date is worked out by hand from a calendar (weekday in the comment).
"""

from __future__ import annotations

from datetime import date

from tests.journey import Journey
from tests.scenarios.plan_life import (
    at,
    exception,
    keys,
    plan_issued,
    refuse,
    seq_of,
    status,
)

ISSUED = date(2027, 4, 20)  # Tue
REQUESTED = date(2027, 6, 1)  # Tue


def test_reassessment_decision_15_days(svc):
    """Reg 25: the LA notifies whether it will reassess within 15 days of the request; on the
    15th day it is on time."""
    j = plan_issued(svc, ISSUED)
    j.do("reassessment_requested", REQUESTED)
    d = at(j, "reassessment_decision:plan-1")
    assert d["starts_on"] == date(2027, 6, 1)  # Tue
    assert d["due_on"] == date(2027, 6, 16)  # Wed, 15 days after
    assert d["source"] == "Reg 25"
    assert j.stage("plan")["state"] == "reassessment_requested"
    j.do("reassessment_agreed", date(2027, 6, 16))  # Wed
    assert status(j, "reassessment_decision:plan-1") == ("met", date(2027, 6, 16))
    assert j.stage("plan")["state"] == "reassessing"
    j.assert_replays()


def test_reassessment_decision_after_15_days_is_missed(svc):
    """Reg 25: a decision on the 16th day is late; no exception applies (STATUTORY §2)."""
    j = plan_issued(svc, ISSUED)
    j.do("reassessment_requested", REQUESTED)
    refuse(
        j,
        "exception_recorded",
        date(2027, 6, 10),  # Thu
        "not a ground for reassessment_decision",
        **exception("reassessment_decision", "absence_from_area", date(2027, 6, 2)),
    )
    j.do("reassessment_refused", date(2027, 6, 17), reasons="Needs are met by the plan")  # Thu
    assert status(j, "reassessment_decision:plan-1") == ("missed", date(2027, 6, 17))
    j.assert_replays()


def test_reassessment_plan_14_weeks(svc):
    """Reg 27: the amended (or replacement) plan after a reassessment is due 14 weeks after the
    decision to reassess. A reg10_4 exception (Reg 10(4)(d): the family away for 4 weeks or
    more) keeps the due date and makes a late plan `missed_exception`, not a plain breach."""
    j = plan_issued(svc, ISSUED)
    j.do("reassessment_requested", REQUESTED)
    j.do("reassessment_agreed", date(2027, 6, 16))  # Wed
    d = at(j, "reassessment_plan:plan-1")
    assert d["starts_on"] == date(2027, 6, 16)  # Wed
    assert d["due_on"] == date(2027, 9, 22)  # Wed, 98 days later
    assert d["source"] == "Reg 27"

    j.do(
        "exception_recorded",
        date(2027, 8, 2),  # Mon
        **exception(
            "reassessment_plan",
            "absence_from_area",
            date(2027, 7, 19),  # Mon
            date(2027, 8, 27),  # Fri, 5 weeks and 5 days away
        ),
    )
    assert at(j, "reassessment_plan:plan-1")["due_on"] == date(2027, 9, 22)  # unchanged
    j.do("amended_plan_issued", date(2027, 10, 6), named_setting="Oak Primary")  # Wed
    d = at(j, "reassessment_plan:plan-1")
    assert (d["status"], d["met_on"]) == ("missed_exception", date(2027, 10, 6))
    assert d["exception"]["ground"] == "absence_from_area"
    assert d["exception"]["family_informed"] is True
    assert j.stage("plan")["state"] == "maintained"
    j.assert_replays()


def test_reassessment_plan_on_the_last_day_is_met(svc):
    """Reg 27: an amended plan on the last day of the 14 weeks is on time."""
    j = plan_issued(svc, ISSUED)
    j.do("reassessment_requested", REQUESTED)
    j.do("reassessment_agreed", date(2027, 6, 16))  # Wed
    j.do("amended_plan_issued", date(2027, 9, 22))  # Wed
    assert status(j, "reassessment_plan:plan-1") == ("met", date(2027, 9, 22))
    assert j.stage("plan")["state"] == "maintained"
    j.assert_replays()


def test_late_reassessment_plan_without_exception_is_missed(svc):
    """Reg 27: a plan a day after the 14 weeks with no exception recorded is a breach."""
    j = plan_issued(svc, ISSUED)
    j.do("reassessment_requested", REQUESTED)
    j.do("reassessment_agreed", date(2027, 6, 16))  # Wed
    j.do("amended_plan_issued", date(2027, 9, 23))  # Thu
    d = at(j, "reassessment_plan:plan-1")
    assert (d["status"], d["met_on"], d["exception"]) == ("missed", date(2027, 9, 23), None)
    j.assert_replays()


def test_reassessment_plan_exception_ground_outside_reg10_4_refused(svc):
    """STATUTORY §2: `missed_appointment` is a Reg 8(2) ground for advice, not a Reg 10(4)
    ground; it is refused (422) with the allowed grounds."""
    j = plan_issued(svc, ISSUED)
    j.do("reassessment_requested", REQUESTED)
    j.do("reassessment_agreed", date(2027, 6, 16))  # Wed
    err = refuse(
        j,
        "exception_recorded",
        date(2027, 8, 2),  # Mon
        "'missed_appointment' is not a ground for reassessment_plan",
        **exception("reassessment_plan", "missed_appointment", date(2027, 7, 28)),
    )
    assert err.status_code == 422
    assert "absence_from_area" in err.detail
    j.assert_replays()


def test_refusal_to_reassess_is_appealable(svc):
    """Act s.51(2)(d); HESC r.20, r.12(3): a refusal to reassess carries mediation and appeal
    rights; 2 months from Mon 14 Jun 2027 ends in August, so the appeal window runs to the
    first working day of September. The plan goes on being maintained."""
    j = plan_issued(svc, ISSUED)
    j.do("reassessment_requested", REQUESTED)
    j.do("reassessment_refused", date(2027, 6, 14), reasons="Needs unchanged")  # Mon
    decision = f"decision-{seq_of(j, 'reassessment_refused')}"
    assert at(j, f"appeal_window:{decision}")["due_on"] == date(2027, 9, 1)  # Wed
    assert at(j, f"mediation_contact:{decision}")["due_on"] == date(2027, 8, 14)  # Sat
    assert keys(j, "reassessment_plan") == []
    assert j.stage("plan")["state"] == "maintained"
    j.assert_replays()


def test_reassessment_decision_without_a_request_refused(svc):
    """Reg 25: a decision whether to reassess answers a request; without one it is refused."""
    j = plan_issued(svc, ISSUED)
    refuse(j, "reassessment_agreed", REQUESTED, "plan stage is 'maintained'")
    refuse(j, "reassessment_refused", REQUESTED, "plan stage is 'maintained'", reasons="x")
    j.assert_replays()


def test_second_reassessment_request_while_one_is_pending_refused(svc):
    """Reg 25: one request at a time; a second while the first awaits its decision, or while
    the reassessment runs, is refused."""
    j = plan_issued(svc, ISSUED)
    j.do("reassessment_requested", REQUESTED)
    refuse(
        j, "reassessment_requested", date(2027, 6, 3), "plan stage is 'reassessment_requested'"
    )  # Thu
    j.do("reassessment_agreed", date(2027, 6, 10))  # Thu
    refuse(j, "reassessment_requested", date(2027, 6, 11), "plan stage is 'reassessing'")  # Fri
    assert keys(j, "reassessment_decision") == ["reassessment_decision:plan-1"]
    j.assert_replays()


def test_reassessment_needs_a_plan_in_force(svc):
    """Act s.44; Reg 24: a reassessment is of a plan; before a plan is issued it is refused."""
    j = Journey(svc, date(2027, 1, 4))  # Mon
    refuse(j, "reassessment_requested", date(2027, 1, 11), "needs a plan in force")  # Mon
    j.assert_replays()
