"""The demo authority `ehcp serve` builds on an empty development database.

Besides the simulated caseload, the demo has one web sign-in per role (officer, manager,
contributor, QA panel member, administrator), all with one password made up at build time and
printed once on the console: a newcomer signs in as each role in turn. The contributor works for
the simulated Educational Psychology Service, so their portal holds real-looking requests.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import select

from ehcp_engine.persistence.models import Case, Organisation
from ehcp_engine.services.auth import set_password
from ehcp_engine.services.context import Services
from ehcp_engine.services.qa import scheduled_round
from ehcp_engine.services.simulator.people import ADVISERS, MAIL_DOMAIN
from ehcp_engine.services.simulator.report import SimulationReport
from ehcp_engine.services.simulator.run import add_years, simulate
from ehcp_engine.services.simulator.staff import ensure_named, ensure_user
from ehcp_engine.services.users import issue_token

# Sized to build in under a minute on a 2-core machine (~170 cases, ~3,000 events).
DEMO_PLANS = 120
DEMO_YEARS = 2
DEMO_SEED = 1


@dataclass(frozen=True)
class DemoSignIn:
    role: str
    email: str
    does: str


@dataclass(frozen=True)
class Demo:
    report: SimulationReport
    token: str  # an API token for the demo officer
    sign_ins: tuple[DemoSignIn, ...]
    password: str


def database_is_empty(svc: Services) -> bool:
    with svc.sessions() as session:
        return session.scalar(select(Case.id).limit(1)) is None


def build_demo(svc: Services, *, progress: bool = True) -> Demo:
    """Simulate the demo authority up to today (so its deadlines are current, not a year stale),
    give each role a sign-in, and return them with a fresh API token for the demo officer."""
    today = svc.clock.today()
    start = add_years(today, -DEMO_YEARS)
    report = simulate(
        svc, plans=DEMO_PLANS, years=DEMO_YEARS, seed=DEMO_SEED, start=start, progress=progress
    )
    scheduled_round(svc, today)  # last month's QA sample, so the panel has plans to read
    sign_ins = _sign_ins(svc, report)
    password = "demo-" + secrets.token_urlsafe(12)
    for sign_in in sign_ins:
        set_password(svc, sign_in.email, password)
    return Demo(report, issue_token(svc, report.demo_officer_id), sign_ins, password)


def _sign_ins(svc: Services, report: SimulationReport) -> tuple[DemoSignIn, ...]:
    team = report.teams[0]
    ep_service = ensure_named(svc, Organisation, ADVISERS["psychological"], kind="ep_service")
    contributor = f"ep.adviser@{MAIL_DOMAIN}"
    ensure_user(svc, contributor, "contributor", "Demo EP", organisation_id=ep_service)
    qa_panel, admin = f"qa.panel@{MAIL_DOMAIN}", f"admin@{MAIL_DOMAIN}"
    ensure_user(svc, qa_panel, "qa", "Demo QA")
    ensure_user(svc, admin, "admin", "Demo Admin")
    return (
        DemoSignIn("officer", report.demo_officer_email, f"works the cases of {team.name}"),
        DemoSignIn("manager", team.manager_email, f"manages {team.name}"),
        DemoSignIn("contributor", contributor, "answers the EP service's advice requests"),
        DemoSignIn("qa", qa_panel, "scores plans"),
        DemoSignIn("admin", admin, "manages users"),
    )
