"""Who may call what: every JSON API operation against every role, from one declared matrix.

The matrix below is the access policy written out (services/policy.py and services/access.py
implement it). A role the matrix allows must not be refused (401/403) or told the record is not
there (404) when it is; every other role must be refused with 403, or 404 where the record is a
child's (its existence must not leak). Without a token every operation is 401. An operation the
app serves that is missing from the matrix fails the test: a new route needs a decision.

The world: team North with officer Olivia (who holds the case) and manager Manny; a contributor
of the EP service, to whom the case's advice request went; a QA panel member (the case is not in
any QA sample, so its records are not theirs to read); an administrator.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from fastapi.testclient import TestClient

from ehcp_engine.persistence.models import Organisation, Team, User
from ehcp_engine.services.context import Services
from ehcp_engine.services.users import create_user, issue_token
from tests.api.conftest import bearer, case_body, event_body

ROLES = ("officer", "manager", "contributor", "qa", "admin")
EVERYONE = frozenset(ROLES)
CASEWORK = frozenset({"officer", "manager"})
READ_MEASURES = frozenset({"officer", "manager", "qa"})
QA_PANEL = frozenset({"qa", "manager"})
EP = "Educational Psychology Service (matrix)"

# (method, path) -> roles allowed. Paths are the OpenAPI templates.
MATRIX: dict[tuple[str, str], frozenset[str]] = {
    ("POST", "/api/v1/cases"): CASEWORK,
    ("GET", "/api/v1/cases"): CASEWORK,
    ("GET", "/api/v1/cases/{case_id}"): CASEWORK,
    ("POST", "/api/v1/cases/{case_id}/events"): CASEWORK,
    ("GET", "/api/v1/cases/{case_id}/audit"): CASEWORK,
    ("GET", "/api/v1/rules"): EVERYONE,
    ("GET", "/api/v1/phase-transfers"): CASEWORK,
    ("GET", "/api/v1/cases/{case_id}/phase-transfers"): CASEWORK,
    ("GET", "/api/v1/me/messages"): EVERYONE,
    ("POST", "/api/v1/me/messages/{message_id}/read"): EVERYONE,
    ("PUT", "/api/v1/me/channels"): EVERYONE,
    ("GET", "/api/v1/admin/messages"): frozenset({"admin"}),
    ("POST", "/api/v1/admin/messages/{message_id}/retry"): frozenset({"admin"}),
    ("GET", "/api/v1/cases/{case_id}/notices"): CASEWORK,
    ("POST", "/api/v1/notices/{notice_id}/bounced"): CASEWORK,
    ("POST", "/api/v1/notices/{notice_id}/resent-by-post"): CASEWORK,
    ("GET", "/api/v1/admin/cases/{case_id}/access-log"): frozenset({"admin"}),
    ("GET", "/api/v1/admin/cases/{case_id}/subject-access-export"): frozenset({"admin"}),
    ("GET", "/api/v1/advice-requests"): frozenset({"contributor"}),
    ("GET", "/api/v1/advice-requests/{request_id}"): frozenset({"contributor"}),
    ("POST", "/api/v1/advice-requests/{request_id}/advice"): frozenset({"contributor"}),
    ("GET", "/api/v1/cases/{case_id}/plan-versions"): CASEWORK,
    ("POST", "/api/v1/cases/{case_id}/plan-versions"): CASEWORK,
    ("GET", "/api/v1/cases/{case_id}/plan-versions/{version_id}.pdf"): CASEWORK,
    ("GET", "/api/v1/cases/{case_id}/plan-versions/{version_id}.docx"): CASEWORK,
    ("GET", "/api/v1/cases/{case_id}/plan-versions/{version_id}"): CASEWORK,
    ("PUT", "/api/v1/cases/{case_id}/plan-versions/{version_id}"): CASEWORK,
    ("GET", "/api/v1/cases/{case_id}/plan-versions/{version_id}/checks"): CASEWORK,
    ("POST", "/api/v1/cases/{case_id}/plan-versions/{version_id}/issue"): CASEWORK,
    ("GET", "/api/v1/cases/{case_id}/plan-versions/{version_id}/diff"): CASEWORK,
    (
        "GET",
        "/api/v1/cases/{case_id}/plan-versions/{version_id}/amendments-notice.pdf",
    ): CASEWORK,
    ("GET", "/api/v1/measures"): READ_MEASURES,
    ("GET", "/api/v1/measures.csv"): READ_MEASURES,
    ("GET", "/api/v1/measures/overdue-reviews"): READ_MEASURES,
    ("GET", "/api/v1/qa/rubric"): READ_MEASURES,
    ("POST", "/api/v1/qa/rounds"): QA_PANEL,
    ("GET", "/api/v1/qa/rounds/{round_id}"): QA_PANEL,
    ("POST", "/api/v1/qa/rounds/{round_id}/items/{item_id}/scores"): QA_PANEL,
    ("POST", "/api/v1/qa/rounds/{round_id}/items/{item_id}/moderate"): QA_PANEL,
    ("GET", "/api/v1/qa/rounds/{round_id}/results"): QA_PANEL,
    ("GET", "/api/v1/qa/measures"): READ_MEASURES,
    ("GET", "/api/v1/qa/feedback"): READ_MEASURES,
    ("PUT", "/api/v1/sen2/persons/{case_id}"): CASEWORK,
    ("GET", "/api/v1/sen2/report"): frozenset({"manager"}),
}

# Records this world does not create (an inbox message, a failed message, a sampled plan: its
# case has no issued plan to sample): for them, an allowed role's 404 is the honest answer.
NOT_IN_THIS_WORLD = {
    ("POST", "/api/v1/me/messages/{message_id}/read"),
    ("POST", "/api/v1/admin/messages/{message_id}/retry"),
    ("POST", "/api/v1/qa/rounds/{round_id}/items/{item_id}/scores"),
    ("POST", "/api/v1/qa/rounds/{round_id}/items/{item_id}/moderate"),
}

QUERIES = {"/api/v1/phase-transfers": "?year=2027", "/api/v1/sen2/report": "?year=2026"}
BODIES: dict[str, Any] = {
    "/api/v1/cases": case_body(),
    "/api/v1/cases/{case_id}/events": event_body("no_such_event", "2026-02-10"),
    "/api/v1/me/channels": {"channels": ["inapp"]},
    "/api/v1/notices/{notice_id}/bounced": {"reason": "552 mailbox full"},
    "/api/v1/advice-requests/{request_id}/advice": {"summary": "Needs support with reading."},
    "/api/v1/cases/{case_id}/plan-versions/{version_id}/issue": {"occurred_on": "2026-11-20"},
    "/api/v1/qa/rounds": {"from": "2026-01-01", "to": "2026-10-31", "size": 1},
    "/api/v1/qa/rounds/{round_id}/items/{item_id}/scores": {"ratings": {}, "overall": "good"},
    "/api/v1/qa/rounds/{round_id}/items/{item_id}/moderate": {"ratings": {}, "overall": "good"},
    "/api/v1/sen2/persons/{case_id}": {},
}


@dataclass
class World:
    tokens: dict[str, str]
    ids: dict[str, int]


def _user(svc: Services, role: str, **links: int) -> str:
    user_id = create_user(svc, f"matrix-{role}@example.gov.uk", role)
    with svc.sessions.begin() as session:
        user = session.get(User, user_id)
        assert user is not None
        for name, value in links.items():
            setattr(user, name, value)
    return issue_token(svc, user_id)


def _rows(svc: Services) -> tuple[int, int]:
    with svc.sessions.begin() as session:
        team, org = Team(name="North (matrix)"), Organisation(name=EP, kind="educational")
        session.add_all([team, org])
        session.flush()
        return team.id, org.id


def build_world(svc: Services, client: TestClient) -> World:
    team, org = _rows(svc)
    tokens = {
        "officer": _user(svc, "officer", team_id=team),
        "manager": _user(svc, "manager", team_id=team),
        "contributor": _user(svc, "contributor", organisation_id=org),
        "qa": _user(svc, "qa"),
        "admin": _user(svc, "admin"),
    }
    officer = bearer(tokens["officer"])
    body = case_body(family_email="family@example.org")
    case = client.post("/api/v1/cases", json=body, headers=officer).json()
    url = f"/api/v1/cases/{case['id']}"
    for event in (
        event_body("assessment_agreed", "2026-02-10"),
        event_body(
            "advice_requested", "2026-02-11", {"advice_type": "psychological", "contributor": EP}
        ),
    ):
        assert client.post(f"{url}/events", json=event, headers=officer).status_code == 201
    version = client.post(f"{url}/plan-versions", json={}, headers=officer).json()
    [request] = client.get("/api/v1/advice-requests", headers=bearer(tokens["contributor"])).json()
    [notice] = client.get(f"{url}/notices", headers=officer).json()
    qa_round = _round(client, tokens["manager"])
    ids = {
        "case_id": case["id"],
        "version_id": version["id"],
        "request_id": request["id"],
        "notice_id": notice["id"],
        "round_id": qa_round["id"],
        "item_id": qa_round["items"][0]["id"] if qa_round["items"] else 1,
        "message_id": 1,
    }
    return World(tokens, ids)


def _round(client: TestClient, manager_token: str) -> dict[str, Any]:
    made = client.post(
        "/api/v1/qa/rounds", json=BODIES["/api/v1/qa/rounds"], headers=bearer(manager_token)
    )
    assert made.status_code == 201, made.text
    return dict(made.json())


def _operations(client: TestClient) -> list[tuple[str, str]]:
    paths = client.app.openapi()["paths"]  # type: ignore[attr-defined]
    return [(method.upper(), path) for path, ops in paths.items() for method in ops]


def _call(client: TestClient, world: World, method: str, path: str, token: str | None) -> int:
    url = re.sub(r"\{(\w+)\}", lambda m: str(world.ids[m.group(1)]), path) + QUERIES.get(path, "")
    body = BODIES.get(path, {}) if method in ("POST", "PUT") else None
    if path == "/api/v1/cases/{case_id}/plan-versions/{version_id}" and method == "PUT":
        body = {"content": {}}
    headers = bearer(token) if token else {}
    return client.request(method, url, json=body, headers=headers).status_code


def _wrong(status: int, allowed: bool, absent_ok: bool) -> bool:
    if allowed:
        return status in (401, 403) or (status == 404 and not absent_ok) or status >= 500
    return status not in (403, 404)


def test_every_operation_is_in_the_matrix(client: TestClient) -> None:
    served = set(_operations(client)) - {("GET", "/healthz")}
    assert served - set(MATRIX) == set(), "operations with no access decision"
    assert set(MATRIX) - served == set(), "the matrix names operations the app does not serve"


def test_each_role_may_call_what_the_matrix_allows_and_nothing_else(
    svc: Services, client: TestClient
) -> None:
    world = build_world(svc, client)
    wrong = []
    for method, path in _operations(client):
        if path == "/healthz":
            continue
        for role in ROLES:
            status = _call(client, world, method, path, world.tokens[role])
            allowed = role in MATRIX[(method, path)]
            if _wrong(status, allowed, (method, path) in NOT_IN_THIS_WORLD):
                wrong.append(
                    f"{role} {method} {path}: {status} ({'allowed' if allowed else 'denied'})"
                )
    assert wrong == []


def test_without_a_token_every_operation_is_401(svc: Services, client: TestClient) -> None:
    world = World(
        {},
        {
            name: 1
            for name in (
                "case_id",
                "version_id",
                "request_id",
                "notice_id",
                "round_id",
                "item_id",
                "message_id",
            )
        },
    )
    statuses = {(m, p): _call(client, world, m, p, None) for m, p in _operations(client)}
    assert {op: s for op, s in statuses.items() if s != 401} == {("GET", "/healthz"): 200}
