"""A whole journey from request to final plan, with dates worked out by hand."""

from __future__ import annotations

from datetime import date

from tests.journey import Journey


def test_final_plan_due_20_weeks_after_request(svc):
    j = Journey(svc, date(2026, 1, 5))  # Mon
    assert j.deadline("final_plan")["due_on"] == date(2026, 5, 25)  # Mon, 140 days later
    assert j.deadline("assessment_decision")["due_on"] == date(2026, 2, 16)  # Mon, 6 weeks
    j.do("assessment_agreed", date(2026, 2, 10))
    j.do("plan_agreed", date(2026, 4, 1))
    j.do("draft_plan_served", date(2026, 4, 2))
    j.do("final_plan_issued", date(2026, 4, 20), named_setting="Oak Primary")
    final = j.deadline("final_plan")
    assert (final["status"], final["met_on"]) == ("met", date(2026, 4, 20))
    assert j.stage("plan")["state"] == "maintained"
    j.assert_replays()
