"""The simulator (`ehcp simulate`): a fictional authority built through the real write path.

Tiny runs check the mechanics (no refused event, determinism, a log that verifies and replays);
a moderate run checks that every stage appears and the headline measures land in generous bands
around the national figures they were calibrated to (STATUTORY.md §5).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from random import Random
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from audit.log import verify
from ehcp_engine.cli import app
from ehcp_engine.persistence.db import make_engine, make_sessionmaker
from ehcp_engine.persistence.models import AuditEvent, Case, QaSampleItem, StageRow, User
from ehcp_engine.services import auth
from ehcp_engine.services.advice import my_requests
from ehcp_engine.services.context import Actor, Services
from ehcp_engine.services.replay import replay_all
from ehcp_engine.services.simulator import demo, people
from ehcp_engine.services.simulator.controls import arrive_transfer
from ehcp_engine.services.simulator.demo import database_is_empty
from ehcp_engine.services.simulator.report import SimulationReport
from ehcp_engine.services.simulator.run import default_start, simulate
from ehcp_engine.services.simulator.staff import Officer, Team
from ehcp_engine.services.simulator.state import CHECKS
from ehcp_engine.services.simulator.world import CaseSim, Item
from ehcp_engine.services.users import actor_for_token
from tests.conftest import Backend, FakeClock
from tests.web.conftest import CHEAP_HASHER
from workflows.registry import SPECS

TINY: dict[str, Any] = {"plans": 30, "years": 2, "seed": 7, "start": date(2023, 1, 1)}
MODERATE: dict[str, Any] = {"plans": 80, "years": 2, "seed": 11, "start": date(2023, 1, 1)}
Run = tuple[Services, SimulationReport]


@pytest.fixture(scope="module")
def new_services(backend: Backend, engine_config: Any) -> Iterator[Callable[[], Services]]:
    """Services over a fresh migrated database each call, with a fake clock (today 2026-11-25)."""
    engines: list[Engine] = []

    def make() -> Services:
        engines.append(make_engine(backend.new_database()))
        return Services(make_sessionmaker(engines[-1]), engine_config, FakeClock())

    yield make
    for engine in engines:
        engine.dispose()


@pytest.fixture(scope="module")
def tiny(new_services: Callable[[], Services]) -> Run:
    svc = new_services()
    return svc, simulate(svc, progress=False, **TINY)


@pytest.fixture(scope="module")
def moderate(new_services: Callable[[], Services]) -> Run:
    svc = new_services()
    return svc, simulate(svc, progress=False, **MODERATE)


def audit_sequence(svc: Services) -> list[tuple[Any, ...]]:
    """(case reference, seq, type, occurred_on, data) of every record, in order."""
    query = (
        select(Case.reference, AuditEvent.seq, AuditEvent.type, AuditEvent.occurred_on)
        .add_columns(AuditEvent.data)
        .join(Case, Case.id == AuditEvent.case_id)
        .order_by(AuditEvent.case_id, AuditEvent.seq)
    )
    with svc.sessions() as session:
        return [tuple(row) for row in session.execute(query).all()]


def test_a_tiny_authority_is_built_without_a_refused_event(tiny: Run) -> None:
    _svc, report = tiny
    assert report.refused == 0, report.refusals
    assert report.misplanned_acts == 0
    assert report.cases >= 30 and report.events >= 500
    assert 20 <= report.measures.plans_in_force <= 45
    assert report.end == date(2025, 1, 1)


def test_its_audit_log_verifies_and_replays(tiny: Run) -> None:
    svc, report = tiny
    with svc.sessions() as session:
        assert verify(session) == []
    replayed = replay_all(svc)
    assert replayed.differences == []
    assert (replayed.cases, replayed.events) == (report.cases, report.events)


def test_children_and_staff_are_obviously_fictional(tiny: Run) -> None:
    svc, report = tiny
    with svc.sessions() as session:
        names = session.execute(select(Case.given_name, Case.family_name)).all()
        emails = session.scalars(select(User.email)).all()
    assert names and all(people.is_fictional(given, family) for given, family in names)
    assert all(email.endswith(".example") for email in emails)
    assert report.demo_officer_email in emails


def test_the_services_clock_is_given_back(tiny: Run) -> None:
    svc, _report = tiny
    assert isinstance(svc.clock, FakeClock)
    assert svc.clock.today() == date(2026, 11, 25)


def test_officers_are_in_teams_with_caseloads(tiny: Run) -> None:
    svc, report = tiny
    officers = [o for team in report.teams for o in team.officers]
    assert officers and all(" – Officer " in name for _e, name, _n in officers)
    assert sum(n for _e, _n, n in officers) >= report.measures.plans_in_force
    with svc.sessions() as session:
        assigned = session.scalars(select(Case.officer_id)).all()
    assert None not in assigned


def test_the_same_seed_builds_the_same_authority(
    tiny: Run, new_services: Callable[[], Services]
) -> None:
    again = new_services()
    report = simulate(again, progress=False, **TINY)
    assert report.refused == 0
    assert audit_sequence(again) == audit_sequence(tiny[0])


def test_another_seed_builds_another_authority(
    tiny: Run, new_services: Callable[[], Services]
) -> None:
    other = new_services()
    simulate(other, progress=False, **{**TINY, "seed": TINY["seed"] + 1})
    assert audit_sequence(other) != audit_sequence(tiny[0])


def test_by_default_a_run_ends_on_1_january_this_year() -> None:
    assert default_start(date(2026, 11, 25), 5) == date(2021, 1, 1)


def test_the_demo_is_built_only_on_an_empty_database(
    tiny: Run, new_services: Callable[[], Services]
) -> None:
    assert database_is_empty(new_services())
    assert not database_is_empty(tiny[0])


def test_a_run_may_not_end_after_today(new_services: Callable[[], Services]) -> None:
    with pytest.raises(ValueError, match="after today"):
        simulate(new_services(), plans=10, years=2, seed=1, start=date(2025, 6, 1))


@pytest.mark.slow
def test_every_stage_type_appears(moderate: Run) -> None:
    svc, report = moderate
    assert (report.refused, report.misplanned_acts) == (0, 0), report.refusals
    with svc.sessions() as session:
        stages = set(session.scalars(select(StageRow.stage).distinct()))
    assert stages == set(SPECS)
    seen = set(report.events_by_type)
    assert {
        "assessment_refused",
        "exception_recorded",
        "amended_plan_issued",
        "cease_decided",
        "plan_ceased",
        "reassessment_requested",
        "mediation_certificate_issued",
        "appeal_registered",
        "plan_transferred_in",
    } <= seen


@pytest.mark.slow
def test_measures_land_near_the_national_figures(moderate: Run) -> None:
    _svc, report = moderate
    m = report.measures

    def pct(rate: Any) -> float:
        assert rate.whole >= 20, rate
        return float(rate.percent)

    assert 75 <= pct(m.decisions_within_6_weeks) <= 92  # 84.8%
    assert 15 <= pct(m.refused_to_assess) <= 30  # 20-25%
    assert 35 <= pct(m.final_within_20_weeks_excl_exceptions) <= 60  # 46.4%
    assert 35 <= pct(m.final_within_20_weeks_incl_exceptions) <= 60  # 45.9%
    assert 35 <= pct(m.review_decisions_within_4_weeks) <= 55  # 44.4%
    assert 2 <= pct(m.appeals) <= 10  # ~6%
    assert 0.8 * MODERATE["plans"] <= m.plans_in_force <= 1.2 * MODERATE["plans"]


def test_the_command_prints_measures_and_a_token_last(backend: Backend, engine_config: Any) -> None:
    url = backend.new_database()
    args = ["simulate", "--plans", "10", "--years", "1", "--seed", "3", "--no-progress"]
    result = CliRunner().invoke(
        app, [*args, "--start", "2024-01-01"], env={"EHCP_DATABASE_URL": url, "EHCP_ENV": "test"}
    )
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert any(line.startswith("cases: ") and "refused: 0" in line for line in lines)
    assert any("decisions to assess within 6 weeks" in line for line in lines)
    engine = make_engine(url)
    svc = Services(make_sessionmaker(engine), engine_config, FakeClock())
    actor = actor_for_token(svc, lines[-1])
    engine.dispose()
    assert actor is not None and actor.role == "officer"


def test_the_demo_gives_each_role_a_sign_in_that_works(
    new_services: Callable[[], Services], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every role signs in with the printed password; the officer and manager share a team,
    and the contributor's portal holds the EP service's requests from the simulation."""
    monkeypatch.setattr(auth, "_hasher", CHEAP_HASHER)
    monkeypatch.setattr(demo, "DEMO_PLANS", 30)
    svc = new_services()
    built = demo.build_demo(svc, progress=False)

    roles = {s.role: s.email for s in built.sign_ins}
    assert set(roles) == {"officer", "manager", "contributor", "qa", "admin"}
    actors = {}
    for role, email in roles.items():
        actors[role] = auth.authenticate(svc, email, built.password, client="test").actor
        assert actors[role] is not None and actors[role].role == role, email
    assert auth.authenticate(svc, roles["qa"], "wrong password", client="test").actor is None
    with svc.sessions() as session:
        team_of = dict(session.execute(select(User.email, User.team_id)).all())
    assert team_of[roles["officer"]] is not None
    assert team_of[roles["officer"]] == team_of[roles["manager"]]
    assert my_requests(svc, actors["contributor"]), "the demo contributor's portal is empty"
    with svc.sessions() as session:
        sampled = session.scalars(select(QaSampleItem.case_id)).all()
    assert sampled, "the demo has no QA sample for the panel to read"


def test_a_transfer_notice_waits_while_a_cease_is_pending(engine_config: Any) -> None:
    """The 20,000-plan run once planned the notice after a transfer in (Reg 15) for a day when the
    plan's life had already proposed to cease the plan, and the engine refused it. The notice is
    now asked of the plan's state first: it waits while a cease is pending and is dropped once
    the plan has ended."""
    officer = Officer(1, "o@ehcp-sim.example", "Officer", "North", Actor(1, "o", "officer"))

    class Opening:
        """Just what arrive_transfer reads of a Sim: its services, today, teams, open_case."""

        today = date(2024, 3, 4)

        def __init__(self) -> None:
            self.svc = SimpleNamespace(config=engine_config)
            self.teams = [Team("North", "m@ehcp-sim.example", 1, [officer])]

        def open_case(self, case: CaseSim, opening: Any) -> bool:
            return opening.type == "plan_transferred_in"

    law = engine_config.law(engine_config.rule_book.for_date(Opening.today).id)
    case = CaseSim(index=0, rng=Random(3), law=law)
    items = arrive_transfer(Opening(), case, Item(Opening.today, "@transfer_in"))  # type: ignore[arg-type]
    notice = next(i for i in items if i.kind == "transfer_notice_sent")
    assert notice.when is not None
    gate = CHECKS[notice.when]
    verdicts = {}
    for plan in ("maintained", "ceasing", "cease_decided", "ended"):
        case.plan = plan
        verdicts[plan] = gate(case)
    assert verdicts == {
        "maintained": "go",
        "ceasing": "wait",
        "cease_decided": "wait",
        "ended": "drop",
    }
