"""The work the fault tests run, and kill: events recorded through the write path while the
sweep, the managers' digest and the dispatcher run, day by simulated day.

Everything a worker does is resumable from the database alone, as a restarted server's would be:
an event is recorded when the case's audit log does not have it yet (the write path commits an
event and its outbox rows at once, so a killed write leaves neither), and the jobs claim their work
in the database. The only thing kept outside it is the day the worker has got to (a file replaced
atomically once a day is done); a day redone after a kill is harmless because every job is.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from ehcp_engine.persistence.db import make_engine, make_sessionmaker
from ehcp_engine.persistence.models import AuditEvent, DeadlineRow, OutboxMessage, ReminderStep
from ehcp_engine.services.context import Services
from ehcp_engine.services.scheduler import run_job
from tests.notifications.conftest import (
    EP,
    FAMILY,
    PAEDS,
    build_world,
    configure,
    open_case,
    record,
    settings_for,
)

START = date(2026, 1, 5)  # Mon
END = date(2026, 4, 20)  # Mon: the last simulated day
REQUESTS = [START + timedelta(days=n) for n in (0, 1, 2, 3, 4, 7)]  # Mon 5 Jan ... Mon 12 Jan

Plan = list[tuple[date, str, dict[str, Any]]]


def plan_for(i: int, received: date) -> Plan:
    """Case i: the decision to assess on time (odd i) or 2 days late (even i); advice asked of
    both services the next day; Community Paediatrics answers in 5 weeks, the EP service never
    (weekly overdue reminders, then escalation to its manager)."""
    agreed = received + timedelta(days=44 if i % 2 == 0 else 38)
    asked = agreed + timedelta(days=1)
    return [
        (agreed, "assessment_agreed", {}),
        (asked, "advice_requested", {"advice_type": "educational", "contributor": EP}),
        (asked, "advice_requested", {"advice_type": "health", "contributor": PAEDS}),
        (asked + timedelta(days=35), "advice_received", {"advice_type": "health"}),
    ]


@dataclass(frozen=True)
class Scenario:
    cases: dict[int, Plan]  # case id -> its events after the request, in date order


def set_up(svc: Services) -> Scenario:
    """The people and the cases (opened before any fault is injected). Half the families have
    an email address, so statutory notices go through the outbox too."""
    world = build_world(svc)
    cases = {}
    for i, received in enumerate(REQUESTS):
        family = FAMILY.replace("@", f"+{i}@") if i % 2 == 0 else None
        case = open_case(svc, received, officer_id=world.officer, family_email=family)
        cases[case.id] = plan_for(i, received)
    return Scenario(cases)


def services(url: str, smtp_port: int | None, engine_config: Any) -> Services:
    svc = Services(make_sessionmaker(make_engine(url)), engine_config)
    return configure(svc, settings_for(smtp_port=smtp_port))


def record_due_events(svc: Services, scenario: Scenario, day: date) -> None:
    with svc.sessions() as session:
        done = dict(
            session.execute(
                select(AuditEvent.case_id, func.count()).group_by(AuditEvent.case_id)
            ).all()
        )
    for case_id, events in scenario.cases.items():
        for type_, on, data in [(t, on, d) for on, t, d in events][done[case_id] - 1 :]:
            if on > day:
                break
            record(svc, case_id, type_, on, **data)


def run_days(
    svc: Services,
    scenario: Scenario,
    first: date,
    last: date,
    jobs: tuple[str, ...] = ("sweep", "manager_digest", "dispatch"),
    progress: Path | None = None,
) -> None:
    day = first
    if progress is not None and progress.exists():
        day = date.fromisoformat(json.loads(progress.read_text())["day"])
    while day <= last:
        svc.clock.set(day)  # type: ignore[attr-defined]
        record_due_events(svc, scenario, day)
        for job in jobs:
            run = run_job(svc, job)
            assert run.outcome == "ok", f"{job} on {day}: {run.detail}"
        day += timedelta(days=1)
        if progress is not None:
            tmp = progress.with_suffix(".tmp")
            tmp.write_text(json.dumps({"day": day.isoformat()}))
            os.replace(tmp, progress)


def worker(
    url: str,
    smtp_port: int,
    engine_config: Any,
    scenario: Scenario,
    progress: str,
    last: date,
) -> None:
    """A process's whole life: work through the days from where the last one got to."""
    svc = services(url, smtp_port, engine_config)
    run_days(svc, scenario, START, last, progress=Path(progress))
    svc.sessions.kw["bind"].dispose()


# ---- what the database says happened ------------------------------------------------------------


def deadline_names(svc: Services) -> dict[int, str]:
    """Deadline id -> 'case id/deadline key': stable between two databases, where ids are not
    (PostgreSQL's sequences skip the values of transactions a kill rolled back)."""
    with svc.sessions() as session:
        rows = session.execute(select(DeadlineRow.id, DeadlineRow.case_id, DeadlineRow.key))
        return {i: f"{case_id}/{key}" for i, case_id, key in rows}


def stable_key(key: str, names: dict[int, str]) -> str:
    parts = key.split(":")
    if parts[0] == "reminder":
        parts[1] = names[int(parts[1])]
    elif parts[0] == "alert":
        parts[2] = names[int(parts[2])]
    return ":".join(parts)


def outbox_keys(svc: Services) -> list[str]:
    names = deadline_names(svc)
    with svc.sessions() as session:
        keys = session.scalars(select(OutboxMessage.idempotency_key)).all()
    return [stable_key(k, names) for k in keys]


def reminder_steps(svc: Services) -> list[tuple[str, str, str, str]]:
    names = deadline_names(svc)
    with svc.sessions() as session:
        rows = session.scalars(select(ReminderStep)).all()
    return [(names[r.deadline_id], r.step, r.audience, r.outcome) for r in rows]
