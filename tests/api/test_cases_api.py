"""The JSON API's contract: health, sign-in, opening and reading cases, recording events, the
audit log, the caseload list and the role policy."""

from __future__ import annotations

import itertools
import re
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import uuid4

import pytest
from sqlalchemy import update

from audit.log import GENESIS
from ehcp_engine.persistence.models import ApiToken, User
from ehcp_engine.services.users import create_user, issue_token, token_digest
from tests.api.conftest import (
    REQUEST_ON,
    Api,
    bearer,
    case_body,
    detail_text,
    error_locs,
    event_body,
    make_user,
)
from tests.plans.qa_sample import sample_versions

AGREED_ON = date(2026, 2, 10)
HEX64 = re.compile(r"^[0-9a-f]{64}$")


def _deadline(case: dict[str, Any], rule: str) -> dict[str, Any]:
    found = [d for d in case["deadlines"] if d["rule"] == rule]
    assert len(found) == 1, [d["rule"] for d in case["deadlines"]]
    return found[0]


def _stage(case: dict[str, Any], name: str) -> dict[str, Any]:
    found = [s for s in case["stages"] if s["stage"] == name]
    assert found, [s["stage"] for s in case["stages"]]
    return found[-1]


# ---- health and sign-in ---------------------------------------------------------------------


def test_healthz_needs_no_token(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


ENDPOINTS = [
    ("GET", "/api/v1/cases", None),
    ("POST", "/api/v1/cases", case_body()),
    ("GET", "/api/v1/cases/{id}", None),
    ("POST", "/api/v1/cases/{id}/events", event_body("assessment_agreed", AGREED_ON)),
    ("GET", "/api/v1/cases/{id}/audit", None),
    ("GET", "/api/v1/rules", None),
]
BAD_AUTH = {
    "missing": {},
    "garbage token": {"Authorization": "Bearer not-a-token"},
    "empty token": {"Authorization": "Bearer "},
    "no scheme": {"Authorization": "ehcp_abcdef"},
    "basic scheme": {"Authorization": "Basic b2ZmaWNlcjpwYXNzd29yZA=="},
    "huge token": {"Authorization": "Bearer " + "x" * 20_000},
}


@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS)
@pytest.mark.parametrize("headers", BAD_AUTH.values(), ids=BAD_AUTH.keys())
def test_every_api_call_needs_a_valid_token(api, client, method, path, body, headers):
    case = api.open(
        child={"given_name": "Secretname", "family_name": "Hidden", "date_of_birth": "2015-03-15"}
    )
    before = api.snapshot(case["id"])
    response = client.request(method, path.format(id=case["id"]), json=body, headers=headers)
    assert response.status_code == 401, response.text
    assert response.headers["www-authenticate"] == "Bearer"
    assert set(response.json()) == {"detail"}
    assert "Secretname" not in response.text and "Hidden" not in response.text
    assert api.snapshot(case["id"]) == before


def test_every_api_route_refuses_an_anonymous_caller(client):
    """Not only the routes listed above: any route added under /api/v1 needs a token too
    (the routes are read from the OpenAPI schema)."""
    paths = client.get("/openapi.json").json()["paths"]
    calls = [
        (method.upper(), re.sub(r"\{[^}]+\}", "1", path))
        for path, methods in paths.items()
        if path.startswith("/api/v1")
        for method in methods
    ]
    assert len(calls) >= len(ENDPOINTS)
    for method, path in calls:
        response = client.request(method, path)
        assert response.status_code == 401, (method, path, response.text)
        assert set(response.json()) == {"detail"}


def test_unknown_case_without_a_token_is_401_not_404(client):
    """Whether a case exists is itself data: an anonymous caller learns nothing."""
    assert client.get("/api/v1/cases/987654321").status_code == 401
    assert client.get("/api/v1/cases/987654321/audit").status_code == 401


def test_revoked_token_is_refused(svc, client):
    _, token = make_user(svc, "officer")
    assert client.get("/api/v1/cases", headers=bearer(token)).status_code == 200
    with svc.sessions.begin() as session:
        session.execute(
            update(ApiToken)
            .where(ApiToken.token_hash == token_digest(token))
            .values(revoked_at=svc.clock.now())
        )
    response = client.get("/api/v1/cases", headers=bearer(token))
    assert response.status_code == 401
    assert "revoked" in response.json()["detail"]
    assert set(response.json()) == {"detail"}


def test_expired_token_is_refused(svc, client, clock):
    user_id = create_user(svc, f"expiring-{uuid4().hex}@example.gov.uk", "officer")
    token = issue_token(svc, user_id, valid_for=timedelta(hours=1))
    assert client.get("/api/v1/cases", headers=bearer(token)).status_code == 200
    clock.advance(1)
    response = client.get("/api/v1/cases", headers=bearer(token))
    assert response.status_code == 401
    assert "expired" in response.json()["detail"]


def test_token_of_a_deactivated_user_is_refused(svc, client):
    user_id, token = make_user(svc, "officer")
    with svc.sessions.begin() as session:
        session.execute(update(User).where(User.id == user_id).values(active=False))
    assert client.get("/api/v1/cases", headers=bearer(token)).status_code == 401


# ---- opening and reading a case ----------------------------------------------------------------


def test_open_case_returns_201_and_the_case(client, auth):
    body = case_body(
        child={
            "given_name": "Alex",
            "family_name": "Example",
            "date_of_birth": "2015-03-15",
            "upn": "A12345678901B",
        }
    )
    response = client.post("/api/v1/cases", json=body, headers=auth)
    assert response.status_code == 201, response.text
    case = response.json()
    assert case["version"] == 1
    assert case["child"] == {
        "given_name": "Alex",
        "family_name": "Example",
        "date_of_birth": "2015-03-15",
        "upn": "A12345678901B",
    }
    assert [(s["stage"], s["state"]) for s in case["stages"]] == [("request", "received")]
    # Reg 5(1): decision within 6 weeks; Reg 13(2): final plan within 20 weeks of the request.
    decision = _deadline(case, "assessment_decision")
    assert (decision["starts_on"], decision["due_on"]) == ("2026-01-05", "2026-02-16")
    assert _deadline(case, "final_plan")["due_on"] == "2026-05-25"
    assert case["advice_requests"] == []


def test_read_case_has_the_contract_shape(api, client):
    opened = api.open()
    response = client.get(f"/api/v1/cases/{opened['id']}", headers=api.headers)
    assert response.status_code == 200
    case = response.json()
    assert case == opened
    assert {"id", "version", "child", "stages", "deadlines", "advice_requests"} <= set(case)
    for stage in case["stages"]:
        assert {"id", "stage", "state"} <= set(stage)
    deadline_keys = {"id", "rule", "stage_id", "subject_id", "starts_on", "due_on", "status"}
    deadline_keys |= {"met_on", "exception", "source"}
    for deadline in case["deadlines"]:
        assert deadline_keys <= set(deadline)
        assert deadline["stage_id"] == case["stages"][0]["id"]
        assert deadline["source"].startswith("Reg ")


def test_open_case_with_an_officer(svc, api):
    officer_id, _ = make_user(svc, "officer")
    case = api.open(officer_id=officer_id)
    assert case["officer_id"] == officer_id


def test_unknown_case_is_404(api, client):
    for path in ("/api/v1/cases/987654321", "/api/v1/cases/987654321/audit"):
        response = client.get(path, headers=api.headers)
        assert response.status_code == 404
        assert "987654321" in response.json()["detail"]
    response = api.post(987654321, "assessment_agreed", AGREED_ON)
    assert response.status_code == 404


# ---- recording events ------------------------------------------------------------------------


def test_event_returns_201_and_the_updated_case(api):
    case = api.open()
    response = api.post(case["id"], "assessment_agreed", AGREED_ON, expected_version=1)
    assert response.status_code == 201, response.text
    updated = response.json()
    assert updated["version"] == 2
    assert _stage(updated, "request")["state"] == "assess"
    assessment = _stage(updated, "assessment")
    assert (assessment["state"], assessment["opened_on"]) == ("gathering_advice", "2026-02-10")
    decision = _deadline(updated, "assessment_decision")
    assert (decision["status"], decision["met_on"]) == ("met", "2026-02-10")
    assert updated == api.case(case["id"])


def test_event_the_state_does_not_allow_is_409_with_the_reason(api):
    case = api.open()
    before = api.snapshot(case["id"])
    response = api.post(case["id"], "plan_agreed", AGREED_ON)
    assert response.status_code == 409
    assert "assessment_agreed" in response.json()["detail"]
    assert api.snapshot(case["id"]) == before


def test_event_after_the_stage_ended_is_409(api):
    case = api.open()
    api.do(case["id"], "assessment_refused", AGREED_ON, {"reasons": "needs met at SEN support"})
    before = api.snapshot(case["id"])
    response = api.post(case["id"], "assessment_agreed", AGREED_ON)
    assert response.status_code == 409
    assert "not_assess" in response.json()["detail"]
    assert api.snapshot(case["id"]) == before


def test_a_second_request_while_one_is_in_progress_is_409(api):
    case = api.open()
    response = api.post(case["id"], "request_received", AGREED_ON, {"source": "school"})
    assert response.status_code == 409
    assert "already in progress" in response.json()["detail"]


def _assessing(api: Api) -> int:
    case = api.open()
    api.do(case["id"], "assessment_agreed", AGREED_ON)
    return case["id"]


def test_advice_received_by_advice_request_id(api):
    case_id = _assessing(api)
    health = {"advice_type": "health", "contributor": "Community paediatrics"}
    api.do(case_id, "advice_requested", "2026-02-11", health)
    ep = {"advice_type": "psychological", "contributor": "EP service"}
    case = api.do(case_id, "advice_requested", "2026-02-11", ep)
    requests = {a["advice_type"]: a for a in case["advice_requests"]}
    assert set(requests) == {"health", "psychological"}
    assert all(a["received_on"] is None for a in requests.values())
    advice_deadlines = [d for d in case["deadlines"] if d["rule"] == "advice"]
    assert {d["subject_id"] for d in advice_deadlines} == {a["id"] for a in requests.values()}

    case = api.do(
        case_id, "advice_received", "2026-03-02", {"advice_request_id": requests["health"]["id"]}
    )
    received = {a["advice_type"]: a["received_on"] for a in case["advice_requests"]}
    assert received == {"health": "2026-03-02", "psychological": None}
    met = [d for d in case["deadlines"] if d["rule"] == "advice" and d["status"] == "met"]
    assert [d["subject_id"] for d in met] == [requests["health"]["id"]]
    assert _stage(case, "assessment")["state"] == "gathering_advice"  # one still outstanding

    case = api.do(
        case_id,
        "advice_received",
        "2026-03-03",
        {"advice_request_id": requests["psychological"]["id"]},
    )
    assert _stage(case, "assessment")["state"] == "deciding"


def test_advice_received_by_type_when_exactly_one_is_open(api):
    case_id = _assessing(api)
    api.do(
        case_id, "advice_requested", "2026-02-11", {"advice_type": "health", "contributor": "NHS"}
    )
    case = api.do(case_id, "advice_received", "2026-03-02", {"advice_type": "health"})
    assert [a["received_on"] for a in case["advice_requests"]] == ["2026-03-02"]
    last = api.audit(case_id)[-1]
    assert (last["type"], last["data"]) == ("advice_received", {"advice_type": "health"})


def test_advice_received_by_type_when_two_are_open_is_409(api):
    case_id = _assessing(api)
    for who in ("Paediatrics", "CAMHS"):
        api.do(
            case_id, "advice_requested", "2026-02-11", {"advice_type": "health", "contributor": who}
        )
    before = api.snapshot(case_id)
    response = api.post(case_id, "advice_received", "2026-03-02", {"advice_type": "health"})
    assert response.status_code == 409
    assert "advice_request_id" in response.json()["detail"]
    assert api.snapshot(case_id) == before


def test_advice_received_twice_is_409(api):
    case_id = _assessing(api)
    case = api.do(
        case_id, "advice_requested", "2026-02-11", {"advice_type": "health", "contributor": "NHS"}
    )
    request_id = case["advice_requests"][0]["id"]
    api.do(case_id, "advice_received", "2026-03-02", {"advice_request_id": request_id})
    response = api.post(case_id, "advice_received", "2026-03-03", {"advice_request_id": request_id})
    assert response.status_code == 409
    assert "already received" in response.json()["detail"]


def test_advice_request_id_of_another_case_is_422(api):
    other = _assessing(api)
    theirs = api.do(
        other, "advice_requested", "2026-02-11", {"advice_type": "health", "contributor": "NHS"}
    )
    mine = _assessing(api)
    api.do(mine, "advice_requested", "2026-02-11", {"advice_type": "health", "contributor": "NHS"})
    before = api.snapshot(mine)
    response = api.post(
        mine,
        "advice_received",
        "2026-03-02",
        {"advice_request_id": theirs["advice_requests"][0]["id"]},
    )
    assert response.status_code == 422
    assert error_locs(response) == ["body.data.advice_request_id"]
    assert api.snapshot(mine) == before


def test_exception_recorded_by_timer_id(api):
    case_id = _assessing(api)
    exception = {
        "ground": "personal_circumstances",
        "from": "2026-03-01",
        "to": "2026-03-20",
        "rule": "final_plan",
        "family_informed": True,
    }
    case = api.do(case_id, "exception_recorded", "2026-03-21", exception)
    final = _deadline(case, "final_plan")
    assert final["exception"]["ground"] == "personal_circumstances"
    assert final["due_on"] == "2026-05-25"  # an exception never moves the due date (§2)


def test_exception_recorded_by_deadline_id(api):
    case_id = _assessing(api)
    case = api.case(case_id)
    final_id = _deadline(case, "final_plan")["id"]
    exception = {"ground": "absence_from_area", "from": "2026-03-01", "rule": final_id}
    case = api.do(case_id, "exception_recorded", "2026-03-21", exception)
    final = _deadline(case, "final_plan")
    assert final["id"] == final_id  # ids survive recomputation
    assert final["exception"]["ground"] == "absence_from_area"


def test_exception_ground_outside_the_timers_set_is_422(api):
    case_id = _assessing(api)
    before = api.snapshot(case_id)
    # reg10_4 has no "missed_appointment" (that is reg8_2, for advice).
    exception = {"ground": "missed_appointment", "from": "2026-03-01", "rule": "final_plan"}
    response = api.post(case_id, "exception_recorded", "2026-03-21", exception)
    assert response.status_code == 422
    assert error_locs(response) == ["body.data.ground"]
    assert "allowed" in detail_text(response)
    assert api.snapshot(case_id) == before


def test_whole_journey_to_a_final_plan(api):
    case_id = _assessing(api)
    api.do(case_id, "plan_agreed", "2026-04-01")
    api.do(case_id, "draft_plan_served", "2026-04-02")
    case = api.do(case_id, "final_plan_issued", "2026-04-20", {"named_setting": "Oak Primary"})
    final = _deadline(case, "final_plan")
    assert (final["status"], final["met_on"]) == ("met", "2026-04-20")
    assert _stage(case, "plan")["state"] == "maintained"
    assert case["version"] == 5


# ---- the audit log -------------------------------------------------------------------------


def test_audit_is_the_records_in_order_hash_linked(api):
    case_id = _assessing(api)
    api.do(
        case_id, "advice_requested", "2026-02-11", {"advice_type": "health", "contributor": "NHS"}
    )
    api.do(case_id, "plan_agreed", "2026-04-01")
    records = api.audit(case_id)
    assert [r["seq"] for r in records] == [1, 2, 3, 4]
    assert [r["type"] for r in records] == [
        "request_received",
        "assessment_agreed",
        "advice_requested",
        "plan_agreed",
    ]
    assert records[0]["prev_hash"] == GENESIS
    for earlier, later in itertools.pairwise(records):
        assert later["prev_hash"] == earlier["hash"]
    assert all(HEX64.match(r["hash"]) for r in records)
    assert len({r["hash"] for r in records}) == 4
    assert records[2]["data"]["contributor"] == "NHS"
    assert records[0]["occurred_on"] == REQUEST_ON.isoformat()
    assert records[0]["actor"].endswith("@example.gov.uk")
    assert api.case(case_id)["version"] == len(records)


def test_refused_event_adds_no_audit_record(api):
    case_id = _assessing(api)
    before = api.audit(case_id)
    assert api.post(case_id, "draft_plan_served", "2026-03-01").status_code == 409
    assert api.audit(case_id) == before


# ---- the caseload list -----------------------------------------------------------------------


def _list(api: Api, **params: Any) -> dict[str, Any]:
    response = api.client.get("/api/v1/cases", params=params, headers=api.headers)
    assert response.status_code == 200, response.text
    return response.json()


def test_list_filters_by_officer_stage_state_and_overdue(svc, api):
    svc.settings.case_scope = "la"  # whole-authority view; team scope: test_access.py
    officer_id, _ = make_user(svc, "officer")
    late = api.open(officer_id=officer_id)  # assessment_decision was due 2026-02-16: overdue
    recent = api.open(
        officer_id=officer_id, request={"received_on": "2026-11-20", "source": "school"}
    )
    assessing = api.open(officer_id=officer_id)
    api.do(assessing["id"], "assessment_agreed", AGREED_ON)
    api.open()  # someone else's case

    mine = _list(api, officer=officer_id)
    assert mine["total"] == 3
    assert {c["id"] for c in mine["items"]} == {late["id"], recent["id"], assessing["id"]}
    assert all(c["officer_id"] == officer_id for c in mine["items"])

    in_assessment = _list(api, officer=officer_id, stage="assessment")
    assert [c["id"] for c in in_assessment["items"]] == [assessing["id"]]
    received = _list(api, officer=officer_id, stage="request", state="received")
    assert {c["id"] for c in received["items"]} == {late["id"], recent["id"]}
    assert _list(api, officer=officer_id, state="gathering_advice")["total"] == 1

    overdue = _list(api, officer=officer_id, overdue="true")
    assert {c["id"] for c in overdue["items"]} == {late["id"], assessing["id"]}
    assert all(c["overdue"] for c in overdue["items"])
    on_time = _list(api, officer=officer_id, overdue="false")
    assert [c["id"] for c in on_time["items"]] == [recent["id"]]
    assert on_time["items"][0]["next_due_on"] == "2027-01-01"  # 6 weeks from 2026-11-20


def test_list_paginates_with_total(svc, api):
    svc.settings.case_scope = "la"  # whole-authority view; team scope: test_access.py
    officer_id, _ = make_user(svc, "officer")
    opened = [api.open(officer_id=officer_id)["id"] for _ in range(5)]
    pages = [_list(api, officer=officer_id, limit=2, offset=offset) for offset in (0, 2, 4, 6)]
    assert [p["total"] for p in pages] == [5, 5, 5, 5]
    assert [(p["limit"], p["offset"]) for p in pages] == [(2, 0), (2, 2), (2, 4), (2, 6)]
    assert [len(p["items"]) for p in pages] == [2, 2, 1, 0]
    seen = [c["id"] for p in pages for c in p["items"]]
    assert sorted(seen) == sorted(opened)  # every case once, none twice


def test_list_is_sorted_by_next_deadline(svc, api):
    svc.settings.case_scope = "la"  # whole-authority view; team scope: test_access.py
    officer_id, _ = make_user(svc, "officer")
    for received in ("2026-11-20", "2026-01-05", "2026-06-01"):
        api.open(officer_id=officer_id, request={"received_on": received, "source": "parent"})
    dues = [c["next_due_on"] for c in _list(api, officer=officer_id)["items"]]
    assert dues == sorted(dues)


# ---- role policy -----------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["contributor", "admin"])
def test_contributor_and_admin_may_not_read_or_write_cases(api, client, token_for, role):
    case = api.open()
    before = api.snapshot(case["id"])
    headers = bearer(token_for(role))
    calls = [
        client.get(f"/api/v1/cases/{case['id']}", headers=headers),
        client.get(f"/api/v1/cases/{case['id']}/audit", headers=headers),
        client.get("/api/v1/cases", headers=headers),
        client.post("/api/v1/cases", json=case_body(), headers=headers),
        client.post(
            f"/api/v1/cases/{case['id']}/events",
            json=event_body("assessment_agreed", AGREED_ON),
            headers=headers,
        ),
    ]
    for response in calls:
        assert response.status_code == 403, (response.request.url, response.text)
        assert role in response.json()["detail"]
        assert "Example" not in response.text
    assert api.snapshot(case["id"]) == before
    # They may still read the rules in force.
    assert client.get("/api/v1/rules", headers=headers).status_code == 200


def test_qa_may_read_a_sampled_case_but_not_write(svc, api, client, token_for):
    case = api.open()
    version = client.post(f"/api/v1/cases/{case['id']}/plan-versions", headers=api.headers)
    sample_versions(svc, version.json()["id"])  # QA read sampled plans' cases only
    before = api.snapshot(case["id"])
    headers = bearer(token_for("qa"))
    read = client.get(f"/api/v1/cases/{case['id']}", headers=headers)
    assert read.status_code == 200
    assert read.json() == before[0]
    assert client.get(f"/api/v1/cases/{api.open()['id']}", headers=headers).status_code == 404
    assert client.get("/api/v1/cases", headers=headers).status_code == 403
    event = event_body("assessment_agreed", AGREED_ON)
    writes = [
        client.post(f"/api/v1/cases/{case['id']}/events", json=event, headers=headers),
        client.post("/api/v1/cases", json=case_body(), headers=headers),
    ]
    assert [w.status_code for w in writes] == [403, 403]
    assert api.snapshot(case["id"]) == before


def test_manager_may_record_events(api, client, token_for):
    case = api.open()
    headers = bearer(token_for("manager"))
    response = client.post(
        f"/api/v1/cases/{case['id']}/events",
        json=event_body("assessment_agreed", AGREED_ON),
        headers=headers,
    )
    assert response.status_code == 201
    assert api.audit(case["id"])[-1]["actor"].startswith("manager")


def test_audit_records_who_acted(svc, client):
    user_id, token = make_user(svc, "officer")
    response = client.post("/api/v1/cases", json=case_body(), headers=bearer(token))
    records = client.get(
        f"/api/v1/cases/{response.json()['id']}/audit", headers=bearer(token)
    ).json()
    assert records[0]["actor_id"] == user_id
    recorded = datetime.fromisoformat(records[0]["recorded_at"])
    if recorded.tzinfo is None:  # SQLite hands back naive UTC
        recorded = recorded.replace(tzinfo=UTC)
    assert recorded == svc.clock.now()
