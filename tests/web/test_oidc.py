"""OpenID Connect sign-in against a real local provider (tests/servers.py) over HTTP."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from fastapi.testclient import TestClient
from joserfc.jwk import RSAKey
from sqlalchemy import select

from ehcp_engine.persistence.models import AccessLog
from ehcp_engine.services.context import Services
from tests.servers import OidcProvider, oidc_provider
from tests.web.conftest import client_for, web_settings


@pytest.fixture(scope="module")
def provider() -> Iterator[OidcProvider]:
    with oidc_provider() as running:
        yield running


@pytest.fixture
def oidc_web(web_svc: Services, provider: OidcProvider) -> Iterator[TestClient]:
    provider.signing_key = provider.key
    provider.email_verified = True
    settings = web_settings(
        oidc_issuer=provider.issuer,
        oidc_client_id=provider.client_id,
        oidc_client_secret=provider.client_secret,
    )
    yield from client_for(dataclasses.replace(web_svc, settings=settings))


def _round_trip(client: TestClient, next_path: str = "/cases") -> httpx.Response:
    """Start at the service, let the provider approve, come back to the callback."""
    start = client.get(f"/sign-in/oidc?next={next_path}", follow_redirects=False)
    assert start.status_code == 303, start.text
    at_provider = httpx.get(start.headers["location"], follow_redirects=False)
    assert at_provider.status_code == 302, at_provider.text
    back = urlsplit(at_provider.headers["location"])
    assert back.netloc == "testserver"
    return client.get(f"{back.path}?{back.query}", follow_redirects=False)


def test_the_sign_in_page_offers_the_organisation_account(oidc_web: TestClient) -> None:
    assert "Sign in with your organisation account" in oidc_web.get("/sign-in").text


def test_the_authorisation_request_uses_pkce_and_a_nonce(
    oidc_web: TestClient, provider: OidcProvider
) -> None:
    start = oidc_web.get("/sign-in/oidc", follow_redirects=False)
    url = urlsplit(start.headers["location"])
    query = parse_qs(url.query)
    assert f"{url.scheme}://{url.netloc}{url.path}" == provider.issuer + "/authorize"
    assert query["code_challenge_method"] == ["S256"] and query["nonce"] and query["state"]
    assert query["redirect_uri"] == ["http://testserver/sign-in/oidc/callback"]
    assert "HttpOnly" in start.headers["set-cookie"]


def test_a_known_user_signs_in_with_the_provider(
    oidc_web: TestClient, provider: OidcProvider, user_factory, web_svc: Services
) -> None:
    provider.email = user_factory("officer").upper()  # emails match whatever their case
    done = _round_trip(oidc_web, "/cases?page=1")
    assert done.status_code == 303 and done.headers["location"] == "/cases?page=1"
    assert "Signed in as" in oidc_web.get("/cases").text
    with web_svc.sessions() as session:
        details = session.scalars(select(AccessLog.detail).order_by(AccessLog.id.desc())).first()
    assert details == "OpenID Connect"


def test_an_unknown_user_is_not_signed_in(oidc_web: TestClient, provider: OidcProvider) -> None:
    provider.email = "stranger@example.gov.uk"
    done = _round_trip(oidc_web)
    assert done.headers["location"] == "/sign-in?status=oidc-failed"
    page = oidc_web.get(done.headers["location"])
    assert "could not sign you in with your organisation account" in page.text
    assert oidc_web.get("/cases", follow_redirects=False).status_code == 303


def test_an_unverified_email_is_not_trusted(
    oidc_web: TestClient, provider: OidcProvider, user_factory
) -> None:
    provider.email = user_factory("officer")
    provider.email_verified = False
    assert _round_trip(oidc_web).headers["location"] == "/sign-in?status=oidc-failed"


def test_a_token_signed_with_another_key_is_refused(
    oidc_web: TestClient, provider: OidcProvider, user_factory
) -> None:
    provider.email = user_factory("officer")
    provider.signing_key = RSAKey.generate_key(2048, parameters={"kid": "test-key"})
    assert _round_trip(oidc_web).headers["location"] == "/sign-in?status=oidc-failed"


def test_a_callback_without_the_browsers_pending_state_is_refused(
    oidc_web: TestClient, provider: OidcProvider, user_factory
) -> None:
    provider.email = user_factory("officer")
    start = oidc_web.get("/sign-in/oidc", follow_redirects=False)
    back = urlsplit(httpx.get(start.headers["location"]).headers["location"])
    oidc_web.cookies.clear()  # another browser (login CSRF) has no pending state
    done = oidc_web.get(f"{back.path}?{back.query}", follow_redirects=False)
    assert done.headers["location"] == "/sign-in?status=oidc-failed"


def test_without_configuration_there_is_no_provider_sign_in(web: TestClient) -> None:
    assert "organisation account" not in web.get("/sign-in").text
    assert web.get("/sign-in/oidc", follow_redirects=False).headers["location"] == "/sign-in"
