"""The people and places the service knows, as an administrator manages them: users (with their
team, organisation and the channels messages reach them on), teams, contributing organisations,
and the messages that could not be delivered.

Administrators manage accounts but do not read children's records (UK GDPR data minimisation):
nothing here returns a child's name, and a failed message is shown by its case reference,
recipient and error, never its subject or body (which name the child).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ehcp_engine.domain.errors import EventInvalid, NotFound
from ehcp_engine.persistence.models import Case, Organisation, OutboxMessage, Team, User
from ehcp_engine.services.context import Actor, Services

CHANNELS = ("email", "sms", "inapp")
ORGANISATION_KINDS = {
    "educational_psychology": "Educational psychology service",
    "health": "Health",
    "social_care": "Social care",
    "school": "School or college",
    "other": "Other",
}
NAME_MAX = 200


def _user_view(u: User, teams: dict[int, str], orgs: dict[int, str]) -> dict[str, Any]:
    return {
        "id": u.id,
        "email": u.email,
        "name": u.name,
        "role": u.role,
        "active": u.active,
        "team_id": u.team_id,
        "team": teams.get(u.team_id) if u.team_id is not None else None,
        "organisation_id": u.organisation_id,
        "organisation": orgs.get(u.organisation_id) if u.organisation_id is not None else None,
        "channels": list(u.channels or ["email", "inapp"]),
        "phone": u.phone,
        "has_password": u.password_hash is not None,
    }


def _names(session: Session) -> tuple[dict[int, str], dict[int, str]]:
    teams = {i: n for i, n in session.execute(select(Team.id, Team.name))}
    orgs = {i: n for i, n in session.execute(select(Organisation.id, Organisation.name))}
    return teams, orgs


def list_users(svc: Services) -> list[dict[str, Any]]:
    """Every account, active ones first, by email."""
    with svc.sessions() as session:
        teams, orgs = _names(session)
        rows = session.scalars(select(User).order_by(User.active.desc(), User.email)).all()
        return [_user_view(u, teams, orgs) for u in rows]


def get_user(svc: Services, user_id: int) -> dict[str, Any]:
    with svc.sessions() as session:
        user = session.get(User, user_id)
        if user is None:
            raise NotFound(f"no user {user_id}")
        teams, orgs = _names(session)
        return _user_view(user, teams, orgs)


def set_active(svc: Services, actor: Actor, user_id: int, active: bool) -> dict[str, Any]:
    """Deactivate (or reactivate) an account. A deactivated user's sessions and tokens stop
    working at once (both check `active`); their history stays. Nobody deactivates themselves,
    so an authority cannot lock out its last administrator by accident."""
    if user_id == actor.user_id and not active:
        raise EventInvalid("user", "You cannot deactivate your own account")
    with svc.sessions.begin() as session:
        user = session.get(User, user_id)
        if user is None:
            raise NotFound(f"no user {user_id}")
        user.active = active
    return get_user(svc, user_id)


def set_user_channels(
    svc: Services, user_id: int, channels: list[str], phone: str | None
) -> dict[str, Any]:
    """The channels the notifications reach this user on (notifications/recipients.py reads
    them); the in-app inbox is always kept, so no message is ever invisible."""
    phone = (phone or "").strip() or None
    unknown = [c for c in channels if c not in CHANNELS]
    if unknown:
        raise EventInvalid("channels", "Choose from email, text message and in the service")
    if phone is not None and not _is_phone(phone):
        raise EventInvalid("phone", "Enter a UK mobile number, like 07700 900 982")
    if "sms" in channels and phone is None:
        raise EventInvalid("phone", "Enter a mobile number to send text messages to")
    with svc.sessions.begin() as session:
        user = session.get(User, user_id)
        if user is None:
            raise NotFound(f"no user {user_id}")
        user.channels = list(dict.fromkeys([*[c for c in CHANNELS if c in channels], "inapp"]))
        user.phone = phone
    return get_user(svc, user_id)


def _is_phone(text: str) -> bool:
    digits = text.replace(" ", "").replace("-", "")
    if digits.startswith("+44"):
        digits = "0" + digits[3:]
    return digits.isdigit() and len(digits) == 11 and digits.startswith("07")


def _name(field: str, name: str, what: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise EventInvalid(field, f"Enter the {what}'s name")
    if len(name) > NAME_MAX:
        raise EventInvalid(field, f"The {what}'s name must be {NAME_MAX} characters or fewer")
    return name


def list_teams(svc: Services) -> list[dict[str, Any]]:
    with svc.sessions() as session:
        counted = select(User.team_id, func.count()).where(User.active).group_by(User.team_id)
        members = {team_id: n for team_id, n in session.execute(counted)}
        teams = session.scalars(select(Team).order_by(Team.name)).all()
        return [{"id": t.id, "name": t.name, "members": members.get(t.id, 0)} for t in teams]


def create_team(svc: Services, name: str) -> int:
    name = _name("name", name, "team")
    with svc.sessions.begin() as session:
        if session.scalar(select(Team.id).where(func.lower(Team.name) == name.lower())):
            raise EventInvalid("name", f"There is already a team called {name}")
        team = Team(name=name)
        session.add(team)
        session.flush()
        return team.id


def list_organisations(svc: Services) -> list[dict[str, Any]]:
    with svc.sessions() as session:
        counted = (
            select(User.organisation_id, func.count())
            .where(User.active)
            .group_by(User.organisation_id)
        )
        members = {org_id: n for org_id, n in session.execute(counted)}
        orgs = session.scalars(select(Organisation).order_by(Organisation.name)).all()
        return [
            {
                "id": o.id,
                "name": o.name,
                "kind": o.kind,
                "kind_label": ORGANISATION_KINDS.get(o.kind, o.kind),
                "email": o.email,
                "manager_email": o.manager_email,
                "members": members.get(o.id, 0),
            }
            for o in orgs
        ]


def _email(field: str, value: str | None) -> str | None:
    value = (value or "").strip().lower() or None
    if value is not None and ("@" not in value or len(value) > 320 or " " in value):
        raise EventInvalid(field, "Enter an email address in the correct format")
    return value


def create_organisation(
    svc: Services, name: str, kind: str, email: str | None, manager_email: str | None
) -> int:
    """A contributing service: advice requests name it, its contributor users answer them (or
    its shared inbox when it has none), and overdue advice escalates to its manager."""
    name = _name("name", name, "organisation")
    if kind not in ORGANISATION_KINDS:
        raise EventInvalid("kind", "Choose the kind of organisation")
    shared, manager = _email("email", email), _email("manager_email", manager_email)
    with svc.sessions.begin() as session:
        taken = select(Organisation.id).where(func.lower(Organisation.name) == name.lower())
        if session.scalar(taken):
            raise EventInvalid("name", f"There is already an organisation called {name}")
        org = Organisation(name=name, kind=kind, email=shared, manager_email=manager)
        session.add(org)
        session.flush()
        return org.id


def failed_messages(svc: Services, limit: int = 200) -> list[dict[str, Any]]:
    """Messages that could not be delivered, newest first: who and what kind, the case by its
    reference, the attempts and the error. No subject or body: they name the child."""
    with svc.sessions() as session:
        rows = session.execute(
            select(OutboxMessage, Case.reference)
            .outerjoin(Case, Case.id == OutboxMessage.case_id)
            .where(OutboxMessage.status == "failed")
            .order_by(OutboxMessage.id.desc())
            .limit(limit)
        ).all()
    return [
        {
            "id": m.id,
            "created_at": m.created_at,
            "channel": m.channel,
            "kind": m.kind,
            "audience": m.audience,
            "case_reference": reference,
            "attempts": m.attempts,
            "last_error": m.last_error,
        }
        for m, reference in rows
    ]
