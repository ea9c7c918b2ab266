"""Appeals to the First-tier Tribunal (Act s.51; HESC rules; Regs 44-45; SI 2017/1306;
STATUTORY.md §3 "Disagreement", §4 `tribunal`): the appeal window, the LA's response, each
order's compliance periods (Reg 44), unopposed appeals (Reg 45), recommendations, and several
disagreements live at once on one case.

Appeals other than about the setting alone follow a mediation certificate (Act s.55), so the
scenarios obtain one first. Every expected date is worked out by hand from a calendar (weekday
in the comment).
"""

from __future__ import annotations

from datetime import date

import pytest

from tests.journey import Journey
from tests.scenarios.plan_life import (
    FINAL_PLAN_SEQ,
    at,
    certificate,
    exception,
    keys,
    live,
    plan_issued,
    refuse,
    seq_of,
    status,
)

# --- scenarios leading to an appeal ---------------------------------------------------------------

ISSUED = date(2027, 4, 15)  # Thu: the final plan (decision-5), appeal window to Tue 15 Jun 2027


def _contents_appeal(svc) -> tuple[Journey, str]:
    """A contents appeal on the final plan (s.51(2)(c)), after a mediation certificate."""
    j = plan_issued(svc, ISSUED)
    certificate(j, date(2027, 5, 4), date(2027, 5, 6), FINAL_PLAN_SEQ)  # Tue; Thu
    j.do("appeal_registered", date(2027, 5, 10), appeal_type="contents")  # Mon
    return j, f"decision-{FINAL_PLAN_SEQ}"


def _setting_appeal(svc) -> tuple[Journey, str]:
    """An appeal only about the setting named: no mediation certificate needed (s.55(2))."""
    j = plan_issued(svc, ISSUED)
    j.do("appeal_registered", date(2027, 5, 10), appeal_type="setting_only")  # Mon
    return j, f"decision-{FINAL_PLAN_SEQ}"


def _refusal_to_reassess_appeal(svc) -> tuple[Journey, str]:
    """s.51(2)(d): refused Mon 14 Jun 2027, appealed Thu 1 Jul 2027."""
    j = plan_issued(svc, ISSUED)
    j.do("reassessment_requested", date(2027, 6, 1))  # Tue
    j.do("reassessment_refused", date(2027, 6, 14), reasons="Needs unchanged")  # Mon
    seq = seq_of(j, "reassessment_refused")
    certificate(j, date(2027, 6, 21), date(2027, 6, 23), seq)  # Mon; Wed
    j.do("appeal_registered", date(2027, 7, 1), appeal_type="refusal_to_reassess")  # Thu
    return j, f"decision-{seq}"


def _refusal_to_issue_appeal(svc) -> tuple[Journey, str]:
    """s.51(2)(b): plan refused Mon 5 Apr 2027, appealed Tue 4 May 2027."""
    j = Journey(svc, date(2027, 1, 4))  # Mon
    j.do("assessment_agreed", date(2027, 2, 8))  # Mon
    j.do("plan_refused", date(2027, 4, 5), reasons="Needs met from the school's resources")  # Mon
    seq = seq_of(j, "plan_refused")
    certificate(j, date(2027, 4, 19), date(2027, 4, 21), seq)  # Mon; Wed
    j.do("appeal_registered", date(2027, 5, 4), appeal_type="refusal_to_issue")  # Tue
    return j, f"decision-{seq}"


def _refusal_to_assess_appeal(svc) -> tuple[Journey, str]:
    """s.51(2)(a): assessment refused Mon 8 Feb 2027, appealed Mon 1 Mar 2027."""
    j = Journey(svc, date(2027, 1, 4))  # Mon
    j.do("assessment_refused", date(2027, 2, 8), reasons="No evidence of SEN")  # Mon
    seq = seq_of(j, "assessment_refused")
    certificate(j, date(2027, 2, 15), date(2027, 2, 17), seq)  # Mon; Wed
    j.do("appeal_registered", date(2027, 3, 1), appeal_type="refusal_to_assess")  # Mon
    return j, f"decision-{seq}"


def _cease_appeal(svc) -> tuple[Journey, str]:
    """s.51(2)(f): cease decided Mon 20 Sep 2027, appealed Mon 11 Oct 2027."""
    j = plan_issued(svc, ISSUED)
    j.do("cease_decided", date(2027, 9, 20), reason=2)  # Mon
    seq = seq_of(j, "cease_decided")
    certificate(j, date(2027, 10, 4), date(2027, 10, 6), seq)  # Mon; Wed
    j.do("appeal_registered", date(2027, 10, 11), appeal_type="ceasing")  # Mon
    return j, f"decision-{seq}"


# --- the appeal window (HESC r.20, r.12(3)) -------------------------------------------------------


def test_appeal_window_two_months_from_decision(svc):
    """HESC r.20(1)(a): the family may appeal within 2 months of the decision notice; an
    appeal on the last day is in time and meets the window."""
    j = plan_issued(svc, ISSUED)
    key = f"appeal_window:decision-{FINAL_PLAN_SEQ}"
    d = at(j, key)
    assert d["starts_on"] == date(2027, 4, 15)  # Thu
    assert d["due_on"] == date(2027, 6, 15)  # Tue
    assert d["window"] is True
    assert d["source"] == "HESC r.20, r.12(3)"
    j.do("appeal_registered", date(2027, 6, 15), appeal_type="setting_only")  # Tue
    assert status(j, key) == ("met", date(2027, 6, 15))
    assert status(j, f"mediation_contact:decision-{FINAL_PLAN_SEQ}") == (
        "met",
        date(2027, 6, 15),
    )
    assert j.stage("tribunal")["state"] == "registered"
    j.assert_replays()


@pytest.mark.parametrize(
    ("certified", "due"),
    [
        # Certificate Tue 23 Mar 2027: a month later, Fri 23 Apr, is after Thu 1 Apr.
        pytest.param(date(2027, 3, 23), date(2027, 4, 23), id="certificate-later"),
        # Certificate Fri 12 Feb 2027: a month later, Fri 12 Mar, is before Thu 1 Apr.
        pytest.param(date(2027, 2, 12), date(2027, 4, 1), id="notice-later"),
    ],
)
def test_appeal_window_later_of_notice_plus_2_months_and_certificate_plus_1_month(
    svc, certified, due
):
    """HESC r.20(1): the appeal is made within the later of 2 months from the decision notice
    (Mon 1 Feb 2027 -> Thu 1 Apr 2027) and 1 month from the mediation certificate."""
    j = plan_issued(svc, date(2027, 2, 1))  # Mon
    certificate(j, date(2027, 2, 10), certified, FINAL_PLAN_SEQ)  # Wed
    d = at(j, f"appeal_window:decision-{FINAL_PLAN_SEQ}")
    assert d["starts_on"] == date(2027, 2, 1)  # Mon
    assert d["due_on"] == due
    j.do("appeal_registered", due, appeal_type="contents")
    assert status(j, f"appeal_window:decision-{FINAL_PLAN_SEQ}") == ("met", due)
    j.assert_replays()


@pytest.mark.parametrize(
    ("issued", "certified", "due"),
    [
        # Thu 10 Jun 2027 + 2 months = Tue 10 Aug -> first working day of September, Wed 1 Sep.
        pytest.param(date(2027, 6, 10), None, date(2027, 9, 1), id="notice-2027"),
        # Thu 14 Jun 2029 + 2 months = Tue 14 Aug; Sat 1 Sep 2029 -> Mon 3 Sep 2029.
        pytest.param(date(2029, 6, 14), None, date(2029, 9, 3), id="notice-2029-weekend"),
        # Notice Mon 17 May 2027 (2 months: Sat 17 Jul); certificate Wed 14 Jul: a month later
        # is Sat 14 Aug -> Wed 1 Sep 2027.
        pytest.param(date(2027, 5, 17), date(2027, 7, 14), date(2027, 9, 1), id="certificate"),
    ],
)
def test_appeal_window_last_day_in_august_rolls_to_september(svc, issued, certified, due):
    """HESC r.12(3)(b); STATUTORY §3: a last day in August moves to the next working day
    after it (the August bank holiday does not matter: the whole month is skipped)."""
    j = plan_issued(svc, issued)
    if certified is not None:
        certificate(j, date(2027, 7, 12), certified, FINAL_PLAN_SEQ)  # Mon
    assert at(j, f"appeal_window:decision-{FINAL_PLAN_SEQ}")["due_on"] == due
    j.assert_replays()


@pytest.mark.parametrize(
    ("issued", "due"),
    [
        # Wed 28 Oct 2026 + 2 months = Mon 28 Dec -> after 1 Jan: Sat 2, Sun 3 -> Mon 4 Jan 2027.
        pytest.param(date(2026, 10, 28), date(2027, 1, 4), id="28-dec-2026"),
        # Mon 25 Oct 2027 + 2 months = Christmas Day (Sat 25 Dec) -> Sun 2 Jan, Mon 3 Jan (New
        # Year substitute bank holiday) -> Tue 4 Jan 2028.
        pytest.param(date(2027, 10, 25), date(2028, 1, 4), id="25-dec-2027"),
        # Mon 1 Nov 2027 + 2 months = Sat 1 Jan 2028 -> Sun 2, Mon 3 Jan (New Year substitute
        # bank holiday) -> Tue 4 Jan 2028.
        pytest.param(date(2027, 11, 1), date(2028, 1, 4), id="1-jan-2028"),
        # Fri 24 Oct 2025 + 2 months = Wed 24 Dec 2025: the day before the period, unchanged.
        pytest.param(date(2025, 10, 24), date(2025, 12, 24), id="24-dec-unchanged"),
    ],
)
def test_appeal_window_last_day_at_christmas_rolls_to_january(svc, issued, due):
    """HESC r.12(3)(a); STATUTORY §3: a last day from 25 Dec to 1 Jan moves to the next working
    day after 1 January."""
    j = plan_issued(svc, issued)
    assert at(j, f"appeal_window:decision-{FINAL_PLAN_SEQ}")["due_on"] == due
    j.assert_replays()


# --- the LA's response (tribunal directions, guidance) --------------------------------------------


def test_tribunal_response_30_working_days(svc):
    """Tribunal standard directions (guidance): the LA responds within 30 working days of the
    appeal: Mon 10 May 2027 -> the spring bank holiday (Mon 31 May) skipped -> Tue 22 Jun."""
    j, _decision = _contents_appeal(svc)
    d = at(j, "tribunal_response:tribunal-1")
    assert d["starts_on"] == date(2027, 5, 10)  # Mon
    assert d["due_on"] == date(2027, 6, 22)  # Tue
    assert d["guidance"] is True
    assert d["source"] == "Tribunal directions"
    j.do("tribunal_response_lodged", date(2027, 6, 22))  # Tue
    assert status(j, "tribunal_response:tribunal-1") == ("met", date(2027, 6, 22))
    assert j.stage("tribunal")["state"] == "response_lodged"
    j.assert_replays()


# --- orders (Reg 44) ------------------------------------------------------------------------------


def test_order_assess_confirm_2_weeks_no_plan_10_weeks_plan_14_weeks(svc):
    """Reg 44(2)(b): after an order to (re)assess, the LA confirms within 2 weeks, then gives
    notice of not issuing a plan within 10 weeks or issues the plan within 14 weeks of the
    order. Order Mon 4 Oct 2027."""
    j, decision = _refusal_to_reassess_appeal(svc)
    j.do("tribunal_response_lodged", date(2027, 8, 2))  # Mon
    j.do("tribunal_order_made", date(2027, 10, 4), order="assess")  # Mon
    steps = {
        k: at(j, f"order_assess.{k}:{decision}")["due_on"] for k in ("confirm", "no_plan", "plan")
    }
    assert steps == {
        "confirm": date(2027, 10, 18),  # Mon, 2 weeks
        "no_plan": date(2027, 12, 13),  # Mon, 10 weeks
        "plan": date(2028, 1, 10),  # Mon, 14 weeks
    }
    assert at(j, f"order_assess.confirm:{decision}")["source"] == "Reg 44(2)(b)"
    assert j.stage("tribunal")["state"] == "ordered"
    j.assert_replays()


def test_order_make_plan_draft_5_weeks_final_11_weeks(svc):
    """Reg 44(2)(c): after an order to make and maintain a plan, the draft is due within 5
    weeks and the final plan within 11 weeks of the order (Mon 5 Jul 2027)."""
    j, decision = _refusal_to_issue_appeal(svc)
    j.do("tribunal_order_made", date(2027, 7, 5), order="make_plan")  # Mon
    assert at(j, f"order_make_plan.draft:{decision}")["due_on"] == date(2027, 8, 9)  # Mon
    assert at(j, f"order_make_plan.final:{decision}")["due_on"] == date(2027, 9, 20)  # Mon
    assert at(j, f"order_make_plan.draft:{decision}")["source"] == "Reg 44(2)(c)"
    j.assert_replays()


def test_order_amend_5_weeks(svc):
    """Reg 44: an order to amend the plan's content is complied with within 5 weeks; the
    amended plan on the last day meets it, and the appeal is then complied with."""
    j, decision = _contents_appeal(svc)
    j.do("tribunal_response_lodged", date(2027, 6, 21))  # Mon
    j.do("tribunal_order_made", date(2027, 9, 6), order="amend")  # Mon
    d = at(j, f"order_amend:{decision}")
    assert (d["starts_on"], d["due_on"]) == (date(2027, 9, 6), date(2027, 10, 11))  # Mon, Mon
    j.do("amended_plan_issued", date(2027, 10, 11), named_setting="Oak Primary")  # Mon
    assert status(j, f"order_amend:{decision}") == ("met", date(2027, 10, 11))
    j.do("order_complied", date(2027, 10, 11))  # Mon
    assert j.stage("tribunal")["state"] == "complied"
    assert live(j, "tribunal") == []
    j.assert_replays()


def test_order_name_setting_2_weeks(svc):
    """Reg 44: an order to name a school or setting is complied with within 2 weeks."""
    j, decision = _setting_appeal(svc)
    j.do("tribunal_order_made", date(2027, 9, 6), order="name_setting")  # Mon
    assert at(j, f"order_name_setting:{decision}")["due_on"] == date(2027, 9, 20)  # Mon
    j.do("amended_plan_issued", date(2027, 9, 21), named_setting="Elm Academy")  # Tue
    assert status(j, f"order_name_setting:{decision}") == ("missed", date(2027, 9, 21))
    j.assert_replays()


def test_order_continue_same_day(svc):
    """Reg 44(2)(a): an order to continue maintaining the plan takes effect at once: due the
    day of the order."""
    j, decision = _cease_appeal(svc)
    j.do("tribunal_order_made", date(2028, 2, 1), order="continue")  # Tue
    d = at(j, f"order_continue:{decision}")
    assert (d["starts_on"], d["due_on"]) == (date(2028, 2, 1), date(2028, 2, 1))  # Tue
    j.do("order_complied", date(2028, 2, 2))  # Wed, a day late
    assert status(j, f"order_continue:{decision}") == ("missed", date(2028, 2, 2))
    assert j.stage("plan")["state"] == "maintained"
    j.assert_replays()


def test_dismissed_appeal_starts_no_order_timer(svc):
    """Reg 44: a dismissed appeal orders nothing; no compliance deadline starts."""
    j, _decision = _contents_appeal(svc)
    j.do("tribunal_order_made", date(2027, 9, 6), order="dismissed")  # Mon
    assert [d["rule"] for d in j.view()["deadlines"] if d["rule"].startswith("order_")] == []
    j.assert_replays()


def test_order_with_reg44_3_exception_is_missed_exception(svc):
    """Reg 44(3); STATUTORY §2: the LA need not meet an order's period if the child or family
    is absent from the area for 2 weeks or more; the due date stays and a late amended plan is
    `missed_exception`."""
    j, decision = _contents_appeal(svc)
    j.do("tribunal_order_made", date(2027, 9, 6), order="amend")  # Mon
    j.do(
        "exception_recorded",
        date(2027, 9, 10),  # Fri
        **exception("order_amend", "absence_from_area", date(2027, 9, 8), date(2027, 10, 1)),
    )
    assert at(j, f"order_amend:{decision}")["due_on"] == date(2027, 10, 11)  # Mon, unchanged
    j.do("amended_plan_issued", date(2027, 10, 20))  # Wed
    d = at(j, f"order_amend:{decision}")
    assert (d["status"], d["met_on"]) == ("missed_exception", date(2027, 10, 20))
    assert d["exception"]["ground"] == "absence_from_area"
    j.assert_replays()


def test_order_exception_ground_outside_reg44_3_refused(svc):
    """STATUTORY §2: a missed appointment (Reg 8(2)(c)) is not a Reg 44(3) ground (422)."""
    j, _decision = _contents_appeal(svc)
    j.do("tribunal_order_made", date(2027, 9, 6), order="amend")  # Mon
    err = refuse(
        j,
        "exception_recorded",
        date(2027, 9, 10),  # Fri
        "'missed_appointment' is not a ground for order_amend",
        **exception("order_amend", "missed_appointment", date(2027, 9, 8)),
    )
    assert err.status_code == 422
    j.assert_replays()


def test_order_step_exception_names_its_deadline(svc):
    """Reg 44(3): an order to assess has three step deadlines; an exception naming only the
    timer is refused as ambiguous, and one naming the step's deadline id applies to it alone."""
    j, decision = _refusal_to_reassess_appeal(svc)
    j.do("tribunal_order_made", date(2027, 10, 4), order="assess")  # Mon
    refuse(
        j,
        "exception_recorded",
        date(2027, 10, 8),  # Fri
        "several order_assess deadlines are live",
        **exception("order_assess", "personal_circumstances", date(2027, 10, 5)),
    )
    plan_step = at(j, f"order_assess.plan:{decision}")
    j.do(
        "exception_recorded",
        date(2027, 10, 8),  # Fri
        **exception(plan_step["id"], "personal_circumstances", date(2027, 10, 5)),
    )
    assert at(j, f"order_assess.plan:{decision}")["exception"]["ground"] == (
        "personal_circumstances"
    )
    assert at(j, f"order_assess.confirm:{decision}")["exception"] is None
    j.assert_replays()


def test_recommendation_response_5_weeks(svc):
    """SI 2017/1306: the LA answers a tribunal recommendation on
    health or social care in writing within 5 weeks."""
    j, _decision = _contents_appeal(svc)
    j.do("tribunal_order_made", date(2027, 9, 6), order="recommendation")  # Mon
    d = at(j, "recommendation_response:tribunal-1")
    assert d["due_on"] == date(2027, 10, 11)  # Mon
    assert d["source"] == "SI 2017/1306"
    # The same appeal may also carry an order on the education sections.
    j.do("tribunal_order_made", date(2027, 9, 6), order="amend")  # Mon
    j.do("recommendation_responded", date(2027, 10, 11))  # Mon
    assert status(j, "recommendation_response:tribunal-1") == ("met", date(2027, 10, 11))
    assert j.deadlines("order_amend") != []
    j.assert_replays()


# --- unopposed appeals (Reg 45) -------------------------------------------------------------------


def test_unopposed_appeal_counted_from_the_concession(svc):
    """Reg 45: when the LA tells the tribunal it will not oppose, it complies as if ordered,
    counted from that notice (Tue 1 Jun 2027: amend 5 weeks); the response is no longer due."""
    j, decision = _contents_appeal(svc)
    j.do("appeal_conceded", date(2027, 6, 1), order="amend")  # Tue
    d = at(j, f"unopposed_amend:{decision}")
    assert (d["starts_on"], d["due_on"]) == (date(2027, 6, 1), date(2027, 7, 6))  # Tue, Tue
    assert d["source"] == "Reg 45"
    assert at(j, "tribunal_response:tribunal-1")["status"] == "cancelled"
    assert j.stage("tribunal")["state"] == "conceded"
    j.do("amended_plan_issued", date(2027, 7, 6))  # Tue
    assert status(j, f"unopposed_amend:{decision}") == ("met", date(2027, 7, 6))
    j.do("order_complied", date(2027, 7, 6))  # Tue
    assert j.stage("tribunal")["state"] == "complied"
    j.assert_replays()


@pytest.mark.parametrize(
    ("scenario", "order", "conceded", "expected"),
    [
        pytest.param(
            _setting_appeal,
            "name_setting",
            date(2027, 6, 1),  # Tue
            {"unopposed_name_setting": date(2027, 6, 15)},  # Tue, 2 weeks
            id="name_setting",
        ),
        pytest.param(
            _refusal_to_issue_appeal,
            "make_plan",
            date(2027, 6, 1),  # Tue
            {
                "unopposed_make_plan.draft": date(2027, 7, 6),  # Tue, 5 weeks
                "unopposed_make_plan.final": date(2027, 8, 17),  # Tue, 11 weeks
            },
            id="make_plan",
        ),
        pytest.param(
            _refusal_to_reassess_appeal,
            "assess",
            date(2027, 8, 2),  # Mon
            {
                "unopposed_assess.confirm": date(2027, 8, 16),  # Mon, 2 weeks
                "unopposed_assess.no_plan": date(2027, 10, 11),  # Mon, 10 weeks
                "unopposed_assess.plan": date(2027, 11, 8),  # Mon, 14 weeks
            },
            id="assess",
        ),
        pytest.param(
            _cease_appeal,
            "continue",
            date(2027, 11, 1),  # Mon
            {"unopposed_continue": date(2027, 11, 1)},  # Mon, the same day
            id="continue",
        ),
    ],
)
def test_unopposed_appeal_periods_are_the_order_periods(svc, scenario, order, conceded, expected):
    """Reg 45: each concession carries the Reg 44 period of the matching order, from the day
    the LA notified the tribunal."""
    j, decision = scenario(svc)
    j.do("appeal_conceded", conceded, order=order)
    got = {key: at(j, f"{key}:{decision}")["due_on"] for key in expected}
    assert got == expected
    assert all(at(j, f"{key}:{decision}")["starts_on"] == conceded for key in expected)
    j.assert_replays()


# --- complying with orders after a refusal (Reg 44(2)(b)-(c)) -------------------------------------


def test_order_to_assess_after_refusal_to_assess_is_confirmed_by_the_decision_to_assess(svc):
    """Reg 44(2)(b): the LA confirms it will assess within 2 weeks of the order (Mon 7 Jun
    2027 -> Mon 21 Jun); recording its decision to assess meets the step."""
    j, decision = _refusal_to_assess_appeal(svc)
    j.do("tribunal_order_made", date(2027, 6, 7), order="assess")  # Mon
    assert at(j, f"order_assess.confirm:{decision}")["due_on"] == date(2027, 6, 21)  # Mon
    assert at(j, f"order_assess.no_plan:{decision}")["due_on"] == date(2027, 8, 16)  # Mon
    assert at(j, f"order_assess.plan:{decision}")["due_on"] == date(2027, 9, 13)  # Mon
    j.do("assessment_agreed", date(2027, 6, 14))  # Mon
    assert status(j, f"order_assess.confirm:{decision}") == ("met", date(2027, 6, 14))
    j.assert_replays()


def test_order_to_assess_after_refusal_to_reassess_is_confirmed_by_the_decision(svc):
    """Reg 44(2)(b): order Mon 4 Oct 2027; the decision to reassess within 2 weeks meets the
    confirm step and starts the reassessment."""
    j, decision = _refusal_to_reassess_appeal(svc)
    j.do("tribunal_order_made", date(2027, 10, 4), order="assess")  # Mon
    j.do("reassessment_agreed", date(2027, 10, 11))  # Mon
    assert status(j, f"order_assess.confirm:{decision}") == ("met", date(2027, 10, 11))
    assert j.stage("plan")["state"] == "reassessing"
    j.assert_replays()


def test_order_to_make_plan_is_complied_with_by_the_draft_and_final_plan(svc):
    """Reg 44(2)(c): order Mon 5 Jul 2027; a draft within 5 weeks (Mon 9 Aug) and the final
    plan within 11 weeks (Mon 20 Sep) meet the two steps."""
    j, decision = _refusal_to_issue_appeal(svc)
    j.do("tribunal_order_made", date(2027, 7, 5), order="make_plan")  # Mon
    j.do("draft_plan_served", date(2027, 8, 2))  # Mon
    assert status(j, f"order_make_plan.draft:{decision}") == ("met", date(2027, 8, 2))
    j.do("final_plan_issued", date(2027, 9, 13), named_setting="Oak Primary")  # Mon
    assert status(j, f"order_make_plan.final:{decision}") == ("met", date(2027, 9, 13))
    assert j.stage("plan")["state"] == "maintained"
    j.assert_replays()


# --- the mediation certificate before an appeal (Act s.55) ----------------------------------------


def test_appeal_other_than_setting_only_needs_a_mediation_certificate(svc):
    """Act s.55(3); STATUTORY §3: an appeal other than one only about the setting named may be
    made only after a mediation certificate; without one it is refused."""
    j = plan_issued(svc, ISSUED)
    refuse(j, "appeal_registered", date(2027, 5, 10), "certificate", appeal_type="contents")
    j.assert_replays()


def test_setting_only_appeal_needs_no_certificate(svc):
    """Act s.55(2); STATUTORY §3: an appeal only about the setting named needs no mediation
    certificate."""
    j, decision = _setting_appeal(svc)
    assert keys(j, "mediation_certificate") == []
    assert status(j, f"appeal_window:{decision}") == ("met", date(2027, 5, 10))
    assert j.stage("tribunal")["state"] == "registered"
    j.assert_replays()


# --- out of order and repeated (409 / 422) --------------------------------------------------------


def test_order_without_an_appeal_refused(svc):
    """Act s.51: the tribunal orders only on an appeal; an order, a response or a concession
    with no appeal registered is refused."""
    j = plan_issued(svc, ISSUED)
    err = refuse(j, "tribunal_order_made", date(2027, 9, 6), "needs an appeal", order="amend")
    assert err.status_code == 409
    refuse(j, "tribunal_response_lodged", date(2027, 9, 6), "needs an appeal")
    refuse(j, "appeal_conceded", date(2027, 9, 6), "needs an appeal", order="amend")
    refuse(j, "order_complied", date(2027, 9, 6), "needs an appeal")
    j.assert_replays()


def test_second_appeal_on_the_same_decision_refused(svc):
    """Act s.51: one appeal per decision; registering another while it is live is refused."""
    j, _decision = _setting_appeal(svc)
    err = refuse(
        j,
        "appeal_registered",
        date(2027, 5, 11),  # Tue
        "a tribunal about this decision is already live",
        appeal_type="setting_only",
        decision_seq=FINAL_PLAN_SEQ,
    )
    assert err.status_code == 409
    j.assert_replays()


def test_appeal_needs_an_appealable_decision(svc):
    """Act s.51(2): a decision to assess is not appealable; naming it is refused (422), and
    with no appealable decision open an appeal is refused (409)."""
    j = Journey(svc, date(2027, 1, 4))  # Mon
    refuse(
        j,
        "appeal_registered",
        date(2027, 1, 5),  # Tue
        "needs an appealable decision",
        appeal_type="refusal_to_assess",
    )
    j.do("assessment_agreed", date(2027, 2, 8))  # Mon
    err = refuse(
        j,
        "appeal_registered",
        date(2027, 2, 9),  # Tue
        "record 2 is not an appealable decision",
        appeal_type="refusal_to_assess",
        decision_seq=2,
    )
    assert err.status_code == 422
    j.assert_replays()


def test_concession_after_an_order_refused(svc):
    """Reg 45: the LA may concede before the appeal is decided, not after an order."""
    j, _decision = _contents_appeal(svc)
    j.do("tribunal_order_made", date(2027, 9, 6), order="amend")  # Mon
    refuse(
        j,
        "appeal_conceded",
        date(2027, 9, 7),  # Tue
        "not allowed while the tribunal stage is 'ordered'",
        order="amend",
    )
    j.assert_replays()


def test_withdrawn_appeal_ends_the_appeal(svc):
    """HESC r.17: a withdrawn appeal ends; its response is no longer due and no order follows."""
    j, _decision = _contents_appeal(svc)
    j.do("appeal_withdrawn", date(2027, 6, 1))  # Tue
    assert at(j, "tribunal_response:tribunal-1")["status"] == "cancelled"
    assert j.stage("tribunal")["state"] == "withdrawn"
    refuse(
        j,
        "tribunal_order_made",
        date(2027, 9, 6),  # Mon
        "the tribunal stage ended in 'withdrawn'",
        order="amend",
    )
    j.assert_replays()


# --- several disagreements live at once -----------------------------------------------------------


def test_several_disagreements_live_at_once(svc):
    """STATUTORY §4: one case, several disagreements, each attached to its decision: an appeal
    on the final plan's setting (decision 5) and mediation, then an appeal, on a refusal to
    reassess; each keeps its own windows and timers."""
    j = plan_issued(svc, ISSUED)
    final = f"decision-{FINAL_PLAN_SEQ}"
    j.do("reassessment_requested", date(2027, 4, 26))  # Mon
    j.do("reassessment_refused", date(2027, 5, 10), reasons="Needs unchanged")  # Mon
    refused_seq = seq_of(j, "reassessment_refused")
    refusal = f"decision-{refused_seq}"
    assert at(j, f"appeal_window:{refusal}")["due_on"] == date(2027, 7, 10)  # Sat

    # Mediation about the refusal; the final plan's window is still open.
    j.do(
        "mediation_adviser_contacted",
        date(2027, 5, 17),  # Mon
        wants_mediation=True,
        decision_seq=refused_seq,
    )
    assert at(j, "mediation_held:mediation-1")["due_on"] == date(2027, 6, 16)  # Wed
    assert status(j, f"mediation_contact:{refusal}") == ("met", date(2027, 5, 17))
    assert at(j, f"mediation_contact:{final}")["status"] == "open"

    # An appeal about the setting named in the final plan.
    j.do(
        "appeal_registered",
        date(2027, 6, 7),  # Mon
        appeal_type="setting_only",
        decision_seq=FINAL_PLAN_SEQ,
    )
    assert status(j, f"appeal_window:{final}") == ("met", date(2027, 6, 7))
    assert at(j, f"appeal_window:{refusal}")["status"] == "open"
    # Mon 7 Jun 2027 + 30 working days (no bank holiday) = Mon 19 Jul.
    assert at(j, "tribunal_response:tribunal-1")["due_on"] == date(2027, 7, 19)  # Mon
    assert [s["state"] for s in live(j, "mediation")] == ["arranging"]
    assert [s["state"] for s in live(j, "tribunal")] == ["registered"]
    assert j.stage("plan")["state"] == "maintained"

    # The mediation ends without agreement; the certificate extends only the refusal's window.
    j.do("mediation_meeting_held", date(2027, 6, 15), agreement="none")  # Tue
    assert at(j, "mediation_certificate:mediation-1")["due_on"] == date(2027, 6, 18)  # Fri
    j.do("mediation_certificate_issued", date(2027, 6, 17))  # Thu
    assert at(j, f"appeal_window:{refusal}")["due_on"] == date(2027, 7, 17)  # Sat
    assert at(j, f"appeal_window:{final}")["due_on"] == date(2027, 6, 15)  # Tue, unchanged

    j.do("tribunal_response_lodged", date(2027, 7, 5))  # Mon
    j.do("tribunal_order_made", date(2027, 7, 12), order="name_setting")  # Mon
    assert at(j, f"order_name_setting:{final}")["due_on"] == date(2027, 7, 26)  # Mon

    # A second appeal, on the refusal, while the first is still to be complied with.
    j.do(
        "appeal_registered",
        date(2027, 7, 16),  # Fri
        appeal_type="refusal_to_reassess",
        decision_seq=refused_seq,
    )
    assert status(j, f"appeal_window:{refusal}") == ("met", date(2027, 7, 16))
    # Fri 16 Jul + 30 working days: 23 Jul (5), 30 Jul (10), 6 Aug (15), 13 Aug (20),
    # 20 Aug (25), Fri 27 Aug (30); the August bank holiday (Mon 30) comes after.
    assert at(j, "tribunal_response:tribunal-2")["due_on"] == date(2027, 8, 27)  # Fri
    assert [s["state"] for s in live(j, "tribunal")] == ["ordered", "registered"]
    assert at(j, "tribunal_response:tribunal-1")["status"] == "met"

    j.do("amended_plan_issued", date(2027, 7, 23), named_setting="Elm Academy")  # Fri
    assert status(j, f"order_name_setting:{final}") == ("met", date(2027, 7, 23))
    assert at(j, "tribunal_response:tribunal-2")["status"] == "open"
    j.assert_replays()


def test_tribunal_event_lands_on_the_appeal_it_names(svc):
    """STATUTORY §4: each appeal is attached to its decision; with two appeals live, the LA's
    response to the first (named by its decision) meets that appeal's response timer."""
    j = plan_issued(svc, ISSUED)
    j.do("reassessment_requested", date(2027, 4, 26))  # Mon
    j.do("reassessment_refused", date(2027, 5, 10), reasons="Needs unchanged")  # Mon
    refused_seq = seq_of(j, "reassessment_refused")
    j.do(
        "appeal_registered",
        date(2027, 6, 7),  # Mon
        appeal_type="setting_only",
        decision_seq=FINAL_PLAN_SEQ,
    )
    certificate(j, date(2027, 6, 8), date(2027, 6, 10), refused_seq)  # Tue; Thu
    j.do(
        "appeal_registered",
        date(2027, 6, 14),  # Mon
        appeal_type="refusal_to_reassess",
        decision_seq=refused_seq,
    )
    j.do("tribunal_response_lodged", date(2027, 7, 5), decision_seq=FINAL_PLAN_SEQ)  # Mon
    assert status(j, "tribunal_response:tribunal-1") == ("met", date(2027, 7, 5))
    assert at(j, "tribunal_response:tribunal-2")["status"] == "open"
    j.assert_replays()
