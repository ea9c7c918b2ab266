"""The `ehcp` command, run for real in a subprocess against its own database.

On SQLite the command finds its database through EHCP_DATA_DIR alone; on PostgreSQL (when
EHCP_TEST_DATABASE_URL is set) through EHCP_DATABASE_URL.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select, text, update

from api.app import create_app
from ehcp_engine.persistence.db import make_engine, make_sessionmaker
from ehcp_engine.persistence.models import AuditEvent, DeadlineRow, User
from ehcp_engine.services.context import Services
from ehcp_engine.services.users import token_digest
from ehcp_engine.settings import REPO_CONFIG
from tests.conftest import Backend, FakeClock
from tests.journey import Journey

REPO = Path(__file__).resolve().parents[2]


def _ehcp_command() -> list[str]:
    """The installed entry point when it sits beside this interpreter, else the module."""
    script = Path(sys.executable).parent / "ehcp"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", "ehcp_engine.cli"]


@dataclass
class Cli:
    env: dict[str, str]
    url: str
    engine_config: Any
    engines: list[Engine] = field(default_factory=list)

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*_ehcp_command(), *args],
            env=self.env,
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    def services(self) -> Services:
        """In-process services over the command's database (a clock the test moves)."""
        engine = make_engine(self.url)
        self.engines.append(engine)
        return Services(make_sessionmaker(engine), self.engine_config, FakeClock())

    def close(self) -> None:
        for engine in self.engines:
            engine.dispose()


@pytest.fixture
def cli(backend: Backend, engine_config: Any, tmp_path: Path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("EHCP_")}
    env["EHCP_DATA_DIR"] = str(tmp_path / "data")
    if backend.name == "sqlite":
        url = f"sqlite:///{tmp_path / 'data' / 'ehcp.sqlite3'}"
    else:
        url = backend.new_database()
        env["EHCP_DATABASE_URL"] = url
    made = Cli(env=env, url=url, engine_config=engine_config)
    migrated = made.run("migrate")
    assert migrated.returncode == 0, migrated.stderr
    yield made
    made.close()


def _cases_with_history(svc: Services, n: int = 2) -> list[int]:
    ids = []
    for _ in range(n):
        j = Journey(svc, date(2026, 1, 5))
        j.do("assessment_agreed", date(2026, 2, 10))
        j.do("advice_requested", date(2026, 2, 11), advice_type="health", contributor="NHS")
        ids.append(j.case_id)
    return ids


# ---- users create ------------------------------------------------------------------------------


def test_users_create_prints_a_token_that_signs_in(cli, tmp_path):
    if "EHCP_DATABASE_URL" not in cli.env:
        assert (tmp_path / "data" / "ehcp.sqlite3").exists()  # found through EHCP_DATA_DIR
    result = cli.run("users", "create", "x@y.org", "--role", "officer")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    token = lines[-1].strip()
    assert token.startswith("ehcp_") and " " not in token
    assert "x@y.org" in result.stdout and "officer" in result.stdout

    svc = cli.services()
    with TestClient(create_app(services=svc), raise_server_exceptions=False) as client:
        headers = {"Authorization": f"Bearer {token}"}
        assert client.get("/api/v1/cases", headers=headers).status_code == 200
        body = {
            "child": {"given_name": "Cli", "family_name": "Example", "date_of_birth": "2015-03-15"},
            "request": {"received_on": "2026-01-05", "source": "parent"},
        }
        opened = client.post("/api/v1/cases", json=body, headers=headers)
        assert opened.status_code == 201, opened.text
        audit = client.get(f"/api/v1/cases/{opened.json()['id']}/audit", headers=headers).json()
        assert audit[0]["actor"] == "x@y.org"
        # The token is stored only as a digest: it does not appear in the database.
        with svc.sessions() as session:
            stored = session.execute(text("SELECT token_hash FROM api_tokens")).scalars().all()
        assert stored == [token_digest(token)]


def test_users_create_with_a_bad_role_fails_clearly(cli):
    result = cli.run("users", "create", "x@y.org", "--role", "wizard")
    assert result.returncode != 0
    message = result.stderr + result.stdout
    assert "unknown role 'wizard'" in message
    assert "officer" in message  # says which roles there are
    assert "ehcp_" not in result.stdout  # no token printed
    with cli.services().sessions() as session:
        assert session.scalar(select(func.count(User.id))) == 0


def test_users_create_twice_fails_clearly(cli):
    assert cli.run("users", "create", "x@y.org", "--role", "qa").returncode == 0
    again = cli.run("users", "create", "X@Y.org", "--role", "officer")
    assert again.returncode != 0
    assert "already exists" in again.stderr


def test_users_create_without_a_role_is_a_usage_error(cli):
    result = cli.run("users", "create", "x@y.org")
    assert result.returncode == 2
    assert "--role" in result.stderr


# ---- audit verify ------------------------------------------------------------------------------


def test_audit_verify_passes_on_an_intact_log(cli):
    _cases_with_history(cli.services())
    result = cli.run("audit", "verify")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "audit log intact" in result.stdout
    assert "BROKEN" not in result.stdout


def test_audit_verify_fails_naming_the_broken_link(cli):
    svc = cli.services()
    _, victim = _cases_with_history(svc)
    engine = svc.sessions.kw["bind"]
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            conn.execute(text("DROP TRIGGER audit_events_no_update"))
        else:
            conn.execute(text("ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_change"))
        conn.execute(
            update(AuditEvent)
            .where(AuditEvent.case_id == victim, AuditEvent.seq == 3)
            .values(data={"advice_type": "health", "contributor": "Forged"})
        )

    result = cli.run("audit", "verify")

    assert result.returncode == 1
    broken = [line for line in result.stdout.splitlines() if line.startswith("BROKEN")]
    assert broken == [f"BROKEN case {victim} record 3: contents do not match the hash (altered?)"]
    assert "1 broken link(s)" in result.stdout


# ---- audit replay ------------------------------------------------------------------------------


def test_audit_replay_reports_no_difference_on_a_consistent_database(cli):
    _cases_with_history(cli.services(), 3)
    result = cli.run("audit", "replay")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 difference(s)" in result.stdout
    assert "replayed 9 events of 3 cases" in result.stdout


def test_audit_replay_fails_after_a_deadline_is_changed_behind_the_engine(cli):
    svc = cli.services()
    _, victim = _cases_with_history(svc)
    with svc.sessions.begin() as session:
        session.execute(
            update(DeadlineRow)
            .where(DeadlineRow.case_id == victim, DeadlineRow.rule == "final_plan")
            .values(due_on=date(2026, 12, 31))
        )

    result = cli.run("audit", "replay")

    assert result.returncode == 1
    diffs = [line for line in result.stdout.splitlines() if line.startswith("DIFF")]
    assert len(diffs) == 1, result.stdout
    assert diffs[0].startswith(f"DIFF case {victim}:")
    assert "final_plan" in diffs[0] and "due_on" in diffs[0]
    assert "1 difference(s)" in result.stdout


# ---- rules check -------------------------------------------------------------------------------


def test_rules_check_passes_on_the_repository_config(cli):
    result = cli.run("rules", "check", "--config-dir", str(REPO_CONFIG))
    assert result.returncode == 0, result.stderr
    assert "rule set 2015" in result.stdout


def test_rules_check_names_the_timer_and_the_unknown_event(cli, tmp_path):
    config = tmp_path / "config"
    shutil.copytree(REPO_CONFIG, config)
    rules = config / "rules" / "2015.toml"
    source = rules.read_text()
    good = 'met_by = ["assessment_agreed", "assessment_refused"]'
    assert source.count(good) == 1
    rules.write_text(source.replace(good, 'met_by = ["assessment_agreed", "assesment_refused"]'))

    result = cli.run("rules", "check", "--config-dir", str(config))

    assert result.returncode == 2
    assert "assessment_decision" in result.stderr
    assert "assesment_refused" in result.stderr
    assert "2015.toml" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_bad_config_stops_the_other_commands_too(cli, tmp_path):
    config = tmp_path / "config"
    shutil.copytree(REPO_CONFIG, config)
    rules = config / "rules" / "2015.toml"
    rules.write_text(rules.read_text().replace('unit = "weeks"', 'unit = "fortnights"', 1))
    cli.env["EHCP_CONFIG_DIR"] = str(config)

    result = cli.run("audit", "verify")

    assert result.returncode == 2
    assert "fortnights" in result.stderr
    assert "Traceback" not in result.stderr
