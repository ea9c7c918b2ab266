"""Passwords, lock-out, web sessions and reset links, at the service layer, on every backend."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from ehcp_engine.domain.errors import EventInvalid
from ehcp_engine.persistence.models import AccessLog, OutboxMessage, PasswordReset, User
from ehcp_engine.services.auth import authenticate, set_password
from ehcp_engine.services.context import Services
from ehcp_engine.services.password_reset import complete_reset, request_reset, reset_is_valid
from ehcp_engine.services.web_sessions import (
    create_session,
    digest,
    end_all_sessions,
    lookup_session,
)
from tests.web.conftest import PASSWORD, make_web_user


def _log(svc: Services, user_email: str) -> list[str]:
    with svc.sessions() as session:
        user_id = session.scalar(select(User.id).where(User.email == user_email))
        return list(
            session.scalars(
                select(AccessLog.action).where(AccessLog.user_id == user_id).order_by(AccessLog.id)
            )
        )


def test_passwords_are_stored_as_argon2_hashes(web_svc: Services) -> None:
    email = make_web_user(web_svc)
    with web_svc.sessions() as session:
        stored = session.scalar(select(User.password_hash).where(User.email == email))
    assert stored is not None and stored.startswith("$argon2id$")
    assert PASSWORD not in stored


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short one", "12 characters or more"),
        ("x" * 257, "256 characters or fewer"),
    ],
)
def test_the_password_policy_refuses_weak_passwords(
    web_svc: Services, password: str, message: str
) -> None:
    email = make_web_user(web_svc)
    with pytest.raises(EventInvalid, match=message):
        set_password(web_svc, email, password)


def test_a_password_may_not_be_the_email_address(web_svc: Services) -> None:
    email = make_web_user(web_svc)
    with pytest.raises(EventInvalid, match="not be your email address"):
        set_password(web_svc, email, email.upper())


def test_the_right_password_signs_in_and_a_wrong_one_does_not(web_svc: Services) -> None:
    email = make_web_user(web_svc)
    ok = authenticate(web_svc, email.upper(), PASSWORD, "10.0.0.1")
    assert ok.actor is not None and ok.actor.label == email
    assert authenticate(web_svc, email, PASSWORD + "!").actor is None
    assert authenticate(web_svc, "nobody@example.gov.uk", PASSWORD).actor is None
    assert _log(web_svc, email) == ["password set", "signed in", "sign-in failed"]


def test_five_wrong_passwords_lock_the_account_until_the_lock_expires(web_svc: Services) -> None:
    email = make_web_user(web_svc)
    reasons = [authenticate(web_svc, email, "wrong password " + str(i)).reason for i in range(5)]
    assert reasons == ["wrong password"] * 4 + ["locked"]
    assert authenticate(web_svc, email, PASSWORD).reason == "locked"  # right, but locked
    assert _log(web_svc, email)[-3:] == [
        "sign-in failed",
        "account locked",
        "sign-in refused: locked",
    ]
    web_svc.clock.advance(1)  # type: ignore[attr-defined]
    assert authenticate(web_svc, email, PASSWORD).actor is not None


def test_a_success_resets_the_count_of_wrong_passwords(web_svc: Services) -> None:
    email = make_web_user(web_svc)
    for _ in range(4):
        authenticate(web_svc, email, "wrong password!!")
    assert authenticate(web_svc, email, PASSWORD).actor is not None
    for _ in range(4):
        assert authenticate(web_svc, email, "wrong password!!").reason == "wrong password"


def test_the_lock_out_is_configurable(web_svc: Services) -> None:
    svc = Services(
        web_svc.sessions,
        web_svc.config,
        web_svc.clock,
        web_svc.settings.model_copy(update={"login_max_failures": 2}),
    )
    email = make_web_user(svc)
    assert [authenticate(svc, email, "wrong password!!").reason for _ in range(2)] == [
        "wrong password",
        "locked",
    ]


def test_sessions_end_after_eight_idle_hours_and_slide_with_use(web_svc: Services) -> None:
    email = make_web_user(web_svc)
    actor = authenticate(web_svc, email, PASSWORD).actor
    assert actor is not None and actor.user_id is not None
    token = create_session(web_svc, actor.user_id)
    clock = web_svc.clock
    start = clock.now()
    offset = timedelta()
    clock.now = lambda: start + offset  # type: ignore[method-assign]
    for _ in range(3):  # used every 7 hours: still signed in after 21 hours
        offset += timedelta(hours=7)
        assert lookup_session(web_svc, token) is not None
    offset += timedelta(hours=8, minutes=1)
    assert lookup_session(web_svc, token) is None
    assert lookup_session(web_svc, "not-a-token") is None


def test_a_session_has_its_own_csrf_token_and_ends_everywhere(web_svc: Services) -> None:
    email = make_web_user(web_svc)
    actor = authenticate(web_svc, email, PASSWORD).actor
    assert actor is not None and actor.user_id is not None
    one, two = create_session(web_svc, actor.user_id), create_session(web_svc, actor.user_id)
    first, second = lookup_session(web_svc, one), lookup_session(web_svc, two)
    assert first and second and first.csrf_token != second.csrf_token
    end_all_sessions(web_svc, actor.user_id)
    assert lookup_session(web_svc, one) is None and lookup_session(web_svc, two) is None


def _reset_link(svc: Services, email: str) -> str:
    with svc.sessions() as session:
        body = session.scalars(
            select(OutboxMessage.body)
            .where(OutboxMessage.audience == email, OutboxMessage.template == "password_reset")
            .order_by(OutboxMessage.id.desc())
        ).first()
    assert body is not None, "no reset email was queued"
    return next(word for word in body.split() if "/password-reset/" in word)


def test_a_reset_link_is_emailed_hashed_at_rest_and_works_once(web_svc: Services) -> None:
    email = make_web_user(web_svc)
    request_reset(web_svc, email, "10.0.0.1")
    link = _reset_link(web_svc, email)
    token = link.rsplit("/", 1)[1]
    assert link.startswith("http://testserver/password-reset/")
    with web_svc.sessions() as session:
        stored = session.scalars(select(PasswordReset.token_hash)).all()
    assert digest(token) in stored and token not in stored
    assert reset_is_valid(web_svc, token)
    complete_reset(web_svc, token, "a brand new passphrase")
    assert authenticate(web_svc, email, "a brand new passphrase").actor is not None
    with pytest.raises(EventInvalid, match="expired or has already been used"):
        complete_reset(web_svc, token, "another new passphrase")


def test_a_reset_link_expires_after_an_hour(web_svc: Services) -> None:
    email = make_web_user(web_svc)
    request_reset(web_svc, email)
    token = _reset_link(web_svc, email).rsplit("/", 1)[1]
    web_svc.clock.advance(1)  # type: ignore[attr-defined]
    assert not reset_is_valid(web_svc, token)


def test_asking_for_a_reset_for_an_unknown_address_sends_nothing(web_svc: Services) -> None:
    request_reset(web_svc, "nobody-here@example.gov.uk")
    with web_svc.sessions() as session:
        sent = session.scalars(
            select(OutboxMessage).where(OutboxMessage.audience == "nobody-here@example.gov.uk")
        ).all()
    assert sent == []


def test_a_reset_clears_a_lock_out(web_svc: Services) -> None:
    email = make_web_user(web_svc)
    for _ in range(5):
        authenticate(web_svc, email, "wrong password!!")
    request_reset(web_svc, email)
    complete_reset(web_svc, _reset_link(web_svc, email).rsplit("/", 1)[1], "a brand new passphrase")
    assert authenticate(web_svc, email, "a brand new passphrase").actor is not None
