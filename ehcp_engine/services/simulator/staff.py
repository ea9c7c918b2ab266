"""The simulated SEN team: officers in a few area teams, each team with a manager.

Each team is a row in `teams` and its officers and manager belong to it, so row-level access,
the managers' digests and the dashboard see the authority as a real one would be set up. Cases go
to the least-loaded officer of a team drawn at random, so caseloads stay even (~100-200,
rates.CASELOAD).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from random import Random

from sqlalchemy import select

from ehcp_engine.persistence.models import Organisation, User
from ehcp_engine.persistence.models import Team as TeamRow
from ehcp_engine.services.context import Actor, Services
from ehcp_engine.services.simulator import rates
from ehcp_engine.services.simulator.people import MAIL_DOMAIN
from ehcp_engine.services.users import create_user

TEAM_NAMES = ("North", "South", "East", "West", "Central", "Coast")


@dataclass
class Officer:
    user_id: int
    email: str
    name: str
    team: str
    actor: Actor
    load: int = 0


@dataclass
class Team:
    name: str
    manager_email: str
    team_id: int | None = None
    officers: list[Officer] = field(default_factory=list)


def team_sizes(plans: int) -> tuple[int, int]:
    """(teams, officers) for an authority expected to hold `plans` plans and their requests."""
    officers = max(2, math.ceil(plans * 1.15 / rates.CASELOAD))
    teams = max(1, min(rates.MAX_TEAMS, math.ceil(officers / rates.OFFICERS_PER_TEAM), officers))
    return teams, officers


def create_staff(svc: Services, plans: int) -> list[Team]:
    """Create (or reuse, by email) the officers and managers of the simulated authority."""
    n_teams, n_officers = team_sizes(plans)
    teams = []
    for t in range(n_teams):
        name = f"Team {TEAM_NAMES[t]}"
        slug = TEAM_NAMES[t].lower()
        manager = f"{slug}.manager@{MAIL_DOMAIN}"
        team_id = ensure_named(svc, TeamRow, name)
        ensure_user(svc, manager, "manager", f"{name} – Manager", team_id=team_id)
        teams.append(Team(name=name, manager_email=manager, team_id=team_id))
    for n in range(n_officers):
        team = teams[n % n_teams]
        number = n // n_teams + 1
        email = f"{team.name.split()[1].lower()}.officer{number:02d}@{MAIL_DOMAIN}"
        label = f"{team.name} – Officer {number}"
        user_id = ensure_user(svc, email, "officer", label, team_id=team.team_id)
        actor = Actor(user_id=user_id, label=email, role="officer", team_id=team.team_id)
        team.officers.append(Officer(user_id, email, label, team.name, actor))
    return teams


def ensure_named(
    svc: Services, model: type[TeamRow] | type[Organisation], name: str, **values: str
) -> int:
    """The id of the team or organisation with this name, made if missing (runs are repeatable)."""
    with svc.sessions.begin() as session:
        found = session.scalar(select(model.id).where(model.name == name))
        if found is None:
            row = model(name=name, **values)
            session.add(row)
            session.flush()
            found = row.id
        return int(found)


def ensure_user(svc: Services, email: str, role: str, name: str, **links: int | None) -> int:
    """The user with this email (made if missing), in the given team or organisation."""
    with svc.sessions() as session:
        found = session.scalar(select(User.id).where(User.email == email))
    if found is None:
        return create_user(svc, email, role, name, **links)
    with svc.sessions.begin() as session:
        user = session.get(User, found)
        assert user is not None
        for link, value in links.items():
            setattr(user, link, value)
    return int(found)


def assign(teams: list[Team], rng: Random) -> Officer:
    """The least-loaded officer of a team drawn at random (first by list order on a tie)."""
    team = teams[rng.randrange(len(teams))]
    officer = min(team.officers, key=lambda o: o.load)
    officer.load += 1
    return officer
