"""Users and API tokens. Tokens are random, shown once, and stored only as a SHA-256 digest."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select

from ehcp_engine.domain.errors import EventInvalid
from ehcp_engine.persistence.models import ApiToken, Organisation, Team, User
from ehcp_engine.services.context import Actor, Services

ROLES = ("officer", "manager", "contributor", "qa", "admin")


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_user(
    svc: Services,
    email: str,
    role: str,
    name: str = "",
    *,
    team_id: int | None = None,
    organisation_id: int | None = None,
) -> int:
    """A new, active user; the team and organisation (when given) must exist."""
    if role not in ROLES:
        raise EventInvalid("role", f"unknown role '{role}'; roles: {', '.join(ROLES)}")
    if "@" not in email or len(email) > 320:
        raise EventInvalid("email", f"'{email}' is not an email address")
    with svc.sessions.begin() as session:
        if session.scalar(select(User.id).where(User.email == email.lower())):
            raise EventInvalid("email", f"a user {email} already exists")
        if team_id is not None and session.get(Team, team_id) is None:
            raise EventInvalid("team_id", f"no team {team_id}")
        if organisation_id is not None and session.get(Organisation, organisation_id) is None:
            raise EventInvalid("organisation_id", f"no organisation {organisation_id}")
        user = User(
            email=email.lower(),
            role=role,
            name=name or email.split("@")[0],
            active=True,
            created_at=svc.clock.now(),
            team_id=team_id,
            organisation_id=organisation_id,
        )
        session.add(user)
        session.flush()
        return user.id


def issue_token(svc: Services, user_id: int, valid_for: timedelta | None = None) -> str:
    token = "ehcp_" + secrets.token_urlsafe(32)
    now = svc.clock.now()
    with svc.sessions.begin() as session:
        session.add(
            ApiToken(
                user_id=user_id,
                token_hash=token_digest(token),
                created_at=now,
                expires_at=now + valid_for if valid_for else None,
            )
        )
    return token


def actor_for_token(svc: Services, token: str) -> Actor | None:
    """The user a bearer token belongs to, if it is valid, unexpired and not revoked."""
    now: datetime = svc.clock.now()
    with svc.sessions() as session:
        found = session.execute(
            select(User, ApiToken)
            .join(ApiToken, ApiToken.user_id == User.id)
            .where(ApiToken.token_hash == token_digest(token))
        ).first()
    if found is None:
        return None
    user, tok = found
    expires = tok.expires_at
    if expires is not None and expires.tzinfo is None:
        expires = expires.replace(tzinfo=now.tzinfo)
    if not user.active or tok.revoked_at is not None or (expires is not None and expires <= now):
        return None
    return Actor(
        user_id=user.id,
        label=user.email,
        role=user.role,
        team_id=user.team_id,
        organisation_id=user.organisation_id,
    )


def revoke_tokens(svc: Services, email: str) -> int:
    """Revoke every live token of a user; returns how many."""
    now = svc.clock.now()
    with svc.sessions.begin() as session:
        user = session.scalar(select(User).where(User.email == email.lower()))
        if user is None:
            raise EventInvalid("email", f"no user {email}")
        tokens = session.scalars(
            select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        ).all()
        for token in tokens:
            token.revoked_at = now
        return len(tokens)


def user_id_for(svc: Services, email: str) -> int:
    with svc.sessions() as session:
        found = session.scalar(select(User.id).where(User.email == email.lower()))
    if found is None:
        raise EventInvalid("email", f"no user {email}")
    return int(found)
