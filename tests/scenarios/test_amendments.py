"""Amending a plan after a review (STATUTORY.md §3 `amendment_comments`, `amended_plan`,
`post16_transfer`): the decision to amend carries the proposed amendments (R (L, M, P) v Devon
CC [2022] EWHC 493), the family has 15 days beginning with the notice to comment (Reg 22(2)),
the amended plan follows within 8 weeks of the notice (Reg 22(3)) and is appealable
(Act s.51(2)).

Every expected date is worked out by hand from a calendar (weekday in the comment).
"""

from __future__ import annotations

from datetime import date

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
MEETING = date(2028, 3, 1)  # Wed
NOTICE = date(2028, 3, 17)  # Fri: the decision to amend, sent with the proposed amendments
AMENDMENTS = "Section F: 10 hours a term of speech and language therapy; section I unchanged"


def _amend_notice(svc):
    j = plan_issued(svc, ISSUED)
    j.do("review_meeting_held", MEETING)
    j.do("review_report_received", date(2028, 3, 8))  # Wed
    j.do("review_decision_notified", NOTICE, outcome="amend", proposed_amendments=AMENDMENTS)
    return j


def test_amend_decision_must_carry_proposed_amendments(svc):
    """R (L, M, P) v Devon CC [2022] EWHC 493; Reg 22(2): a decision to amend is sent with the
    proposed amendments, never as a bare decision (422, nothing written)."""
    j = plan_issued(svc, ISSUED)
    j.do("review_meeting_held", MEETING)
    err = refuse(j, "review_decision_notified", NOTICE, "proposed_amendments", outcome="amend")
    assert err.status_code == 422
    refuse(
        j,
        "review_decision_notified",
        NOTICE,
        "proposed_amendments",
        outcome="amend",
        proposed_amendments="",
    )
    assert j.stage("annual_review")["state"] == "held"
    assert at(j, "review_decision:annual_review-1")["status"] == "open"
    j.assert_replays()


def test_amendment_comments_15_days_beginning_with_notice(svc):
    """Reg 22(2); STATUTORY §1: 15 days beginning with the notice, so its last day is the
    notice + 14; representations on that day are in time."""
    j = _amend_notice(svc)
    d = at(j, "amendment_comments:annual_review-1")
    assert d["starts_on"] == date(2028, 3, 17)  # Fri
    assert d["due_on"] == date(2028, 3, 31)  # Fri, day 15
    assert d["window"] is True
    assert d["source"] == "Reg 22(2)"
    # This cycle is amending; the next one is open from the decision.
    assert [s["state"] for s in j.view()["stages"] if s["stage"] == "annual_review"] == [
        "amending",
        "due",
    ]
    j.do("amendment_representations_received", date(2028, 3, 31))  # Fri
    assert status(j, "amendment_comments:annual_review-1") == ("met", date(2028, 3, 31))
    j.assert_replays()


def test_amended_plan_due_8_weeks_after_notice(svc):
    """Reg 22(3): the amended plan is issued within 8 weeks of the amendment notice; on the
    last day it is on time and the review cycle ends 'amended'."""
    j = _amend_notice(svc)
    d = at(j, "amended_plan:annual_review-1")
    assert d["starts_on"] == date(2028, 3, 17)  # Fri
    assert d["due_on"] == date(2028, 5, 12)  # Fri, 56 days later
    assert d["source"] == "Reg 22(3)–(4)"
    j.do("amendment_representations_received", date(2028, 3, 28))  # Tue
    j.do("amended_plan_issued", date(2028, 5, 12), named_setting="Oak Primary")  # Fri
    assert status(j, "amended_plan:annual_review-1") == ("met", date(2028, 5, 12))
    assert [s["state"] for s in j.view()["stages"] if s["stage"] == "annual_review"] == [
        "amended",
        "due",
    ]
    assert j.stage("plan")["state"] == "maintained"
    j.assert_replays()


def test_amended_plan_after_8_weeks_is_missed_and_no_exception_applies(svc):
    """Reg 22(3); STATUTORY §2: no exception bends the 8 weeks, so an exception is refused
    (422) and an amended plan a day late is a plain breach."""
    j = _amend_notice(svc)
    err = refuse(
        j,
        "exception_recorded",
        date(2028, 4, 3),  # Mon
        "not a ground for amended_plan",
        **exception("amended_plan", "personal_circumstances", date(2028, 4, 1)),
    )
    assert err.status_code == 422
    j.do("amended_plan_issued", date(2028, 5, 13))  # Sat
    d = at(j, "amended_plan:annual_review-1")
    assert (d["status"], d["met_on"]) == ("missed", date(2028, 5, 13))
    assert d["exception"] is None
    j.assert_replays()


def test_amended_plan_not_issued_inside_the_comment_window_without_representations(svc):
    """Reg 22(2); STATUTORY §1 "N days beginning with D": the family has until the 15th day to
    comment; an amended plan before then, with no representations received, is refused."""
    j = _amend_notice(svc)
    refuse(
        j,
        "amended_plan_issued",
        date(2028, 3, 24),  # Fri, day 8 of the window (last day Fri 31 Mar)
        "window",
        named_setting="Oak Primary",
    )
    j.assert_replays()


def test_amended_plan_may_follow_representations_inside_the_window(svc):
    """Reg 22(2): once the family has made representations, the LA may issue the amended plan
    before the 15 days end."""
    j = _amend_notice(svc)
    j.do("amendment_representations_received", date(2028, 3, 20))  # Mon
    j.do("amended_plan_issued", date(2028, 3, 24))  # Fri
    assert status(j, "amendment_comments:annual_review-1") == ("met", date(2028, 3, 20))
    assert status(j, "amended_plan:annual_review-1") == ("met", date(2028, 3, 24))
    j.assert_replays()


def test_amended_plan_is_appealable_the_decision_to_amend_is_not(svc):
    """Act s.51(2)(c); HESC r.20: the appealable decision is the amended plan (its contents),
    with 2-month mediation and appeal windows from its issue; the notice proposing
    amendments starts none."""
    j = _amend_notice(svc)
    notice = seq_of(j, "review_decision_notified")
    assert f"appeal_window:decision-{notice}" not in keys(j, "appeal_window")
    j.do("amendment_representations_received", date(2028, 3, 28))  # Tue
    j.do("amended_plan_issued", date(2028, 5, 12))  # Fri
    decision = f"decision-{seq_of(j, 'amended_plan_issued')}"
    assert at(j, f"appeal_window:{decision}")["due_on"] == date(2028, 7, 12)  # Wed
    assert at(j, f"mediation_contact:{decision}")["due_on"] == date(2028, 7, 12)  # Wed
    j.assert_replays()


def test_next_review_after_an_amendment_runs_from_the_decision_not_the_amended_plan(svc):
    """Act s.44(1); STATUTORY §3 `annual_review`: the next cycle runs from the date the review
    decision was notified, not from the amended plan's issue."""
    j = _amend_notice(svc)
    j.do("amendment_representations_received", date(2028, 3, 28))  # Tue
    j.do("amended_plan_issued", date(2028, 5, 12))  # Fri
    assert status(j, "annual_review:plan-1") == ("met", date(2028, 3, 17))
    assert at(j, "annual_review:annual_review-1")["due_on"] == date(2029, 3, 17)  # Sat
    assert keys(j, "annual_review") == ["annual_review:plan-1", "annual_review:annual_review-1"]
    j.assert_replays()


def test_representations_on_amendments_refused_when_none_were_proposed(svc):
    """Reg 22(2): representations answer an amendment notice; after a decision to maintain
    there is none, and before any decision there is none either (409)."""
    j = plan_issued(svc, ISSUED)
    j.do("review_meeting_held", MEETING)
    refuse(j, "amendment_representations_received", date(2028, 3, 2), "stage is 'held'")  # Thu
    j.do("review_decision_notified", NOTICE, outcome="maintain")
    refuse(
        j,
        "amendment_representations_received",
        date(2028, 3, 20),  # Mon
        "stage is 'due'",
    )
    assert keys(j, "amendment_comments") == []
    assert keys(j, "amended_plan") == []
    j.assert_replays()


# --- a move between post-16 institutions (Reg 18(2)) ----------------------------------------------


def test_post16_move_amended_plan_due_5_months_before_the_move(svc):
    """Reg 18(2): for a young person moving between post-16 institutions, the amended plan
    naming the new institution is issued at least 5 months before the move."""
    j = plan_issued(svc, ISSUED, born=date(2009, 5, 1), setting="Riverside College")
    j.do(
        "post16_move_proposed",
        date(2027, 10, 4),  # Mon
        moves_on=date(2028, 9, 1),  # Fri
        institution="Hillside Sixth Form College",
    )
    d = j.deadline("post16_transfer")
    assert d["due_on"] == date(2028, 4, 1)  # Sat, 5 months before Fri 1 Sep 2028
    assert d["source"] == "Reg 18(2)"
    j.do("amended_plan_issued", date(2028, 3, 31), named_setting="Hillside Sixth Form College")
    d = j.deadline("post16_transfer")
    assert (d["status"], d["met_on"]) == ("met", date(2028, 3, 31))  # Fri
    j.assert_replays()
