"""`ehcp scheduler`, `ehcp jobs …` and `ehcp notifications …`: operating the timers."""

from __future__ import annotations

import contextlib
import signal
import threading
from datetime import date
from typing import Annotated

import typer

from ehcp_engine.domain.errors import DomainError
from ehcp_engine.services.bootstrap import build_services
from ehcp_engine.services.context import Services
from ehcp_engine.services.messages import messages_by_status, retry
from ehcp_engine.services.scheduler import job_table, load_jobs, run_job, start
from ehcp_engine.settings import Settings

jobs_app = typer.Typer(help="Scheduled jobs: list them, run one now", no_args_is_help=True)
notifications_app = typer.Typer(help="Queued, sent and failed messages", no_args_is_help=True)


def _svc() -> Services:
    return build_services(Settings())


def scheduler() -> None:
    """Run the scheduled jobs in this process until stopped (SIGTERM or Ctrl-C)."""
    svc = _svc()
    # The handler goes in before anything says "running": a supervisor (or test) that stops the
    # process as soon as it is up must get a clean shutdown, not a kill.
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    running = start(svc)
    typer.echo("scheduler running: " + ", ".join(job.id for job in running.get_jobs()))
    with contextlib.suppress(KeyboardInterrupt):
        stop.wait()
    running.shutdown(wait=True)
    typer.echo("scheduler stopped")


@jobs_app.command("list")
def jobs_list() -> None:
    """Each job, its schedule, last run and outcome."""
    svc = _svc()
    for row in job_table(svc, load_jobs(svc.settings.config_dir / "jobs.toml")):
        last = f"{row['last_run']:%Y-%m-%d %H:%M}" if row["last_run"] else "-"
        typer.echo(
            f"{row['job']:16} {row['schedule']:32} last {last:16} {row['outcome']:9} "
            f"{row['detail'][:80]}"
        )


@jobs_app.command("run")
def jobs_run(
    name: str,
    today: Annotated[str | None, typer.Option(help="business date YYYY-MM-DD (rehearsals)")] = None,
) -> None:
    """Run one job once, now."""
    svc = _svc()
    known = {spec.name for spec in load_jobs(svc.settings.config_dir / "jobs.toml").jobs}
    if name not in known:
        typer.echo(f"unknown job '{name}'; jobs: {', '.join(sorted(known))}", err=True)
        raise typer.Exit(2)
    try:
        day = date.fromisoformat(today) if today else None
    except ValueError:
        typer.echo(f"--today must be a date like 2026-11-25, not {today!r}", err=True)
        raise typer.Exit(2) from None
    run = run_job(svc, name, today=day)
    typer.echo(f"{name}: {run.outcome}: {run.detail}")
    raise typer.Exit(0 if run.outcome == "ok" else 1)


@notifications_app.command("list")
def notifications_list(
    status: Annotated[str, typer.Option(help="pending, sending, sent or failed")] = "failed",
    limit: Annotated[int, typer.Option(help="how many")] = 50,
) -> None:
    """Messages by status (failed ones are kept, never dropped)."""
    rows = messages_by_status(_svc(), status, limit)
    for m in rows:
        typer.echo(
            f"{m['id']:6} {m['channel']:6} {m['audience']:32} {m['template']:22} "
            f"attempts {m['attempts']} {(m['last_error'] or '')[:60]}"
        )
    typer.echo(f"{len(rows)} {status} message(s)")


@notifications_app.command("retry")
def notifications_retry(message_id: int) -> None:
    """Put a failed message back in the queue (the same as the admin API's retry)."""
    try:
        retry(_svc(), message_id)
    except DomainError as err:
        typer.echo(f"no failed message {message_id}: {err.detail}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"message {message_id} queued again")
