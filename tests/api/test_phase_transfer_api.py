"""GET /api/v1/phase-transfers (the cohort) and /api/v1/cases/{id}/phase-transfers.

Each test uses a database of its own (`fresh_client`) because a cohort lists every case.
Dates by hand: a child born 10 Oct 2015 is in Year 6 in 2026/27 and moves to secondary school on
Wed 1 Sep 2027; the amended plan is due before 15 Feb 2027 (Sun 14 Feb); the latest review
meeting that can still meet it is 12 weeks earlier, Sun 22 Nov 2026.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from ehcp_engine.services.context import Services
from tests.api.conftest import bearer, case_body, make_user


@pytest.fixture
def headers(fresh_svc: Services) -> dict[str, str]:
    return bearer(make_user(fresh_svc, "officer")[1])


@pytest.fixture
def planned(fresh_client: TestClient, headers: dict[str, str]) -> Callable[..., int]:
    """Open a case through the API and take it to a final plan on Mon 20 Apr 2026."""

    def _planned(**child: Any) -> int:
        body = case_body()
        body["child"].update(child)
        made = fresh_client.post("/api/v1/cases", json=body, headers=headers)
        assert made.status_code == 201, made.text
        case_id = int(made.json()["id"])
        for type_, on, data in (
            ("assessment_agreed", "2026-02-10", {}),
            ("plan_agreed", "2026-04-01", {}),
            ("draft_plan_served", "2026-04-02", {}),
            ("final_plan_issued", "2026-04-20", {"named_setting": "Oak Primary"}),
        ):
            sent = fresh_client.post(
                f"/api/v1/cases/{case_id}/events",
                json={"type": type_, "occurred_on": on, "data": data},
                headers=headers,
            )
            assert sent.status_code == 201, sent.text
        return case_id

    return _planned


def test_cohort_lists_the_september_transfers(
    fresh_client: TestClient,
    fresh_svc: Services,
    headers: dict[str, str],
    planned: Callable[..., int],
) -> None:
    year6 = planned(date_of_birth="2015-10-10", given_name="Sam")
    year11 = planned(date_of_birth="2010-10-10", given_name="Kit")
    planned(date_of_birth="2015-10-10", year_group=4)  # held back: transfers in 2028
    got = fresh_client.get("/api/v1/phase-transfers?year=2027", headers=headers)
    assert got.status_code == 200, got.text
    body = got.json()
    assert (body["year"], body["kind"], body["today"]) == (2027, None, "2026-11-25")
    assert [i["case_id"] for i in body["items"]] == [year6, year11]
    sam = body["items"][0]
    assert sam["child_name"] == "Sam Example"
    assert sam["deadline_key"] == "phase_transfer.primary_to_secondary:plan-1"
    assert (sam["transfer_on"], sam["starts_on"], sam["due_on"]) == (
        "2027-09-01",
        "2026-09-01",
        "2027-02-14",
    )
    # Today (the test clock) is Wed 25 Nov 2026: past Sun 22 Nov with no meeting held.
    assert (sam["latest_review_meeting_on"], sam["flag"]) == ("2026-11-22", "at_risk")
    assert sam["annual_review_state"] == "due"
    assert body["items"][1]["latest_review_meeting_on"] == "2027-01-05"  # Tue, for Tue 30 Mar
    assert body["counts"] == {"overdue": 0, "at_risk": 1, "on_track": 1, "met": 0}


def test_cohort_by_kind(
    fresh_client: TestClient, headers: dict[str, str], planned: Callable[..., int]
) -> None:
    planned(date_of_birth="2015-10-10")
    year11 = planned(date_of_birth="2010-10-10")
    got = fresh_client.get(
        "/api/v1/phase-transfers",
        params={"year": 2027, "kind": "secondary_to_post16"},
        headers=headers,
    )
    assert got.status_code == 200, got.text
    assert [(i["case_id"], i["kind"]) for i in got.json()["items"]] == [
        (year11, "secondary_to_post16")
    ]


def test_each_case_shows_its_transfers(
    fresh_client: TestClient, headers: dict[str, str], planned: Callable[..., int]
) -> None:
    case_id = planned(date_of_birth="2019-10-10", school_structure="infant_junior")
    got = fresh_client.get(f"/api/v1/cases/{case_id}/phase-transfers", headers=headers)
    assert got.status_code == 200, got.text
    assert [(i["kind"], i["due_on"]) for i in got.json()] == [
        ("infant_to_junior", "2027-02-14"),  # Sun: Year 2 in 2026/27
        ("primary_to_secondary", "2031-02-14"),  # Fri
        ("secondary_to_post16", "2036-03-30"),  # Sun
    ]
    missing = fresh_client.get("/api/v1/cases/999999/phase-transfers", headers=headers)
    assert missing.status_code == 404
    huge = fresh_client.get(f"/api/v1/cases/{2**40}/phase-transfers", headers=headers)
    assert huge.status_code == 404


def test_unknown_kind_is_422_naming_the_known_kinds(
    fresh_client: TestClient, headers: dict[str, str]
) -> None:
    got = fresh_client.get("/api/v1/phase-transfers?year=2027&kind=sideways", headers=headers)
    assert got.status_code == 422
    detail = got.json()["detail"][0]
    assert detail["loc"] == ["query", "kind"]
    assert "primary_to_secondary" in detail["msg"] and "infant_to_junior" in detail["msg"]


@pytest.mark.parametrize("query", ["", "?year=1900", "?year=3000", "?year=soon"])
def test_a_year_that_makes_no_sense_is_422(
    fresh_client: TestClient, headers: dict[str, str], query: str
) -> None:
    assert fresh_client.get(f"/api/v1/phase-transfers{query}", headers=headers).status_code == 422


def test_a_child_of_30_is_422(fresh_client: TestClient, headers: dict[str, str]) -> None:
    body = case_body()
    body["child"]["date_of_birth"] = "1996-01-01"
    got = fresh_client.post("/api/v1/cases", json=body, headers=headers)
    assert got.status_code == 422
    assert got.json()["detail"][0]["loc"] == ["body", "child", "date_of_birth"]
    assert "would be 30" in got.json()["detail"][0]["msg"]


def test_sign_in_and_permission(fresh_client: TestClient, fresh_svc: Services) -> None:
    assert fresh_client.get("/api/v1/phase-transfers?year=2027").status_code == 401
    contributor = bearer(make_user(fresh_svc, "contributor")[1])
    got = fresh_client.get("/api/v1/phase-transfers?year=2027", headers=contributor)
    assert got.status_code == 403
    qa = bearer(make_user(fresh_svc, "qa")[1])  # QA read sampled plans, not cohorts of children
    assert fresh_client.get("/api/v1/phase-transfers?year=2027", headers=qa).status_code == 403


def test_the_cohort_holds_only_the_cases_the_officer_may_see(
    fresh_client: TestClient, fresh_svc: Services
) -> None:
    """Another team's officer sees neither the child's name nor the case in the cohort."""
    from tests.api.test_access import _officer, _team

    north_id, north = _officer(fresh_svc, _team(fresh_svc))
    _south_id, south = _officer(fresh_svc, _team(fresh_svc))
    body = case_body(officer_id=north_id)
    body["child"].update(date_of_birth="2015-10-10", given_name="Sam")
    case_id = fresh_client.post("/api/v1/cases", json=body, headers=north).json()["id"]
    for type_, on, data in (
        ("assessment_agreed", "2026-02-10", {}),
        ("plan_agreed", "2026-04-01", {}),
        ("draft_plan_served", "2026-04-02", {}),
        ("final_plan_issued", "2026-04-20", {"named_setting": "Oak Primary"}),
    ):
        event = {"type": type_, "occurred_on": on, "data": data}
        assert (
            fresh_client.post(
                f"/api/v1/cases/{case_id}/events", json=event, headers=north
            ).status_code
            == 201
        )

    theirs = fresh_client.get("/api/v1/phase-transfers?year=2027", headers=north).json()
    others = fresh_client.get("/api/v1/phase-transfers?year=2027", headers=south)
    assert [i["case_id"] for i in theirs["items"]] == [case_id]
    assert others.status_code == 200 and others.json()["items"] == []
    assert "Sam" not in others.text
