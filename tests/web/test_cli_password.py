"""`ehcp users set-password EMAIL`: the password is asked twice, never on the command line."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from ehcp_engine.persistence.db import make_engine, make_sessionmaker
from ehcp_engine.services.auth import authenticate
from ehcp_engine.services.context import Services
from ehcp_engine.settings import Settings
from tests.integration.test_cli import REPO, _ehcp_command


def _run(env: dict[str, str], *args: str, answer: str = "") -> subprocess.CompletedProcess[str]:
    # A new session has no terminal, so the hidden prompt reads the answers from stdin.
    return subprocess.run(
        [*_ehcp_command(), *args],
        env=env,
        cwd=REPO,
        input=answer,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        start_new_session=True,
    )


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cli-password")


@pytest.fixture(scope="module")
def env(data_dir: Path) -> dict[str, str]:
    made = {k: v for k, v in os.environ.items() if not k.startswith("EHCP_")}
    made["EHCP_DATA_DIR"] = str(data_dir)
    created = _run(made, "users", "create", "pat@example.gov.uk", "--role", "officer")
    assert created.returncode == 0, created.stderr
    return made


def test_set_password_asks_twice_and_the_password_then_signs_in(
    env: dict[str, str], data_dir: Path, engine_config
) -> None:
    done = _run(
        env,
        "users",
        "set-password",
        "pat@example.gov.uk",
        answer="a long passphrase\na long passphrase\n",
    )
    assert done.returncode == 0, done.stderr
    assert "password set for pat@example.gov.uk" in done.stdout
    assert "a long passphrase" not in done.stdout
    engine = make_engine(f"sqlite:///{data_dir / 'ehcp.sqlite3'}")
    svc = Services(make_sessionmaker(engine), engine_config, settings=Settings())
    assert authenticate(svc, "pat@example.gov.uk", "a long passphrase").actor is not None
    engine.dispose()


def test_a_weak_password_is_refused_with_the_reason(env: dict[str, str]) -> None:
    done = _run(env, "users", "set-password", "pat@example.gov.uk", answer="short\nshort\n")
    assert done.returncode == 1 and "12 characters or more" in done.stderr


def test_an_unknown_user_is_refused(env: dict[str, str]) -> None:
    done = _run(
        env,
        "users",
        "set-password",
        "who@example.gov.uk",
        answer="a long passphrase\na long passphrase\n",
    )
    assert done.returncode == 1 and "no user who@example.gov.uk" in done.stderr
