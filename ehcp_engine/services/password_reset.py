"""Password reset by a one-time emailed link.

The link's token is random and stored only as its SHA-256; it works once, for
EHCP_PASSWORD_RESET_MINUTES. Asking for a link answers the same whether or not the email has an
account, and the email goes through the outbox like every other message.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy import select, update

from ehcp_engine.domain.errors import EventInvalid
from ehcp_engine.persistence.models import PasswordReset, User
from ehcp_engine.services.auth import aware, check_password_policy, hash_password, log_access
from ehcp_engine.services.context import Services
from ehcp_engine.services.web_sessions import digest, end_all_sessions
from notifications.outbox import queue
from notifications.recipients import Recipient

RESET_PATH = "/password-reset/"


def request_reset(svc: Services, email: str, client: str | None = None) -> None:
    """Email a reset link to an active user with this address; do nothing visible otherwise."""
    address = email.strip().lower()[:320]
    now = svc.clock.now()
    minutes = svc.settings.password_reset_minutes
    token = secrets.token_urlsafe(32)
    with svc.sessions.begin() as session:
        user = session.scalar(select(User).where(User.email == address, User.active))
        if user is None:
            log_access(session, svc, "password reset: unknown", None, client, address)
            return
        reset = PasswordReset(
            token_hash=digest(token),
            user_id=user.id,
            created_at=now,
            expires_at=now + timedelta(minutes=minutes),
        )
        session.add(reset)
        session.flush()
        queue(
            session,
            key=f"password-reset:{reset.id}",
            template="password_reset",
            payload={"minutes": minutes},
            recipient=Recipient(user.email, user.id, channels=("email",)),
            now=now,
            link=svc.settings.base_url.rstrip("/") + RESET_PATH + token,
            kind="account",
        )
        log_access(session, svc, "password reset requested", user.id, client)


def reset_is_valid(svc: Services, token: str) -> bool:
    """Whether a link's token is known, unused and unexpired (to show the form or not)."""
    return _live_reset(svc, token) is not None


def _live_reset(svc: Services, token: str) -> PasswordReset | None:
    if not token or len(token) > 200:
        return None
    now = svc.clock.now()
    with svc.sessions() as session:
        reset = session.scalar(
            select(PasswordReset).where(PasswordReset.token_hash == digest(token))
        )
    if reset is None or reset.used_at is not None or aware(reset.expires_at, now) <= now:
        return None
    return reset


def complete_reset(svc: Services, token: str, password: str, client: str | None = None) -> int:
    """Set the new password through a link, once; signs the user out everywhere. Returns the user
    id. Raises EventInvalid("token") for a used or expired link, ("password") for a weak one."""
    reset = _live_reset(svc, token)
    if reset is None:
        raise EventInvalid("token", "This link has expired or has already been used")
    now = svc.clock.now()
    with svc.sessions.begin() as session:
        user = session.get(User, reset.user_id)
        if user is None or not user.active:
            raise EventInvalid("token", "This link has expired or has already been used")
        check_password_policy(password, user.email)
        claimed = session.execute(
            update(PasswordReset)
            .where(PasswordReset.id == reset.id, PasswordReset.used_at.is_(None))
            .values(used_at=now)
        )
        if not getattr(claimed, "rowcount", 0):  # the same link used twice at once
            raise EventInvalid("token", "This link has expired or has already been used")
        user.password_hash = hash_password(password)
        user.failed_logins = 0
        user.locked_until = None
        log_access(session, svc, "password reset", user.id, client)
        user_id = user.id
    end_all_sessions(svc, user_id)
    return user_id
