"""The sign-in pages over HTTP: redirects, cookies, CSRF, rate limits, error pages, reset links."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from ehcp_engine.persistence.models import AccessLog, OutboxMessage, User
from ehcp_engine.services.context import Services
from tests.web.conftest import PASSWORD, client_for, form_token, sign_in, web_settings


def test_the_front_door_sends_visitors_to_sign_in_and_users_to_their_cases(
    web: TestClient, web_user: str
) -> None:
    assert web.get("/", follow_redirects=False).headers["location"] == "/sign-in"
    sign_in(web, web_user)
    assert web.get("/", follow_redirects=False).headers["location"] == "/cases"


@pytest.mark.parametrize(
    ("role", "landing"),
    [
        ("officer", "/cases"),
        ("manager", "/cases"),
        ("contributor", "/advice"),
        ("qa", "/qa"),
        ("admin", "/admin"),
    ],
)
def test_each_role_lands_on_its_own_first_page(
    web: TestClient, user_factory: Callable[..., str], role: str, landing: str
) -> None:
    sign_in(web, user_factory(role))
    assert web.get("/", follow_redirects=False).headers["location"] == landing
    assert web.get(landing).status_code == 200


def test_a_page_that_needs_a_user_sends_the_visitor_to_sign_in_and_back(
    web: TestClient, web_user: str
) -> None:
    answer = web.get("/cases?page=2", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/sign-in?next=/cases%3Fpage%3D2"
    page = web.get(answer.headers["location"])
    assert 'name="next" value="/cases?page=2"' in page.text
    done = web.post(
        "/sign-in",
        data={
            "email": web_user,
            "password": PASSWORD,
            "csrf_token": form_token(page),
            "next": "/cases?page=2",
        },
        follow_redirects=False,
    )
    assert done.headers["location"] == "/cases?page=2"


def test_next_never_leaves_the_site(web: TestClient, web_user: str) -> None:
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:x"):
        token = form_token(web.get("/sign-in"))
        done = web.post(
            "/sign-in",
            data={"email": web_user, "password": PASSWORD, "csrf_token": token, "next": target},
            follow_redirects=False,
        )
        assert done.headers["location"] == "/", target
        web.cookies.clear()


def test_session_cookies_are_http_only_and_same_site_lax(web: TestClient, web_user: str) -> None:
    cookie = sign_in(web, web_user).headers["set-cookie"]
    assert cookie.startswith("ehcp_session=")
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" not in cookie


def test_cookies_are_secure_behind_https(web_svc: Services) -> None:
    svc = dataclasses.replace(web_svc, settings=web_settings(base_url="https://ehcp.example"))
    for client in client_for(svc):
        assert "Secure" in client.get("/sign-in").headers["set-cookie"]


def test_the_cases_page_lists_the_cases_the_user_may_see(signed_in: TestClient) -> None:
    page = signed_in.get("/cases")
    assert page.status_code == 200
    assert "Signed in as" in page.text and '<h1 class="govuk-heading-l">Cases</h1>' in page.text
    assert page.headers["cache-control"] == "no-store"


def test_a_user_without_case_access_is_told_so(web: TestClient, user_factory) -> None:
    sign_in(web, user_factory("admin"))
    assert "does not give access to children" in web.get("/cases").text


def test_wrong_details_and_unknown_emails_get_the_same_answer(
    web: TestClient, web_user: str
) -> None:
    wrong = sign_in(web, web_user, "not the password")
    unknown = sign_in(web, "nobody-at-all@example.gov.uk", "not the password")
    assert wrong.status_code == unknown.status_code == 401
    strip = lambda html: re.sub(r'value="[^"]*"', "", html)  # noqa: E731
    assert strip(wrong.text) == strip(unknown.text)
    assert "<title>Error: Sign in" in wrong.text


def test_empty_fields_are_named_in_the_error_summary(web: TestClient) -> None:
    token = form_token(web.get("/sign-in"))
    page = web.post("/sign-in", data={"csrf_token": token, "email": "", "password": ""})
    assert page.status_code == 400
    assert 'href="#email"' in page.text and 'href="#password"' in page.text


def test_a_form_without_its_csrf_token_is_refused(web: TestClient, web_user: str) -> None:
    web.get("/sign-in")
    for token in (None, "forged"):
        data = {"email": web_user, "password": PASSWORD}
        if token:
            data["csrf_token"] = token
        refused = web.post("/sign-in", data=data)
        assert refused.status_code == 403
        assert (
            "You cannot do that" in refused.text and "text/html" in refused.headers["content-type"]
        )


def test_sign_out_needs_the_session_token_and_ends_the_session(signed_in: TestClient) -> None:
    assert signed_in.post("/sign-out", data={"csrf_token": "forged"}).status_code == 403
    token = form_token(signed_in.get("/cases"))
    done = signed_in.post("/sign-out", data={"csrf_token": token}, follow_redirects=False)
    assert done.headers["location"] == "/sign-in?status=signed-out"
    assert signed_in.get("/cases", follow_redirects=False).status_code == 303


def test_another_sessions_token_does_not_pass(web_svc: Services, web_user: str) -> None:
    clients = [c for _ in range(2) for c in client_for(web_svc)]
    other_token = ""
    for client in clients:
        sign_in(client, web_user)
        token = form_token(client.get("/cases"))
        if other_token:
            assert client.post("/sign-out", data={"csrf_token": other_token}).status_code == 403
        other_token = token


def test_sign_in_attempts_are_rate_limited_per_client(web_svc: Services, web_user: str) -> None:
    svc = dataclasses.replace(web_svc, settings=web_settings(login_attempts_per_minute=3))
    for client in client_for(svc):
        answers = [sign_in(client, web_user, "wrong password!!").status_code for _ in range(4)]
        assert answers == [401, 401, 401, 429]
        limited = sign_in(client, web_user)
        assert limited.status_code == 429 and int(limited.headers["retry-after"]) > 0


def test_sign_in_failures_are_in_the_access_log(
    web: TestClient, web_svc: Services, web_user: str
) -> None:
    sign_in(web, web_user, "wrong password!!")
    with web_svc.sessions() as session:
        user_id = session.scalar(select(User.id).where(User.email == web_user))
        row = session.scalars(
            select(AccessLog).where(AccessLog.user_id == user_id).order_by(AccessLog.id.desc())
        ).first()
    assert row is not None and row.action == "sign-in failed" and row.client == "testclient"


def test_web_errors_are_pages_and_api_errors_stay_json(web: TestClient) -> None:
    page = web.get("/no-such-page")
    assert page.status_code == 404 and "Page not found" in page.text
    assert "Traceback" not in page.text
    api = web.get("/api/v1/cases")
    assert api.status_code == 401 and api.json()["detail"].startswith("sign in")
    assert web.get("/api/v1/no-such-thing").headers["content-type"] == "application/json"


def test_an_unexpected_error_on_a_page_is_a_friendly_500(web: TestClient, monkeypatch) -> None:
    from api.web import home

    def boom(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(home, "signed_in_user", boom)
    page = web.get("/")
    assert page.status_code == 500
    assert "problem with the service" in page.text and "secret internals" not in page.text


def _reset_token(svc: Services, email: str) -> str:
    with svc.sessions() as session:
        body = session.scalars(
            select(OutboxMessage.body)
            .where(OutboxMessage.audience == email)
            .order_by(OutboxMessage.id.desc())
        ).first()
    assert body is not None
    return re.search(r"/password-reset/(\S+)", body).group(1)  # type: ignore[union-attr]


def test_password_reset_by_emailed_link(web: TestClient, web_svc: Services, web_user: str) -> None:
    token = form_token(web.get("/password-reset"))
    sent = web.post("/password-reset", data={"email": web_user, "csrf_token": token})
    unknown = web.post(
        "/password-reset", data={"email": "no-one@example.gov.uk", "csrf_token": token}
    )
    assert "Check your email" in sent.text and "Check your email" in unknown.text
    link = "/password-reset/" + _reset_token(web_svc, web_user)
    form = web.get(link)
    assert "Choose a new password" in form.text
    mismatch = web.post(
        link,
        data={"password": "a new passphrase", "confirm": "other", "csrf_token": form_token(form)},
    )
    assert "Enter the same password twice" in mismatch.text
    weak = web.post(
        link, data={"password": "short", "confirm": "short", "csrf_token": form_token(form)}
    )
    assert "12 characters or more" in weak.text
    done = web.post(
        link,
        data={
            "password": "a new passphrase",
            "confirm": "a new passphrase",
            "csrf_token": form_token(form),
        },
        follow_redirects=False,
    )
    assert done.headers["location"] == "/sign-in?status=password-changed"
    assert "has been changed" in web.get(done.headers["location"]).text
    assert sign_in(web, web_user, "a new passphrase").status_code == 303
    assert web.get(link).status_code == 404  # used


def test_a_reset_signs_the_user_out_everywhere(
    signed_in: TestClient, web_svc: Services, web_user: str
) -> None:
    from ehcp_engine.services.password_reset import complete_reset, request_reset

    request_reset(web_svc, web_user)
    complete_reset(web_svc, _reset_token(web_svc, web_user), "a new passphrase")
    assert signed_in.get("/cases", follow_redirects=False).status_code == 303
