"""The simulated SEN team: officers in a few area teams, each team with a manager.

Teams are not in the schema yet, so a team is encoded in each user's display name
("Team North – Officer 3") and kept in the simulation report. Cases go to the least-loaded
officer of a team drawn at random, so caseloads stay even (~100-200, rates.CASELOAD).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from random import Random

from sqlalchemy import select

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
        _user(svc, manager, "manager", f"{name} – Manager")
        teams.append(Team(name=name, manager_email=manager))
    for n in range(n_officers):
        team = teams[n % n_teams]
        number = n // n_teams + 1
        email = f"{team.name.split()[1].lower()}.officer{number:02d}@{MAIL_DOMAIN}"
        label = f"{team.name} – Officer {number}"
        user_id = _user(svc, email, "officer", label)
        actor = Actor(user_id=user_id, label=email, role="officer")
        team.officers.append(Officer(user_id, email, label, team.name, actor))
    return teams


def _user(svc: Services, email: str, role: str, name: str) -> int:
    with svc.sessions() as session:
        found = session.scalar(select(User.id).where(User.email == email))
    return found if found is not None else create_user(svc, email, role, name)


def assign(teams: list[Team], rng: Random) -> Officer:
    """The least-loaded officer of a team drawn at random (first by list order on a tie)."""
    team = teams[rng.randrange(len(teams))]
    officer = min(team.officers, key=lambda o: o.load)
    officer.load += 1
    return officer
