"""Reg 10(4)(a)/(b): advice asked of a school in the week before a closure of four weeks or more,
until one week before it reopens, lets the 20-week (and 6-week, 16-week) limits be missed. The
engine proposes the exception from config/term_dates.toml; it never records it by itself."""

from __future__ import annotations

from datetime import date

from tests.journey import Journey


def _assess(j: Journey) -> None:
    j.do("assessment_agreed", date(2026, 6, 1))


def test_advice_asked_of_a_school_a_week_before_the_summer_closure_proposes_the_exception(svc):
    # Default summer closure 2026: Wed 22 Jul to Tue 1 Sep, reopening Wed 2 Sep (6 weeks).
    # Window: Wed 15 Jul to Wed 26 Aug.
    j = Journey(svc, date(2026, 5, 11))  # Mon
    _assess(j)
    view = j.do(
        "advice_requested",
        date(2026, 7, 15),
        advice_type="educational",
        contributor="Oak Primary School",
    )
    proposals = view["proposed_exceptions"]
    assert {p["rule"] for p in proposals} == {"final_plan", "no_plan_notice"}
    final = next(p for p in proposals if p["rule"] == "final_plan")
    assert final["ground"] == "setting_closure"
    assert (final["from"], final["to"]) == (date(2026, 7, 15), date(2026, 8, 26))
    assert "Reg 10(4)(a)" in final["evidence"] and "Oak Primary School" in final["evidence"]
    # Nothing is recorded until the officer accepts: the deadline has no exception yet.
    assert j.deadline("final_plan")["exception"] is None
    j.do(
        "exception_recorded",
        date(2026, 7, 16),
        ground=final["ground"],
        **{"from": "2026-07-15", "to": "2026-08-26"},
        rule=final["deadline_id"],
        family_informed=True,
        evidence=final["evidence"],
    )
    assert j.deadline("final_plan")["exception"]["ground"] == "setting_closure"
    assert all(p["rule"] != "final_plan" for p in j.view()["proposed_exceptions"])
    j.assert_replays()


def test_advice_asked_the_day_before_the_window_proposes_nothing(svc):
    j = Journey(svc, date(2026, 5, 11))
    _assess(j)
    view = j.do(
        "advice_requested",
        date(2026, 7, 14),
        advice_type="educational",
        contributor="Oak Primary School",
    )  # Tue: one day before the window opens
    assert view["proposed_exceptions"] == []


def test_a_settings_own_term_dates_override_the_default(svc):
    # Riverside Academy closes Fri 17 Jul to Wed 2 Sep 2026: window Fri 10 Jul to Thu 27 Aug.
    j = Journey(svc, date(2026, 5, 11))
    _assess(j)
    view = j.do(
        "advice_requested",
        date(2026, 7, 10),
        advice_type="educational",
        contributor="Riverside Academy",
    )
    assert {p["to"] for p in view["proposed_exceptions"]} == {date(2026, 8, 27)}


def test_an_early_years_provider_gets_the_early_years_ground(svc):
    # Little Acorns Nursery closes Sat 1 Aug to Mon 31 Aug 2026 (31 days): window 25 Jul–25 Aug.
    j = Journey(svc, date(2026, 5, 11))
    _assess(j)
    view = j.do(
        "advice_requested",
        date(2026, 8, 3),
        advice_type="educational",
        contributor="Little Acorns Nursery",
    )
    grounds = {p["ground"] for p in view["proposed_exceptions"]}
    assert grounds == {"early_years_closure"}
    assert "Reg 10(4)(b)" in view["proposed_exceptions"][0]["evidence"]


def test_health_advice_in_the_holidays_proposes_nothing(svc):
    j = Journey(svc, date(2026, 5, 11))
    _assess(j)
    view = j.do(
        "advice_requested",
        date(2026, 7, 29),
        advice_type="health",
        contributor="Community paediatrics",
    )
    assert view["proposed_exceptions"] == []
