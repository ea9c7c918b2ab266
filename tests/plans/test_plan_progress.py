"""Review ratings of Section E outcomes, read from the audit log and joined to the plan in force,
give "% of outcomes met" by heading of the local outcomes framework."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from audit import log as audit_log
from ehcp_engine.services import plans
from ehcp_engine.services.context import Services
from ehcp_engine.services.plan_progress import (
    NO_HEADING,
    UNMATCHED,
    progress_by_heading,
    version_progress,
)
from tests.journey import OFFICER, Journey
from tests.plans.sample import good
from tests.plans.test_plans_api import amend

YEAR_2026 = (date(2026, 1, 1), date(2027, 1, 1))


def issue(svc: Services, j: Journey, content: dict[str, Any], on: date, **kw: Any) -> int:
    version = plans.new_version(svc, j.case_id, OFFICER)
    plans.update_version(svc, j.case_id, version["id"], content, OFFICER)
    plans.issue_version(svc, j.case_id, version["id"], plans.IssueIn(on, **kw), OFFICER)
    return int(version["id"])


def plan_in_force(svc: Services) -> tuple[Journey, int]:
    """A final plan (the sample) issued on 1 May 2026: (journey, its version id)."""
    j = Journey(svc, date(2026, 1, 5))
    j.do("assessment_agreed", date(2026, 2, 10))
    j.do("plan_agreed", date(2026, 4, 1))
    issue(svc, j, good(i={}), date(2026, 4, 8))
    return j, issue(svc, j, good(), date(2026, 5, 1))


def rated(*pairs: tuple[str, str]) -> list[dict[str, str]]:
    return [{"outcome": outcome, "rating": rating} for outcome, rating in pairs]


def by_heading(svc: Services, period: tuple[date, date] = YEAR_2026) -> dict[str, Any]:
    return {row["heading"]: row for row in progress_by_heading(svc, period)}


def test_ratings_are_counted_under_each_heading_of_their_outcome(fresh_svc: Services):
    j, _ = plan_in_force(fresh_svc)
    j.do(
        "review_meeting_held",
        date(2026, 10, 1),
        outcome_progress=rated(("E1", "achieved"), ("E2", "not_yet"), ("Swims 25m", "partly")),
    )
    table = by_heading(fresh_svc)
    assert table["I have a choice and am heard"]["percent_met"] == 100.0
    assert table["I am included"]["counts"]["achieved"] == 1
    assert (table["I achieve my goals"]["rated"], table["I achieve my goals"]["percent_met"]) == (
        1,
        0.0,
    )
    assert table[UNMATCHED]["counts"]["partly"] == 1
    assert table["I am safe"]["percent_met"] is None  # nothing rated under it
    j.assert_replays()


def test_no_longer_relevant_is_left_out_of_the_rate(fresh_svc: Services):
    j, _ = plan_in_force(fresh_svc)
    j.do(
        "review_meeting_held",
        date(2026, 10, 1),
        outcome_progress=rated(("E1", "achieved"), ("E2", "no_longer_relevant")),
    )
    goals = by_heading(fresh_svc)["I achieve my goals"]
    assert (goals["rated"], goals["percent_met"]) == (0, None)


def test_an_outcome_may_be_named_by_its_description(fresh_svc: Services):
    j, _ = plan_in_force(fresh_svc)
    description = good()["e"][1]["description"]
    j.do(
        "review_meeting_held", date(2026, 10, 1), outcome_progress=rated((description, "achieved"))
    )
    assert by_heading(fresh_svc)["I achieve my goals"]["percent_met"] == 100.0


def test_outcomes_without_a_heading_have_their_own_row(fresh_svc: Services):
    content = good()
    content["e"][1]["headings"] = []
    j = Journey(fresh_svc, date(2026, 1, 5))
    j.do("assessment_agreed", date(2026, 2, 10))
    j.do("plan_agreed", date(2026, 4, 1))
    issue(fresh_svc, j, good(i={}), date(2026, 4, 8))
    issue(fresh_svc, j, content, date(2026, 5, 1))
    j.do("review_meeting_held", date(2026, 10, 1), outcome_progress=rated(("E2", "achieved")))
    assert by_heading(fresh_svc)[NO_HEADING]["counts"]["achieved"] == 1


def test_meetings_outside_the_period_are_not_counted(fresh_svc: Services):
    j, _ = plan_in_force(fresh_svc)
    j.do("review_meeting_held", date(2026, 10, 1), outcome_progress=rated(("E1", "achieved")))
    table = by_heading(fresh_svc, (date(2027, 1, 1), date(2028, 1, 1)))
    assert all(row["rated"] == 0 for row in table.values())


def test_a_corrected_rating_counts_as_corrected(fresh_svc: Services):
    j, _ = plan_in_force(fresh_svc)
    j.do("review_meeting_held", date(2026, 10, 1), outcome_progress=rated(("E2", "not_yet")))
    meeting_seq = last_seq(fresh_svc, j.case_id)
    j.do(
        "event_corrected",
        date(2026, 10, 2),
        seq=meeting_seq,
        data={"outcome_progress": rated(("E2", "achieved"))},
        reason="typed the wrong rating",
    )
    assert by_heading(fresh_svc)["I achieve my goals"]["percent_met"] == 100.0


def last_seq(svc: Services, case_id: int) -> int:
    with svc.sessions() as session:
        return audit_log.last_seq(session, case_id)


def test_each_review_is_joined_to_the_version_in_force_at_its_meeting(fresh_svc: Services):
    j, v2 = plan_in_force(fresh_svc)
    j.do(
        "review_meeting_held",
        date(2026, 10, 1),
        outcome_progress=rated(("E1", "on_track"), ("E3", "partly")),
    )
    j.do(
        "review_decision_notified",
        date(2026, 10, 15),
        outcome="amend",
        proposed_amendments="A new outcome on travel",
    )
    v3 = issue(fresh_svc, j, amend(good()), date(2026, 11, 10), kind="amended")
    j.do("review_meeting_held", date(2027, 3, 1), outcome_progress=rated(("E3", "achieved")))

    assert set(version_progress(fresh_svc, j.case_id, v2)) == {"E1", "E3"}
    assert version_progress(fresh_svc, j.case_id, v2)["E3"][0]["matched"] is False
    assert version_progress(fresh_svc, j.case_id, v3)["E3"][0]["rating"] == "achieved"
    table = by_heading(fresh_svc, (date(2026, 1, 1), date(2028, 1, 1)))
    assert table["I am becoming more independent"]["counts"]["achieved"] == 1
    assert table[UNMATCHED]["counts"]["partly"] == 1
    j.assert_replays()


@pytest.mark.parametrize("rating", ["achieved", "on_track", "partly", "not_yet"])
def test_every_rating_is_counted(fresh_svc: Services, rating: str):
    j, _ = plan_in_force(fresh_svc)
    j.do("review_meeting_held", date(2026, 10, 1), outcome_progress=rated(("E2", rating)))
    assert by_heading(fresh_svc)["I achieve my goals"]["counts"][rating] == 1
