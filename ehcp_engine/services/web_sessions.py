"""Signed-in browsers: a random token in a cookie, stored only as its SHA-256, ending after
EHCP_SESSION_IDLE_MINUTES without a request (sliding). Each session has its own CSRF token, which
every form it posts must carry."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, select

from ehcp_engine.persistence.models import User, WebSession
from ehcp_engine.services.auth import actor_of, aware
from ehcp_engine.services.context import Actor, Services

# A request moves the expiry on only when the last move is older than this (one write a minute).
_TOUCH_EVERY = timedelta(seconds=60)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class SignedIn:
    """A live web session: who, and the CSRF token its forms carry."""

    actor: Actor
    csrf_token: str
    name: str


def create_session(svc: Services, user_id: int) -> str:
    """Start a session for a user; returns the token for the cookie (shown nowhere else)."""
    token = secrets.token_urlsafe(32)
    now = svc.clock.now()
    idle = timedelta(minutes=svc.settings.session_idle_minutes)
    with svc.sessions.begin() as session:
        session.add(
            WebSession(
                id=digest(token),
                user_id=user_id,
                csrf_token=secrets.token_urlsafe(32),
                created_at=now,
                expires_at=now + idle,
                last_seen_at=now,
            )
        )
    return token


def lookup_session(svc: Services, token: str | None) -> SignedIn | None:
    """The session a cookie names, if it is live and its user active; slides its expiry."""
    if not token or len(token) > 200:
        return None
    now = svc.clock.now()
    with svc.sessions.begin() as session:
        found = session.execute(
            select(WebSession, User)
            .join(User, User.id == WebSession.user_id)
            .where(WebSession.id == digest(token))
        ).first()
        if found is None:
            return None
        row, user = found
        if aware(row.expires_at, now) <= now or not user.active:
            session.delete(row)
            return None
        if now - aware(row.last_seen_at, now) >= _TOUCH_EVERY:
            row.last_seen_at = now
            row.expires_at = now + timedelta(minutes=svc.settings.session_idle_minutes)
        return SignedIn(actor_of(user), row.csrf_token, user.name or user.email)


def end_session(svc: Services, token: str | None) -> int | None:
    """Sign a browser out; returns the user id it belonged to."""
    if not token:
        return None
    with svc.sessions.begin() as session:
        row = session.get(WebSession, digest(token))
        if row is None:
            return None
        session.delete(row)
        return row.user_id


def end_all_sessions(svc: Services, user_id: int) -> None:
    """Sign a user out everywhere (after a password reset)."""
    with svc.sessions.begin() as session:
        session.execute(delete(WebSession).where(WebSession.user_id == user_id))


def purge_expired(svc: Services) -> int:
    """Delete sessions past their expiry (housekeeping); returns how many."""
    with svc.sessions.begin() as session:
        result = session.execute(delete(WebSession).where(WebSession.expires_at <= svc.clock.now()))
        return int(getattr(result, "rowcount", 0) or 0)


def anonymous_csrf(svc: Services, nonce: str) -> str:
    """The CSRF token of a signed-out browser's forms: an HMAC of its random cookie."""
    key = svc.settings.secret_key.encode("utf-8")
    return hmac.new(key, b"csrf:" + nonce.encode("utf-8"), hashlib.sha256).hexdigest()


def csrf_matches(expected: str, given: str | None) -> bool:
    return bool(given) and hmac.compare_digest(expected.encode(), (given or "").encode())
