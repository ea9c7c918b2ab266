"""Ceasing to maintain a plan (Act s.45; Regs 29-31; STATUTORY.md §3 "Ceasing"): the LA
considers, decides with appeal rights, and the plan stays in force until the appeal window
closes unappealed or the appeal is decided (Act s.45; Reg 31); an order to continue keeps it
(Reg 44(2)(a)).

Every expected date is worked out by hand from a calendar (weekday in the comment).
"""

from __future__ import annotations

from datetime import date

from tests.scenarios.plan_life import (
    at,
    certificate,
    keys,
    live,
    plan_issued,
    refuse,
    seq_of,
    status,
)

ISSUED = date(2027, 4, 20)  # Tue
PROPOSED = date(2027, 9, 1)  # Wed
DECIDED = date(2027, 9, 20)  # Mon: notice of the decision to cease, with appeal rights
REASON = 2  # SEN2 cease reason: needs met without an EHC plan (reference/sen2)


def _cease_decided(svc):
    j = plan_issued(svc, ISSUED)
    j.do("cease_proposed", PROPOSED, reason=REASON)
    assert j.stage("plan")["state"] == "ceasing"
    j.do("cease_decided", DECIDED, reason=REASON)
    return j, f"decision-{seq_of(j, 'cease_decided')}"


def test_cease_decision_opens_a_2_month_appeal_window(svc):
    """Act s.51(2)(f); Reg 31; HESC r.20: the decision to cease is appealable; mediation and
    appeal windows run 2 months from its notice."""
    j, decision = _cease_decided(svc)
    window = at(j, f"appeal_window:{decision}")
    assert window["starts_on"] == date(2027, 9, 20)  # Mon
    assert window["due_on"] == date(2027, 11, 20)  # Sat
    assert at(j, f"mediation_contact:{decision}")["due_on"] == date(2027, 11, 20)  # Sat
    assert j.stage("plan")["state"] == "cease_decided"
    assert at(j, "annual_review:plan-1")["status"] == "open"  # the plan is still in force
    j.assert_replays()


def test_plan_ceased_refused_while_appeal_window_open(svc):
    """Act s.45; Reg 31: the plan stays in force while the family may still appeal, up to
    and including the window's last day."""
    j, _decision = _cease_decided(svc)
    for day in (date(2027, 9, 21), date(2027, 11, 19), date(2027, 11, 20)):  # Tue, Fri, Sat
        refuse(j, "plan_ceased", day, "window to appeal the decision to cease", reason=REASON)
    assert j.stage("plan")["state"] == "cease_decided"
    j.assert_replays()


def test_plan_ceased_allowed_after_the_window_closes_unappealed(svc):
    """Act s.45; Reg 31: the day after the window closes with no appeal the plan may cease;
    the review cycle ends with it."""
    j, _decision = _cease_decided(svc)
    j.do("plan_ceased", date(2027, 11, 21), reason=REASON)  # Sun
    plan = j.stage("plan")
    assert (plan["state"], plan["closed_on"]) == ("ceased", date(2027, 11, 21))
    assert at(j, "annual_review:plan-1")["status"] == "cancelled"
    assert j.stage("annual_review")["state"] == "cancelled"
    assert live(j, "annual_review") == []
    j.assert_replays()


def test_mediation_certificate_extends_the_time_before_a_plan_may_cease(svc):
    """HESC r.20(1); Reg 31: a certificate issued Wed 3 Nov 2027 extends the appeal window
    to Fri 3 Dec 2027 (a month after it), so the plan cannot cease until after that."""
    j, decision = _cease_decided(svc)
    certificate(j, date(2027, 11, 1), date(2027, 11, 3), seq_of(j, "cease_decided"))  # Mon; Wed
    assert at(j, f"appeal_window:{decision}")["due_on"] == date(2027, 12, 3)  # Fri
    refuse(j, "plan_ceased", date(2027, 11, 22), "window to appeal", reason=REASON)  # Mon
    refuse(j, "plan_ceased", date(2027, 12, 3), "window to appeal", reason=REASON)  # Fri
    j.do("plan_ceased", date(2027, 12, 4), reason=REASON)  # Sat
    assert j.stage("plan")["state"] == "ceased"
    j.assert_replays()


def test_plan_ceased_refused_while_appeal_live(svc):
    """Act s.45(2); Reg 31: while an appeal against ceasing is undecided the plan stays in
    force, even after the appeal window's last day; once the tribunal dismisses the appeal the
    plan may cease at once (order_cease, same day)."""
    j, decision = _cease_decided(svc)
    certificate(j, date(2027, 10, 4), date(2027, 10, 6), seq_of(j, "cease_decided"))  # Mon; Wed
    j.do("appeal_registered", date(2027, 10, 11), appeal_type="ceasing")  # Mon
    assert status(j, f"appeal_window:{decision}") == ("met", date(2027, 10, 11))
    refuse(j, "plan_ceased", date(2027, 12, 1), "an appeal is live", reason=REASON)  # Wed
    j.do("tribunal_response_lodged", date(2027, 11, 19))  # Fri
    refuse(j, "plan_ceased", date(2028, 1, 10), "an appeal is live", reason=REASON)  # Mon

    j.do("tribunal_order_made", date(2028, 2, 1), order="cease")  # Tue: appeal dismissed
    order = at(j, f"order_cease:{decision}")
    assert order["due_on"] == date(2028, 2, 1)  # Tue, the same day
    assert order["guidance"] is True
    j.do("plan_ceased", date(2028, 2, 1), reason=REASON)  # Tue
    assert status(j, f"order_cease:{decision}") == ("met", date(2028, 2, 1))
    assert j.stage("plan")["state"] == "ceased"
    j.assert_replays()


def test_plan_ceased_allowed_once_the_cease_appeal_is_withdrawn(svc):
    """Act s.45; Reg 31: a withdrawn appeal no longer holds the plan in force."""
    j, _decision = _cease_decided(svc)
    certificate(j, date(2027, 10, 4), date(2027, 10, 6), seq_of(j, "cease_decided"))  # Mon; Wed
    j.do("appeal_registered", date(2027, 10, 11), appeal_type="ceasing")  # Mon
    j.do("appeal_withdrawn", date(2027, 12, 6))  # Mon
    assert at(j, "tribunal_response:tribunal-1")["status"] == "cancelled"
    j.do("plan_ceased", date(2027, 12, 7), reason=REASON)  # Tue
    assert j.stage("plan")["state"] == "ceased"
    j.assert_replays()


def test_order_to_continue_keeps_the_plan(svc):
    """Reg 44(2)(a): an order to continue maintaining the plan is complied with the same day;
    the plan is maintained again and cannot cease on the old decision."""
    j, decision = _cease_decided(svc)
    certificate(j, date(2027, 10, 4), date(2027, 10, 6), seq_of(j, "cease_decided"))  # Mon; Wed
    j.do("appeal_registered", date(2027, 10, 11), appeal_type="ceasing")  # Mon
    j.do("tribunal_response_lodged", date(2027, 11, 19))  # Fri
    j.do("tribunal_order_made", date(2028, 2, 1), order="continue")  # Tue
    assert at(j, f"order_continue:{decision}")["due_on"] == date(2028, 2, 1)  # Tue
    assert j.stage("plan")["state"] == "maintained"
    j.do("order_complied", date(2028, 2, 1))  # Tue
    assert status(j, f"order_continue:{decision}") == ("met", date(2028, 2, 1))
    assert j.stage("tribunal")["state"] == "complied"
    refuse(j, "plan_ceased", date(2028, 2, 2), "plan stage is 'maintained'", reason=REASON)
    assert at(j, "annual_review:plan-1")["status"] == "open"
    j.assert_replays()


def test_plan_ceased_needs_a_decision_to_cease(svc):
    """Act s.45; Regs 29-31: the plan ceases only after a notified decision to cease; neither
    a maintained plan nor one merely proposed for ceasing can cease."""
    j = plan_issued(svc, ISSUED)
    refuse(j, "plan_ceased", PROPOSED, "plan stage is 'maintained'", reason=REASON)
    j.do("cease_proposed", PROPOSED, reason=REASON)
    refuse(j, "plan_ceased", date(2027, 12, 1), "plan stage is 'ceasing'", reason=REASON)  # Wed
    j.assert_replays()


def test_cease_reason_must_be_a_sen2_code(svc):
    """SEN2 cease reasons are codes 1-9 (reference/sen2); anything else is refused (422)."""
    j = plan_issued(svc, ISSUED)
    for bad in (0, 10):
        err = refuse(j, "cease_decided", DECIDED, "reason", reason=bad)
        assert err.status_code == 422
    j.assert_replays()


def test_plan_ceased_cancels_the_deadlines_of_a_review_in_progress(svc):
    """Act s.45; STATUTORY §3: once the plan has ceased its review report and decision are no
    longer due."""
    j, _decision = _cease_decided(svc)
    j.do("review_meeting_held", date(2027, 11, 15))  # Mon
    assert at(j, "review_decision:annual_review-1")["due_on"] == date(2027, 12, 13)  # Mon
    j.do("plan_ceased", date(2027, 11, 21), reason=REASON)  # Sun
    assert at(j, "review_report:annual_review-1")["status"] == "cancelled"
    assert at(j, "review_decision:annual_review-1")["status"] == "cancelled"
    assert at(j, "annual_review:plan-1")["status"] == "cancelled"
    j.assert_replays()


def test_nothing_happens_to_a_ceased_plan(svc):
    """Act s.45: a ceased plan is not reviewed, reassessed or ceased again (409)."""
    j, _decision = _cease_decided(svc)
    j.do("plan_ceased", date(2027, 11, 21), reason=REASON)  # Sun
    refuse(
        j,
        "review_meeting_scheduled",
        date(2027, 11, 22),  # Mon
        "ended in 'cancelled'",
        meeting_on=date(2027, 12, 13),
    )
    refuse(j, "reassessment_requested", date(2027, 11, 22), "ended in 'ceased'")
    refuse(j, "cease_decided", date(2027, 11, 22), "ended in 'ceased'", reason=REASON)
    j.assert_replays()


def test_review_decision_to_cease_is_followed_by_an_appealable_cease_decision(svc):
    """Reg 20(10), Reg 31; Act s.51(2)(f): a review that decides to cease leads to the cease
    decision's own appealable notice; the review outcome itself starts no appeal window."""
    j = plan_issued(svc, ISSUED)
    j.do("review_meeting_held", date(2028, 3, 1))  # Wed
    j.do("review_decision_notified", date(2028, 3, 17), outcome="cease")  # Fri
    review = seq_of(j, "review_decision_notified")
    assert f"appeal_window:decision-{review}" not in keys(j, "appeal_window")
    j.do("cease_decided", date(2028, 3, 24), reason=REASON)  # Fri
    decision = f"decision-{seq_of(j, 'cease_decided')}"
    assert at(j, f"appeal_window:{decision}")["due_on"] == date(2028, 5, 24)  # Wed
    j.assert_replays()
