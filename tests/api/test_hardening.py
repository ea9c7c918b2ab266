"""Security headers, no caching of children's records, tokens that expire and can be revoked."""

from __future__ import annotations

from datetime import timedelta

from ehcp_engine.services.users import create_user, issue_token, revoke_tokens
from tests.api.conftest import Api, bearer


def test_api_responses_carry_security_headers_and_are_not_cached(client, api):
    case = api.open()
    response = client.get(f"/api/v1/cases/{case['id']}", headers=api.headers)
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["cache-control"] == "no-store"
    assert "default-src 'self'" in response.headers["content-security-policy"]


def test_errors_carry_the_headers_too_and_no_stack_trace(client):
    response = client.get("/api/v1/cases/1", headers=bearer("not-a-token"))
    assert response.status_code == 401
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "Traceback" not in response.text


def test_a_revoked_token_stops_working_at_once(svc, client):
    user_id = create_user(svc, "revoke-me@example.gov.uk", "officer")
    token = issue_token(svc, user_id)
    api = Api(client, bearer(token))
    api.open()
    assert revoke_tokens(svc, "revoke-me@example.gov.uk") == 1
    assert client.get("/api/v1/cases", headers=bearer(token)).status_code == 401


def test_a_token_expires(svc, client):
    user_id = create_user(svc, "expire-me@example.gov.uk", "officer")
    token = issue_token(svc, user_id, timedelta(days=1))
    assert client.get("/api/v1/cases", headers=bearer(token)).status_code == 200
    svc.clock.advance(2)
    assert client.get("/api/v1/cases", headers=bearer(token)).status_code == 401
