"""Property tests of the week counts (STATUTORY.md §1: N weeks after D = D + 7·N days, same
weekday; Reg 13(1): 15 days beginning with D end on D + 14). The expected dates are plain date
arithmetic written here, never the engine's calendar module.
"""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.journey import Journey

# The 2015 rule set is in force from 1 Sep 2014; the child is born before any request drawn.
REQUEST_DATES = st.dates(min_value=date(2014, 9, 1), max_value=date(2032, 12, 31))
BORN = date(2010, 1, 1)
DB_SETTINGS = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


@DB_SETTINGS
@given(received=REQUEST_DATES)
def test_for_any_request_date_the_6_and_20_week_timers_are_42_and_140_days(svc, received):
    """Reg 5(1): 6 weeks = 42 days; Reg 13(2): 20 weeks = 140 days; the same weekday."""
    j = Journey(svc, received, born=BORN)
    decision = j.deadline("assessment_decision")["due_on"]
    final = j.deadline("final_plan")["due_on"]
    assert decision == received + timedelta(days=42)
    assert final == received + timedelta(days=140)
    assert decision.weekday() == final.weekday() == received.weekday()
    j.assert_replays()


@DB_SETTINGS
@given(received=REQUEST_DATES, after=st.integers(min_value=0, max_value=120))
def test_for_any_decision_to_assess_the_no_plan_notice_is_112_days_after_the_request(
    svc, received, after
):
    """Reg 10(1): 16 weeks from the request whenever the decision to assess is made; the
    decision timer is met iff the decision is no later than day 42."""
    j = Journey(svc, received, born=BORN)
    j.do("assessment_agreed", received + timedelta(days=after))
    assert j.deadline("no_plan_notice")["due_on"] == received + timedelta(days=112)
    expected = "met" if after <= 42 else "missed"
    assert j.deadline("assessment_decision")["status"] == expected
    j.assert_replays()


@DB_SETTINGS
@given(
    received=st.dates(min_value=date(2014, 9, 1), max_value=date(2030, 12, 31)),
    offset=st.integers(min_value=0, max_value=14),
)
def test_for_any_service_date_the_final_plan_waits_out_the_15_days(svc, received, offset):
    """Reg 13(1): without representations the final plan is refused on every day from service
    to service + 14, and accepted on service + 15."""
    served = received + timedelta(days=50)
    j = Journey(svc, received, born=BORN)
    j.do("assessment_agreed", received + timedelta(days=30))
    j.do("plan_agreed", served)
    j.do("draft_plan_served", served)
    last_day = served + timedelta(days=14)
    assert j.deadline("draft_comments")["due_on"] == last_day
    j.refused(
        "final_plan_issued",
        served + timedelta(days=offset),
        match=f"runs until {last_day.isoformat()}",
        named_setting="Oak Primary",
    )
    j.do("final_plan_issued", served + timedelta(days=15), named_setting="Oak Primary")
    assert j.stage("draft")["state"] == "final_issued"
    j.assert_replays()
