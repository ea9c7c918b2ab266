"""A plan moving between local authorities (Reg 15; STATUTORY.md §3 `transfer_plan_sent`,
`transfer_notice`, `transfer_review`): the old LA sends the plan on the day of the move or
within 15 working days, the new LA tells the family within 6 weeks whether it will reassess and
when it will review, and reviews by the later of 12 months from the last review (or issue) and 3
months from the transfer.

A case opened from a transfer in has `plan_transferred_in` as its first event, through the
service `create_case` (`TransferredIn`). Every expected date is worked out by hand from a
calendar (weekday in the comment).
"""

from __future__ import annotations

from datetime import date

import pytest

from ehcp_engine.domain.errors import EventRefused
from tests.scenarios.plan_life import (
    TransferredIn,
    at,
    keys,
    live,
    plan_issued,
    refuse,
    status,
)

# --- the old authority: sending the plan (Reg 15(2)) ----------------------------------------------


@pytest.mark.parametrize(
    ("issued", "notified", "moves_on", "due"),
    [
        # Thu 18 Mar 2027: Good Friday 26 Mar and Easter Monday 29 Mar fall inside, so the 15th
        # working day is Mon 12 Apr (not Thu 8 Apr).
        pytest.param(
            date(2027, 2, 1), date(2027, 3, 18), None, date(2027, 4, 12), id="no-date-easter"
        ),
        # Move Fri 9 Apr: only 14 working days' notice -> 15 working days, after the move.
        pytest.param(
            date(2027, 2, 1),
            date(2027, 3, 18),
            date(2027, 4, 9),
            date(2027, 4, 12),
            id="short-notice-easter",
        ),
        # Move Mon 12 Apr: exactly 15 working days' notice -> the day of the move.
        pytest.param(
            date(2027, 2, 1),
            date(2027, 3, 18),
            date(2027, 4, 12),
            date(2027, 4, 12),
            id="15-days-notice-move-day",
        ),
        # Move Fri 30 Apr: ample notice -> the day of the move.
        pytest.param(
            date(2027, 2, 1),
            date(2027, 3, 18),
            date(2027, 4, 30),
            date(2027, 4, 30),
            id="long-notice-move-day",
        ),
        # Mon 14 Dec 2026: Christmas (Fri 25), Boxing Day substitute (Mon 28) and New Year's
        # Day (Fri 1 Jan) fall inside -> Thu 7 Jan 2027; the move on Mon 4 Jan is too soon.
        pytest.param(
            date(2026, 10, 5),
            date(2026, 12, 14),
            date(2027, 1, 4),
            date(2027, 1, 7),
            id="short-notice-christmas",
        ),
    ],
)
def test_transfer_plan_sent_15_working_days_or_day_of_move(svc, issued, notified, moves_on, due):
    """Reg 15(2): the old LA sends the plan to the new LA on the day of the move if it knew at
    least 15 working days before, otherwise within 15 working days of learning of it (bank
    holidays, Christmas Day and Good Friday are not working days)."""
    j = plan_issued(svc, issued)
    data = {"to_la": "Kent County Council"}
    if moves_on is not None:
        data["moves_on"] = moves_on
    j.do("plan_transfer_notified", notified, **data)
    d = at(j, "transfer_plan_sent:plan-1")
    assert d["starts_on"] == notified
    assert d["due_on"] == due
    assert d["source"] == "Reg 15(2)"
    assert j.stage("plan")["state"] == "maintained"  # still ours until it is sent

    j.do("plan_transferred_out", due, to_la="Kent County Council")
    assert status(j, "transfer_plan_sent:plan-1") == ("met", due)
    j.assert_replays()


def test_plan_sent_after_the_move_day_is_missed(svc):
    """Reg 15(2)(a): with 15 working days' notice the plan goes on the day of the move; a day
    later is a breach."""
    j = plan_issued(svc, date(2027, 2, 1))  # Mon
    j.do(
        "plan_transfer_notified",
        date(2027, 3, 18),  # Thu
        to_la="Kent County Council",
        moves_on=date(2027, 4, 30),  # Fri
    )
    j.do("plan_transferred_out", date(2027, 5, 3), to_la="Kent County Council")  # Mon
    assert status(j, "transfer_plan_sent:plan-1") == ("missed", date(2027, 5, 3))
    j.assert_replays()


def test_transfer_out_ends_the_plan_and_its_reviews_here(svc):
    """Reg 15; STATUTORY §4 `plan`: once sent, the plan is the new LA's; this LA's review cycle
    is cancelled and no review event is accepted any more."""
    j = plan_issued(svc, date(2027, 2, 1))  # Mon
    j.do("plan_transfer_notified", date(2027, 3, 18), to_la="Kent County Council")  # Thu
    j.do("plan_transferred_out", date(2027, 4, 12), to_la="Kent County Council")  # Mon
    plan = j.stage("plan")
    assert (plan["state"], plan["closed_on"]) == ("transferred_out", date(2027, 4, 12))
    assert at(j, "annual_review:plan-1")["status"] == "cancelled"
    assert j.stage("annual_review")["state"] == "cancelled"
    assert live(j, "annual_review") == []
    refuse(
        j,
        "review_meeting_scheduled",
        date(2027, 4, 13),  # Tue
        "the annual_review stage ended in 'cancelled'",
        meeting_on=date(2027, 5, 4),
    )
    refuse(j, "reassessment_requested", date(2027, 4, 13), "ended in 'transferred_out'")
    j.assert_replays()


def test_transfer_out_cancels_the_deadlines_of_a_review_in_progress(svc):
    """Reg 15(2)-(5): after the plan is sent, the review is the new LA's (Reg 15(5)); the old
    LA's report and decision deadlines are cancelled, as they are when a plan ceases."""
    j = plan_issued(svc, date(2027, 2, 1))  # Mon
    j.do("review_meeting_held", date(2027, 11, 1))  # Mon
    j.do("plan_transfer_notified", date(2027, 11, 2), to_la="Kent County Council")  # Tue
    j.do("plan_transferred_out", date(2027, 11, 5), to_la="Kent County Council")  # Fri
    assert at(j, "review_report:annual_review-1")["status"] == "cancelled"  # was due Mon 15 Nov
    assert at(j, "review_decision:annual_review-1")["status"] == "cancelled"  # was due 29 Nov
    j.assert_replays()


def test_transfer_notified_needs_a_plan_in_force(svc):
    """Reg 15: only a plan in force can be transferred; once transferred out, not again."""
    j = plan_issued(svc, date(2027, 2, 1))  # Mon
    j.do("plan_transferred_out", date(2027, 3, 1), to_la="Kent County Council")  # Mon
    refuse(
        j,
        "plan_transfer_notified",
        date(2027, 3, 2),  # Tue
        "ended in 'transferred_out'",
        to_la="Surrey County Council",
    )
    j.assert_replays()


# --- the new authority: a plan transferred in (Reg 15(4)-(5)) -------------------------------------


def test_transfer_notice_6_weeks(svc):
    """Reg 15(4): within 6 weeks of the transfer the new LA tells the family whether it will
    reassess and when it will review; on the last day it is on time."""
    j = TransferredIn(
        svc,
        date(2027, 3, 1),  # Mon
        from_la="Kent County Council",
        plan_issued_on=date(2025, 9, 1),
        last_review_on=date(2026, 9, 14),
    )
    d = at(j, "transfer_notice:plan-1")
    assert d["starts_on"] == date(2027, 3, 1)  # Mon
    assert d["due_on"] == date(2027, 4, 12)  # Mon, 42 days later
    assert d["source"] == "Reg 15(4)"
    assert j.stage("plan")["state"] == "maintained"
    assert j.stage("annual_review")["state"] == "due"
    j.do("transfer_notice_sent", date(2027, 4, 12), will_reassess=False, review_by="2027-09-14")
    assert status(j, "transfer_notice:plan-1") == ("met", date(2027, 4, 12))
    j.assert_replays()


def test_transfer_notice_after_6_weeks_is_missed(svc):
    """Reg 15(4): a notice a day after the 6 weeks is late."""
    j = TransferredIn(
        svc,
        date(2027, 3, 1),  # Mon
        from_la="Kent County Council",
        plan_issued_on=date(2025, 9, 1),
    )
    j.do("transfer_notice_sent", date(2027, 4, 13), will_reassess=True)  # Tue
    assert status(j, "transfer_notice:plan-1") == ("missed", date(2027, 4, 13))
    j.assert_replays()


@pytest.mark.parametrize(
    ("plan_issued_on", "last_review_on", "due"),
    [
        # 12 months from the last review (Tue 14 Sep 2027) is later than 3 months from the
        # transfer (Tue 1 Jun 2027).
        pytest.param(date(2025, 9, 1), date(2026, 9, 14), date(2027, 9, 14), id="12-months"),
        # 12 months from the last review (Thu 1 Apr 2027) is earlier: 3 months from the
        # transfer (Tue 1 Jun 2027) wins.
        pytest.param(date(2025, 3, 2), date(2026, 4, 1), date(2027, 6, 1), id="3-months"),
        # Never reviewed: 12 months from the plan's issue (Tue 2 Nov 2027) is later.
        pytest.param(date(2026, 11, 2), None, date(2027, 11, 2), id="from-issue"),
        # Never reviewed, issued Fri 1 May 2026: 12 months is Sat 1 May 2027, before 1 Jun.
        pytest.param(date(2026, 5, 1), None, date(2027, 6, 1), id="from-issue-3-months"),
    ],
)
def test_transfer_review_later_of_12_months_and_3_months(svc, plan_issued_on, last_review_on, due):
    """Reg 15(5): the new LA reviews the plan before the later of 12 months from the plan's
    making or last review and 3 months from the transfer (Mon 1 Mar 2027 here)."""
    j = TransferredIn(
        svc,
        date(2027, 3, 1),  # Mon
        from_la="Kent County Council",
        plan_issued_on=plan_issued_on,
        last_review_on=last_review_on,
    )
    d = at(j, "transfer_review:plan-1")
    assert d["starts_on"] == date(2027, 3, 1)  # Mon
    assert d["due_on"] == due
    assert d["source"] == "Reg 15(5)"
    # The first review here is the transfer review: no ordinary 12-month timer yet.
    assert keys(j, "annual_review") == []
    j.assert_replays()


def test_transfer_review_met_by_a_review_decision_then_annual_reviews_follow(svc):
    """Reg 15(5); Act s.44(1): the transfer review is met by a review decision, and from it
    the ordinary 12-month cycle runs."""
    j = TransferredIn(
        svc,
        date(2027, 3, 1),  # Mon
        from_la="Kent County Council",
        plan_issued_on=date(2025, 9, 1),
        last_review_on=date(2026, 9, 14),
    )
    j.do("transfer_notice_sent", date(2027, 4, 5), review_by="2027-09-14")  # Mon
    j.do("review_meeting_scheduled", date(2027, 7, 5), meeting_on=date(2027, 9, 1))  # Mon; Wed
    j.do("review_invitations_sent", date(2027, 7, 12))  # Mon
    j.do("review_advice_circulated", date(2027, 8, 16))  # Mon
    j.do("review_meeting_held", date(2027, 9, 1))  # Wed
    j.do("review_report_received", date(2027, 9, 8))  # Wed
    j.do("review_decision_notified", date(2027, 9, 10), outcome="maintain")  # Fri
    assert status(j, "transfer_review:plan-1") == ("met", date(2027, 9, 10))
    assert at(j, "annual_review:annual_review-1")["due_on"] == date(2028, 9, 10)  # Sun
    j.assert_replays()


def test_transfer_in_of_a_plan_issued_after_the_transfer_refused(svc):
    """Reg 15: a plan transferred in was made before the transfer; a later issue date is
    refused and no case is opened."""
    svc.clock.set(date(2027, 3, 10))  # Wed: recorded later, so neither date is in the future
    with pytest.raises(EventRefused, match="issued after it was transferred"):
        TransferredIn(
            svc,
            date(2027, 3, 1),  # Mon
            from_la="Kent County Council",
            plan_issued_on=date(2027, 3, 2),  # Tue
        )


def test_request_on_a_transferred_in_plan_refused(svc):
    """Act s.36, s.44: a child with a plan in force (transferred in) is reassessed, not
    assessed afresh: a new request is refused."""
    j = TransferredIn(
        svc,
        date(2027, 3, 1),  # Mon
        from_la="Kent County Council",
        plan_issued_on=date(2025, 9, 1),
    )
    assert j.view()["deadlines"]  # transfer timers, no request timers
    assert keys(j, "final_plan") == []
    refuse(
        j,
        "request_received",
        date(2027, 3, 8),  # Mon
        "already has a plan in force",
        source="parent",
    )
    j.do("reassessment_requested", date(2027, 3, 8))  # Mon
    assert at(j, "reassessment_decision:plan-1")["due_on"] == date(2027, 3, 23)  # Tue
    j.assert_replays()
