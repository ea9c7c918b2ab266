"""The `ehcp` command: serve, migrate, users, audit verify/replay, rules check, diagrams."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

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
) -> None:
    """Migrate the database if needed and serve the API."""
    import uvicorn

    settings = Settings()
    _services()  # validates config/ and migrates before the first request
    typer.echo(f"database: {settings.resolved_database_url()}")
    typer.echo(f"serving on http://{host}:{port}  (API docs: http://{host}:{port}/docs)")
    uvicorn.run("api.app:create_app", factory=True, host=host, port=port, log_level="info")


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
