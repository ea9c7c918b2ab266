"""The `ehcp` command: serve, simulate, migrate, users, audit verify/replay, rules check,
diagrams."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ehcp_engine.cli_jobs import jobs_app, notifications_app
from ehcp_engine.cli_jobs import scheduler as run_scheduler
from ehcp_engine.cli_reports import sen2_app
from ehcp_engine.domain.errors import DomainError
from ehcp_engine.domain.rules import RuleError
from ehcp_engine.services.bootstrap import build_services
from ehcp_engine.services.context import Services
from ehcp_engine.settings import Settings

app = typer.Typer(help="EHCP lifecycle engine", no_args_is_help=True, add_completion=False)
users_app = typer.Typer(help="Users and API tokens", no_args_is_help=True)
audit_app = typer.Typer(
    help="The audit log: verify the hash chains, replay every case", no_args_is_help=True
)
rules_app = typer.Typer(help="Timer rules in config/", no_args_is_help=True)
app.add_typer(users_app, name="users")
app.add_typer(audit_app, name="audit")
app.add_typer(rules_app, name="rules")
app.add_typer(jobs_app, name="jobs")
app.add_typer(notifications_app, name="notifications")
app.add_typer(sen2_app, name="sen2")
app.command(name="scheduler")(run_scheduler)


def _services() -> Services:
    try:
        return build_services(Settings())
    except RuleError as err:
        typer.echo(f"configuration error: {err}", err=True)
        raise typer.Exit(2) from None


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="interface to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port")] = 8000,
    no_demo: Annotated[
        bool,
        typer.Option("--no-demo", help="do not build a demo authority on an empty database"),
    ] = False,
) -> None:
    """Migrate the database if needed and serve the API. In development, an empty database
    first gets a small simulated demo authority (fictional cases)."""
    import uvicorn

    settings = Settings()
    svc = _services()  # validates config/ and migrates before the first request
    if settings.env == "development" and not no_demo:
        _demo(svc)
    typer.echo(f"database: {settings.resolved_database_url()}")
    typer.echo(f"serving on http://{host}:{port}  (API docs: http://{host}:{port}/docs)")
    uvicorn.run("api.app:create_app", factory=True, host=host, port=port, log_level="info")


def _demo(svc: Services) -> None:
    """Build the demo authority when the database has no cases, and say how to sign in."""
    from ehcp_engine.services.simulator.demo import build_demo, database_is_empty

    if not database_is_empty(svc):
        return
    typer.echo("empty development database: simulating a demo authority (fictional cases)")
    demo = build_demo(svc)
    report = demo.report
    typer.echo(
        f"demo: {report.cases} cases, {report.events} events in "
        f"{report.elapsed_seconds:.0f} s ({report.start} to {report.end})"
    )
    typer.echo(f"Demo authority ready. Sign in at {svc.settings.base_url}/sign-in as:")
    for sign_in in demo.sign_ins:
        typer.echo(f"  {sign_in.role:<12} {sign_in.email:<40} ({sign_in.does})")
    typer.echo(f"  password for each: {demo.password}")
    typer.echo("  (shown once; `ehcp users set-password EMAIL` sets a new one)")
    typer.echo(f"API token for the demo officer: {demo.token}")


@app.command()
def simulate(
    plans: Annotated[int, typer.Option(help="plans in force at the end (roughly)")] = 300,
    years: Annotated[int, typer.Option(help="years of activity to simulate")] = 3,
    seed: Annotated[int, typer.Option(help="random seed: same seed, same authority")] = 1,
    start: Annotated[
        str | None, typer.Option(help="first day, YYYY-MM-DD (default: 1 January, Y years ago)")
    ] = None,
    no_progress: Annotated[bool, typer.Option("--no-progress", help="no progress bar")] = False,
) -> None:
    """Simulate a fictional authority through the real write path and print its measures; the
    last line is an API token for one of its officers."""
    from datetime import date

    from ehcp_engine.services.simulator.run import simulate as run_simulation
    from ehcp_engine.services.users import issue_token

    svc = _services()
    try:
        first = date.fromisoformat(start) if start else None
        report = run_simulation(
            svc, plans=plans, years=years, seed=seed, start=first, progress=not no_progress
        )
    except ValueError as err:
        typer.echo(f"error: {err}", err=True)
        raise typer.Exit(2) from None
    for line in report.summary():
        typer.echo(line)
    typer.echo(f"sign in as {report.demo_officer_email} (an officer of {report.teams[0].name}):")
    typer.echo(issue_token(svc, report.demo_officer_id))
    raise typer.Exit(1 if report.refused else 0)


@app.command()
def migrate() -> None:
    """Create or upgrade the database schema."""
    _services()
    typer.echo("database is at the latest migration")


@users_app.command("create")
def users_create(
    email: str,
    role: Annotated[str, typer.Option(help="officer, manager, contributor, qa or admin")],
    name: Annotated[str, typer.Option(help="display name")] = "",
) -> None:
    """Create a user and print a new API token (the last line of output)."""
    from ehcp_engine.services.users import create_user, issue_token

    svc = _services()
    try:
        user_id = create_user(svc, email, role, name)
    except DomainError as err:
        typer.echo(f"error: {err.detail}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"created {role} {email} (user {user_id}); API token:")
    typer.echo(issue_token(svc, user_id))


@users_app.command("token")
def users_token(
    email: str,
    days: Annotated[int | None, typer.Option(help="expire after this many days")] = None,
) -> None:
    """Issue another API token for a user (the last line of output)."""
    from datetime import timedelta

    from ehcp_engine.services.users import issue_token, user_id_for

    svc = _services()
    try:
        user_id = user_id_for(svc, email)
    except DomainError as err:
        typer.echo(f"error: {err.detail}", err=True)
        raise typer.Exit(1) from None
    expiry = f", expires in {days} days" if days else ""
    typer.echo(f"API token for {email}{expiry}:")
    typer.echo(issue_token(svc, user_id, timedelta(days=days) if days else None))


@users_app.command("revoke")
def users_revoke(email: str) -> None:
    """Revoke every API token of a user."""
    from ehcp_engine.services.users import revoke_tokens

    try:
        count = revoke_tokens(_services(), email)
    except DomainError as err:
        typer.echo(f"error: {err.detail}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"revoked {count} token(s) of {email}")


@users_app.command("set-password")
def users_set_password(email: str) -> None:
    """Set a user's web sign-in password (asked twice, not shown); clears any lock-out."""
    from ehcp_engine.services.auth import set_password

    password = typer.prompt("New password", hide_input=True, confirmation_prompt=True)
    try:
        set_password(_services(), email, password)
    except DomainError as err:
        typer.echo(f"error: {err.detail}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"password set for {email}; they can sign in at the web address now")


@audit_app.command("verify")
def audit_verify() -> None:
    """Check every case's hash chain; exit 1 and name each broken link."""
    from audit.log import verify

    svc = _services()
    with svc.sessions() as session:
        problems = verify(session)
    for problem in problems:
        typer.echo(f"BROKEN {problem}")
    typer.echo(f"{len(problems)} broken link(s)" if problems else "audit log intact")
    raise typer.Exit(1 if problems else 0)


@audit_app.command("replay")
def audit_replay() -> None:
    """Rebuild every case from the log and report any difference from the stored state."""
    from ehcp_engine.services.replay import replay_all

    report = replay_all(_services())
    for diff in report.differences:
        typer.echo(f"DIFF {diff}")
    typer.echo(
        f"replayed {report.events} events of {report.cases} cases: "
        f"{len(report.differences)} difference(s)"
    )
    raise typer.Exit(1 if report.differences else 0)


@rules_app.command("check")
def rules_check(
    config_dir: Annotated[Path | None, typer.Option(help="a config directory to check")] = None,
) -> None:
    """Validate config/ (rules and calendar) without touching the database."""
    from ehcp_engine.config import load_engine_config

    try:
        cfg = load_engine_config(config_dir or Settings().config_dir)
    except RuleError as err:
        typer.echo(f"configuration error: {err}", err=True)
        raise typer.Exit(2) from None
    for rs in cfg.rule_book.rule_sets:
        typer.echo(
            f"rule set {rs.id} ({rs.title}) from {rs.effective_from}: {len(rs.timers)} timers"
        )


@app.command()
def diagrams(
    out: Annotated[Path, typer.Option(help="where to write the stage diagrams")] = Path(
        "docs/stages"
    ),
    check: Annotated[bool, typer.Option(help="only report files that are out of date")] = False,
) -> None:
    """Write (or --check) one Mermaid diagram per stage machine, drawn from workflows/."""
    from workflows.diagrams import all_documents

    stale = []
    for name, text in all_documents().items():
        path = out / name
        if path.exists() and path.read_text(encoding="utf-8") == text:
            continue
        stale.append(path)
        if not check:
            out.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    for path in stale:
        typer.echo(f"{'out of date' if check else 'wrote'}: {path}")
    raise typer.Exit(1 if check and stale else 0)


def main() -> None:
    app(prog_name="ehcp")


if __name__ == "__main__":  # pragma: no cover
    main()
