"""The scheduler: named jobs from config/jobs.toml, run by APScheduler 3, recorded in job_runs.

One APScheduler per process with an in-memory job store (its FAQ: job stores are not to be shared
between processes); the work itself is claimed in the database, so a second scheduler is
harmless. APScheduler 3 drops a run that is late by more than its misfire grace time with only a
log line; here the grace time is set, runs coalesce, every missed run is recorded, and a catch-up
run happens at start-up for any job whose last run is older than its schedule says.
"""

from __future__ import annotations

import logging
import socket
import tomllib
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.events import EVENT_JOB_MISSED, JobExecutionEvent
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import func, select

from ehcp_engine.domain.rules import RuleError
from ehcp_engine.persistence.models import JobRun
from ehcp_engine.services.context import LONDON, Services
from ehcp_engine.services.jobs import JOBS

log = logging.getLogger("ehcp.scheduler")
TRIGGER_KEYS = {
    "interval": ("seconds", "minutes", "hours"),
    "cron": ("day_of_week", "hour", "minute"),
}


@dataclass(frozen=True)
class JobSpec:
    name: str
    description: str
    trigger: str
    params: dict[str, Any]

    def make_trigger(
        self, tz: ZoneInfo, start: datetime | None = None
    ) -> IntervalTrigger | CronTrigger:
        """`start` anchors an interval (without it APScheduler starts counting from the wall
        clock's now, so no earlier run could ever be found missed)."""
        if self.trigger == "interval":
            return IntervalTrigger(timezone=tz, start_date=start, **self.params)
        return CronTrigger(timezone=tz, **self.params)

    def schedule(self) -> str:
        return f"{self.trigger} " + " ".join(f"{k}={v}" for k, v in self.params.items())


@dataclass(frozen=True)
class JobsConfig:
    jobs: tuple[JobSpec, ...]
    timezone: ZoneInfo
    misfire_grace_seconds: int


def load_jobs(path: Path) -> JobsConfig:
    """Read config/jobs.toml; a job the engine does not know, or a bad trigger, stops start-up."""
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    specs = []
    for name, body in raw.get("jobs", {}).items():
        if name not in JOBS:
            raise RuleError(f"{path}: unknown job '{name}' (known: {sorted(JOBS)})")
        trigger = body.get("trigger")
        if trigger not in TRIGGER_KEYS:
            raise RuleError(f"{path}: job '{name}': trigger must be interval or cron")
        params = {k: v for k, v in body.items() if k in TRIGGER_KEYS[trigger]}
        specs.append(JobSpec(name, str(body.get("description", "")), trigger, params))
    return JobsConfig(
        tuple(specs),
        ZoneInfo(str(raw.get("timezone", "Europe/London"))),
        int(raw.get("misfire_grace_seconds", 3600)),
    )


def run_job(
    svc: Services, name: str, *, today: date | None = None, scheduled_for: datetime | None = None
) -> JobRun:
    """Run one job now and record it; `today` overrides the business date (rehearsals, tests)."""
    now = svc.clock.now()
    day = today or svc.clock.today()
    with svc.sessions.begin() as session:
        run = JobRun(
            job=name,
            scheduled_for=scheduled_for,
            started_at=now,
            outcome="running",
            detail="",
            host=socket.gethostname()[:200],
        )
        session.add(run)
        session.flush()
        run_id = run.id
    try:
        detail, outcome = JOBS[name](svc, day, now), "ok"
    except Exception as exc:  # a failed job is recorded and shown, and the next run retries
        log.exception("job %s failed", name)
        detail, outcome = f"{type(exc).__name__}: {exc}", "failed"
    with svc.sessions.begin() as session:
        done = session.get(JobRun, run_id)
        assert done is not None
        done.finished_at, done.outcome, done.detail = svc.clock.now(), outcome, detail[:4000]
    return done


def record_missed(svc: Services, name: str, scheduled_for: datetime, why: str) -> None:
    with svc.sessions.begin() as session:
        session.add(
            JobRun(
                job=name,
                scheduled_for=scheduled_for,
                started_at=svc.clock.now(),
                finished_at=svc.clock.now(),
                outcome="missed",
                detail=why,
                host=socket.gethostname()[:200],
            )
        )


MAX_MISSED = 100_000  # a week of a 30-second job is 20,160: every one is counted


def _aware(moment: datetime) -> datetime:
    """SQLite gives stored UTC timestamps back without their zone."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def missed_since_last_run(svc: Services, spec: JobSpec, tz: ZoneInfo) -> list[datetime]:
    """Fire times between the job's last recorded run and now."""
    with svc.sessions() as session:
        last = session.scalar(select(func.max(JobRun.started_at)).where(JobRun.job == spec.name))
    if last is None:
        return []
    last = _aware(last)
    trigger, now = spec.make_trigger(tz, start=last), svc.clock.now()
    found: list[datetime] = []
    fire = trigger.get_next_fire_time(None, last + timedelta(seconds=1))
    while fire is not None and fire < now and len(found) < MAX_MISSED:
        found.append(fire)
        fire = trigger.get_next_fire_time(fire, fire + timedelta(seconds=1))
    return found


def catch_up(svc: Services, config: JobsConfig) -> list[str]:
    """At start-up: record the runs missed while down, and run each such job once now."""
    caught = []
    for spec in config.jobs:
        missed = missed_since_last_run(svc, spec, config.timezone)
        if missed:
            more = "+" if len(missed) >= MAX_MISSED else ""
            record_missed(
                svc,
                spec.name,
                missed[0],
                f"{len(missed)}{more} scheduled runs missed from {missed[0]:%Y-%m-%d %H:%M} to "
                f"{missed[-1]:%Y-%m-%d %H:%M} while the service was not running",
            )
            run_job(svc, spec.name, scheduled_for=missed[-1])
            caught.append(f"{spec.name}: {len(missed)} missed, caught up")
    return caught


def start(svc: Services, config: JobsConfig | None = None) -> BackgroundScheduler:
    """Start the jobs in a background thread (inside `ehcp serve`, or `ehcp scheduler`)."""
    config = config or load_jobs(svc.settings.config_dir / "jobs.toml")
    for line in catch_up(svc, config):
        log.info("catch-up %s", line)
    scheduler = BackgroundScheduler(
        timezone=config.timezone,
        job_defaults={
            "coalesce": True,
            "max_instances": 1,
            "misfire_grace_time": config.misfire_grace_seconds,
        },
    )
    for spec in config.jobs:
        scheduler.add_job(
            run_job,
            spec.make_trigger(config.timezone),
            args=(svc, spec.name),
            id=spec.name,
            name=spec.description,
            replace_existing=True,
        )

    def on_missed(event: JobExecutionEvent) -> None:
        record_missed(svc, event.job_id, event.scheduled_run_time, "late beyond the grace time")

    scheduler.add_listener(on_missed, EVENT_JOB_MISSED)
    scheduler.start()
    return scheduler


def job_table(svc: Services, config: JobsConfig) -> list[dict[str, Any]]:
    """Each job, its schedule, last run and outcome (for `ehcp jobs list`)."""
    rows = []
    with svc.sessions() as session:
        for spec in config.jobs:
            last = session.scalars(
                select(JobRun)
                .where(JobRun.job == spec.name, JobRun.outcome != "missed")
                .order_by(JobRun.started_at.desc())
                .limit(1)
            ).first()
            rows.append(
                {
                    "job": spec.name,
                    "schedule": spec.schedule(),
                    "description": spec.description,
                    "last_run": _aware(last.started_at).astimezone(LONDON) if last else None,
                    "outcome": last.outcome if last else "never run",
                    "detail": last.detail if last else "",
                }
            )
    return rows
