"""Corrections and backdated events (STATUTORY.md §1): deadlines come from occurred_on; recording
an event late, or correcting one, recomputes every dependent deadline as if it had been right
from the start; the audit log keeps both the original and the correction.

Every expected date is worked out by hand from a calendar (weekday in the comment).
"""

from __future__ import annotations

from datetime import date

from ehcp_engine.domain.errors import EventInvalid
from ehcp_engine.services.cases import audit_view
from tests.journey import Journey
from tests.scenarios.steps import (
    advice_deadline,
    advice_id,
    exception_data,
    record_exception,
    seq_of,
    timeline,
    to_draft,
)


def on_the_day(svc, received: date) -> Journey:
    """A journey whose `today` follows its events."""
    svc.clock.set(received)
    return Journey(svc, received)


def correct(j: Journey, on: date, seq: int, reason: str = "keying error", **changes):
    return j.do("event_corrected", on, seq=seq, reason=reason, **changes)


# --- correcting the request's received date ------------------------------------------------------


def test_correcting_the_request_date_recomputes_due_dates_as_if_right_from_the_start(svc):
    """STATUTORY §1: the request was received Mon 5 Jan 2026 but keyed as Mon 12 Jan; after the
    correction every deadline is what it would have been had 5 Jan been entered."""
    j = on_the_day(svc, date(2026, 1, 12))  # Mon (wrong)
    j.do("assessment_agreed", date(2026, 2, 10))  # Tue
    assert j.deadline("assessment_decision")["due_on"] == date(2026, 2, 23)  # Mon
    assert j.deadline("final_plan")["due_on"] == date(2026, 6, 1)  # Mon
    assert j.deadline("no_plan_notice")["due_on"] == date(2026, 5, 4)  # Mon

    correct(j, date(2026, 2, 11), seq_of(j, "request_received"), occurred_on="2026-01-05")
    decision = j.deadline("assessment_decision")
    assert (decision["due_on"], decision["status"], decision["met_on"]) == (
        date(2026, 2, 16),  # Mon
        "met",
        date(2026, 2, 10),
    )
    assert j.deadline("final_plan")["due_on"] == date(2026, 5, 25)  # Mon
    assert j.deadline("final_plan")["starts_on"] == date(2026, 1, 5)  # Mon
    assert j.deadline("no_plan_notice")["due_on"] == date(2026, 4, 27)  # Mon
    assert j.stage("request")["opened_on"] == date(2026, 1, 5)
    j.assert_replays()

    right = on_the_day(svc, date(2026, 1, 5))  # Mon
    right.do("assessment_agreed", date(2026, 2, 10))  # Tue
    svc.clock.set(date(2026, 2, 11))  # compare on the same day
    assert timeline(j) == timeline(right)
    right.assert_replays()


def test_the_audit_log_keeps_the_original_and_the_correction(svc):
    """STATUTORY §1: corrections are audit records; the original record is never rewritten."""
    j = on_the_day(svc, date(2026, 1, 12))  # Mon
    correct(j, date(2026, 1, 13), 1, reason="date stamp misread", occurred_on="2026-01-05")
    records = audit_view(svc, j.case_id)
    assert [(r["seq"], r["type"]) for r in records] == [
        (1, "request_received"),
        (2, "event_corrected"),
    ]
    assert records[0]["occurred_on"] == date(2026, 1, 12)  # Mon, as first entered
    assert records[1]["data"]["seq"] == 1
    assert records[1]["data"]["occurred_on"] == "2026-01-05"
    assert records[1]["data"]["reason"] == "date stamp misread"
    assert j.deadline("assessment_decision")["due_on"] == date(2026, 2, 16)  # Mon
    j.assert_replays()


def test_correcting_the_request_date_can_turn_a_decision_on_time_into_a_late_one(svc):
    """Reg 5(1): the decision on Fri 20 Feb was inside 6 weeks of the keyed 12 Jan, but not of
    the real 5 Jan (due Mon 16 Feb)."""
    j = on_the_day(svc, date(2026, 1, 12))  # Mon
    j.do("assessment_agreed", date(2026, 2, 20))  # Fri
    assert j.deadline("assessment_decision")["status"] == "met"
    correct(j, date(2026, 2, 23), seq_of(j, "request_received"), occurred_on="2026-01-05")
    d = j.deadline("assessment_decision")
    assert (d["status"], d["met_on"], d["due_on"]) == (
        "missed",
        date(2026, 2, 20),
        date(2026, 2, 16),  # Mon
    )
    j.assert_replays()


def test_a_later_correction_of_the_same_record_wins(svc):
    """STATUTORY §1 / history.py: corrections of one record apply in order; the last wins."""
    j = on_the_day(svc, date(2026, 1, 12))  # Mon
    correct(j, date(2026, 1, 13), 1, occurred_on="2026-01-05")
    correct(j, date(2026, 1, 14), 1, reason="it was the 6th after all", occurred_on="2026-01-06")
    assert j.deadline("assessment_decision")["due_on"] == date(2026, 2, 17)  # Tue
    assert j.deadline("final_plan")["due_on"] == date(2026, 5, 26)  # Tue
    j.assert_replays()


def test_correcting_the_final_plan_date_recomputes_the_first_annual_review(svc):
    """Act s.44(1): the review is due 12 months from the date the plan was issued."""
    j = on_the_day(svc, date(2026, 1, 5))  # Mon
    to_draft(j, agreed=date(2026, 2, 10), decided=date(2026, 2, 27), served=date(2026, 3, 2))
    j.do("final_plan_issued", date(2026, 3, 20), named_setting="Oak Primary")  # Fri
    assert j.deadline("annual_review")["due_on"] == date(2027, 3, 20)  # Sat
    correct(j, date(2026, 3, 23), seq_of(j, "final_plan_issued"), occurred_on="2026-03-18")
    assert j.deadline("annual_review")["due_on"] == date(2027, 3, 18)  # Thu
    assert j.deadline("final_plan")["met_on"] == date(2026, 3, 18)  # Wed
    j.assert_replays()


# --- corrections that would make the history invalid ---------------------------------------------


def test_a_correction_moving_a_decision_before_the_request_is_refused(svc):
    """STATUTORY §1, §4: the corrected history must still be a valid history."""
    j = on_the_day(svc, date(2026, 1, 5))  # Mon
    j.do("assessment_agreed", date(2026, 2, 10))  # Tue
    j.refused(
        "event_corrected",
        date(2026, 2, 11),
        match="assessment_agreed is dated 2026-01-02, before the request was received",
        seq=seq_of(j, "assessment_agreed"),
        occurred_on="2026-01-02",
        reason="wrong date",
    )
    assert j.deadline("assessment_decision")["met_on"] == date(2026, 2, 10)
    j.assert_replays()


def test_a_correction_moving_the_request_after_the_decision_is_refused(svc):
    """STATUTORY §1, §4: the request cannot be received after the decision on it."""
    j = on_the_day(svc, date(2026, 1, 5))  # Mon
    j.do("assessment_agreed", date(2026, 2, 10))  # Tue
    j.refused(
        "event_corrected",
        date(2026, 2, 11),
        match=r"assessment_agreed is dated 2026-02-10, before the request was received "
        r"\(2026-02-11\)",
        seq=1,
        occurred_on="2026-02-11",
        reason="wrong date",
    )
    j.assert_replays()


def test_a_correction_putting_the_final_plan_inside_the_comment_window_is_refused(svc):
    """Reg 13(1): moving the final plan into the window (no representations) is refused too."""
    j = on_the_day(svc, date(2026, 1, 5))  # Mon
    to_draft(j, agreed=date(2026, 2, 10), decided=date(2026, 2, 27), served=date(2026, 3, 2))
    j.do("final_plan_issued", date(2026, 3, 20), named_setting="Oak Primary")  # Fri
    j.refused(
        "event_corrected",
        date(2026, 3, 23),
        match="runs until 2026-03-16",
        seq=seq_of(j, "final_plan_issued"),
        occurred_on="2026-03-16",
        reason="wrong date",
    )
    j.assert_replays()


def test_voiding_an_event_later_events_depend_on_is_refused(svc):
    """STATUTORY §4: voiding the decision to assess would leave a decision to issue with no
    assessment."""
    j = on_the_day(svc, date(2026, 1, 5))  # Mon
    j.do("assessment_agreed", date(2026, 2, 10))  # Tue
    j.do("plan_agreed", date(2026, 2, 27))  # Fri
    j.refused(
        "event_corrected",
        date(2026, 3, 2),
        match=r"plan_agreed needs a decision to assess \(assessment_agreed\) first",
        seq=seq_of(j, "assessment_agreed"),
        void=True,
        reason="entered on the wrong case",
    )
    j.assert_replays()


def test_a_correction_with_invalid_data_is_refused(svc):
    """§4a: the corrected data must still be valid for the event type (422)."""
    j = on_the_day(svc, date(2026, 1, 5))  # Mon
    j.do("assessment_agreed", date(2026, 2, 10))  # Tue
    j.do("advice_requested", date(2026, 2, 11), advice_type="educational", contributor="EP")
    err = j.refused(
        "event_corrected",
        date(2026, 2, 12),
        match="advice_type",
        seq=seq_of(j, "advice_requested"),
        data={"advice_type": "astrology"},
        reason="wrong type",
    )
    assert isinstance(err, EventInvalid)
    j.assert_replays()


def test_a_correction_of_a_record_that_does_not_exist_is_refused(svc):
    j = on_the_day(svc, date(2026, 1, 5))  # Mon
    err = j.refused(
        "event_corrected",
        date(2026, 1, 5),
        match="no record 99 on this case",
        seq=99,
        occurred_on="2026-01-05",
        reason="typo",
    )
    assert isinstance(err, EventInvalid)
    j.assert_replays()


def test_a_correction_cannot_itself_be_corrected(svc):
    """Corrections name the original record; a correction of a correction is refused (422).
    (The engine's reason today is "no record N on this case": history.check_correction is given
    the history with corrections already removed, so its own "a correction cannot be corrected"
    branch is never reached.)"""
    j = on_the_day(svc, date(2026, 1, 12))  # Mon
    correct(j, date(2026, 1, 13), 1, occurred_on="2026-01-05")
    j.refused(
        "event_corrected",
        date(2026, 1, 13),
        match="a correction cannot be corrected|no record 2 on this case",
        seq=seq_of(j, "event_corrected"),
        void=True,
        reason="undo",
    )
    j.assert_replays()


def test_a_correction_with_nothing_to_change_is_refused(svc):
    j = on_the_day(svc, date(2026, 1, 5))  # Mon
    j.refused(
        "event_corrected",
        date(2026, 1, 5),
        match="a correction must give occurred_on, data, or void: true",
        seq=1,
        reason="nothing",
    )
    j.assert_replays()


def test_a_correction_moving_an_event_into_the_future_is_refused(svc):
    """STATUTORY §1: a correction is held to the same rule as the event it corrects."""
    j = on_the_day(svc, date(2026, 1, 5))  # Mon
    j.do("assessment_agreed", date(2026, 2, 10))  # Tue; today is Tue 10 Feb
    err = j.refused(
        "event_corrected",
        date(2026, 2, 10),
        match="2026-12-01 is in the future",
        seq=seq_of(j, "assessment_agreed"),
        occurred_on="2026-12-01",  # Tue
        reason="wrong year keyed",
    )
    assert isinstance(err, EventInvalid)
    j.assert_replays()


# --- voiding -------------------------------------------------------------------------------------


def test_a_voided_refusal_to_assess_disappears_with_its_effects(svc):
    """STATUTORY §1: a refusal keyed on the wrong case is voided: the decision timer is open
    again, the final plan timer is no longer cancelled, the appeal windows are gone."""
    j = on_the_day(svc, date(2026, 1, 5))  # Mon
    j.do("assessment_refused", date(2026, 2, 2), reasons="not needed")  # Mon
    assert j.deadlines("appeal_window") and j.deadlines("mediation_contact")
    correct(j, date(2026, 2, 3), seq_of(j, "assessment_refused"), void=True, reason="wrong case")
    decision = j.deadline("assessment_decision")
    assert (decision["status"], decision["met_on"]) == ("open", None)
    assert (decision["due_on"]) == date(2026, 2, 16)  # Mon
    assert j.deadline("final_plan")["status"] == "open"
    assert j.deadlines("appeal_window") == []
    assert j.deadlines("mediation_contact") == []
    assert j.stage("request")["state"] == "received"
    j.do("assessment_agreed", date(2026, 2, 10))  # Tue: the real decision
    assert j.deadline("assessment_decision")["status"] == "met"
    j.assert_replays()


def test_a_voided_exception_turns_missed_exception_back_into_missed(svc):
    """STATUTORY §2: without its exception a late final plan is a plain breach again."""
    j = on_the_day(svc, date(2026, 1, 5))  # Mon
    to_draft(j, agreed=date(2026, 2, 10), decided=date(2026, 4, 1), served=date(2026, 4, 2))
    record_exception(j, date(2026, 4, 6), "final_plan", "personal_circumstances", date(2026, 4, 3))
    j.do("final_plan_issued", date(2026, 6, 1), named_setting="Oak Primary")  # Mon
    assert j.deadline("final_plan")["status"] == "missed_exception"
    correct(j, date(2026, 6, 2), seq_of(j, "exception_recorded"), void=True, reason="no evidence")
    d = j.deadline("final_plan")
    assert (d["status"], d["exception"], d["due_on"]) == ("missed", None, date(2026, 5, 25))
    j.assert_replays()


def test_a_voided_advice_request_takes_its_timer_away(svc):
    """Reg 8: a request for advice entered by mistake leaves no advice timer behind."""
    j = on_the_day(svc, date(2026, 1, 5))  # Mon
    j.do("assessment_agreed", date(2026, 2, 10))  # Tue
    j.do("advice_requested", date(2026, 2, 11), advice_type="educational", contributor="EP")
    correct(j, date(2026, 2, 12), seq_of(j, "advice_requested"), void=True, reason="duplicate")
    assert j.deadlines("advice") == []
    assert j.view()["advice_requests"] == []
    j.assert_replays()


def test_correcting_event_data_recomputes_the_case(svc):
    """STATUTORY §1: a data correction (the advice type) is applied as if right from the start;
    the advice request keeps its id."""
    j = on_the_day(svc, date(2026, 1, 5))  # Mon
    j.do("assessment_agreed", date(2026, 2, 10))  # Tue
    j.do("advice_requested", date(2026, 2, 11), advice_type="educational", contributor="EP")
    ep = advice_id(j, "EP")
    correct(
        j, date(2026, 2, 12), seq_of(j, "advice_requested"), data={"advice_type": "psychological"}
    )
    [req] = j.view()["advice_requests"]
    assert (req["id"], req["advice_type"]) == (ep, "psychological")
    assert advice_deadline(j, "EP")["due_on"] == date(2026, 3, 25)  # Wed
    j.do("advice_received", date(2026, 3, 2), advice_type="psychological")  # Mon
    assert advice_deadline(j, "EP")["status"] == "met"
    j.assert_replays()


def test_correcting_the_contributors_receipt_date_recomputes_the_advice_due_date(svc):
    """Reg 8(1): the EP's receipt of the request was keyed late; corrected to the real day, the
    advice is due 6 weeks from it and the advice already in is judged against the new date."""
    j = on_the_day(svc, date(2026, 1, 5))  # Mon
    j.do("assessment_agreed", date(2026, 2, 10))  # Tue
    svc.clock.set(date(2026, 2, 18))  # keyed on the day the EP says it arrived
    j.do(
        "advice_requested",
        date(2026, 2, 11),  # Wed
        advice_type="educational",
        contributor="EP",
        received_by_contributor_on="2026-02-18",  # Wed
    )
    assert advice_deadline(j, "EP")["due_on"] == date(2026, 4, 1)  # Wed
    j.do("advice_received", date(2026, 3, 30), advice_type="educational")  # Mon
    assert advice_deadline(j, "EP")["status"] == "met"
    correct(
        j,
        date(2026, 3, 31),
        seq_of(j, "advice_requested"),
        data={"received_by_contributor_on": "2026-02-12"},  # Thu
    )
    d = advice_deadline(j, "EP")
    assert (d["due_on"], d["status"], d["met_on"]) == (
        date(2026, 3, 26),  # Thu
        "missed",
        date(2026, 3, 30),
    )
    j.assert_replays()


# --- backdated events ----------------------------------------------------------------------------

JOURNEY = [
    ("assessment_agreed", date(2026, 2, 10), {}),  # Tue
    ("advice_requested", date(2026, 2, 11), {"advice_type": "educational", "contributor": "EP"}),
    ("advice_requested", date(2026, 2, 11), {"advice_type": "health", "contributor": "GP"}),
    ("advice_received", date(2026, 3, 20), {"advice_type": "educational"}),  # Fri
    (
        "exception_recorded",
        date(2026, 3, 23),
        exception_data("advice", "missed_appointment", date(2026, 3, 20)),
    ),  # Mon
    ("advice_received", date(2026, 4, 1), {"advice_type": "health"}),  # Wed, late
    ("plan_agreed", date(2026, 4, 13), {}),  # Mon
    ("draft_plan_served", date(2026, 4, 14), {}),  # Tue; window until Tue 28 Apr
    ("setting_consulted", date(2026, 4, 15), {"setting": "Oak Primary"}),  # Wed
    ("representations_received", date(2026, 4, 20), {"requested_setting": "Oak Primary"}),
    ("setting_responded", date(2026, 4, 30), {"setting": "Oak Primary"}),  # Thu
    ("final_plan_issued", date(2026, 5, 26), {"named_setting": "Oak Primary"}),  # Tue, late
]


def test_recording_events_late_gives_the_same_deadlines_as_recording_them_on_the_day(svc):
    """STATUTORY §1: deadlines come from occurred_on, never from the day they were typed in."""
    live = on_the_day(svc, date(2026, 1, 5))  # Mon
    for type_, on, data in JOURNEY:
        svc.clock.set(on)
        live.do(type_, on, **data)

    svc.clock.set(date(2026, 7, 1))  # Wed: everything keyed weeks later
    late = Journey(svc, date(2026, 1, 5))  # Mon
    for type_, on, data in JOURNEY:
        late.do(type_, on, **data)

    assert timeline(late) == timeline(live)
    assert late.deadline("final_plan")["status"] == "missed"
    assert advice_deadline(late, "GP")["status"] == "missed_exception"
    assert advice_deadline(late, "EP")["status"] == "met"
    assert late.deadline("annual_review")["due_on"] == date(2027, 5, 26)  # Wed
    live.assert_replays()
    late.assert_replays()


def test_backdated_advice_receipt_keyed_after_a_later_request_gives_the_same_deadlines(svc):
    """Reg 8; STATUTORY §1: EP's advice arrived Fri 13 Feb; the officer keys it on Tue 17 Feb,
    after keying a GP request made Mon 16 Feb. The result must equal keying on the day."""
    steps_on_the_day = [
        (
            "advice_requested",
            date(2026, 2, 11),
            {"advice_type": "educational", "contributor": "EP"},
        ),
        ("advice_received", date(2026, 2, 13), {"advice_type": "educational"}),  # Fri
        ("advice_requested", date(2026, 2, 16), {"advice_type": "health", "contributor": "GP"}),
    ]
    on_time = on_the_day(svc, date(2026, 1, 5))  # Mon
    on_time.do("assessment_agreed", date(2026, 2, 10))  # Tue
    for type_, on, data in steps_on_the_day:
        on_time.do(type_, on, **data)

    keyed_late = on_the_day(svc, date(2026, 1, 5))  # Mon
    keyed_late.do("assessment_agreed", date(2026, 2, 10))  # Tue
    svc.clock.set(date(2026, 2, 17))  # Tue
    for i in (0, 2, 1):  # the advice received on the 13th is keyed last
        type_, on, data = steps_on_the_day[i]
        keyed_late.do(type_, on, **data)

    assert advice_deadline(keyed_late, "EP")["met_on"] == date(2026, 2, 13)  # Fri
    assert timeline(keyed_late) == timeline(on_time)
    keyed_late.assert_replays()
