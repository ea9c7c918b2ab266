"""SEN2 timeliness (STATUTORY.md §5) and the seeds' request measures, from hand-built histories:
exact numerators, denominators and members, with an exception (Week20), a correction, a refusal
taken to mediation and tribunal, a withdrawal, and team and officer filters."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from ehcp_engine.services import measures
from ehcp_engine.services.context import Services
from tests.measures.helpers import Story, counts, ids, local, measure, team_with_officers

Y2025 = (date(2025, 1, 1), date(2025, 12, 31))
Y2026 = (date(2026, 1, 1), date(2026, 11, 25))


def _plan(j: Story, agreed: date, plan_agreed: date, draft: date, final: date) -> None:
    j.do("assessment_agreed", agreed)
    j.do("plan_agreed", plan_agreed)
    j.do("draft_plan_served", draft)
    j.do("final_plan_issued", final, named_setting="Oak Primary")


def build(svc: Services) -> dict[str, Any]:
    north, (a1,) = team_with_officers(svc, "North")
    south, (b1,) = team_with_officers(svc, "South")
    # A: every step on time. 6 weeks from Mon 6 Jan 2025 is 17 Feb; 20 weeks is 26 May.
    a = Story(svc, date(2025, 1, 6), officer_id=a1)
    _plan(a, date(2025, 2, 10), date(2025, 4, 7), date(2025, 4, 14), date(2025, 5, 19))
    # B: late decision; a Reg 10(4)(c) exception on the final plan (Week20 = 1), issued late.
    b = Story(svc, date(2025, 1, 6), officer_id=a1)
    b.do("assessment_agreed", date(2025, 3, 3))
    b.do(
        "exception_recorded",
        date(2025, 3, 10),
        ground="personal_circumstances",
        rule="final_plan",
        family_informed=True,
        **{"from": "2025-03-10"},
    )
    b.do("plan_agreed", date(2025, 5, 12))
    b.do("draft_plan_served", date(2025, 5, 19))
    b.do("final_plan_issued", date(2025, 7, 7))
    # C: assessed on time; refusal to issue after 16 weeks (due 26 May), mediation, appeal, an
    # order to make a plan (draft 5 weeks, final 11 weeks from 12 Jan 2026).
    c = Story(svc, date(2025, 2, 3), officer_id=b1)
    c.do("assessment_agreed", date(2025, 3, 10))
    c.do("plan_refused", date(2025, 6, 30), reasons="needs met without a plan")
    c.do("mediation_adviser_contacted", date(2025, 7, 14), wants_mediation=True)
    c.do("mediation_meeting_held", date(2025, 8, 4), agreement="none")
    c.do("mediation_certificate_issued", date(2025, 8, 6))
    c.do("appeal_registered", date(2025, 8, 20), appeal_type="refusal_to_issue")
    c.do("tribunal_order_made", date(2026, 1, 12), order="make_plan")
    c.do("draft_plan_served", date(2026, 2, 9))
    c.do("final_plan_issued", date(2026, 4, 6))
    # D: a school's request, refused within 6 weeks.
    d = Story(svc, date(2025, 3, 3), officer_id=b1, source="school")
    d.do("assessment_refused", date(2025, 4, 7), reasons="no evidence of SEN")
    # E: no officer; decided on the last day (17 Feb), plan a week late.
    e = Story(svc, date(2025, 1, 6))
    _plan(e, date(2025, 2, 17), date(2025, 4, 14), date(2025, 4, 21), date(2025, 6, 2))
    # F: entered as received 13 Jan (plan on time, 30 May <= 2 Jun) then corrected to 6 Jan:
    # the decision (20 Feb > 17 Feb) and the plan (30 May > 26 May) are late.
    f = Story(svc, date(2025, 1, 13))
    _plan(f, date(2025, 2, 20), date(2025, 4, 14), date(2025, 4, 21), date(2025, 5, 30))
    f.do("event_corrected", date(2025, 6, 10), seq=1, occurred_on="2025-01-06", reason="typo")
    # G: a young person's request, withdrawn before any decision.
    g = Story(svc, date(2025, 4, 7), source="young_person")
    g.do("request_withdrawn", date(2025, 4, 21), reason="moved school")
    cases = {name: j.case_id for name, j in zip("abcdefg", (a, b, c, d, e, f, g), strict=True)}
    return {**cases, "north": north, "south": south, "a1": a1, "b1": b1}


@pytest.fixture
def story(fresh_svc: Services) -> dict[str, Any]:
    return build(fresh_svc)


def test_sen2_timeliness_2025_exact_members(fresh_svc: Services, story: dict[str, Any]) -> None:
    a, b, c, d, e, f = (story[x] for x in "abcdef")
    report = measures.dashboard(fresh_svc, *Y2025, ids=True)

    incl = measure(report, "final_plan_20w_incl")
    assert counts(incl) == (1, 4)
    assert ids(incl) == ([a], sorted([a, b, e, f]))
    excl = measure(report, "final_plan_20w_excl")
    assert counts(excl) == (1, 3)
    assert ids(excl) == ([a], sorted([a, e, f]))
    assert excl["excluded_ids"] == [b]  # Week20 = 1: out of numerator and denominator
    six = measure(report, "assessment_decision_6w")
    assert ids(six) == (sorted([a, c, d, e]), sorted([a, b, c, d, e, f]))
    assert ids(measure(report, "no_plan_16w")) == ([], [c])
    assert counts(measure(report, "review_decision_4w")) == (0, 0)


def test_weeks_to_issue_average_median_and_distribution(fresh_svc, story):
    weeks = measures.dashboard(fresh_svc, *Y2025)["weeks_to_issue"]
    # 133, 182, 147 and 144 days: 19.0, 26.0, 21.0 and 20.57 weeks.
    assert weeks["plans"] == 4
    assert weeks["average_weeks"] == 21.6
    assert weeks["median_weeks"] == 20.8
    assert weeks["distribution"]["16-20"] == 1
    assert weeks["distribution"]["20-26"] == 3
    assert sum(weeks["distribution"].values()) == 4


def test_seeds_request_measures(fresh_svc, story):
    report = measures.dashboard(fresh_svc, *Y2025, ids=True)
    family = local(report, "requests_by_parents_or_young_people")
    assert counts(family) == (6, 7)
    assert story["d"] in family["denominator_ids"] and story["d"] not in family["numerator_ids"]
    yes_no = local(report, "assessment_yes_no")
    assert counts(yes_no["yes"]) == (5, 6)
    assert ids(yes_no["no"])[0] == [story["d"]]


def test_mediation_and_tribunal_counts_and_outcomes(fresh_svc, story):
    disputes_2025 = local(measures.dashboard(fresh_svc, *Y2025, ids=True), "mediation_and_tribunal")
    assert disputes_2025["mediation"] == {
        "contacts": 1,
        "wanted_mediation": 1,
        "by_decision": {"assessment": 1},
        "held": 1,
        "held_by_agreement": {"none": 1},
        "case_ids": [story["c"]],
    }
    assert disputes_2025["tribunal"]["appeals"] == 1
    assert disputes_2025["tribunal"]["by_type"] == {"refusal_to_issue": 1}
    assert disputes_2025["tribunal"]["outcomes"] == {}
    disputes_2026 = local(measures.dashboard(fresh_svc, *Y2026, ids=True), "mediation_and_tribunal")
    assert disputes_2026["tribunal"]["outcomes"] == {"order: make_plan": 1}


def test_tribunal_order_compliance_by_step(fresh_svc, story):
    orders = measure(measures.dashboard(fresh_svc, *Y2026, ids=True), "tribunal_orders")
    c = story["c"]
    assert ids(orders) == ([c], [c, c])
    assert counts(orders["by"]["order_make_plan.draft"]) == (1, 1)  # 9 Feb <= 16 Feb
    assert counts(orders["by"]["order_make_plan.final"]) == (0, 1)  # 6 Apr > 30 Mar
    # Per order: the make-plan order was not complied with in full in time (its final step late).
    whole = measure(measures.dashboard(fresh_svc, *Y2026, ids=True), "tribunal_orders_whole")
    assert ids(whole) == ([], [c])
    assert counts(whole["by"]["order: make_plan"]) == (0, 1)
    # The ordered plan is a new plan of 2026, and late against the 20 weeks from the request.
    assert ids(measure(measures.dashboard(fresh_svc, *Y2026, ids=True), "final_plan_20w_incl")) == (
        [],
        [c],
    )


def test_filters_by_team_and_officer(fresh_svc, story):
    north = measures.Scope(team_id=story["north"])
    report = measures.dashboard(fresh_svc, *Y2025, north, ids=True)
    assert ids(measure(report, "final_plan_20w_incl")) == (
        [story["a"]],
        sorted([story["a"], story["b"]]),
    )
    south = measures.Scope(officer_id=story["b1"])
    report = measures.dashboard(fresh_svc, *Y2025, south, ids=True)
    assert counts(measure(report, "assessment_decision_6w")) == (2, 2)
    assert counts(measure(report, "final_plan_20w_incl")) == (0, 0)
    assert report["filters"] == {"team": None, "officer": story["b1"]}


def test_annual_reviews_overdue_by_band(fresh_svc, story):
    # Plans of 2025 fall due for review in 2026 and none has had one by 25 Nov 2026.
    reviews = measure(measures.dashboard(fresh_svc, *Y2026, ids=True), "annual_review_12m")
    assert ids(reviews) == ([], sorted(story[x] for x in "abef"))
    overdue = measures.overdue(fresh_svc, date(2026, 11, 25))
    assert overdue["overdue"] == 4
    # A was due 19 May 2026: more than 6 months by 25 Nov; B, E and F 4-5 months.
    over6 = overdue["bands"]["over_6_months"]
    assert [r["case_id"] for r in over6["cases"]] == [story["a"]]
    assert over6["cases"][0]["link"] == f"/cases/{story['a']}"
    assert overdue["bands"]["over_12_months"]["count"] == 0
    months = {r["case_id"]: r["months_overdue"] for r in overdue["cases"]}
    assert months == {story["a"]: 6, story["b"]: 4, story["e"]: 5, story["f"]: 5}


def test_monthly_trend(fresh_svc, story):
    trend = measures.dashboard(fresh_svc, *Y2025)["trend"]
    assert [row["month"] for row in trend][:3] == ["2025-01", "2025-02", "2025-03"]
    by_month = {row["month"]: row for row in trend}
    assert by_month["2025-05"]["final_plan_20w_incl"] == {
        "numerator": 1,
        "denominator": 2,
        "percent": 50.0,
    }  # A on 19 May (on time), F on 30 May (late after the correction)
    assert by_month["2025-02"]["assessment_decision_6w"]["denominator"] == 3


def test_csv_has_a_row_per_measure_and_group(fresh_svc, story):
    text = measures.dashboard_csv(fresh_svc, *Y2025)
    lines = text.splitlines()
    assert lines[0] == "measure,group,label,source,numerator,denominator,percent"
    row = next(line for line in lines if line.startswith("final_plan_20w_incl,all,"))
    assert row.endswith(",1,4,25.0")
