"""Fixtures for the JSON API: a TestClient on the real app over the test database, and tokens.

The app is built over the `svc` fixture (shared database, fake clock whose today is 2026-11-25),
so tests see exactly the services the API uses; `fresh_client` uses a database of its own for
tests that count what is in the whole database.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from ehcp_engine.services.context import Services
from ehcp_engine.services.users import create_user, issue_token

_emails = itertools.count()

REQUEST_ON = date(2026, 1, 5)  # a Monday; the fake clock's today is 2026-11-25


def case_body(**overrides: Any) -> dict[str, Any]:
    """A valid body for POST /api/v1/cases; top-level keys may be overridden (child=…)."""
    body: dict[str, Any] = {
        "child": {
            "given_name": "Alex",
            "family_name": "Example",
            "date_of_birth": "2015-03-15",
        },
        "request": {"received_on": REQUEST_ON.isoformat(), "source": "parent"},
    }
    body.update(overrides)
    return body


def event_body(type_: str, on: date | str, data: dict[str, Any] | None = None, **kw: Any):
    return {
        "type": type_,
        "occurred_on": on if isinstance(on, str) else on.isoformat(),
        "data": data or {},
        **kw,
    }


def make_user(svc: Services, role: str) -> tuple[int, str]:
    """(user id, bearer token) for a new user with a unique email."""
    user_id = create_user(svc, f"{role}{next(_emails)}@example.gov.uk", role)
    return user_id, issue_token(svc, user_id)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def detail_text(response: httpx.Response) -> str:
    """The `detail` of an error response as one string (messages and locations)."""
    detail = response.json()["detail"]
    if isinstance(detail, str):
        return detail
    return " | ".join(f"{'.'.join(map(str, d['loc']))}: {d['msg']}" for d in detail)


def error_locs(response: httpx.Response) -> list[str]:
    """The dotted locations of a 422's field-level errors, e.g. ['body.data.contributor']."""
    detail = response.json()["detail"]
    assert isinstance(detail, list), detail
    return [".".join(map(str, d["loc"])) for d in detail]


def _client(svc: Services) -> Iterator[TestClient]:
    # raise_server_exceptions=False: an unexpected error comes back as the 500 a real client would
    # see (and the test fails on its status) instead of as an exception inside the test.
    with TestClient(create_app(services=svc), raise_server_exceptions=False) as client:
        yield client


@pytest.fixture
def client(svc: Services) -> Iterator[TestClient]:
    yield from _client(svc)


@pytest.fixture
def fresh_client(fresh_svc: Services) -> Iterator[TestClient]:
    yield from _client(fresh_svc)


@pytest.fixture
def token_for(svc: Services) -> Callable[[str], str]:
    """A bearer token for a new user of the given role on the shared database."""
    return lambda role: make_user(svc, role)[1]


@pytest.fixture
def auth(svc: Services) -> dict[str, str]:
    """Authorization headers of a new officer."""
    return bearer(make_user(svc, "officer")[1])


@pytest.fixture
def fresh_auth(fresh_svc: Services) -> dict[str, str]:
    """Authorization headers of an officer in the `fresh_svc` database."""
    return bearer(make_user(fresh_svc, "officer")[1])


class Api:
    """Small helpers over the client, as one officer."""

    def __init__(self, client: TestClient, headers: dict[str, str]) -> None:
        self.client = client
        self.headers = headers

    def open(self, **overrides: Any) -> dict[str, Any]:
        response = self.client.post(
            "/api/v1/cases", json=case_body(**overrides), headers=self.headers
        )
        assert response.status_code == 201, response.text
        return response.json()

    def post(
        self,
        case_id: int,
        type_: str,
        on: date | str,
        data: dict[str, Any] | None = None,
        **kw: Any,
    ) -> httpx.Response:
        return self.client.post(
            f"/api/v1/cases/{case_id}/events",
            json=event_body(type_, on, data, **kw),
            headers=self.headers,
        )

    def do(
        self,
        case_id: int,
        type_: str,
        on: date | str,
        data: dict[str, Any] | None = None,
        **kw: Any,
    ) -> dict[str, Any]:
        response = self.post(case_id, type_, on, data, **kw)
        assert response.status_code == 201, response.text
        return response.json()

    def case(self, case_id: int) -> dict[str, Any]:
        response = self.client.get(f"/api/v1/cases/{case_id}", headers=self.headers)
        assert response.status_code == 200, response.text
        return response.json()

    def audit(self, case_id: int) -> list[dict[str, Any]]:
        response = self.client.get(f"/api/v1/cases/{case_id}/audit", headers=self.headers)
        assert response.status_code == 200, response.text
        return response.json()

    def snapshot(self, case_id: int) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """What a bad request must leave exactly as it was: the case and its audit log."""
        return self.case(case_id), self.audit(case_id)


@pytest.fixture
def api(client: TestClient, auth: dict[str, str]) -> Api:
    return Api(client, auth)
