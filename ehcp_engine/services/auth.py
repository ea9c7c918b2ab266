"""Web sign-in: passwords (Argon2), authentication with lock-out, and the sign-in access log.

A wrong password, an unknown email and a locked account all cost one Argon2 verification and
give the same answer, so the sign-in form does not reveal who has an account. After
EHCP_LOGIN_MAX_FAILURES wrong passwords in a row an account is locked for
EHCP_LOGIN_LOCKOUT_MINUTES; every failure and lock-out is written to the access log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ehcp_engine.domain.errors import EventInvalid
from ehcp_engine.persistence.models import AccessLog, User
from ehcp_engine.services.context import Actor, Services

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 256  # hashing megabytes on request would be a denial of service

_hasher = PasswordHasher()


@cache
def _decoy_hash() -> str:
    """Verified against when there is no real hash, so every attempt costs the same."""
    return _hasher.hash("not-a-password-anyone-has")


def aware(value: datetime, like: datetime) -> datetime:
    """SQLite gives timestamps back without a zone: they were written in UTC."""
    return value.replace(tzinfo=like.tzinfo) if value.tzinfo is None else value


def log_access(
    session: Session,
    svc: Services,
    action: str,
    user_id: int | None,
    client: str | None,
    detail: str = "",
) -> None:
    session.add(
        AccessLog(
            at=svc.clock.now(),
            user_id=user_id,
            action=action[:40],
            case_id=None,
            detail=detail[:2000],
            client=(client or "")[:100],
        )
    )


def check_password_policy(password: str, email: str) -> None:
    """At least 12 characters and not the email address (NCSC: length over complexity)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise EventInvalid("password", f"Password must be {MIN_PASSWORD_LENGTH} characters or more")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise EventInvalid(
            "password", f"Password must be {MAX_PASSWORD_LENGTH} characters or fewer"
        )
    folded = password.strip().casefold()
    address = email.casefold()
    if folded in (address, address.split("@")[0]):
        raise EventInvalid("password", "Password must not be your email address")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def set_password(svc: Services, email: str, password: str, client: str | None = None) -> int:
    """Set a user's password (policy checked), clear any lock-out; returns the user id."""
    with svc.sessions.begin() as session:
        user = session.scalar(select(User).where(User.email == email.strip().lower()))
        if user is None:
            raise EventInvalid("email", f"no user {email}")
        check_password_policy(password, user.email)
        user.password_hash = hash_password(password)
        user.failed_logins = 0
        user.locked_until = None
        log_access(session, svc, "password set", user.id, client)
        return user.id


def actor_of(user: User) -> Actor:
    return Actor(
        user_id=user.id,
        label=user.email,
        role=user.role,
        team_id=user.team_id,
        organisation_id=user.organisation_id,
    )


@dataclass(frozen=True)
class SignInResult:
    """The actor when the password was right; otherwise why not (kept from the user)."""

    actor: Actor | None
    reason: str = ""


def _verify(stored: str | None, password: str) -> bool:
    try:
        return _hasher.verify(stored or _decoy_hash(), password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


def authenticate(
    svc: Services, email: str, password: str, client: str | None = None
) -> SignInResult:
    """Check an email and password, counting failures and locking the account on the limit."""
    address = email.strip().lower()[:320]
    password = password[:MAX_PASSWORD_LENGTH]
    now = svc.clock.now()
    with svc.sessions.begin() as session:
        user = session.scalar(select(User).where(User.email == address))
        right = _verify(user.password_hash if user else None, password)
        if user is None or not user.active:
            # What was typed is logged only when it is an address (not a mistyped password).
            typed = address if "@" in address else "(not an email address)"
            log_access(
                session,
                svc,
                "sign-in failed",
                user.id if user else None,
                client,
                f"unknown or inactive user {typed}",
            )
            return SignInResult(None, "unknown")
        if user.locked_until is not None and aware(user.locked_until, now) > now:
            log_access(
                session,
                svc,
                "sign-in refused: locked",
                user.id,
                client,
                f"locked until {aware(user.locked_until, now).isoformat()}",
            )
            return SignInResult(None, "locked")
        if not right:
            return _failed(session, svc, user, client)
        user.failed_logins = 0
        user.locked_until = None
        if _hasher.check_needs_rehash(user.password_hash or ""):
            user.password_hash = hash_password(password)
        log_access(session, svc, "signed in", user.id, client, "password")
        return SignInResult(actor_of(user))


def _failed(session: Session, svc: Services, user: User, client: str | None) -> SignInResult:
    """Count a wrong password (atomically) and lock the account when the limit is reached."""
    failures = session.execute(
        update(User)
        .where(User.id == user.id)
        .values(failed_logins=User.failed_logins + 1)
        .returning(User.failed_logins)
    ).scalar_one()
    log_access(session, svc, "sign-in failed", user.id, client, f"wrong password ({failures})")
    settings = svc.settings
    if failures < settings.login_max_failures:
        return SignInResult(None, "wrong password")
    until = svc.clock.now() + timedelta(minutes=settings.login_lockout_minutes)
    session.execute(
        update(User).where(User.id == user.id).values(failed_logins=0, locked_until=until)
    )
    log_access(
        session,
        svc,
        "account locked",
        user.id,
        client,
        f"{failures} wrong passwords; locked until {until.isoformat()}",
    )
    return SignInResult(None, "locked")


def user_for_email(svc: Services, email: str) -> Actor | None:
    """An active user by email (OpenID Connect sign-in matches on it)."""
    with svc.sessions() as session:
        user = session.scalar(select(User).where(User.email == email.strip().lower()))
    return actor_of(user) if user is not None and user.active else None


def record(
    svc: Services, action: str, user_id: int | None, client: str | None, detail: str = ""
) -> None:
    """Write one sign-in event to the access log in its own transaction."""
    with svc.sessions.begin() as session:
        log_access(session, svc, action, user_id, client, detail)
