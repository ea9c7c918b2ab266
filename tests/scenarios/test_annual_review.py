"""The annual review of a plan (STATUTORY.md §3 "The plan's life", §4 `annual_review`): the
12-month cycle (Act s.44(1)), the meeting's 2-week checks (Regs 20(3)-(4)), the report (Reg 20(7))
and the decision (Reg 20(10)); the early years review for an under-5 (CoP 9.178).

Every expected date is worked out by hand from a calendar (weekday in the comment).
"""

from __future__ import annotations

from datetime import date

from tests.scenarios.plan_life import (
    at,
    keys,
    live,
    plan_issued,
    refuse,
    seq_of,
    status,
)

ISSUED = date(2027, 4, 20)  # Tue: the final plan of most scenarios here


def _meeting_key(j, nth: int = -1) -> str:
    return f"annual_review-1/meeting-{seq_of(j, 'review_meeting_scheduled', nth)}"


# --- the 12-month cycle (Act s.44(1)) -------------------------------------------------------------


def test_annual_review_due_12_months_after_final_plan(svc):
    """Act s.44(1): the first review is within 12 months of the plan being made."""
    j = plan_issued(svc, ISSUED)
    d = at(j, "annual_review:plan-1")
    assert d["starts_on"] == date(2027, 4, 20)  # Tue, the plan's issue
    assert d["due_on"] == date(2028, 4, 20)  # Thu, 12 months later
    assert d["status"] == "open"
    assert d["source"] == "Act s.44(1); Regs 18–20"
    assert d["guidance"] is False
    assert j.stage("annual_review")["state"] == "due"
    assert j.stage("plan")["state"] == "maintained"
    # A 12-year-old: no early years review.
    assert j.deadlines("early_years_review") == []
    j.assert_replays()


def test_annual_review_of_a_plan_issued_29_february_is_due_28_february(svc):
    """Act s.44(1); STATUTORY §1: 12 months from 29 Feb ends on the last day of February."""
    j = plan_issued(svc, date(2028, 2, 29))  # Tue, leap day
    assert at(j, "annual_review:plan-1")["due_on"] == date(2029, 2, 28)  # Wed
    j.assert_replays()


def test_next_annual_review_runs_from_the_review_decision(svc):
    """Act s.44(1); STATUTORY §3 `annual_review`: after the first review, the next is due 12
    months from the date the last review decision was notified, cycle after cycle."""
    j = plan_issued(svc, ISSUED)
    j.do("review_meeting_held", date(2028, 3, 1))  # Wed
    j.do("review_decision_notified", date(2028, 3, 17), outcome="maintain")  # Fri
    assert status(j, "annual_review:plan-1") == ("met", date(2028, 3, 17))
    nxt = at(j, "annual_review:annual_review-1")
    assert nxt["starts_on"] == date(2028, 3, 17)  # Fri
    assert nxt["due_on"] == date(2029, 3, 17)  # Sat, 12 months after the decision
    assert j.stage("annual_review")["state"] == "due"  # the second cycle is open
    assert [s["state"] for s in j.view()["stages"] if s["stage"] == "annual_review"] == [
        "decided",
        "due",
    ]

    j.do("review_meeting_held", date(2029, 3, 5))  # Mon
    j.do("review_decision_notified", date(2029, 3, 9), outcome="maintain")  # Fri
    assert status(j, "annual_review:annual_review-1") == ("met", date(2029, 3, 9))
    assert at(j, "annual_review:annual_review-2")["due_on"] == date(2030, 3, 9)  # Sat
    j.assert_replays()


def test_late_review_decision_misses_the_annual_review(svc):
    """Act s.44(1): a decision after the 12 months is a missed review; the next cycle still
    runs from that decision."""
    j = plan_issued(svc, ISSUED)
    j.do("review_meeting_held", date(2028, 4, 3))  # Mon
    j.do("review_decision_notified", date(2028, 4, 21), outcome="maintain")  # Fri
    d = at(j, "annual_review:plan-1")
    assert (d["status"], d["met_on"]) == ("missed", date(2028, 4, 21))
    assert d["due_on"] == date(2028, 4, 20)  # Thu, unchanged
    assert at(j, "annual_review:annual_review-1")["due_on"] == date(2029, 4, 21)  # Sat
    j.assert_replays()


# --- the meeting's 2-week checks (Regs 20(3)-(4)) -------------------------------------------------


def test_review_invitations_due_2_weeks_before_meeting(svc):
    """Reg 20(3): everyone invited is given at least 2 weeks' notice of the meeting; sending
    the invitations exactly 2 weeks before is on time."""
    j = plan_issued(svc, ISSUED)
    j.do("review_meeting_scheduled", date(2028, 2, 7), meeting_on=date(2028, 3, 1))  # Mon; Wed
    key = f"review_invitations:{_meeting_key(j)}"
    d = at(j, key)
    assert d["due_on"] == date(2028, 2, 16)  # Wed, 14 days before Wed 1 Mar (a leap year)
    assert d["starts_on"] == date(2028, 2, 7)  # Mon, the day it was scheduled
    assert d["source"] == "Reg 20(3), 21(3)"
    assert j.stage("annual_review")["state"] == "scheduled"
    j.do("review_invitations_sent", date(2028, 2, 16))  # Wed, the last day
    assert status(j, key) == ("met", date(2028, 2, 16))
    j.assert_replays()


def test_review_advice_circulated_due_2_weeks_before_meeting(svc):
    """Reg 20(4): advice is circulated at least 2 weeks before the meeting; a day later is a
    breach."""
    j = plan_issued(svc, ISSUED)
    j.do("review_meeting_scheduled", date(2028, 2, 7), meeting_on=date(2028, 3, 1))  # Mon; Wed
    key = f"review_advice_circulated:{_meeting_key(j)}"
    assert at(j, key)["due_on"] == date(2028, 2, 16)  # Wed
    assert at(j, key)["source"] == "Reg 20(4), 21(4)"
    j.do("review_advice_circulated", date(2028, 2, 17))  # Thu, 13 days' notice
    assert status(j, key) == ("missed", date(2028, 2, 17))
    j.assert_replays()


def test_rescheduled_meeting_replaces_the_2_week_checks(svc):
    """Regs 20(3)-(4): scheduling again moves the meeting; the old date's checks are cancelled
    and new ones run 2 weeks before the new date (a reschedule is allowed, not a second
    review)."""
    j = plan_issued(svc, ISSUED)
    j.do("review_meeting_scheduled", date(2028, 2, 7), meeting_on=date(2028, 3, 1))  # Mon; Wed
    old = _meeting_key(j)
    j.do("review_meeting_scheduled", date(2028, 2, 14), meeting_on=date(2028, 3, 15))  # Mon; Wed
    new = _meeting_key(j)
    assert new != old
    assert at(j, f"review_invitations:{old}")["status"] == "cancelled"
    assert at(j, f"review_advice_circulated:{old}")["status"] == "cancelled"
    assert at(j, f"review_invitations:{new}")["due_on"] == date(2028, 3, 1)  # Wed
    assert at(j, f"review_advice_circulated:{new}")["due_on"] == date(2028, 3, 1)  # Wed
    assert len(keys(j, "review_invitations")) == 2
    assert len(live(j, "annual_review")) == 1

    j.do("review_invitations_sent", date(2028, 2, 28))  # Mon
    j.do("review_advice_circulated", date(2028, 3, 1))  # Wed, the last day
    assert status(j, f"review_invitations:{new}") == ("met", date(2028, 2, 28))
    assert status(j, f"review_advice_circulated:{new}") == ("met", date(2028, 3, 1))
    assert at(j, f"review_invitations:{old}")["status"] == "cancelled"
    j.do("review_meeting_held", date(2028, 3, 15))  # Wed
    assert at(j, "review_decision:annual_review-1")["due_on"] == date(2028, 4, 12)  # Wed
    j.assert_replays()


def test_meeting_date_before_the_day_it_was_scheduled_refused(svc):
    """Regs 20(3)-(4): a meeting cannot be scheduled for a date already past."""
    j = plan_issued(svc, ISSUED)
    refuse(
        j,
        "review_meeting_scheduled",
        date(2028, 2, 7),  # Mon
        "before the day it was scheduled",
        meeting_on=date(2028, 2, 1),  # Tue
    )
    j.assert_replays()


# --- report and decision (Regs 20(7), 20(10)) -----------------------------------------------------


def test_review_report_due_2_weeks_after_meeting(svc):
    """Reg 20(7): the report of the meeting is sent within 2 weeks of it."""
    j = plan_issued(svc, ISSUED)
    j.do(
        "review_meeting_held",
        date(2028, 3, 1),  # Wed
        participants=["child_or_young_person", "parent", "setting"],
        outcome_progress=[{"outcome": "Reads with confidence", "rating": "on_track"}],
    )
    d = at(j, "review_report:annual_review-1")
    assert d["starts_on"] == date(2028, 3, 1)  # Wed
    assert d["due_on"] == date(2028, 3, 15)  # Wed
    assert d["source"] == "Reg 20(7)"
    j.do("review_report_received", date(2028, 3, 15))  # Wed, the last day
    assert status(j, "review_report:annual_review-1") == ("met", date(2028, 3, 15))
    assert j.stage("annual_review")["state"] == "held"
    j.assert_replays()


def test_review_report_after_2_weeks_is_missed(svc):
    """Reg 20(7): a report the day after the 2 weeks is late."""
    j = plan_issued(svc, ISSUED)
    j.do("review_meeting_held", date(2028, 3, 1))  # Wed
    j.do("review_report_received", date(2028, 3, 16))  # Thu
    assert status(j, "review_report:annual_review-1") == ("missed", date(2028, 3, 16))
    j.assert_replays()


def test_review_decision_due_4_weeks_after_meeting(svc):
    """Reg 20(10): the LA notifies its decision (maintain, amend, cease) within 4 weeks of the
    meeting."""
    j = plan_issued(svc, ISSUED)
    j.do("review_meeting_held", date(2028, 3, 1))  # Wed
    d = at(j, "review_decision:annual_review-1")
    assert d["starts_on"] == date(2028, 3, 1)  # Wed
    assert d["due_on"] == date(2028, 3, 29)  # Wed, 28 days later
    assert d["source"] == "Reg 20(10)"
    j.do("review_report_received", date(2028, 3, 8))  # Wed
    j.do("review_decision_notified", date(2028, 3, 29), outcome="maintain")  # Wed, last day
    assert status(j, "review_decision:annual_review-1") == ("met", date(2028, 3, 29))
    assert status(j, "annual_review:plan-1") == ("met", date(2028, 3, 29))
    assert j.stage("annual_review")["state"] == "due"  # the next cycle
    j.assert_replays()


def test_review_decision_after_4_weeks_is_missed(svc):
    """Reg 20(10): a decision 4 weeks and a day after the meeting breaches Reg 20(10), even
    though the 12-month review (Act s.44(1)) is still met."""
    j = plan_issued(svc, ISSUED)
    j.do("review_meeting_held", date(2028, 3, 1))  # Wed
    j.do("review_report_received", date(2028, 3, 8))  # Wed
    j.do("review_decision_notified", date(2028, 3, 30), outcome="maintain")  # Thu
    assert status(j, "review_decision:annual_review-1") == ("missed", date(2028, 3, 30))
    assert status(j, "annual_review:plan-1") == ("met", date(2028, 3, 30))
    j.assert_replays()


def test_decision_to_maintain_is_appealable_as_a_refusal_to_amend(svc):
    """Act s.51(2); Reg 20(11); HESC r.20: a review decision to keep the plan unchanged is a
    refusal to amend, with mediation and appeal windows of 2 months from the notice."""
    j = plan_issued(svc, ISSUED)
    j.do("review_meeting_held", date(2028, 3, 1))  # Wed
    j.do("review_decision_notified", date(2028, 3, 17), outcome="maintain")  # Fri
    decision = f"decision-{seq_of(j, 'review_decision_notified')}"
    window = at(j, f"appeal_window:{decision}")
    assert window["starts_on"] == date(2028, 3, 17)  # Fri
    assert window["due_on"] == date(2028, 5, 17)  # Wed
    assert window["window"] is True
    assert at(j, f"mediation_contact:{decision}")["due_on"] == date(2028, 5, 17)  # Wed
    j.assert_replays()


# --- out-of-order and repeated events (409) -------------------------------------------------------


def test_review_decision_before_the_meeting_refused(svc):
    """Reg 20(10): the decision follows the meeting; before it (due or only scheduled) it is
    refused and nothing changes."""
    j = plan_issued(svc, ISSUED)
    err = refuse(
        j,
        "review_decision_notified",
        date(2028, 2, 1),  # Tue
        "not allowed while the annual_review stage is 'due'",
        outcome="maintain",
    )
    assert err.status_code == 409
    j.do("review_meeting_scheduled", date(2028, 2, 7), meeting_on=date(2028, 3, 1))  # Mon; Wed
    refuse(
        j,
        "review_decision_notified",
        date(2028, 2, 8),  # Tue
        "not allowed while the annual_review stage is 'scheduled'",
        outcome="maintain",
    )
    refuse(j, "review_report_received", date(2028, 2, 8), "stage is 'scheduled'")  # Tue
    assert at(j, "annual_review:plan-1")["status"] == "open"
    j.assert_replays()


def test_second_review_decision_for_the_same_cycle_refused(svc):
    """Act s.44(1): one decision per review cycle; a second decision finds only the next cycle,
    which has had no meeting, and is refused."""
    j = plan_issued(svc, ISSUED)
    j.do("review_meeting_held", date(2028, 3, 1))  # Wed
    j.do("review_decision_notified", date(2028, 3, 17), outcome="maintain")  # Fri
    err = refuse(
        j,
        "review_decision_notified",
        date(2028, 3, 20),  # Mon
        "not allowed while the annual_review stage is 'due'",
        outcome="amend",
        proposed_amendments="Section F: 10 hours of speech and language therapy",
    )
    assert err.status_code == 409
    assert len(keys(j, "annual_review")) == 2
    j.assert_replays()


def test_second_meeting_held_for_the_same_cycle_refused(svc):
    """Regs 20-21: one meeting per review cycle; holding it again is refused."""
    j = plan_issued(svc, ISSUED)
    j.do("review_meeting_held", date(2028, 3, 1))  # Wed
    refuse(j, "review_meeting_held", date(2028, 3, 2), "stage is 'held'")  # Thu
    refuse(j, "review_invitations_sent", date(2028, 3, 2), "stage is 'held'")  # Thu
    assert len(keys(j, "review_decision")) == 1
    j.assert_replays()


def test_review_report_can_still_be_recorded_after_an_early_decision(svc):
    """Reg 20(7): the report is due 2 weeks after the meeting, whenever the decision came; a
    report sent after the decision must still be recordable, so the deadline is settled."""
    j = plan_issued(svc, ISSUED)
    j.do("review_meeting_held", date(2028, 3, 1))  # Wed
    j.do("review_decision_notified", date(2028, 3, 10), outcome="maintain")  # Fri
    j.do("review_report_received", date(2028, 3, 13))  # Mon
    assert status(j, "review_report:annual_review-1") == ("met", date(2028, 3, 13))
    j.assert_replays()


# --- early years review (CoP 9.178) ---------------------------------------------------------------

UNDER_5 = date(2022, 11, 10)  # Thu: 4 when the plan is made, 5 on 10 Nov 2027


def test_early_years_review_every_6_months_for_an_under_5(svc):
    """CoP 9.178 (guidance): a child under 5 is reviewed every 3-6 months: 6 months from the
    plan, then from each review decision, alongside the 12-month review."""
    j = plan_issued(svc, ISSUED, born=UNDER_5)
    first = at(j, "early_years_review:plan-1")
    assert first["due_on"] == date(2027, 10, 20)  # Wed, 6 months after Tue 20 Apr 2027
    assert first["guidance"] is True
    assert first["source"] == "CoP 9.178"
    assert at(j, "annual_review:plan-1")["due_on"] == date(2028, 4, 20)  # Thu

    j.do("review_meeting_held", date(2027, 10, 5))  # Tue
    j.do("review_decision_notified", date(2027, 10, 12), outcome="maintain")  # Tue, aged 4
    assert status(j, "early_years_review:plan-1") == ("met", date(2027, 10, 12))
    assert status(j, "annual_review:plan-1") == ("met", date(2027, 10, 12))
    assert at(j, "early_years_review:annual_review-1")["due_on"] == date(2028, 4, 12)  # Wed
    assert at(j, "annual_review:annual_review-1")["due_on"] == date(2028, 10, 12)  # Thu
    j.assert_replays()


def test_early_years_review_stops_once_the_child_is_5(svc):
    """CoP 9.178: the 6-monthly review is for children under 5; a decision made after the 5th
    birthday starts only the 12-month review."""
    j = plan_issued(svc, ISSUED, born=UNDER_5)
    j.do("review_meeting_held", date(2027, 10, 5))  # Tue
    j.do("review_decision_notified", date(2027, 10, 12), outcome="maintain")  # Tue, aged 4
    j.do("review_meeting_held", date(2028, 4, 3))  # Mon
    j.do("review_decision_notified", date(2028, 4, 10), outcome="maintain")  # Mon, aged 5
    assert status(j, "early_years_review:annual_review-1") == ("met", date(2028, 4, 10))
    assert keys(j, "early_years_review") == [
        "early_years_review:plan-1",
        "early_years_review:annual_review-1",
    ]
    assert at(j, "annual_review:annual_review-2")["due_on"] == date(2029, 4, 10)  # Tue
    j.assert_replays()
