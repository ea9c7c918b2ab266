"""Advice for the EHC needs assessment (Regs 6–8; STATUTORY.md §3 `advice`): one timer per
request for advice, 6 weeks from the contributor's receipt of the request, met by the advice,
with the Reg 8(2) exceptions.

Every expected date is worked out by hand from a calendar (weekday in the comment).
"""

from __future__ import annotations

import contextlib
from datetime import date

import pytest

from ehcp_engine.domain.errors import DomainError, EventInvalid
from tests.journey import Journey
from tests.scenarios.steps import (
    advice_deadline,
    advice_id,
    exception_data,
    record_exception,
)


def assessing(svc) -> Journey:
    """Request Mon 5 Jan 2026, decision to assess Tue 10 Feb 2026; today follows the events."""
    svc.clock.set(date(2026, 1, 5))  # Mon
    j = Journey(svc, date(2026, 1, 5))  # Mon
    j.do("assessment_agreed", date(2026, 2, 10))  # Tue
    return j


def test_advice_due_6_weeks_after_it_is_requested_when_receipt_is_not_given(svc):
    """Reg 8(1): 6 weeks from the contributor's receipt; with no receipt date recorded the
    request's own date is taken (AdviceRequested.received_by_contributor_on defaults)."""
    j = assessing(svc)
    j.do("advice_requested", date(2026, 2, 11), advice_type="educational", contributor="EP")
    d = advice_deadline(j, "EP")
    assert d["due_on"] == date(2026, 3, 25)  # Wed, 42 days after Wed 11 Feb
    assert d["starts_on"] == date(2026, 2, 11)  # Wed
    assert (d["status"], d["met_on"]) == ("open", None)
    assert d["source"] == "Reg 8"
    [req] = j.view()["advice_requests"]
    assert (req["advice_type"], req["requested_on"], req["due_on"]) == (
        "educational",
        date(2026, 2, 11),
        date(2026, 3, 25),
    )
    assert req["received_on"] is None
    assert d["subject_id"] == req["id"]
    j.assert_replays()


def test_advice_due_6_weeks_from_contributor_receipt(svc):
    """Reg 8(1): the 6 weeks run from the day the contributor RECEIVED the request."""
    j = assessing(svc)
    svc.clock.set(date(2026, 2, 16))  # keyed once the EP confirmed receipt
    j.do(
        "advice_requested",
        date(2026, 2, 11),  # Wed, posted
        advice_type="educational",
        contributor="EP",
        received_by_contributor_on="2026-02-16",  # Mon, received five days later
    )
    j.do(
        "advice_requested",
        date(2026, 2, 16),  # Mon, emailed and received the same day
        advice_type="health",
        contributor="Community paediatrician",
        received_by_contributor_on="2026-02-16",
    )
    assert advice_deadline(j, "Community paediatrician")["due_on"] == date(2026, 3, 30)  # Mon
    assert advice_deadline(j, "EP")["due_on"] == date(2026, 3, 30)  # Mon, not Wed 25 Mar
    j.assert_replays()


@pytest.mark.parametrize(
    "received_by_contributor_on",
    [
        "2026-02-10",  # Tue, the day before the advice was asked for
        "2025-12-01",  # Mon, before the request for assessment itself
        "2026-12-01",  # Tue, in the future
    ],
)
def test_contributor_receipt_before_the_advice_request_or_in_the_future_is_refused(
    svc, received_by_contributor_on
):
    """Reg 8(1): the contributor receives the request on or after the day it is sent."""
    j = assessing(svc)
    svc.clock.set(date(2026, 2, 11))  # Wed
    j.refused(
        "advice_requested",
        date(2026, 2, 11),  # Wed
        match="received_by_contributor_on",
        advice_type="health",
        contributor="GP",
        received_by_contributor_on=received_by_contributor_on,
    )
    j.assert_replays()


def test_each_advice_request_has_its_own_timer(svc):
    """Reg 6(1), 8: several requests for advice at once, each with its own 6 weeks; the stage
    moves on to the decision only when the last advice is in."""
    j = assessing(svc)
    j.do("advice_requested", date(2026, 2, 11), advice_type="educational", contributor="EP")
    j.do("advice_requested", date(2026, 2, 11), advice_type="parent", contributor="Parent")
    j.do("advice_requested", date(2026, 2, 12), advice_type="health", contributor="Paediatrician")
    j.do("advice_requested", date(2026, 2, 16), advice_type="social_care", contributor="CSC")
    assert len(j.deadlines("advice")) == 4
    assert advice_deadline(j, "EP")["due_on"] == date(2026, 3, 25)  # Wed
    assert advice_deadline(j, "Parent")["due_on"] == date(2026, 3, 25)  # Wed
    assert advice_deadline(j, "Paediatrician")["due_on"] == date(2026, 3, 26)  # Thu
    assert advice_deadline(j, "CSC")["due_on"] == date(2026, 3, 30)  # Mon

    j.do("advice_received", date(2026, 3, 20), advice_request_id=advice_id(j, "EP"))  # Fri
    j.do("advice_received", date(2026, 3, 25), advice_type="parent")  # Wed, the last day
    j.do("advice_received", date(2026, 3, 26), advice_type="health")  # Thu, the last day
    assert j.stage("assessment")["state"] == "gathering_advice"  # social care outstanding
    j.do("advice_received", date(2026, 4, 1), advice_type="social_care")  # Wed, 2 days late
    assert j.stage("assessment")["state"] == "deciding"

    assert (advice_deadline(j, "EP")["status"], advice_deadline(j, "EP")["met_on"]) == (
        "met",
        date(2026, 3, 20),
    )
    assert advice_deadline(j, "Parent")["status"] == "met"
    assert advice_deadline(j, "Paediatrician")["status"] == "met"
    late = advice_deadline(j, "CSC")
    assert (late["status"], late["met_on"], late["due_on"]) == (
        "missed",
        date(2026, 4, 1),
        date(2026, 3, 30),
    )
    received = {a["contributor"]: a["received_on"] for a in j.view()["advice_requests"]}
    assert received == {
        "EP": date(2026, 3, 20),
        "Parent": date(2026, 3, 25),
        "Paediatrician": date(2026, 3, 26),
        "CSC": date(2026, 4, 1),
    }
    j.assert_replays()


def test_advice_received_by_id_meets_only_that_request(svc):
    """Reg 8: two health contributors; advice named by its request id meets that one only."""
    j = assessing(svc)
    j.do("advice_requested", date(2026, 2, 11), advice_type="health", contributor="Paediatrician")
    j.do("advice_requested", date(2026, 2, 11), advice_type="health", contributor="CAMHS")
    j.do("advice_received", date(2026, 3, 2), advice_request_id=advice_id(j, "CAMHS"))  # Mon
    camhs, paed = advice_deadline(j, "CAMHS"), advice_deadline(j, "Paediatrician")
    assert (camhs["status"], camhs["met_on"]) == ("met", date(2026, 3, 2))
    assert (paed["status"], paed["met_on"]) == ("open", None)
    assert j.stage("assessment")["state"] == "gathering_advice"
    j.assert_replays()


def test_advice_received_by_type_when_several_of_that_type_are_open_is_refused(svc):
    """Reg 8: advice must be matched to ONE request; with two open health requests the type
    alone is ambiguous and the event is refused, changing nothing."""
    j = assessing(svc)
    j.do("advice_requested", date(2026, 2, 11), advice_type="health", contributor="Paediatrician")
    j.do("advice_requested", date(2026, 2, 11), advice_type="health", contributor="CAMHS")
    j.refused(
        "advice_received",
        date(2026, 3, 2),
        match="2 open advice requests of type 'health': name one by advice_request_id",
        advice_type="health",
    )
    j.assert_replays()


def test_advice_received_of_a_type_never_requested_is_refused(svc):
    """Reg 8: advice is received against a request for it."""
    j = assessing(svc)
    j.do("advice_requested", date(2026, 2, 11), advice_type="educational", contributor="EP")
    j.refused(
        "advice_received",
        date(2026, 3, 2),
        match="no open advice requests of type 'sensory'",
        advice_type="sensory",
    )
    j.assert_replays()


def test_advice_received_one_day_late_is_missed(svc):
    """Reg 8(1): advice after the 6 weeks is late."""
    j = assessing(svc)
    j.do("advice_requested", date(2026, 2, 11), advice_type="educational", contributor="EP")
    j.do("advice_received", date(2026, 3, 26), advice_type="educational")  # Thu
    d = advice_deadline(j, "EP")
    assert (d["status"], d["met_on"], d["due_on"]) == (
        "missed",
        date(2026, 3, 26),
        date(2026, 3, 25),  # Wed
    )
    j.assert_replays()


def test_outstanding_advice_is_overdue_after_6_weeks(svc):
    """Display: open advice past its due date shows overdue; stored status stays open."""
    j = assessing(svc)
    j.do("advice_requested", date(2026, 2, 11), advice_type="educational", contributor="EP")
    svc.clock.set(date(2026, 3, 25))  # Wed
    assert advice_deadline(j, "EP")["status"] == "open"
    svc.clock.set(date(2026, 3, 26))  # Thu
    assert advice_deadline(j, "EP")["status"] == "overdue"
    j.assert_replays()


def test_advice_due_date_does_not_move_for_good_friday(svc):
    """STATUTORY §1: 6 weeks after Fri 12 Feb 2027 is Good Friday 26 Mar 2027, not moved."""
    svc.clock.set(date(2027, 1, 4))  # Mon
    j = Journey(svc, date(2027, 1, 4))  # Mon
    j.do("assessment_agreed", date(2027, 2, 12))  # Fri
    j.do("advice_requested", date(2027, 2, 12), advice_type="sensory", contributor="QTVI")
    assert advice_deadline(j, "QTVI")["due_on"] == date(2027, 3, 26)  # Fri, Good Friday
    j.assert_replays()


def test_outstanding_advice_cancelled_by_plan_refused(svc):
    """§3 `advice` cancelled_by plan_refused: no advice is owed once the LA decides not to issue."""
    j = assessing(svc)
    j.do("advice_requested", date(2026, 2, 11), advice_type="educational", contributor="EP")
    j.do("advice_requested", date(2026, 2, 11), advice_type="health", contributor="Paediatrician")
    j.do("advice_received", date(2026, 3, 10), advice_type="educational")  # Tue
    j.do("plan_refused", date(2026, 3, 20), reasons="needs met without a plan")  # Fri
    assert advice_deadline(j, "EP")["status"] == "met"
    paed = advice_deadline(j, "Paediatrician")
    assert (paed["status"], paed["met_on"]) == ("cancelled", None)
    j.assert_replays()


def test_further_advice_requested_after_all_advice_is_in_reopens_gathering(svc):
    """Reg 6(1)(i): the LA may seek further advice before deciding; it has its own 6 weeks."""
    j = assessing(svc)
    j.do("advice_requested", date(2026, 2, 11), advice_type="educational", contributor="EP")
    j.do("advice_received", date(2026, 3, 10), advice_type="educational")  # Tue
    assert j.stage("assessment")["state"] == "deciding"
    j.do("advice_requested", date(2026, 3, 12), advice_type="other", contributor="SaLT")  # Thu
    assert j.stage("assessment")["state"] == "gathering_advice"
    assert advice_deadline(j, "SaLT")["due_on"] == date(2026, 4, 23)  # Thu
    j.assert_replays()


def test_advice_outstanding_at_the_decision_to_issue_is_not_left_overdue_for_ever(svc):
    """Reg 8: a timer must be settleable. Either advice arriving after the decision to issue can
    still be recorded against its request, or the decision closes the outstanding request."""
    j = assessing(svc)
    j.do("advice_requested", date(2026, 2, 11), advice_type="health", contributor="GP")  # Wed
    j.do("plan_agreed", date(2026, 3, 20))  # Fri, the GP's advice still outstanding
    # if refused, the timer must not be open any more
    with contextlib.suppress(DomainError):
        j.do("advice_received", date(2026, 4, 1), advice_type="health")  # Wed
    svc.clock.set(date(2026, 12, 1))  # Tue
    assert advice_deadline(j, "GP")["status"] != "overdue"
    j.assert_replays()


# --- Reg 8(2) exceptions -------------------------------------------------------------------------


def test_advice_exception_missed_appointment_makes_late_advice_missed_exception(svc):
    """Reg 8(2)(c): the child missed an appointment the adviser made; late advice is 'missed -
    exception applies', and the due date does not move (STATUTORY §2)."""
    j = assessing(svc)
    j.do("advice_requested", date(2026, 2, 11), advice_type="psychological", contributor="EP")
    record_exception(
        j,
        date(2026, 3, 16),  # Mon
        "advice",
        "missed_appointment",
        date(2026, 3, 13),  # Fri, the missed appointment
        date(2026, 3, 27),  # Fri, the rearranged one
        family_informed=True,
    )
    d = advice_deadline(j, "EP")
    assert d["status"] == "open"
    assert d["exception"]["ground"] == "missed_appointment"
    j.do("advice_received", date(2026, 4, 8), advice_type="psychological")  # Wed
    d = advice_deadline(j, "EP")
    assert (d["status"], d["met_on"]) == ("missed_exception", date(2026, 4, 8))
    assert d["due_on"] == date(2026, 3, 25)  # Wed, unchanged
    j.assert_replays()


@pytest.mark.parametrize("ground", ["personal_circumstances", "absence_from_area"])
def test_advice_accepts_the_other_reg8_2_grounds(svc, ground):
    """Reg 8(2)(a), (b): exceptional personal circumstances; absence from the area."""
    j = assessing(svc)
    j.do("advice_requested", date(2026, 2, 11), advice_type="educational", contributor="EP")
    record_exception(j, date(2026, 3, 2), "advice", ground, date(2026, 2, 23), date(2026, 3, 27))
    assert advice_deadline(j, "EP")["exception"]["ground"] == ground
    j.assert_replays()


@pytest.mark.parametrize("ground", ["setting_closure", "early_years_closure", "representations"])
def test_advice_refuses_grounds_outside_reg8_2(svc, ground):
    """STATUTORY §2: a ground outside the timer's exception set is refused with the reason."""
    j = assessing(svc)
    j.do("advice_requested", date(2026, 2, 11), advice_type="educational", contributor="EP")
    err = j.refused(
        "exception_recorded",
        date(2026, 3, 2),
        match=f"'{ground}' is not a ground for advice",
        **exception_data("advice", ground, date(2026, 2, 23)),
    )
    assert isinstance(err, EventInvalid)
    assert err.status_code == 422
    j.assert_replays()


def test_advice_exception_names_one_deadline_by_id_when_several_are_live(svc):
    """STATUTORY §4a: `rule` is a timer id or a deadline id; with two advice timers open the
    timer id is ambiguous (refused), the deadline id picks one."""
    j = assessing(svc)
    j.do("advice_requested", date(2026, 2, 11), advice_type="educational", contributor="EP")
    j.do("advice_requested", date(2026, 2, 11), advice_type="health", contributor="Paediatrician")
    j.refused(
        "exception_recorded",
        date(2026, 3, 2),
        match="several advice deadlines are live",
        **exception_data("advice", "missed_appointment", date(2026, 2, 27)),
    )
    paed_id = advice_deadline(j, "Paediatrician")["id"]
    record_exception(j, date(2026, 3, 2), paed_id, "missed_appointment", date(2026, 2, 27))
    assert advice_deadline(j, "Paediatrician")["exception"]["ground"] == "missed_appointment"
    assert advice_deadline(j, "EP")["exception"] is None
    j.assert_replays()
