"""The dashboard counted by the database (audit/measures/sql_report.py) equals the Python
measures, which stay the definition: on a simulated authority over periods of every shape (whole
years, a quarter, ends mid-month, past the simulation's end, ending after today), for the whole
authority, teams and officers; with the member lists when asked for, and without them by
default. Every database test runs on SQLite and PostgreSQL (tests/conftest.py)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from ehcp_engine.persistence.db import make_engine, make_sessionmaker
from ehcp_engine.persistence.models import Case, Team, User
from ehcp_engine.services import measures
from ehcp_engine.services.context import Services
from ehcp_engine.services.simulator.run import simulate
from tests.conftest import Backend, FakeClock
from tests.measures.helpers import local, measure, same_as_python
from tests.measures.test_journey_measures import Y2025, Y2026, build

PERIODS = (
    (date(2023, 1, 1), date(2023, 12, 31)),
    (date(2024, 1, 1), date(2024, 12, 31)),
    (date(2024, 4, 1), date(2024, 6, 30)),
    (date(2024, 3, 15), date(2024, 8, 10)),  # both ends mid-month
    (date(2024, 7, 1), date(2025, 6, 30)),  # past the simulation's end (1 Jan 2025)
    (date(2025, 6, 1), date(2026, 12, 31)),  # ends after today (25 Nov 2026): judged today
)


@pytest.fixture(scope="module")
def authority(backend: Backend, engine_config: Any) -> Iterator[Services]:
    """Two simulated years (2023-2024) of about 40 plans, every case through the write path."""
    engine = make_engine(backend.new_database())
    svc = Services(make_sessionmaker(engine), engine_config, FakeClock())
    simulate(svc, plans=40, years=2, seed=13, start=date(2023, 1, 1), progress=False)
    _split_the_team(svc)
    measures.refresh(svc)
    yield svc
    engine.dispose()


def _split_the_team(svc: Services) -> None:
    """A small authority has one team: move every other officer into a second one."""
    with svc.sessions.begin() as session:
        team = Team(name="Second team (tests)")
        session.add(team)
        session.flush()
        officers = session.scalars(select(User).where(User.role == "officer").order_by(User.id))
        for user in list(officers)[::2]:
            user.team_id = team.id


def _busiest(svc: Services) -> tuple[list[int], list[int]]:
    """The two teams and two officers with the most cases."""
    with svc.sessions() as session:
        rows = session.execute(
            select(Case.officer_id, User.team_id).join(User, User.id == Case.officer_id)
        ).all()
    officers = Counter(officer for officer, _ in rows)
    teams = Counter(team for _, team in rows if team is not None)
    return [t for t, _ in teams.most_common(2)], [o for o, _ in officers.most_common(2)]


@pytest.mark.parametrize("period", PERIODS, ids=lambda p: f"{p[0]}..{p[1]}")
def test_the_whole_authority(authority: Services, period: tuple[date, date]) -> None:
    same_as_python(authority, period, measures.Scope())


def test_teams_and_officers(authority: Services) -> None:
    teams, officers = _busiest(authority)
    assert len(teams) == 2 and len(officers) == 2
    scopes = [measures.Scope(team_id=t) for t in teams]
    scopes += [measures.Scope(officer_id=o) for o in officers]
    scopes.append(measures.Scope(team_id=teams[0], officer_id=officers[0]))
    for scope in scopes:
        for period in (PERIODS[1], PERIODS[3]):
            same_as_python(authority, period, scope)


def test_the_simulated_year_has_something_to_count(authority: Services) -> None:
    """So the equalities above compare real figures, not zeros."""
    report = measures.dashboard(authority, *PERIODS[1])
    for measure_id in ("final_plan_20w_incl", "assessment_decision_6w", "annual_review_12m"):
        assert measure(report, measure_id)["denominator"] > 0, measure_id
    assert measure(report, "advice_6w")["by"]
    assert local(report, "plans_reviewed_in_12_months")["denominator"] > 0
    assert local(report, "review_participation")["parent"]["denominator"] > 0
    assert local(report, "outcomes_met_by_heading")
    assert report["weeks_to_issue"]["plans"] > 0


def test_equal_to_a_fresh_fold_of_the_log(authority: Services) -> None:
    """And the reference itself equals the log folded afresh (no projection at all)."""
    fresh = measures.from_log(authority, *PERIODS[1])
    fresh.pop("computed_from")
    counted = measures.dashboard(authority, *PERIODS[1], ids=True)
    counted.pop("computed_from")
    assert counted == fresh


def test_hand_built_cases_with_known_counts(fresh_svc: Services) -> None:
    """The hand-built story (tests/measures/test_journey_measures.py): exceptions, a correction,
    a tribunal order, mediation, a withdrawal, teams and officers."""
    story = build(fresh_svc)
    scopes = (
        measures.Scope(),
        measures.Scope(team_id=story["north"]),
        measures.Scope(officer_id=story["b1"]),
    )
    for scope in scopes:
        for period in (Y2025, Y2026):
            same_as_python(fresh_svc, period, scope)
    counted = measures.dashboard(fresh_svc, *Y2025)
    incl = measure(counted, "final_plan_20w_incl")
    assert (incl["numerator"], incl["denominator"], incl["excluded"]) == (1, 4, 0)
    excl = measure(counted, "final_plan_20w_excl")
    assert (excl["numerator"], excl["denominator"], excl["excluded"]) == (1, 3, 1)
