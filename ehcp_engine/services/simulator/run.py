"""`simulate`: build a realistic, fictional authority by driving the real write path.

Every case is opened with `create_case` and every later act recorded with `record_event`, as its
officer, in global date order while a simulation clock moves forward (no event is ever in the
future). Randomness comes only from `random.Random(seed)`, so the same seed and start give the
same audit log.
"""

from __future__ import annotations

import time
from datetime import date
from random import Random

from sqlalchemy import func, select

from ehcp_engine.persistence.models import Case, StageRow
from ehcp_engine.services.context import Services
from ehcp_engine.services.simulator.clock import SimClock
from ehcp_engine.services.simulator.controls import CONTROLS
from ehcp_engine.services.simulator.measures import headline_measures
from ehcp_engine.services.simulator.population import arrivals
from ehcp_engine.services.simulator.report import SimulationReport, TeamReport, progress_bar
from ehcp_engine.services.simulator.staff import Team, create_staff
from ehcp_engine.services.simulator.state import CHECKS, mirror
from ehcp_engine.services.simulator.world import CaseSim, Item, Sim

OPEN_STAGES = ("request", "assessment", "draft", "plan")


def default_start(today: date, years: int) -> date:
    """1 January `years` years before the current year: the run ends on 1 January this year."""
    return date(today.year - years, 1, 1)


def simulate(
    svc: Services,
    *,
    plans: int,
    years: int,
    seed: int,
    start: date | None = None,
    progress: bool = True,
) -> SimulationReport:
    """Simulate `years` of an authority ending with about `plans` plans in force."""
    if plans < 1 or years < 1:
        raise ValueError("plans and years must be at least 1")
    today = svc.clock.today()
    start = start or default_start(today, years)
    end = add_years(start, years)
    if end > today:
        raise ValueError(f"the run would end on {end}, after today ({today}): start earlier")
    began, began_cpu = time.perf_counter(), time.process_time()
    rng = Random(seed)
    real_clock = svc.clock
    todo = arrivals(rng, svc.config.calendar, plans, years, start, end)
    clock = SimClock(current=todo[0].day)
    svc.clock = clock
    try:
        teams = create_staff(svc, plans)
        sim = Sim(svc, clock, CONTROLS, CHECKS, mirror)
        sim.teams = teams
        for n, arrival in enumerate(todo):
            law = svc.config.law(svc.config.rule_book.for_date(arrival.day).id)
            case = CaseSim(index=n, rng=Random(rng.getrandbits(64)), law=law)
            data = {"issue": arrival.issue.isoformat()} if arrival.issue else {}
            sim.start(case, "journey", [Item(arrival.day, arrival.kind, data)])
        with progress_bar(progress, todo[0].day, end) as update:
            sim.run(end, lambda day: update(day, sim.tally.events))
    finally:
        svc.clock = real_clock
    elapsed = (time.perf_counter() - began, time.process_time() - began_cpu)
    return _report(svc, sim, teams, plans, years, seed, start, end, elapsed)


def add_years(day: date, years: int) -> date:
    """The same day `years` later (or earlier); 29 February becomes 1 March."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return date(day.year + years, 3, 1)


def _report(
    svc: Services,
    sim: Sim,
    teams: list[Team],
    plans: int,
    years: int,
    seed: int,
    start: date,
    end: date,
    elapsed: tuple[float, float],
) -> SimulationReport:
    loads = open_caseloads(svc)
    team_reports = [TeamReport(t.name, t.manager_email, _officers(t, loads)) for t in teams]
    demo = teams[0].officers[0]
    return SimulationReport(
        plans=plans,
        years=years,
        seed=seed,
        start=start,
        end=end,
        cases=sim.tally.cases,
        events=sim.tally.events,
        refused=sim.tally.refused,
        refusals=list(sim.tally.refusals),
        elapsed_seconds=elapsed[0],
        cpu_seconds=elapsed[1],
        measures=headline_measures(svc, start, end),
        teams=team_reports,
        demo_officer_id=demo.user_id,
        demo_officer_email=demo.email,
        events_by_type=dict(sorted(sim.tally.by_type.items())),
        dropped_acts=sim.tally.dropped,
        misplanned_acts=sim.tally.misplanned,
    )


def _officers(team: Team, loads: dict[int, int]) -> list[tuple[str, str, int]]:
    return [(o.email, o.name, loads.get(o.user_id, 0)) for o in team.officers]


def open_caseloads(svc: Services) -> dict[int, int]:
    """Officer id -> cases with a request, assessment, draft or plan live."""
    live = (
        select(StageRow.case_id)
        .where(StageRow.stage.in_(OPEN_STAGES), StageRow.closed_on.is_(None))
        .distinct()
        .subquery()
    )
    query = (
        select(Case.officer_id, func.count())
        .where(Case.id.in_(select(live.c.case_id)), Case.officer_id.is_not(None))
        .group_by(Case.officer_id)
    )
    with svc.sessions() as session:
        return {int(o): int(n) for o, n in session.execute(query).all() if o is not None}
