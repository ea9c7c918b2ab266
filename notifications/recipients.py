"""Who a reminder goes to: the case officer, the team's managers, the contributor's people.

Contributors are named on an advice request by organisation (e.g. "Educational Psychology
Service"); the organisation's contributor users receive reminders, or its shared inbox when it has
none, and its service manager receives escalations.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ehcp_engine.persistence.models import Organisation, User


@dataclass(frozen=True)
class Recipient:
    """A user (with their channel preferences) or a bare address."""

    address: str
    user_id: int | None = None
    channels: tuple[str, ...] = ("email", "inapp")
    phone: str | None = None

    @classmethod
    def of(cls, user: User) -> Recipient:
        return cls(user.email, user.id, tuple(user.channels or ("email", "inapp")), user.phone)


def _address(session: Session, address: str) -> Recipient:
    """A bare address; when it is a user's, that user (their inbox and channel preferences)."""
    user = session.scalar(select(User).where(User.email == address.lower(), User.active))
    return Recipient.of(user) if user is not None else Recipient(address)


def contributor_recipients(session: Session, name: str) -> list[Recipient]:
    """Targeted lookup for the write path (no full directory load)."""
    org = session.scalar(select(Organisation).where(Organisation.name == name))
    if org is None:
        return [_address(session, name)] if "@" in name else []
    people = session.scalars(
        select(User).where(User.organisation_id == org.id, User.role == "contributor", User.active)
    ).all()
    if people:
        return [Recipient.of(u) for u in people]
    return [_address(session, org.email)] if org.email else []


class Directory:
    """Looks people up once per sweep."""

    def __init__(self, session: Session) -> None:
        self.users = {u.id: u for u in session.scalars(select(User).where(User.active))}
        self.orgs = {o.name.lower(): o for o in session.scalars(select(Organisation))}
        self.by_email = {u.email.lower(): u for u in self.users.values()}

    def address(self, address: str) -> Recipient:
        """A bare address; when it is a user's, that user (so it shows in their inbox, on the
        channels they chose)."""
        user = self.by_email.get(address.lower())
        return Recipient.of(user) if user is not None else Recipient(address)

    def officer(self, officer_id: int | None) -> list[Recipient]:
        user = self.users.get(officer_id) if officer_id is not None else None
        return [Recipient.of(user)] if user is not None else []

    def managers(self, officer_id: int | None) -> list[Recipient]:
        officer = self.users.get(officer_id) if officer_id is not None else None
        team = officer.team_id if officer is not None else None
        managers = [u for u in self.users.values() if u.role == "manager"]
        same_team = [u for u in managers if team is not None and u.team_id == team]
        return [Recipient.of(u) for u in (same_team or managers)]

    def contributor(self, name: str) -> list[Recipient]:
        org = self.orgs.get(name.lower())
        if org is None:
            return [self.address(name)] if "@" in name else []
        people = [
            u
            for u in self.users.values()
            if u.organisation_id == org.id and u.role == "contributor"
        ]
        if people:
            return [Recipient.of(u) for u in people]
        return [self.address(org.email)] if org.email else []

    def contributor_manager(self, name: str) -> list[Recipient]:
        org = self.orgs.get(name.lower())
        return [self.address(org.manager_email)] if org is not None and org.manager_email else []

    def all_managers(self) -> Sequence[User]:
        return [u for u in self.users.values() if u.role == "manager"]
