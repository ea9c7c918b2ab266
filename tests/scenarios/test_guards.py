"""Guards of the stage machines (STATUTORY.md §4): an event its stage's state does not allow is
refused with a clear reason; nothing changes and nothing is written except the refusal in the
access log. `Journey.refused` checks the reason and that the case view is unchanged.

Every date is a literal with its weekday in the comment.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from ehcp_engine.domain.errors import EventInvalid
from ehcp_engine.persistence.models import AccessLog
from ehcp_engine.services.cases import audit_view
from ehcp_engine.services.write_path import EventIn, record_event
from tests.journey import OFFICER, Journey
from tests.scenarios.steps import advice_id, to_draft, to_final_plan


def on_the_day(svc, received: date = date(2026, 1, 5)) -> Journey:  # Mon
    """A journey whose `today` follows its events (so display statuses are stable)."""
    svc.clock.set(received)
    return Journey(svc, received)


def drafted(svc) -> Journey:
    """Request Mon 5 Jan 2026; draft served Mon 2 Mar 2026, comments until Mon 16 Mar."""
    j = on_the_day(svc)
    to_draft(j, agreed=date(2026, 2, 10), decided=date(2026, 2, 27), served=date(2026, 3, 2))
    return j


# --- decisions in order --------------------------------------------------------------------------


@pytest.mark.parametrize("decision", ["plan_agreed", "plan_refused"])
def test_no_decision_about_a_plan_before_a_decision_to_assess(svc, decision):
    """Act s.36–37, Reg 10: whether to issue a plan is decided after an EHC needs assessment."""
    j = on_the_day(svc)
    data = {"reasons": "x"} if decision == "plan_refused" else {}
    j.refused(
        decision,
        date(2026, 2, 10),
        match=rf"{decision} needs a decision to assess \(assessment_agreed\) first",
        **data,
    )
    j.assert_replays()


def test_no_decision_about_a_plan_after_a_refusal_to_assess(svc):
    """Reg 5: after a refusal to assess there is no assessment to decide on."""
    j = on_the_day(svc)
    j.do("assessment_refused", date(2026, 2, 2), reasons="not needed")  # Mon
    j.refused(
        "plan_agreed",
        date(2026, 2, 10),
        match=r"plan_agreed needs a decision to assess \(assessment_agreed\) first",
    )
    j.assert_replays()


def test_no_advice_requested_before_a_decision_to_assess(svc):
    """Reg 6: advice is sought for an EHC needs assessment, once the LA has decided to assess."""
    j = on_the_day(svc)
    j.refused(
        "advice_requested",
        date(2026, 1, 20),
        match=r"advice_requested needs a decision to assess \(assessment_agreed\) first",
        advice_type="educational",
        contributor="EP",
    )
    j.assert_replays()


def test_decision_whether_to_assess_cannot_be_made_twice(svc):
    """Reg 5: one decision per request; the request stage has ended."""
    j = on_the_day(svc)
    j.do("assessment_agreed", date(2026, 2, 10))  # Tue
    j.refused(
        "assessment_refused",
        date(2026, 2, 11),
        match="assessment_refused is not allowed: the request stage ended in 'assess'",
        reasons="changed mind",
    )
    j.assert_replays()


def test_no_draft_before_a_decision_to_issue(svc):
    """Reg 12: a draft plan follows a decision to secure a plan."""
    j = on_the_day(svc)
    j.do("assessment_agreed", date(2026, 2, 10))  # Tue
    j.refused(
        "draft_plan_served",
        date(2026, 3, 2),
        match=r"draft_plan_served needs a decision to issue a plan \(plan_agreed\) first",
    )
    j.assert_replays()


def test_no_final_plan_before_a_draft_is_served(svc):
    """Reg 12–13: the family must have the draft before the plan is finalised."""
    j = on_the_day(svc)
    j.do("assessment_agreed", date(2026, 2, 10))  # Tue
    j.do("plan_agreed", date(2026, 2, 27))  # Fri
    j.refused(
        "final_plan_issued",
        date(2026, 3, 20),
        match="final_plan_issued is not allowed while the draft stage is 'drafting'",
        named_setting="Oak Primary",
    )
    j.assert_replays()


def test_draft_cannot_be_served_twice(svc):
    """Reg 13(1): the window runs from the one service of the draft."""
    j = drafted(svc)
    j.refused(
        "draft_plan_served",
        date(2026, 3, 4),
        match="draft_plan_served is not allowed while the draft stage is 'comments_window'",
    )
    j.assert_replays()


# --- Reg 13(1): the family's window on the draft -------------------------------------------------


@pytest.mark.parametrize(
    "issued",
    [
        date(2026, 3, 2),  # Mon, the day of service
        date(2026, 3, 10),  # Tue
        date(2026, 3, 16),  # Mon, the window's last (15th) day
    ],
)
def test_no_final_plan_while_the_15_day_comment_window_is_open(svc, issued):
    """Reg 13(1): the LA may not finalise before the window closes unless the family has
    already responded."""
    j = drafted(svc)
    j.refused(
        "final_plan_issued",
        issued,
        match=(
            r"the family's 15-day window to comment on the draft runs until 2026-03-16 "
            r"\(Reg 13\(1\)\) and no representations have been received"
        ),
        named_setting="Oak Primary",
    )
    j.assert_replays()


def test_no_final_plan_in_the_window_after_consulting_a_setting_without_representations(svc):
    """Reg 13(1): consulting a setting is not the family's response."""
    j = drafted(svc)
    j.do("setting_consulted", date(2026, 3, 3), setting="Oak Primary")  # Tue
    j.do("setting_responded", date(2026, 3, 9), setting="Oak Primary")  # Mon
    j.refused(
        "final_plan_issued",
        date(2026, 3, 12),
        match="runs until 2026-03-16",
        named_setting="Oak Primary",
    )
    j.assert_replays()


def test_final_plan_allowed_the_day_after_the_window_closes(svc):
    """Reg 13(1): from the 16th day the LA may finalise without representations."""
    j = drafted(svc)
    j.do("final_plan_issued", date(2026, 3, 17), named_setting="Oak Primary")  # Tue
    assert j.deadline("final_plan")["status"] == "met"
    assert j.stage("draft")["state"] == "final_issued"
    j.assert_replays()


def test_final_plan_allowed_inside_the_window_once_representations_are_received(svc):
    """Reg 13(1): the family has responded, so the LA may finalise before the 15 days end."""
    j = drafted(svc)
    j.do("representations_received", date(2026, 3, 10), requested_setting="Oak Primary")  # Tue
    j.do("final_plan_issued", date(2026, 3, 11), named_setting="Oak Primary")  # Wed
    assert j.deadline("final_plan")["status"] == "met"
    assert j.deadline("draft_comments")["met_on"] == date(2026, 3, 10)
    j.assert_replays()


def test_final_plan_allowed_in_the_window_after_representations_and_a_consultation(svc):
    """Reg 13(1), Act s.39: representations, then the requested setting consulted and answering;
    the plan may be finalised inside the window."""
    j = drafted(svc)
    j.do("representations_received", date(2026, 3, 4), requested_setting="Elm School")  # Wed
    j.do("setting_consulted", date(2026, 3, 5), setting="Elm School")  # Thu
    j.do("setting_responded", date(2026, 3, 11), setting="Elm School")  # Wed
    j.do("final_plan_issued", date(2026, 3, 13), named_setting="Elm School")  # Fri
    assert j.stage("draft")["state"] == "final_issued"
    j.assert_replays()


# --- dates ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("type_", "data"),
    [
        ("assessment_agreed", {}),
        ("assessment_refused", {"reasons": "not needed"}),
        ("request_withdrawn", {"reason": "moved"}),
    ],
)
def test_no_event_dated_before_the_request(svc, type_, data):
    """STATUTORY §1: the request's receipt is day zero; nothing can happen before it."""
    j = on_the_day(svc)
    j.refused(
        type_,
        date(2026, 1, 2),  # Fri, before Mon 5 Jan
        match=(
            rf"{type_} is dated 2026-01-02, before the request was received \(2026-01-05\): "
            "no event may be dated before the request"
        ),
        **data,
    )
    j.assert_replays()


def test_no_event_dated_in_the_future(svc):
    """STATUTORY §1: occurred_on is the legal date of something that has happened (422)."""
    j = on_the_day(svc)
    svc.clock.set(date(2026, 2, 9))  # Mon
    before = j.view()
    with pytest.raises(EventInvalid, match="2026-02-10 is in the future") as caught:
        record_event(
            svc,
            case_id=j.case_id,
            event=EventIn("assessment_agreed", date(2026, 2, 10), {}),  # Tue, tomorrow
            actor=OFFICER,
        )
    assert caught.value.status_code == 422
    assert j.view() == before
    j.assert_replays()


@pytest.mark.parametrize(
    ("type_", "on", "data", "match"),
    [
        # the decision to issue dated before advice was requested: folded in date order, the
        # later request for advice would follow a closed assessment
        (
            "plan_agreed",
            date(2026, 2, 12),
            {},
            r"plan_agreed dated 2026-02-12 cannot be recorded: it would make the later "
            r"advice_requested of 2026-02-16 \(record 3\) invalid: .*assessment stage ended",
        ),
        # advice dated before it was asked for: in date order there is no request for it yet
        (
            "advice_received",
            date(2026, 2, 13),
            {"advice_type": "health"},
            "no open advice requests of type 'health'",
        ),
    ],
)
def test_events_out_of_order_within_the_assessment_are_refused(svc, type_, on, data, match):
    """STATUTORY §1, §4: events fold in the order they happened, so one dated before the step it
    depends on is refused, naming what it would break."""
    j = on_the_day(svc)
    j.do("assessment_agreed", date(2026, 2, 10))  # Tue
    j.do("advice_requested", date(2026, 2, 16), advice_type="health", contributor="GP")  # Mon
    j.refused(type_, on, match=match, **data)
    j.assert_replays()


def test_representations_dated_before_the_draft_was_served_are_refused(svc):
    """Reg 13(1): the family comments on a draft they have been sent."""
    j = drafted(svc)
    j.refused(
        "representations_received",
        date(2026, 2, 28),  # Sat, before Mon 2 Mar
        match="representations_received is not allowed while the draft stage is 'drafting'",
    )
    j.assert_replays()


# --- one of each ---------------------------------------------------------------------------------


def test_no_second_final_plan_for_one_request(svc):
    """Reg 13(2): one final plan per request; later changes go through review or amendment."""
    j = drafted(svc)
    j.do("final_plan_issued", date(2026, 3, 17), named_setting="Oak Primary")  # Tue
    j.refused(
        "final_plan_issued",
        date(2026, 3, 20),
        match="final_plan_issued is not allowed: the draft stage ended in 'final_issued'",
        named_setting="Elm School",
    )
    assert len(j.deadlines("final_plan")) == 1
    j.assert_replays()


@pytest.mark.parametrize(
    ("steps", "reason"),
    [
        ([], r"a request is already in progress \(request-1, 'received' since 2026-01-05\)"),
        (
            [("assessment_agreed", date(2026, 2, 10), {})],  # Tue
            r"a request is already in progress \(assessment-1, 'gathering_advice' since "
            r"2026-02-10\)",
        ),
        (
            [
                ("assessment_agreed", date(2026, 2, 10), {}),  # Tue
                ("plan_agreed", date(2026, 2, 27), {}),  # Fri
            ],
            r"a request is already in progress \(draft-1, 'drafting' since 2026-02-27\)",
        ),
    ],
)
def test_a_second_request_while_one_is_in_progress_is_refused(svc, steps, reason):
    """Act s.36: one request for assessment at a time."""
    j = on_the_day(svc)
    for type_, on, data in steps:
        j.do(type_, on, **data)
    svc.clock.set(date(2026, 3, 2))  # Mon
    j.refused("request_received", date(2026, 3, 2), match=reason, source="school")
    j.assert_replays()


def test_a_new_request_while_a_plan_is_in_force_is_refused(svc):
    """Act s.44(2), Reg 24: with a plan in force the route is a reassessment."""
    j = to_final_plan(
        svc,
        received=date(2026, 1, 5),  # Mon
        agreed=date(2026, 2, 10),  # Tue
        decided=date(2026, 2, 27),  # Fri
        served=date(2026, 3, 2),  # Mon
        issued=date(2026, 3, 17),  # Tue
    )
    j.refused(
        "request_received",
        date(2026, 6, 1),
        match="the child already has a plan in force: ask for a reassessment",
        source="parent",
    )
    j.assert_replays()


def test_a_new_request_dated_before_the_last_one_is_refused(svc):
    """STATUTORY §1: requests are in date order."""
    j = on_the_day(svc)
    j.do("assessment_refused", date(2026, 2, 2), reasons="not needed")  # Mon
    j.refused(
        "request_received",
        date(2026, 1, 2),  # Fri
        match=r"(before the last one|before the request was received) \(2026-01-05\)",
        source="parent",
    )
    j.assert_replays()


def test_request_withdrawn_after_the_final_plan_is_refused(svc):
    """§3: a family may withdraw a request before the plan is issued, not after."""
    j = to_final_plan(
        svc,
        received=date(2026, 1, 5),  # Mon
        agreed=date(2026, 2, 10),  # Tue
        decided=date(2026, 2, 27),  # Fri
        served=date(2026, 3, 2),  # Mon
        issued=date(2026, 3, 17),  # Tue
    )
    j.refused(
        "request_withdrawn",
        date(2026, 3, 20),
        match="request_withdrawn is not allowed",
        reason="changed mind",
    )
    j.assert_replays()


def test_advice_received_for_a_request_already_received_is_refused(svc):
    """Reg 8: each request for advice is met once."""
    j = on_the_day(svc)
    j.do("assessment_agreed", date(2026, 2, 10))  # Tue
    j.do("advice_requested", date(2026, 2, 11), advice_type="educational", contributor="EP")
    j.do("advice_requested", date(2026, 2, 11), advice_type="health", contributor="GP")
    ep = advice_id(j, "EP")
    j.do("advice_received", date(2026, 3, 10), advice_request_id=ep)  # Tue
    j.refused(
        "advice_received",
        date(2026, 3, 12),
        match=r"advice advice-\d+ was already received on 2026-03-10",
        advice_request_id=ep,
    )
    j.refused(
        "advice_received",
        date(2026, 3, 12),
        match="no open advice requests of type 'educational'",
        advice_type="educational",
    )
    j.assert_replays()


def test_advice_received_naming_an_unknown_request_is_refused(svc):
    """Reg 8: the advice must belong to a request for advice on this case (422)."""
    j = on_the_day(svc)
    j.do("assessment_agreed", date(2026, 2, 10))  # Tue
    j.do("advice_requested", date(2026, 2, 11), advice_type="educational", contributor="EP")
    err = j.refused(
        "advice_received",
        date(2026, 3, 10),
        match="no such advice request on this case",
        advice_request_id=999_999_999,
    )
    assert isinstance(err, EventInvalid)
    j.assert_replays()


@pytest.mark.parametrize("consulted_first", [False, True])
def test_setting_responded_for_a_setting_never_consulted_is_refused(svc, consulted_first):
    """Act s.39(2): a response answers a consultation on this draft."""
    j = drafted(svc)
    if consulted_first:
        j.do("setting_consulted", date(2026, 3, 3), setting="Oak Primary")  # Tue
    j.refused(
        "setting_responded",
        date(2026, 3, 9),
        match="Birch Academy was not consulted on this draft",
        setting="Birch Academy",
    )
    j.assert_replays()


def test_a_refusal_is_written_to_the_access_log_and_nowhere_else(svc):
    """STATUTORY §4: nothing changes and nothing is written except the refusal in the access
    log."""
    j = on_the_day(svc)

    def refusals() -> int:
        with svc.sessions() as session:
            return int(
                session.scalar(
                    select(func.count(AccessLog.id)).where(
                        AccessLog.case_id == j.case_id, AccessLog.action == "refused"
                    )
                )
                or 0
            )

    before_log, before_audit = refusals(), audit_view(svc, j.case_id)
    j.refused("plan_agreed", date(2026, 2, 10), match="needs a decision to assess")
    assert refusals() == before_log + 1
    assert audit_view(svc, j.case_id) == before_audit
    j.assert_replays()
