"""The request stage and the decisions of the assessment stage (STATUTORY.md §3 "Request and
assessment", §4a): `assessment_decision`, `no_plan_notice`, `final_plan` cancellation, withdrawal.

Every expected date is worked out by hand from a calendar (weekday in the comment).
"""

from __future__ import annotations

from datetime import date

from tests.journey import Journey
from tests.scenarios.steps import to_draft

# --- assessment_decision (Reg 5(1), 5(4)) --------------------------------------------------------


def test_assessment_decision_due_6_weeks_after_request(svc):
    """Reg 5(1): the decision whether to assess is notified within 6 weeks of the request."""
    svc.clock.set(date(2026, 1, 5))  # today follows the events: recorded on the day
    j = Journey(svc, date(2026, 1, 5))  # Mon
    d = j.deadline("assessment_decision")
    assert d["due_on"] == date(2026, 2, 16)  # Mon, 42 days later
    assert d["starts_on"] == date(2026, 1, 5)  # Mon
    assert d["status"] == "open"
    assert d["met_on"] is None
    assert d["source"] == "Reg 5(1), 5(4)"
    assert d["guidance"] is False
    assert j.stage("request")["state"] == "received"
    j.assert_replays()


def test_final_plan_due_20_weeks_after_request_from_the_start(svc):
    """Reg 13(2): the final plan timer starts with the request, 20 weeks (140 days)."""
    j = Journey(svc, date(2026, 1, 5))  # Mon
    d = j.deadline("final_plan")
    assert d["due_on"] == date(2026, 5, 25)  # Mon
    assert d["starts_on"] == date(2026, 1, 5)  # Mon
    assert d["source"] == "Reg 13(2)–(3)"
    j.assert_replays()


def test_assessment_decision_met_on_the_due_date_is_on_time(svc):
    """Reg 5(1): on time iff the decision's date <= the due date (STATUTORY §1)."""
    j = Journey(svc, date(2026, 1, 5))  # Mon
    j.do("assessment_agreed", date(2026, 2, 16))  # Mon, the last day
    d = j.deadline("assessment_decision")
    assert (d["status"], d["met_on"]) == ("met", date(2026, 2, 16))
    assert j.stage("request")["state"] == "assess"
    assert j.stage("assessment")["state"] == "gathering_advice"
    j.assert_replays()


def test_assessment_decision_one_day_late_is_missed(svc):
    """Reg 5(1): a decision notified the day after the 6 weeks is a breach (missed)."""
    j = Journey(svc, date(2026, 1, 5))  # Mon
    j.do("assessment_agreed", date(2026, 2, 17))  # Tue
    d = j.deadline("assessment_decision")
    assert (d["status"], d["met_on"]) == ("missed", date(2026, 2, 17))
    assert d["due_on"] == date(2026, 2, 16)  # Mon, unchanged
    j.assert_replays()


def test_assessment_refused_meets_assessment_decision_and_cancels_final_plan(svc):
    """Reg 5(1), 5(3); §4a: a refusal to assess meets the decision timer, cancels the 20-week
    final plan timer and opens the family's mediation and appeal windows (Act s.51(2)(a))."""
    j = Journey(svc, date(2026, 1, 5))  # Mon
    j.do("assessment_refused", date(2026, 2, 2), reasons="needs can be met from SEN support")
    decision = j.deadline("assessment_decision")
    assert (decision["status"], decision["met_on"]) == ("met", date(2026, 2, 2))  # Mon
    final = j.deadline("final_plan")
    assert (final["status"], final["met_on"]) == ("cancelled", None)
    assert j.stage("request")["state"] == "not_assess"
    assert j.deadline("mediation_contact")["due_on"] == date(2026, 4, 2)  # Thu, 2 months
    assert j.deadline("appeal_window")["due_on"] == date(2026, 4, 2)  # Thu, 2 months
    assert not j.deadlines("no_plan_notice")
    j.assert_replays()


def test_appeal_window_of_a_refusal_to_assess_ending_at_christmas_runs_into_january(svc):
    """HESC r.12(3), r.20; Reg 5(3): a refusal on Mon 26 Oct 2026 (the last day of the 6 weeks,
    so met) gives 2 months to Sat 26 Dec 2026; a last day from 25 Dec to 1 Jan moves to the first
    working day after 1 January: Fri 1 Jan 2027 is a bank holiday, so Mon 4 Jan 2027. The
    family's mediation window (Reg 33) has no such roll-over."""
    j = Journey(svc, date(2026, 9, 14))  # Mon
    j.do("assessment_refused", date(2026, 10, 26), reasons="not needed")  # Mon
    d = j.deadline("assessment_decision")
    assert (d["due_on"], d["status"]) == (date(2026, 10, 26), "met")  # Mon
    assert j.deadline("appeal_window")["due_on"] == date(2027, 1, 4)  # Mon
    assert j.deadline("mediation_contact")["due_on"] == date(2026, 12, 26)  # Sat
    j.assert_replays()


def test_assessment_refused_late_is_missed(svc):
    """Reg 5(1): a refusal notified after 6 weeks is late like an agreement."""
    j = Journey(svc, date(2026, 1, 5))  # Mon
    j.do("assessment_refused", date(2026, 3, 2), reasons="not needed")  # Mon, 8 weeks
    d = j.deadline("assessment_decision")
    assert (d["status"], d["met_on"]) == ("missed", date(2026, 3, 2))
    j.assert_replays()


def test_overdue_is_a_display_status_decided_by_today(svc):
    """STATUTORY §1: only the display status `overdue` looks at today; the stored deadline stays
    open, and once the decision is made late it is missed whatever today is."""
    j = Journey(svc, date(2026, 1, 5))  # Mon
    svc.clock.set(date(2026, 2, 16))  # Mon, the last day
    assert j.deadline("assessment_decision")["status"] == "open"
    svc.clock.set(date(2026, 2, 17))  # Tue, the day after
    assert j.deadline("assessment_decision")["status"] == "overdue"
    assert j.deadline("final_plan")["status"] == "open"  # due Mon 25 May 2026
    j.assert_replays()  # replay does not depend on today
    j.do("assessment_agreed", date(2026, 2, 20))  # Fri
    assert j.deadline("assessment_decision")["status"] == "missed"
    svc.clock.set(date(2026, 5, 26))  # Tue, day after the final plan's due date
    assert j.deadline("final_plan")["status"] == "overdue"
    j.assert_replays()


def test_assessment_decision_due_date_does_not_move_for_christmas_day(svc):
    """STATUTORY §1: N weeks after D = D + 7N, bank holidays included (Reg 5(1))."""
    j = Journey(svc, date(2026, 11, 13))  # Fri
    assert j.deadline("assessment_decision")["due_on"] == date(2026, 12, 25)  # Fri, Christmas
    assert j.deadline("final_plan")["due_on"] == date(2027, 4, 2)  # Fri
    j.assert_replays()


def test_final_plan_due_date_does_not_move_for_good_friday(svc):
    """STATUTORY §1: 20 weeks after 6 Nov 2026 is Good Friday 2027 and stays there."""
    j = Journey(svc, date(2026, 11, 6))  # Fri
    assert j.deadline("final_plan")["due_on"] == date(2027, 3, 26)  # Fri, Good Friday
    assert j.deadline("assessment_decision")["due_on"] == date(2026, 12, 18)  # Fri
    j.assert_replays()


def test_final_plan_due_date_counts_29_february_in_a_leap_year(svc):
    """STATUTORY §1: 140 calendar days from Fri 20 Oct 2023 cross 29 Feb 2024."""
    j = Journey(svc, date(2023, 10, 20))  # Fri
    assert j.deadline("assessment_decision")["due_on"] == date(2023, 12, 1)  # Fri
    assert j.deadline("final_plan")["due_on"] == date(2024, 3, 8)  # Fri (not 9 Mar)
    j.assert_replays()


def test_request_received_on_a_saturday_is_stored_as_entered(svc):
    """STATUTORY §1: store the received date the officer enters; never silently change it
    (the IPSEA next-working-day date is only offered)."""
    j = Journey(svc, date(2026, 1, 10))  # Sat
    assert j.stage("request")["opened_on"] == date(2026, 1, 10)  # Sat
    assert j.deadline("assessment_decision")["due_on"] == date(2026, 2, 21)  # Sat
    assert j.deadline("final_plan")["due_on"] == date(2026, 5, 30)  # Sat
    j.assert_replays()


# --- no_plan_notice (Reg 10(1)) ------------------------------------------------------------------


def test_no_plan_notice_not_live_before_a_decision_to_assess(svc):
    """Reg 10(1); §3: the 16-week timer is live only after a decision to assess."""
    j = Journey(svc, date(2026, 1, 5))  # Mon
    assert j.deadlines("no_plan_notice") == []
    j.assert_replays()


def test_no_plan_notice_due_16_weeks_after_request_once_assessment_agreed(svc):
    """Reg 10(1): notice of a decision not to issue within 16 weeks of the REQUEST (not of the
    decision to assess)."""
    svc.clock.set(date(2026, 1, 5))  # today follows the events: recorded on the day
    j = Journey(svc, date(2026, 1, 5))  # Mon
    j.do("assessment_agreed", date(2026, 2, 10))  # Tue
    d = j.deadline("no_plan_notice")
    assert d["due_on"] == date(2026, 4, 27)  # Mon, 112 days after Mon 5 Jan
    assert d["status"] == "open"
    assert d["source"] == "Reg 10(1)"
    j.assert_replays()


def test_no_plan_notice_met_by_plan_refused_on_time(svc):
    """Reg 10(1), 10(3): a decision not to issue inside 16 weeks meets the timer, cancels the
    final plan timer and opens the family's appeal window (Act s.51(2)(b))."""
    j = Journey(svc, date(2026, 1, 5))  # Mon
    j.do("assessment_agreed", date(2026, 2, 10))  # Tue
    j.do("plan_refused", date(2026, 4, 20), reasons="needs met from ordinarily available")  # Mon
    d = j.deadline("no_plan_notice")
    assert (d["status"], d["met_on"]) == ("met", date(2026, 4, 20))
    assert j.deadline("final_plan")["status"] == "cancelled"
    assert j.stage("assessment")["state"] == "not_issue"
    appeal = [a for a in j.deadlines("appeal_window") if a["starts_on"] == date(2026, 4, 20)]
    assert [a["due_on"] for a in appeal] == [date(2026, 6, 20)]  # Sat, 2 months
    j.assert_replays()


def test_no_plan_notice_on_the_last_day_is_met(svc):
    """Reg 10(1): on time iff the notice's date <= the due date."""
    j = Journey(svc, date(2026, 1, 5))  # Mon
    j.do("assessment_agreed", date(2026, 2, 10))  # Tue
    j.do("plan_refused", date(2026, 4, 27), reasons="not necessary")  # Mon, the last day
    d = j.deadline("no_plan_notice")
    assert (d["status"], d["met_on"]) == ("met", date(2026, 4, 27))
    j.assert_replays()


def test_no_plan_notice_late_is_missed(svc):
    """Reg 10(1): a decision not to issue after 16 weeks is a breach."""
    j = Journey(svc, date(2026, 1, 5))  # Mon
    j.do("assessment_agreed", date(2026, 2, 10))  # Tue
    j.do("plan_refused", date(2026, 4, 28), reasons="not necessary")  # Tue
    d = j.deadline("no_plan_notice")
    assert (d["status"], d["met_on"]) == ("missed", date(2026, 4, 28))
    assert d["due_on"] == date(2026, 4, 27)  # Mon
    j.assert_replays()


def test_no_plan_notice_cancelled_by_plan_agreed(svc):
    """§4a: a decision to issue cancels the no-plan notice timer and opens the draft."""
    svc.clock.set(date(2026, 1, 5))  # today follows the events: recorded on the day
    j = Journey(svc, date(2026, 1, 5))  # Mon
    j.do("assessment_agreed", date(2026, 2, 10))  # Tue
    j.do("plan_agreed", date(2026, 4, 1))  # Wed
    d = j.deadline("no_plan_notice")
    assert (d["status"], d["met_on"]) == ("cancelled", None)
    assert j.stage("assessment")["state"] == "issue"
    assert j.stage("draft")["state"] == "drafting"
    assert j.deadline("final_plan")["status"] == "open"
    j.assert_replays()


def test_no_plan_notice_overdue_after_16_weeks_while_undecided(svc):
    """Display: an undecided assessment past 16 weeks shows the no-plan notice overdue."""
    j = Journey(svc, date(2026, 1, 5))  # Mon
    j.do("assessment_agreed", date(2026, 2, 10))  # Tue
    svc.clock.set(date(2026, 4, 27))  # Mon
    assert j.deadline("no_plan_notice")["status"] == "open"
    svc.clock.set(date(2026, 4, 28))  # Tue
    assert j.deadline("no_plan_notice")["status"] == "overdue"
    j.assert_replays()


# --- withdrawal ----------------------------------------------------------------------------------


def test_request_withdrawn_before_the_decision_cancels_assessment_decision_and_final_plan(svc):
    """§4a: request_withdrawn cancels the open timers of the request."""
    j = Journey(svc, date(2026, 1, 5))  # Mon
    j.do("request_withdrawn", date(2026, 1, 20), reason="family moved away")  # Tue
    for rule in ("assessment_decision", "final_plan"):
        d = j.deadline(rule)
        assert (d["status"], d["met_on"]) == ("cancelled", None), rule
    assert j.stage("request")["state"] == "withdrawn"
    j.assert_replays()


def test_request_withdrawn_during_assessment_cancels_open_timers_and_keeps_met_ones(svc):
    """§4a: withdrawal cancels the OPEN timers (final plan, no-plan notice, advice); a timer
    already met stays met."""
    j = Journey(svc, date(2026, 1, 5))  # Mon
    j.do("assessment_agreed", date(2026, 2, 10))  # Tue
    j.do("advice_requested", date(2026, 2, 11), advice_type="educational", contributor="EP")
    j.do("request_withdrawn", date(2026, 3, 4), reason="family's decision")  # Wed
    assert j.deadline("assessment_decision")["status"] == "met"
    for rule in ("final_plan", "no_plan_notice", "advice"):
        d = j.deadline(rule)
        assert (d["status"], d["met_on"]) == ("cancelled", None), rule
    assert j.stage("assessment")["state"] == "withdrawn"
    j.assert_replays()


def test_request_withdrawn_during_the_draft_cancels_draft_timers(svc):
    """§4a: withdrawal in the draft stage cancels the comment window, setting consultations and
    the final plan timer; nothing is left open or overdue."""
    j = Journey(svc, date(2026, 1, 5))  # Mon
    to_draft(j, agreed=date(2026, 2, 10), decided=date(2026, 4, 1), served=date(2026, 4, 2))
    j.do("setting_consulted", date(2026, 4, 3), setting="Oak Primary")  # Fri
    j.do("request_withdrawn", date(2026, 4, 8), reason="moving to another area")  # Wed
    for rule in ("draft_comments", "setting_consultation", "final_plan"):
        d = j.deadline(rule)
        assert (d["status"], d["met_on"]) == ("cancelled", None), rule
    assert j.stage("draft")["state"] == "withdrawn"
    svc.clock.set(date(2026, 12, 1))
    statuses = {d["rule"]: d["status"] for d in j.view()["deadlines"]}
    assert "open" not in statuses.values() and "overdue" not in statuses.values()
    j.assert_replays()


def test_new_request_after_a_refusal_to_assess_starts_fresh_timers(svc):
    """Act s.36: a family may ask again after a refusal; the new request has its own 6-week and
    20-week timers, and the refused request's timers keep their outcome."""
    svc.clock.set(date(2026, 1, 5))  # today follows the events: recorded on the day
    j = Journey(svc, date(2026, 1, 5))  # Mon
    j.do("assessment_refused", date(2026, 2, 2), reasons="not needed")  # Mon
    j.do("request_received", date(2026, 6, 1), source="school")  # Mon
    first, second = j.deadlines("assessment_decision")
    assert (first["status"], first["due_on"]) == ("met", date(2026, 2, 16))  # Mon
    assert (second["status"], second["due_on"]) == ("open", date(2026, 7, 13))  # Mon
    old_final, new_final = j.deadlines("final_plan")
    assert old_final["status"] == "cancelled"
    assert (new_final["status"], new_final["due_on"]) == ("open", date(2026, 10, 19))  # Mon
    j.assert_replays()
