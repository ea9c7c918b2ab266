"""Through the API: the measures as JSON, CSV and a page; overdue reviews; and a QA round end to
end (draw a reproducible stratified sample, two panel members mark, moderation, results with
agreement, weakest criteria, advice timeliness by team, and the officer's feedback)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from ehcp_engine.persistence.models import PlanVersion, Team, User
from ehcp_engine.services.context import Services
from ehcp_engine.services.users import issue_token
from tests.api.conftest import bearer, make_user
from tests.measures.test_journey_measures import build

Y2025 = {"from": "2025-01-01", "to": "2025-12-31"}
CRITERIA = (*"abcdefghijk", "outcomes_smart", "child_voice", "health_social_care")


def marks(grade: str, **overrides: str) -> dict[str, Any]:
    """Every criterion rated `grade`; preparation for adulthood not applicable (Year 4-5)."""
    ratings = dict.fromkeys(CRITERIA, grade)
    ratings["preparation_for_adulthood"] = "not_applicable"
    ratings.update(overrides)
    return {"ratings": ratings, "overall": grade}


def _manager_of_another_team(svc: Services) -> int:
    """A manager of a team that holds none of the story's cases (a manager in no team would
    manage every team)."""
    manager_id = make_user(svc, "manager")[0]
    with svc.sessions.begin() as session:
        team = Team(name="Coast (no cases)")
        session.add(team)
        session.flush()
        user = session.get(User, manager_id)
        assert user is not None
        user.team_id = team.id
    return manager_id


@pytest.fixture
def world(fresh_svc: Services) -> Iterator[dict[str, Any]]:
    story = build(fresh_svc)
    now = datetime(2025, 6, 1, tzinfo=UTC)
    with fresh_svc.sessions.begin() as session:  # a plan version issued with A's final plan
        version = PlanVersion(case_id=story["a"], number=1, kind="final", status="issued")
        version.content, version.issued_seq, version.created_by = {}, 5, "officer@example.gov.uk"
        version.created_at = version.updated_at = now
        session.add(version)
    with TestClient(create_app(services=fresh_svc), raise_server_exceptions=False) as client:
        yield {
            **story,
            "client": client,
            "manager": bearer(issue_token(fresh_svc, _manager_of_another_team(fresh_svc))),
            "qa1": bearer(make_user(fresh_svc, "qa")[1]),
            "qa2": bearer(make_user(fresh_svc, "qa")[1]),
            "officer": bearer(issue_token(fresh_svc, story["a1"])),
            "contributor": bearer(make_user(fresh_svc, "contributor")[1]),
        }


def test_measures_as_json_and_csv(world: dict[str, Any]) -> None:
    client, officer = world["client"], world["officer"]
    got = client.get("/api/v1/measures", params=Y2025, headers=officer)
    assert got.status_code == 200, got.text
    incl = next(m for m in got.json()["timeliness"] if m["id"] == "final_plan_20w_incl")
    assert (incl["numerator"], incl["denominator"]) == (1, 4)
    assert "denominator_ids" not in incl  # the cases counted only when asked for
    asked = {**Y2025, "team": world["north"], "ids": "true"}
    team = client.get("/api/v1/measures", params=asked, headers=officer)
    north = next(m for m in team.json()["timeliness"] if m["id"] == "final_plan_20w_incl")
    assert north["denominator_ids"] == sorted([world["a"], world["b"]])
    csv = client.get("/api/v1/measures.csv", params=Y2025, headers=officer)
    assert csv.headers["content-type"].startswith("text/csv")
    assert "final_plan_20w_incl,all," in csv.text
    # The page is the signed-in /measures (tests/web/test_measures_page.py), not the API's.
    assert client.get("/api/v1/measures/page", headers=officer).status_code == 404
    # A's review (officer a1's case) is over 6 months late; a manager outside the team does not
    # see the case listed (row-level access), its officer does.
    overdue = client.get("/api/v1/measures/overdue-reviews", headers=officer)
    assert [r["case_id"] for r in overdue.json()["bands"]["over_6_months"]["cases"]] == [world["a"]]
    elsewhere = client.get("/api/v1/measures/overdue-reviews", headers=world["manager"])
    assert elsewhere.json()["bands"]["over_6_months"]["count"] == 0
    assert client.get("/api/v1/measures", headers=world["contributor"]).status_code == 403
    bad = client.get("/api/v1/measures", params={"form": "2025-01-01"}, headers=officer)
    assert bad.status_code == 422


def _round(world: dict[str, Any], **body: Any) -> dict[str, Any]:
    made = world["client"].post("/api/v1/qa/rounds", json=body, headers=world["manager"])
    assert made.status_code == 201, made.text
    return dict(made.json())


def test_a_qa_round_end_to_end(world: dict[str, Any]) -> None:
    client = world["client"]
    # 2025's plans: A and B (North, officer a1), E and F (no officer): two strata of two.
    qa_round = _round(world, **Y2025, size=2, seed=42)
    items = qa_round["items"]
    assert len(items) == 2
    assert sorted(i["officer_id"] is None for i in items) == [False, True]  # one per stratum
    again = _round(world, **Y2025, size=2, seed=42)
    assert [(i["case_id"], i["issued_seq"]) for i in again["items"]] == [
        (i["case_id"], i["issued_seq"]) for i in items
    ]
    everything = _round(world, **Y2025, percent=100, seed=1)
    assert {i["case_id"] for i in everything["items"]} == {world[x] for x in "abef"}
    by_case = {i["case_id"]: i for i in everything["items"]}
    assert by_case[world["a"]]["plan_version_id"] is not None

    rid, path = everything["id"], f"/api/v1/qa/rounds/{everything['id']}/items"
    a_item, b_item = by_case[world["a"]]["id"], by_case[world["b"]]["id"]
    e_item = by_case[world["e"]]["id"]
    post = client.post
    assert (
        post(f"{path}/{a_item}/scores", json=marks("good"), headers=world["qa1"]).status_code == 201
    )
    weaker = marks("requires_improvement", e="inadequate")
    assert post(f"{path}/{a_item}/scores", json=weaker, headers=world["qa2"]).status_code == 201
    moderated = {**marks("good", e="requires_improvement"), "feedback": "Make outcomes SMART"}
    done = post(f"{path}/{a_item}/moderate", json=moderated, headers=world["manager"])
    assert done.status_code == 201, done.text
    assert (
        post(f"{path}/{b_item}/scores", json=marks("inadequate"), headers=world["qa1"]).status_code
        == 201
    )
    assert (
        post(f"{path}/{e_item}/scores", json=marks("outstanding"), headers=world["qa1"]).status_code
        == 201
    )

    results = client.get(f"/api/v1/qa/rounds/{rid}/results", headers=world["manager"]).json()
    assert results["marked"] == 3 and results["unmarked"] == [by_case[world["f"]]["id"]]
    good = results["good_or_better"]
    assert (good["numerator"], good["denominator"]) == (2, 3)  # A (moderated good), E
    assert sorted(good["numerator_ids"]) == sorted([world["a"], world["e"]])
    assert results["by_team"][str(world["north"])]["numerator"] == 1
    assert results["agreement"]["pairs"] == 1
    assert results["agreement"]["overall_exact_percent"] == 0.0
    assert results["agreement"]["overall_within_one_percent"] == 100.0
    assert results["weakest_criteria"][0]["criterion"] == "e"
    # A's and B's assessments had no advice requested in this story.
    assert "no advice requested" in results["advice_timeliness"]["all"]

    feedback = client.get("/api/v1/qa/feedback", headers=world["officer"]).json()
    assert {f["case_id"] for f in feedback} == {world["a"], world["b"]}
    mine = next(f for f in feedback if f["case_id"] == world["a"])
    assert mine["feedback"] == "Make outcomes SMART" and mine["to_improve"] == ["e"]


def test_qa_refusals(world: dict[str, Any]) -> None:
    client = world["client"]
    body = {**Y2025, "size": 1, "seed": 3}
    assert client.post("/api/v1/qa/rounds", json=body, headers=world["officer"]).status_code == 403
    both = {**Y2025, "size": 1, "percent": 10}
    assert client.post("/api/v1/qa/rounds", json=both, headers=world["manager"]).status_code == 422
    qa_round = _round(world, **body)
    path = f"/api/v1/qa/rounds/{qa_round['id']}/items/{qa_round['items'][0]['id']}"
    partial = {"ratings": {"a": "good"}, "overall": "good"}
    assert client.post(f"{path}/scores", json=partial, headers=world["qa1"]).status_code == 422
    pfa = marks("good", preparation_for_adulthood="good")  # a Year 4-5 child: not applicable
    refused = client.post(f"{path}/scores", json=pfa, headers=world["qa1"])
    assert refused.status_code == 422 and "Year 9" in refused.text
    early = client.post(f"{path}/moderate", json=marks("good"), headers=world["manager"])
    assert early.status_code == 409  # nothing marked yet
    missing = client.get("/api/v1/qa/rounds/999", headers=world["qa1"])
    assert missing.status_code == 404
