"""The scheduler (ehcp_engine/services/scheduler.py): named jobs declared in config/jobs.toml,
run by APScheduler 3 inside `ehcp serve` or as `ehcp scheduler`, every run recorded in job_runs.

A scheduler that was down records the runs it missed and runs each job once at start-up
(APScheduler's own default would silently drop a run more than a second late).
"""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import time as wallclock
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select as sql_select

from api.app import create_app
from ehcp_engine.domain.rules import RuleError
from ehcp_engine.persistence.models import JobRun
from ehcp_engine.services.bootstrap import build_services
from ehcp_engine.services.jobs import JOBS
from ehcp_engine.services.scheduler import (
    JobsConfig,
    JobSpec,
    catch_up,
    load_jobs,
    run_job,
    start,
)
from ehcp_engine.settings import REPO_CONFIG, Settings
from tests.conftest import Backend
from tests.notifications.conftest import (
    OFFICER,
    build_world,
    clock_of,
    configure,
    open_case,
    outbox,
    settings_for,
    utc,
)

LONDON = ZoneInfo("Europe/London")
REPO = Path(__file__).resolve().parents[2]
CORE_JOBS = {"sweep", "dispatch", "manager_digest", "weekly_summary", "housekeeping"}


def runs(svc, job: str | None = None) -> list[JobRun]:
    with svc.sessions() as session:
        query = sql_select(JobRun).order_by(JobRun.id)
        if job is not None:
            query = query.where(JobRun.job == job)
        return list(session.scalars(query))


def repo_jobs(*names: str) -> JobsConfig:
    config = load_jobs(REPO_CONFIG / "jobs.toml")
    return JobsConfig(
        tuple(s for s in config.jobs if s.name in names),
        config.timezone,
        config.misfire_grace_seconds,
    )


# ---- jobs as data -------------------------------------------------------------------------------


def test_the_jobs_are_declared_as_data_with_a_deliberate_grace_time():
    config = load_jobs(REPO_CONFIG / "jobs.toml")
    specs = {s.name: s for s in config.jobs}
    assert set(specs) >= CORE_JOBS
    assert set(specs) <= set(JOBS)
    assert config.timezone == LONDON
    assert config.misfire_grace_seconds == 3600  # not APScheduler's default of one second
    assert specs["sweep"].schedule() == "interval minutes=15"
    assert specs["dispatch"].schedule() == "interval seconds=30"
    assert specs["manager_digest"].schedule() == "cron hour=7 minute=0"
    assert specs["weekly_summary"].schedule() == "cron day_of_week=mon-fri hour=7 minute=30"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[jobs.nope]\ntrigger = "interval"\nminutes = 1\n', "unknown job 'nope'"),
        ('[jobs.sweep]\ntrigger = "date"\n', "trigger must be interval or cron"),
    ],
)
def test_an_unknown_job_or_trigger_stops_start_up(tmp_path, text, message):
    path = tmp_path / "jobs.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RuleError, match=message):
        load_jobs(path)


# ---- runs are recorded ----------------------------------------------------------------------


def test_every_run_is_recorded_with_its_outcome(nsvc, monkeypatch):
    clock_of(nsvc).set(date(2026, 1, 5), time(7, 0))
    ok = run_job(nsvc, "sweep")
    assert (ok.job, ok.outcome) == ("sweep", "ok")
    assert ok.detail.startswith("0 deadlines near or past due")

    def broken(svc: Any, today: date, now: datetime) -> str:
        raise RuntimeError("database unreachable")

    monkeypatch.setitem(JOBS, "sweep", broken)
    failed = run_job(nsvc, "sweep")  # a failing job is recorded, not raised
    assert (failed.outcome, failed.detail) == ("failed", "RuntimeError: database unreachable")
    assert [(r.outcome, utc(r.started_at)) for r in runs(nsvc)] == [
        ("ok", datetime(2026, 1, 5, 7, 0, tzinfo=UTC)),
        ("failed", datetime(2026, 1, 5, 7, 0, tzinfo=UTC)),
    ]
    assert all(r.finished_at is not None and r.host for r in runs(nsvc))


def test_a_scheduler_that_was_down_records_the_missed_runs_and_runs_each_job_once(nsvc):
    """Last sweep and digest Mon 5 Jan 2026 at 07:00 (GMT). Down until 09:10: the sweep (every
    15 minutes) missed 07:15 ... 09:00, eight runs; the digest (07:00 daily) missed none. Down
    again from then until Tue 6 Jan 08:00: the sweep missed 09:25 ... 07:55 (91 runs), the digest
    Tuesday's 07:00. Each missed stretch is recorded, and each job runs once to catch up."""
    clock = clock_of(nsvc)
    build_world(nsvc)
    config = repo_jobs("sweep", "manager_digest")
    assert catch_up(nsvc, config) == []  # a new database has nothing to catch up
    clock.set(date(2026, 1, 5), time(7, 0))
    run_job(nsvc, "sweep")
    run_job(nsvc, "manager_digest")

    clock.set(date(2026, 1, 5), time(9, 10))
    assert catch_up(nsvc, config) == ["sweep: 8 missed, caught up"]
    missed, caught = runs(nsvc, "sweep")[1:]
    assert (missed.outcome, missed.detail) == (
        "missed",
        "8 scheduled runs missed from 2026-01-05 07:15 to 2026-01-05 09:00 while the service "
        "was not running",
    )
    assert (caught.outcome, utc(caught.scheduled_for)) == (
        "ok",
        datetime(2026, 1, 5, 9, 0, tzinfo=UTC),
    )
    assert catch_up(nsvc, config) == []  # caught up: a second start finds nothing missed

    clock.set(date(2026, 1, 6), time(8, 0))
    assert catch_up(nsvc, config) == [
        "sweep: 91 missed, caught up",
        "manager_digest: 1 missed, caught up",
    ]
    assert [(r.outcome, r.detail[:40]) for r in runs(nsvc)[-4:]] == [
        ("missed", "91 scheduled runs missed from 2026-01-05"),
        ("ok", "0 deadlines near or past due; queued 0 ("),
        ("missed", "1 scheduled runs missed from 2026-01-06 "),
        ("ok", "queued 1 daily digests"),
    ]
    assert [m.idempotency_key.split(":")[-1] for m in outbox(nsvc, template="manager_digest")] == [
        "2026-01-05",
        "2026-01-06",
    ]


# ---- APScheduler --------------------------------------------------------------------------------


def _wait_for(check: Callable[[], Any], seconds: float = 20) -> Any:
    """Poll until `check` returns something truthy (the scheduler runs in its own thread)."""
    deadline = wallclock.monotonic() + seconds
    while wallclock.monotonic() < deadline:
        found = check()
        if found:
            return found
        wallclock.sleep(0.05)
    raise AssertionError("timed out waiting for the scheduler")


def test_apscheduler_runs_the_jobs_and_records_runs_it_missed(nsvc):
    config = JobsConfig(
        (
            JobSpec("housekeeping", "every second", "interval", {"seconds": 1}),
            JobSpec("weekly_summary", "weekly", "cron", {"day_of_week": "mon", "hour": 7}),
        ),
        LONDON,
        30,
    )
    scheduler = start(nsvc, config)
    try:
        job = scheduler.get_job("housekeeping")
        assert (job.coalesce, job.max_instances, job.misfire_grace_time) == (True, 1, 30)
        ran = _wait_for(lambda: [r for r in runs(nsvc, "housekeeping") if r.outcome == "ok"])
        assert ran[0].detail.startswith("released 0 expired leases")
        # A run found 5 minutes late (the machine was suspended): beyond the 30-second grace time
        # APScheduler skips it, and the skip is recorded rather than only logged.
        late = datetime.now(LONDON) - timedelta(minutes=5)
        scheduler.modify_job("weekly_summary", next_run_time=late)
        scheduler.wakeup()
        [missed] = _wait_for(lambda: runs(nsvc, "weekly_summary"))
        assert (missed.outcome, missed.detail) == ("missed", "late beyond the grace time")
        assert abs(utc(missed.scheduled_for) - late) < timedelta(seconds=1)
    finally:
        scheduler.shutdown(wait=True)
    assert not scheduler.running


def _seed_history(settings: Settings, job: str, ago: timedelta) -> None:
    svc = build_services(settings)
    with svc.sessions.begin() as session:
        at = datetime.now(UTC) - ago
        session.add(JobRun(job=job, started_at=at, finished_at=at, outcome="ok", host="old"))
    svc.sessions.kw["bind"].dispose()


def test_ehcp_serve_runs_the_scheduler_unless_told_not_to(tmp_path):
    """Built from settings, as `ehcp serve` builds it, the app starts the scheduler, which
    catches up at once (here: a sweep last run an hour ago). With EHCP_SCHEDULER=false (API
    processes beside a separate `ehcp scheduler`) it does not."""
    for scheduler_on, folder in ((False, "off"), (True, "on")):
        settings = Settings(data_dir=tmp_path / folder, scheduler=scheduler_on, env="test")
        _seed_history(settings, "sweep", timedelta(hours=1))
        with TestClient(create_app(settings=settings)) as client:
            assert client.get("/healthz").status_code == 200
            svc = client.app.state.services  # type: ignore[attr-defined]
            found = sorted(r.outcome for r in runs(svc, "sweep"))
        assert found == (["missed", "ok", "ok"] if scheduler_on else ["ok"]), folder


# ---- the commands -------------------------------------------------------------------------------


def _ehcp_command() -> list[str]:
    script = Path(sys.executable).parent / "ehcp"
    return [str(script)] if script.exists() else [sys.executable, "-m", "ehcp_engine.cli"]


@pytest.fixture
def cli_env(backend: Backend, tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("EHCP_")}
    env["EHCP_DATA_DIR"] = str(tmp_path / "data")
    env["EHCP_ENV"] = "test"
    if backend.name == "postgresql":
        env["EHCP_DATABASE_URL"] = backend.new_database()
    return env


def _ehcp(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*_ehcp_command(), *args], env=env, cwd=REPO, capture_output=True, text=True, timeout=120
    )


def _services_for(env: dict[str, str]):
    settings = Settings(
        data_dir=Path(env["EHCP_DATA_DIR"]), database_url=env.get("EHCP_DATABASE_URL")
    )
    svc = build_services(settings)
    return configure(svc, settings_for())


def test_ehcp_jobs_run_with_a_business_date_then_list_shows_it(cli_env):
    """A deadline due Mon 16 Nov 2026 (decision whether to assess, request Mon 5 Oct) is overdue
    on Wed 25 Nov: `ehcp jobs run sweep --today 2026-11-25` sends the first overdue reminder
    (23 Nov) and supersedes the two before it. `ehcp jobs list` then shows its last run in
    London time, whatever the machine's time zone."""
    svc = _services_for(cli_env)
    world = build_world(svc)
    case = open_case(svc, date(2026, 10, 5), officer_id=world.officer)
    ran = _ehcp(cli_env, "jobs", "run", "sweep", "--today", "2026-11-25")
    assert ran.returncode == 0, ran.stderr
    assert "sweep: ok:" in ran.stdout
    assert "queued 1 (reminder_overdue 1); 2 superseded; 0 with no one to tell" in ran.stdout
    [reminder] = outbox(svc, kind="reminder")
    assert reminder.audience == OFFICER
    assert reminder.subject == (
        f"OVERDUE: Decision whether to assess for case {case.reference} was due 2026-11-16"
    )

    listed = _ehcp({**cli_env, "TZ": "Asia/Tokyo"}, "jobs", "list")
    assert listed.returncode == 0, listed.stderr
    lines = {line.split()[0]: line for line in listed.stdout.splitlines() if line.strip()}
    assert set(lines) >= CORE_JOBS
    [run] = runs(svc, "sweep")
    london = utc(run.started_at).astimezone(LONDON)
    assert f"last {london:%Y-%m-%d %H:%M}" in lines["sweep"]
    assert "interval minutes=15" in lines["sweep"] and " ok " in lines["sweep"]
    assert (
        "never run" in lines["manager_digest"] and "cron hour=7 minute=0" in lines["manager_digest"]
    )

    unknown = _ehcp(cli_env, "jobs", "run", "nope", "--today", "25-11-2026")
    assert unknown.returncode == 2 and "unknown job 'nope'" in unknown.stderr


def test_ehcp_scheduler_catches_up_at_start_and_stops_on_sigterm(cli_env):
    svc = _services_for(cli_env)
    with svc.sessions.begin() as session:
        at = datetime.now(UTC) - timedelta(hours=2)
        session.add(JobRun(job="sweep", started_at=at, finished_at=at, outcome="ok", host="old"))
    proc = subprocess.Popen(
        [*_ehcp_command(), "scheduler"],
        env=cli_env,
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        ready, _, _ = select.select([proc.stdout], [], [], 90)
        assert ready, "ehcp scheduler did not start"
        line = proc.stdout.readline()
        assert line.startswith("scheduler running: ")
        assert set(line.removeprefix("scheduler running: ").strip().split(", ")) >= CORE_JOBS
        # The catch-up happened before the scheduler started.
        missed = [r for r in runs(svc, "sweep") if r.outcome == "missed"]
        assert len(missed) == 1 and "scheduled runs missed" in missed[0].detail
        assert [r.outcome for r in runs(svc, "sweep")][-1] == "ok"
        proc.send_signal(signal.SIGTERM)
        out, _err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0
    assert "scheduler stopped" in out
