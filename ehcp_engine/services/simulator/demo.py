"""The demo authority `ehcp serve` builds on an empty development database."""

from __future__ import annotations

from sqlalchemy import select

from ehcp_engine.persistence.models import Case
from ehcp_engine.services.context import Services
from ehcp_engine.services.simulator.report import SimulationReport
from ehcp_engine.services.simulator.run import add_years, simulate
from ehcp_engine.services.users import issue_token

# Sized to build in under a minute on a 2-core machine (~170 cases, ~3,000 events).
DEMO_PLANS = 120
DEMO_YEARS = 2
DEMO_SEED = 1


def database_is_empty(svc: Services) -> bool:
    with svc.sessions() as session:
        return session.scalar(select(Case.id).limit(1)) is None


def build_demo(svc: Services, *, progress: bool = True) -> tuple[SimulationReport, str]:
    """Simulate the demo authority up to today (so its deadlines are current, not a year stale);
    return its report and a fresh token for its demo officer."""
    today = svc.clock.today()
    start = add_years(today, -DEMO_YEARS)
    report = simulate(
        svc, plans=DEMO_PLANS, years=DEMO_YEARS, seed=DEMO_SEED, start=start, progress=progress
    )
    return report, issue_token(svc, report.demo_officer_id)
