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

from ehcp_engine.persistence.models import Team as TeamRow
from ehcp_engine.persistence.models import User
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
        team_id = _team(svc, name)
        _user(svc, manager, "manager", f"{name} – Manager", team_id)
        teams.append(Team(name=name, manager_email=manager, team_id=team_id))
    for n in range(n_officers):
        team = teams[n % n_teams]
        number = n // n_teams + 1
        email = f"{team.name.split()[1].lower()}.officer{number:02d}@{MAIL_DOMAIN}"
        label = f"{team.name} – Officer {number}"
        user_id = _user(svc, email, "officer", label, team.team_id)
        actor = Actor(user_id=user_id, label=email, role="officer", team_id=team.team_id)
        team.officers.append(Officer(user_id, email, label, team.name, actor))
    return teams


def _team(svc: Services, name: str) -> int:
    with svc.sessions.begin() as session:
        found = session.scalar(select(TeamRow.id).where(TeamRow.name == name))
        if found is None:
            row = TeamRow(name=name)
            session.add(row)
            session.flush()
            found = row.id
        return found


def _user(svc: Services, email: str, role: str, name: str, team_id: int | None = None) -> int:
    with svc.sessions() as session:
        found = session.scalar(select(User.id).where(User.email == email))
    user_id = found if found is not None else create_user(svc, email, role, name)
    with svc.sessions.begin() as session:
        user = session.get(User, user_id)
        assert user is not None
        user.team_id = team_id
    return user_id


def assign(teams: list[Team], rng: Random) -> Officer:
    """The least-loaded officer of a team drawn at random (first by list order on a tie)."""
    team = teams[rng.randrange(len(teams))]
    officer = min(team.officers, key=lambda o: o.load)
    officer.load += 1
    return officer
