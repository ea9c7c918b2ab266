"""Test databases and services.

Every database test runs on SQLite, and on PostgreSQL too when EHCP_TEST_DATABASE_URL is set
(.ci/run sets it). Schemas are built by the real Alembic migrations: once per backend into a
template, then copied (a file copy on SQLite, CREATE DATABASE … TEMPLATE on PostgreSQL).
"""

from __future__ import annotations

import itertools
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from ehcp_engine.config import load_engine_config
from ehcp_engine.persistence.db import make_engine, make_sessionmaker, migrate, normalise_url
from ehcp_engine.services.context import Actor, Clock, Services
from ehcp_engine.settings import REPO_CONFIG

PG_URL = os.environ.get("EHCP_TEST_DATABASE_URL")
BACKENDS = ["sqlite", *(["postgresql"] if PG_URL else [])]
_counter = itertools.count()


@dataclass
class FakeClock(Clock):
    """A clock the test moves: `today` is a date in England, `now` midday UTC of that day."""

    current: date = date(2026, 11, 25)

    def __post_init__(self) -> None:
        self.now = lambda: datetime.combine(self.current, time(12, 0), tzinfo=UTC)

    def set(self, day: date) -> None:
        self.current = day

    def advance(self, days: int) -> None:
        self.current += timedelta(days=days)


class Backend:
    """Makes migrated databases for one backend, fast, by copying a template."""

    def __init__(self, name: str, workdir: Path) -> None:
        self.name = name
        self.workdir = workdir
        self.made: list[str] = []
        if name == "sqlite":
            self.template = workdir / "template.sqlite3"
            engine = make_engine(f"sqlite:///{self.template}")
            migrate(engine)
            engine.dispose()
        else:
            assert PG_URL
            self.admin = create_engine(normalise_url(PG_URL), isolation_level="AUTOCOMMIT")
            self.template_name = f"ehcp_tmpl_{os.getpid()}"
            self._exec(f'DROP DATABASE IF EXISTS "{self.template_name}"')
            self._exec(f'CREATE DATABASE "{self.template_name}"')
            engine = make_engine(self._url(self.template_name))
            migrate(engine)
            engine.dispose()

    def _exec(self, sql: str) -> None:
        with self.admin.connect() as conn:
            conn.execute(text(sql))

    def _url(self, database: str) -> str:
        assert PG_URL
        url = make_url(normalise_url(PG_URL)).set(database=database)
        return url.render_as_string(hide_password=False)

    def new_database(self) -> str:
        n = next(_counter)
        if self.name == "sqlite":
            path = self.workdir / f"db{n}.sqlite3"
            shutil.copy(self.template, path)
            return f"sqlite:///{path}"
        name = f"ehcp_t_{os.getpid()}_{n}"
        self._exec(f'CREATE DATABASE "{name}" TEMPLATE "{self.template_name}"')
        self.made.append(name)
        return self._url(name)

    def close(self) -> None:
        if self.name == "postgresql":
            for name in [*self.made, self.template_name]:
                self._exec(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            self.admin.dispose()


@pytest.fixture(scope="session", params=BACKENDS)
def backend(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Backend]:
    made = Backend(request.param, tmp_path_factory.mktemp(request.param))
    yield made
    made.close()


@pytest.fixture(scope="session")
def engine_config() -> Any:
    return load_engine_config(REPO_CONFIG)


@pytest.fixture(scope="session")
def shared_database(backend: Backend) -> Iterator[Any]:
    """One database per backend for tests that only touch their own cases."""
    engine = make_engine(backend.new_database())
    yield engine
    engine.dispose()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def svc(shared_database: Any, engine_config: Any, clock: FakeClock) -> Services:
    return Services(make_sessionmaker(shared_database), engine_config, clock)


@pytest.fixture
def fresh_svc(backend: Backend, engine_config: Any, clock: FakeClock) -> Iterator[Services]:
    """A database of its own, empty but migrated, for tests that look at the whole database."""
    engine = make_engine(backend.new_database())
    yield Services(make_sessionmaker(engine), engine_config, clock)
    engine.dispose()


@pytest.fixture
def officer() -> Actor:
    return Actor(user_id=None, label="officer@example.gov.uk", role="officer")
