"""What the benchmarks share: fresh databases, services over them, bulk seeding, peak memory,
percentiles and the machine they ran on.

Nothing here is timed itself; each benchmark times only what it names.
"""

from __future__ import annotations

import contextlib
import os
import resource
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from time import perf_counter
from typing import Any

from sqlalchemy import Engine, Table, event, insert, text

from bench.write_path import fresh_database, machine, postgres_version
from ehcp_engine.config import load_engine_config
from ehcp_engine.persistence.db import make_sessionmaker
from ehcp_engine.persistence.models import Base
from ehcp_engine.services.bootstrap import reminder_config
from ehcp_engine.services.context import Clock, Services
from ehcp_engine.settings import REPO_CONFIG, Settings

__all__ = [
    "BULK",
    "PeakMemory",
    "StatementClock",
    "bulk_insert",
    "fresh_database",
    "machine",
    "percentile",
    "postgres_version",
    "query_plan",
    "services_at",
    "table",
]

BULK = 10_000  # rows per executemany: large enough to amortise, small enough for memory
_STATUS = Path("/proc/self/status")
_CLEAR_REFS = Path("/proc/self/clear_refs")


def table(name: str) -> Table:
    return Base.metadata.tables[name]


def services_at(engine: Engine, now: datetime) -> Services:
    """The real services (rules, reminders, settings) over `engine`, with the clock fixed."""
    settings = Settings(config_dir=REPO_CONFIG)
    config = load_engine_config(REPO_CONFIG)
    return Services(
        make_sessionmaker(engine),
        config,
        Clock(now=lambda: now),
        settings,
        reminder_config(settings, config),
    )


def bulk_insert(engine: Engine, name: str, rows: Iterable[dict[str, Any]]) -> int:
    """Insert rows in chunks of BULK, one transaction per chunk (for seeding, never timed)."""
    target, chunk, written = table(name), [], 0
    for row in rows:
        chunk.append(row)
        if len(chunk) == BULK:
            with engine.begin() as conn:
                conn.execute(insert(target), chunk)
            written, chunk = written + len(chunk), []
    if chunk:
        with engine.begin() as conn:
            conn.execute(insert(target), chunk)
        written += len(chunk)
    return written


def reset_sequences(engine: Engine, names: Sequence[str]) -> None:
    """PostgreSQL: move each table's id sequence past the explicit ids a bulk seed wrote."""
    if engine.dialect.name != "postgresql":
        return
    with engine.begin() as conn:
        for name in names:
            conn.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                    f"(SELECT COALESCE(MAX(id), 1) FROM {name}))"
                )
            )


def percentile(values: Sequence[float], q: float) -> float:
    """The q-quantile (0..1) by nearest rank: p99 of 1,000 samples is the 990th smallest."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


def _vm_hwm_kib() -> int | None:
    with contextlib.suppress(OSError):
        for line in _STATUS.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return None


@dataclass
class PeakMemory:
    """The process's peak resident memory over a block, in MiB.

    Linux lets a process reset its high-water mark (writing 5 to /proc/self/clear_refs), so each
    block gets its own peak; elsewhere it is the process's peak so far (ru_maxrss), an upper
    bound. It counts everything resident: the interpreter, SQLite's page cache, the data.
    """

    mib: float = 0.0
    per_block: bool = False

    @contextlib.contextmanager
    def measure(self) -> Iterator[PeakMemory]:
        try:
            _CLEAR_REFS.write_text("5")
            self.per_block = _vm_hwm_kib() is not None
        except OSError:
            self.per_block = False
        try:
            yield self
        finally:
            hwm = _vm_hwm_kib() if self.per_block else None
            kib = hwm if hwm is not None else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            self.mib = kib / 1024


class StatementClock:
    """Times every statement the driver runs (the SQL text, its total seconds)."""

    def __init__(self, engine: Engine) -> None:
        self.engine, self.started = engine, 0.0
        self.spent: dict[str, float] = {}
        self.params: dict[str, Any] = {}  # the last parameters seen, to ask for the plan

    def _before(self, *_a: Any) -> None:
        self.started = perf_counter()

    def _after(self, _conn: Any, _cursor: Any, statement: str, params: Any, *_a: Any) -> None:
        self.spent[statement] = self.spent.get(statement, 0.0) + perf_counter() - self.started
        self.params[statement] = params

    def __enter__(self) -> StatementClock:
        event.listen(self.engine, "before_cursor_execute", self._before)
        event.listen(self.engine, "after_cursor_execute", self._after)
        return self

    def __exit__(self, *_exc: Any) -> None:
        event.remove(self.engine, "before_cursor_execute", self._before)
        event.remove(self.engine, "after_cursor_execute", self._after)


def query_plan(engine: Engine, statement: str, params: Any) -> str:
    """The backend's plan for a SELECT with the parameters it ran with, on one line."""
    if not statement.lstrip().upper().startswith("SELECT"):
        return ""
    explain = "EXPLAIN QUERY PLAN " if engine.dialect.name == "sqlite" else "EXPLAIN "
    try:
        with engine.connect() as conn:
            raw = conn.exec_driver_sql(explain + statement, params).all()
    except Exception as err:  # a plan is a diagnostic: never fail the benchmark over it
        return f"(no plan: {type(err).__name__})"
    parts = [str(r[-1]) for r in raw]
    return " | ".join(p.strip() for p in parts)[:400]


def utc(year: int, month: int, day: int, hour: int = 9) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)


def describe_machine(pg_url: str | None) -> dict[str, Any]:
    found = dict(machine())
    found["ram_gib"] = round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)
    if pg_url:
        with contextlib.suppress(Exception):
            found["postgresql"] = postgres_version(pg_url)
    return found
