"""Fixtures for the web pages: a TestClient on the real app, users with passwords, form tokens.

The app is built over the `svc` fixture (shared database, fake clock), with settings whose base
address is the TestClient's, so links and cookies are what a browser there would get.
"""

from __future__ import annotations

import dataclasses
import itertools
import re
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient

from api.app import create_app
from ehcp_engine.services import auth
from ehcp_engine.services.auth import set_password
from ehcp_engine.services.context import Services
from ehcp_engine.services.users import create_user
from ehcp_engine.settings import Settings

PASSWORD = "correct horse battery staple"
_emails = itertools.count()


# Argon2 with its production cost (64 MiB, 3 passes) takes most of a second on a busy test
# machine; the tests check behaviour, not cost, so they hash cheaply (still Argon2id).
CHEAP_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(auth, "_hasher", CHEAP_HASHER)


def web_settings(**overrides: Any) -> Settings:
    values: dict[str, Any] = {"base_url": "http://testserver", "scheduler": False, **overrides}
    return Settings(**values)


def make_web_user(svc: Services, role: str = "officer", name: str = "") -> str:
    """A new user with the password PASSWORD; returns the email."""
    email = f"web-{role}{next(_emails)}@example.gov.uk"
    create_user(svc, email, role, name or f"Test {role.title()}")
    set_password(svc, email, PASSWORD)
    return email


def form_token(response: httpx.Response) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', response.text)
    assert found, "the page has no CSRF token"
    return found.group(1)


def sign_in(client: TestClient, email: str, password: str = PASSWORD) -> httpx.Response:
    token = form_token(client.get("/sign-in"))
    return client.post(
        "/sign-in",
        data={"email": email, "password": password, "csrf_token": token, "next": "/cases"},
        follow_redirects=False,
    )


@pytest.fixture
def web_svc(svc: Services) -> Services:
    return dataclasses.replace(svc, settings=web_settings())


def client_for(svc: Services) -> Iterator[TestClient]:
    with TestClient(create_app(services=svc), raise_server_exceptions=False) as client:
        yield client


@pytest.fixture
def web(web_svc: Services) -> Iterator[TestClient]:
    yield from client_for(web_svc)


@pytest.fixture
def web_user(web_svc: Services) -> str:
    return make_web_user(web_svc)


@pytest.fixture
def signed_in(web: TestClient, web_user: str) -> TestClient:
    assert sign_in(web, web_user).status_code == 303
    return web


@pytest.fixture
def user_factory(web_svc: Services) -> Callable[..., str]:
    return lambda role="officer", name="": make_web_user(web_svc, role, name)
