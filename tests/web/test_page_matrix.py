"""Who may open which page: every web page and form against every role, from one declared matrix
(the API's is tests/api/test_role_matrix.py).

A role the matrix allows gets the page (or, for a form post, the form's own answer: a redirect or
its validation message), never 403 or a 404 for a record that is there; every other role gets 403,
or 404 where the record is a child's. No page refused to a role shows the child's name. Signed
out, every page but the public ones sends the browser to sign in. A page the app serves that the
matrix does not name fails the test: a new page needs a decision.

The world: team North with officer Olu (who holds case C and case S) and manager Mo; a
contributor of the EP service, asked for advice on C; a QA panel member, whose round samples S's
final plan and not C's; an administrator.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ehcp_engine.persistence.models import Organisation
from ehcp_engine.services import plans, qa
from ehcp_engine.services.context import Actor, Services
from tests.plans.qa_sample import sample_versions
from tests.web.conftest import client_for, form_token, sign_in
from tests.web.qa_world import issue_a_final_plan
from tests.web.roles import new_team, person

ROLES = ("officer", "manager", "contributor", "qa", "admin")
EVERYONE = frozenset(ROLES)
CASEWORK = frozenset({"officer", "manager"})
MANAGER = frozenset({"manager"})
CONTRIBUTOR = frozenset({"contributor"})
PANEL = frozenset({"qa", "manager"})
ADMIN = frozenset({"admin"})
MEASURES = frozenset({"officer", "manager", "qa"})
PLAN = "/cases/{case_id}/plan/{version_id:int}"
EP = "EP service"  # as tests/web/qa_world.py asks for advice
PUBLIC = {
    "/",
    "/sign-in",
    "/sign-out",
    "/password-reset",
    "/password-reset/{token}",
    "/sign-in/oidc",
    "/sign-in/oidc/callback",
}

PAGES: dict[tuple[str, str], frozenset[str]] = {
    # The caseload explains to a role without case access that it has none (and lists nothing).
    ("GET", "/cases"): EVERYONE,
    ("GET", "/cases/new"): CASEWORK,
    ("POST", "/cases/new"): CASEWORK,
    ("GET", "/cases/{case_id}"): CASEWORK,
    ("GET", "/cases/{case_id}/events/{event_type}"): CASEWORK,
    ("POST", "/cases/{case_id}/events/{event_type}"): CASEWORK,
    ("GET", "/cases/{case_id}/advice-documents/{document_id}"): CASEWORK,
    ("GET", "/cases/{case_id}/reassign"): MANAGER,
    ("POST", "/cases/{case_id}/reassign"): MANAGER,
    ("GET", "/cases/{case_id}/plan"): CASEWORK,
    ("POST", "/cases/{case_id}/plan"): CASEWORK,
    ("GET", PLAN): CASEWORK,
    ("GET", PLAN + ".pdf"): CASEWORK,
    ("GET", PLAN + ".docx"): CASEWORK,
    ("GET", PLAN + "/changes"): CASEWORK,
    ("GET", PLAN + "/issue"): CASEWORK,
    ("POST", PLAN + "/issue"): CASEWORK,
    ("GET", PLAN + "/sections/{section}"): CASEWORK,
    ("POST", PLAN + "/sections/{section}"): CASEWORK,
    ("GET", PLAN + "/sections/{section}/items/new"): CASEWORK,
    ("POST", PLAN + "/sections/{section}/items"): CASEWORK,
    ("GET", PLAN + "/sections/{section}/items/{index}"): CASEWORK,
    ("POST", PLAN + "/sections/{section}/items/{index}"): CASEWORK,
    ("GET", "/advice"): CONTRIBUTOR,
    ("GET", "/advice/{request_id}"): CONTRIBUTOR,
    ("POST", "/advice/{request_id}"): CONTRIBUTOR,
    ("GET", "/advice/{request_id}/sent"): CONTRIBUTOR,
    ("GET", "/dashboard"): MANAGER,
    ("GET", "/qa"): PANEL,
    ("GET", "/qa/rounds/new"): PANEL,
    ("POST", "/qa/rounds/new"): PANEL,
    ("GET", "/qa/rounds/{round_id}"): PANEL,
    ("GET", "/qa/rounds/{round_id}/items/{item_id}"): PANEL,
    ("POST", "/qa/rounds/{round_id}/items/{item_id}"): PANEL,
    ("GET", "/qa/rounds/{round_id}/items/{item_id}/moderation"): PANEL,
    ("POST", "/qa/rounds/{round_id}/items/{item_id}/moderation"): PANEL,
    ("GET", "/qa/rounds/{round_id}/results"): PANEL,
    ("GET", "/measures"): MEASURES,
    ("GET", "/measures.csv"): MEASURES,
    ("GET", "/measures/sen2"): MANAGER,
    ("GET", "/measures/sen2/{year}.xml"): MANAGER,
    ("GET", "/admin"): ADMIN,
    ("GET", "/admin/users"): ADMIN,
    ("GET", "/admin/users/new"): ADMIN,
    ("POST", "/admin/users/new"): ADMIN,
    ("GET", "/admin/users/{user_id}"): ADMIN,
    ("POST", "/admin/users/{user_id}/channels"): ADMIN,
    ("POST", "/admin/users/{user_id}/active"): ADMIN,
    ("GET", "/admin/teams"): ADMIN,
    ("POST", "/admin/teams"): ADMIN,
    ("GET", "/admin/organisations"): ADMIN,
    ("POST", "/admin/organisations"): ADMIN,
    ("GET", "/admin/notifications"): ADMIN,
    ("POST", "/admin/notifications/{message_id}/retry"): ADMIN,
}
# Records this world does not hold (an uploaded document, a failed message; the SEN2 XML is
# withheld while a record fails a rule): an allowed role's 404 (or 409) is the honest answer.
NOT_IN_THIS_WORLD = {
    "/cases/{case_id}/advice-documents/{document_id}",
    "/admin/notifications/{message_id}/retry",
    "/measures/sen2/{year}.xml",
}


@dataclass
class World:
    emails: dict[str, str]
    ids: dict[str, Any]
    child_name: str


def web_routes(routes: list[Any]) -> Iterator[tuple[str, str]]:
    """(method, path) of every page route, through the included routers."""
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            yield from web_routes(inner.routes)
        elif hasattr(route, "methods") and not route.path.startswith(("/api/", "/docs", "/redoc")):
            for method in sorted(route.methods - {"HEAD"}):
                if route.path not in ("/openapi.json", "/healthz"):
                    yield method, route.path


def build_world(svc: Services) -> World:
    team = new_team(svc)
    try:  # the EP service the plans' advice is asked of; other tests (and processes) share it
        with svc.sessions.begin() as session:
            if session.scalar(select(Organisation.id).where(Organisation.name == EP)) is None:
                session.add(Organisation(name=EP, kind="ep_service"))
    except IntegrityError:
        pass  # made at the same moment by a test in another process
    officer_id, officer = person(svc, "officer", "Olu Officer", team_id=team)
    emails = {
        "officer": officer,
        "manager": person(svc, "manager", "Mo Manager", team_id=team)[1],
        "contributor": person(svc, "contributor", "Kit Adviser", organisation=EP)[1],
        "qa": person(svc, "qa", "Quinn Panel")[1],
        "admin": person(svc, "admin", "Ada Admin")[1],
    }
    case = issue_a_final_plan(svc, officer_id, "Zebedee", "Quillfeather", date(2024, 1, 1))
    sampled = issue_a_final_plan(svc, officer_id, "Sam", "Sampled", date(2025, 6, 2))
    round_id = sample_versions(svc, sampled.final_id, name="Matrix round")
    [item] = qa.round_view(svc, round_id)["items"]
    assert item["case_id"] == sampled.case_id
    actor = Actor(user_id=officer_id, label="matrix", role="officer")
    editing = plans.new_version(svc, case.case_id, actor)  # a copy of the final plan
    ids = {
        "case_id": case.case_id,
        "version_id:int": editing["id"],
        "event_type": "event_corrected",
        "document_id": 1,
        "request_id": _request_of(svc, case.case_id),
        "round_id": round_id,
        "item_id": item["id"],
        "year": 2026,
        "user_id": officer_id,
        "message_id": 1,
        "section": "b",
        "index": 1,
    }
    return World(emails, ids, "Quillfeather")


def _request_of(svc: Services, case_id: int) -> int:
    from tests.web.qa_world import _advice_id

    return _advice_id(svc, case_id)


# Section A is a form; the list sections (B...) have items.
ONE_FORM = {PLAN + "/sections/{section}": {"section": "a"}}


def url_of(world: World, path: str) -> str:
    ids = {**world.ids, **ONE_FORM.get(path, {})}
    return re.sub(r"\{([\w:]+)\}", lambda m: str(ids[m.group(1)]), path)


def call(client: TestClient, world: World, method: str, path: str, token: str) -> Any:
    url = url_of(world, path)
    if method == "GET":
        return client.get(url, follow_redirects=False)
    return client.post(url, data={"csrf_token": token}, follow_redirects=False)


def wrong(status: int, allowed: bool, absent_ok: bool) -> bool:
    if status >= 500:
        return True
    if allowed:
        return status in (401, 403) or (status == 404 and not absent_ok)
    return status not in (403, 404)


@pytest.fixture
def world(web_svc: Services) -> World:
    return build_world(web_svc)


def test_every_page_is_in_the_matrix(web: TestClient) -> None:
    served = {op for op in web_routes(web.app.router.routes) if op[1] not in PUBLIC}  # type: ignore[attr-defined]
    assert served - set(PAGES) == set(), "pages with no access decision"
    assert set(PAGES) - served == set(), "the matrix names pages the app does not serve"


@pytest.mark.parametrize("role", ROLES)
def test_each_role_opens_what_the_matrix_allows_and_nothing_else(
    web_svc: Services, world: World, role: str
) -> None:
    found = []
    for client in client_for(web_svc):
        assert sign_in(client, world.emails[role]).status_code == 303
        token = form_token(client.get("/cases"))
        for (method, path), roles in sorted(PAGES.items()):
            answer = call(client, world, method, path, token)
            allowed = role in roles
            if wrong(answer.status_code, allowed, path in NOT_IN_THIS_WORLD):
                found.append(
                    f"{method} {path}: {answer.status_code} ({'allowed' if allowed else 'denied'})"
                )
            if not allowed and world.child_name in answer.text:
                found.append(f"{method} {path}: shows the child's name to a {role}")
    assert found == []


def test_signed_out_every_page_sends_the_browser_to_sign_in(web: TestClient, world: World) -> None:
    token = form_token(web.get("/sign-in"))
    found = {}
    for method, path in PAGES:
        answer = call(web, world, method, path, token)
        if not (answer.status_code == 303 and answer.headers["location"].startswith("/sign-in")):
            found[(method, path)] = answer.status_code
    # A form posted signed out is refused for its CSRF token (a signed-out token is not a
    # session's) or sent to sign in: never served.
    assert all(status in (303, 403) for status in found.values()), found
    assert not [op for op in found if op[0] == "GET"], found
