"""Shared set-up for the contributor and manager page tests: teams, organisations, users with
passwords, and cases built through the write path (never rows written by hand)."""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from ehcp_engine.domain.case import Child
from ehcp_engine.persistence.models import AdviceRequestRow, Organisation, Team, User
from ehcp_engine.services.auth import set_password
from ehcp_engine.services.cases import NewCase, create_case
from ehcp_engine.services.context import Actor, Services
from ehcp_engine.services.users import create_user
from ehcp_engine.services.write_path import EventIn, record_event
from tests.web.conftest import PASSWORD, client_for

_n = itertools.count(1)


def unique(prefix: str) -> str:
    """Unique in the database, which on PostgreSQL the test processes share."""
    return f"{prefix} {os.getpid()}-{next(_n)}"


def new_team(svc: Services, name: str = "") -> int:
    with svc.sessions.begin() as session:
        team = Team(name=name or unique("Team"))
        session.add(team)
        session.flush()
        return team.id


def new_organisation(svc: Services, name: str = "", kind: str = "ep_service") -> str:
    name = name or unique("Educational Psychology Service")
    with svc.sessions.begin() as session:
        session.add(Organisation(name=name, kind=kind))
    return name


def person(
    svc: Services,
    role: str,
    name: str = "",
    *,
    team_id: int | None = None,
    organisation: str | None = None,
) -> tuple[int, str]:
    """A user with the password PASSWORD: (id, email)."""
    email = f"{role}.page{os.getpid()}-{next(_n)}@example.gov.uk"  # apart from tests/api make_user
    org_id = None
    if organisation is not None:
        with svc.sessions() as session:
            org_id = session.scalar(
                select(Organisation.id).where(Organisation.name == organisation)
            )
    user_id = create_user(
        svc, email, role, name or unique(role.title()), team_id=team_id, organisation_id=org_id
    )
    set_password(svc, email, PASSWORD)
    return user_id, email


def actor_of(svc: Services, user_id: int) -> Actor:
    with svc.sessions() as session:
        user = session.get(User, user_id)
        assert user is not None
        return Actor(user.id, user.email, user.role, user.team_id, user.organisation_id)


def open_case(svc: Services, officer_id: int | None, received_on: date, given: str = "Alex") -> int:
    child = Child(given_name=given, family_name="Example", date_of_birth=date(2015, 3, 15))
    request = EventIn("request_received", received_on, {"source": "parent"})
    actor = Actor(user_id=None, label="test set-up", role="system")
    return create_case(svc, NewCase(child, request, officer_id=officer_id), actor)


def record(svc: Services, case_id: int, type_: str, on: date, **data: Any) -> None:
    actor = Actor(user_id=None, label="test set-up", role="system")
    record_event(svc, case_id=case_id, event=EventIn(type_, on, data), actor=actor)


def case_with_advice_request(
    svc: Services, contributor: str, officer_id: int | None = None
) -> tuple[int, int]:
    """A case asking `contributor` for advice: (case id, advice request id)."""
    case_id = open_case(svc, officer_id, date(2026, 1, 5))
    record(svc, case_id, "assessment_agreed", date(2026, 2, 10))
    record(
        svc,
        case_id,
        "advice_requested",
        date(2026, 2, 11),
        advice_type="psychological",
        contributor=contributor,
        question="What are the child's learning needs?",
    )
    with svc.sessions() as session:
        request_id = session.scalar(
            select(AdviceRequestRow.id).where(AdviceRequestRow.case_id == case_id)
        )
    assert request_id is not None
    return case_id, request_id


@contextmanager
def browser_of(svc: Services, email: str) -> Iterator[TestClient]:
    """A second browser, signed in as `email`."""
    from tests.web.conftest import sign_in

    for client in client_for(svc):
        assert sign_in(client, email).status_code == 303
        yield client
