"""Benchmark: the one write path against raw inserts of the same rows, measured in one run.

    .venv/bin/python -m bench.write_path --cases 300 --backend both --json bench.json
    .venv/bin/python -m bench.write_path --cases 100 --backend sqlite --profile

ENGINE  N cases, each through a 12-event journey (request to final plan) by the real services:
        `create_case` for the request, then `record_event` for every other event, interleaved
        across the caseload (every case takes step 1, then every case takes step 2, ...), with a
        clock fixed at 2027-01-01 so every event date is in the past.
RAW     the same rows, replayed into a second fresh migrated database (see BASELINE below).

It is a benchmark, not a test: nothing here asserts a speed. tests/test_bench_smoke.py runs it at
a tiny size to prove it still works.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import io
import json
import os
import platform
import pstats
import secrets
import sqlite3
import statistics
import sys
import tempfile
import textwrap
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from time import perf_counter
from typing import Any

from sqlalchemy import (
    Engine,
    Integer,
    Table,
    create_engine,
    delete,
    event,
    func,
    insert,
    select,
    text,
)
from sqlalchemy import update as sa_update
from sqlalchemy.engine import make_url

from ehcp_engine.config import EngineConfig, load_engine_config
from ehcp_engine.domain.case import Child
from ehcp_engine.persistence.db import make_engine, make_sessionmaker, migrate, normalise_url
from ehcp_engine.persistence.models import Base
from ehcp_engine.services.cases import NewCase, create_case
from ehcp_engine.services.context import Actor, Clock, Services
from ehcp_engine.services.write_path import EventIn, record_event
from ehcp_engine.settings import REPO_CONFIG

FIXED_NOW = datetime(2027, 1, 1, 12, 0, tzinfo=UTC)
FIRST_REQUEST = date(2026, 1, 5)
REQUEST_SPREAD_DAYS = 90  # requests arrive over a quarter, so cases are at different dates
ACTOR = Actor(user_id=None, label="bench-officer@example.gov.uk", role="officer")
DEFAULT_PG_URL = (
    os.environ.get("EHCP_TEST_DATABASE_URL") or "postgresql://postgres@127.0.0.1:5432/test"
)


@dataclass(frozen=True)
class Step:
    type: str
    day: int  # days after the request was received
    data: dict[str, Any] = field(default_factory=dict)


JOURNEY: tuple[Step, ...] = (
    Step("request_received", 0, {"source": "parent"}),
    Step("assessment_agreed", 28),
    Step(
        "advice_requested",
        30,
        {"advice_type": "educational", "contributor": "senco@oak-primary.example.org"},
    ),
    Step(
        "advice_requested",
        30,
        {"advice_type": "health", "contributor": "paediatrics@trust.example.nhs.uk"},
    ),
    Step(
        "advice_requested",
        31,
        {
            "advice_type": "psychological",
            "contributor": "eps@council.example.gov.uk",
            "question": "Cognition and learning: current needs and provision.",
        },
    ),
    Step("advice_received", 58, {"advice_type": "educational"}),
    Step("advice_received", 63, {"advice_type": "health"}),
    Step("advice_received", 68, {"advice_type": "psychological"}),
    Step("plan_agreed", 75),
    Step("draft_plan_served", 80),
    Step("representations_received", 90, {"requested_setting": "Oak Primary"}),
    Step("final_plan_issued", 110, {"named_setting": "Oak Primary"}),
)
EVENTS_PER_CASE = len(JOURNEY)

# Every table of the schema with an integer id, parents before children (foreign keys): what the
# engine wrote is read back from all of them, so the baseline follows the schema as it grows.
# (Tables keyed otherwise, e.g. web sessions by a random string, are only compared at the end.)
TABLES: dict[str, Table] = {
    t.name: t
    for t in Base.metadata.sorted_tables
    if "id" in t.c and isinstance(t.c.id.type, Integer)
}
COMPARED: dict[str, Table] = {t.name: t for t in Base.metadata.sorted_tables if "id" in t.c}
APPEND_ONLY = frozenset({"audit_events"})  # the database refuses UPDATE and DELETE (0001)
REPORTED = ("cases", "audit_events", "stages", "deadlines", "advice_requests", "outbox")

BASELINE = """\
RAW baseline: the rows the engine wrote, replayed into a second fresh database of the same backend
built by the same migrations and opened by the same make_engine (SQLite: WAL, synchronous=NORMAL;
PostgreSQL: server defaults, synchronous_commit=on), with plain SQLAlchemy Core statements on a
Connection, one transaction and one COMMIT per engine event, in the engine's order. Each
transaction holds exactly what that event wrote: (1) the claim, UPDATE cases SET version =
version + 1 plus the case summary columns the event changed (next_due_on, ...), or for the
opening event an INSERT of the case row instead; (2) INSERTs of every row the event created in
any table: its audit_events row with the hash and prev_hash the engine computed (no hashing),
its stages, deadlines, advice_requests and outbox rows (executemany per table, explicit ids);
(3) one UPDATE by id per row of the case the event changed, setting only the changed columns to
the values they had at that event's commit; (4) one DELETE by id per row it removed. What each
event wrote is read back from the engine database between two engine calls, outside the timed
region, on a separate connection: rows with an id above the last one seen (every table), and the
case's own rows (cases and every table with a case_id) compared with the previous read. After the
replay every row of every table is compared column by column between the two databases: the run
fails unless they are identical. The baseline does no reads, no fold, no validation, no ORM and no
hashing, so engine/raw is the share of the engine's time spent on the durable writes it cannot
avoid. Rates are events / the sum of the per-event call times."""


# ---------------------------------------------------------------------------------------------
# databases


@contextlib.contextmanager
def fresh_database(backend: str, label: str, workdir: Path, pg_url: str) -> Iterator[Engine]:
    """An empty database built by the real migrations; dropped (PostgreSQL) when done."""
    if backend == "sqlite":
        path = workdir / f"{label}-{secrets.token_hex(4)}.sqlite3"
        engine = make_engine(f"sqlite:///{path}")
        try:
            migrate(engine)
            yield engine
        finally:
            engine.dispose()
            for leftover in (path, *path.parent.glob(f"{path.name}-*")):
                leftover.unlink(missing_ok=True)
        return
    admin = create_engine(normalise_url(pg_url), isolation_level="AUTOCOMMIT")
    name = f"bench_{os.getpid()}_{secrets.token_hex(3)}_{label}"
    url = make_url(normalise_url(pg_url)).set(database=name)
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        engine = make_engine(url.render_as_string(hide_password=False))
        try:
            migrate(engine)
            yield engine
        finally:
            engine.dispose()
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextlib.contextmanager
def count_statements(engine: Engine) -> Iterator[list[int]]:
    """Count the statements sent to the driver (an executemany counts once)."""
    counter = [0]

    def _count(*_args: Any) -> None:
        counter[0] += 1

    event.listen(engine, "before_cursor_execute", _count)
    try:
        yield counter
    finally:
        event.remove(engine, "before_cursor_execute", _count)


def table_rows(conn: Any, name: str) -> list[dict[str, Any]]:
    table = COMPARED[name]
    return [dict(r) for r in conn.execute(select(table).order_by(table.c.id)).mappings()]


def count_rows(engine: Engine, name: str) -> int:
    table = Base.metadata.tables[name]
    with engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(table)) or 0)


# ---------------------------------------------------------------------------------------------
# what each engine event wrote


@dataclass
class EventWrites:
    """One engine event's writes as plain rows: what the raw baseline replays."""

    case_id: int
    claim: bool  # UPDATE cases SET version = version + 1 (every event but the opening one)
    case_changes: dict[str, Any]
    inserts: list[tuple[str, list[dict[str, Any]]]]
    updates: list[tuple[str, int, dict[str, Any]]]
    deletes: list[tuple[str, int]]


class WrittenRows:
    """Reads back from the engine database, between two engine calls, what the last event wrote.

    It uses an engine of its own, so its reads are neither timed nor counted as the engine's.
    """

    def __init__(self, url: str) -> None:
        self.db = make_engine(url)
        with self.db.connect() as conn:
            self.last_id = {
                name: int(conn.scalar(select(func.max(t.c.id))) or 0) for name, t in TABLES.items()
            }
        self.per_case = [
            name
            for name, t in TABLES.items()
            if (name == "cases" or "case_id" in t.c) and name not in APPEND_ONLY
        ]
        self.seen: dict[tuple[str, int], dict[int, dict[str, Any]]] = {}

    def close(self) -> None:
        self.db.dispose()

    def after(self, case_id: int) -> EventWrites:
        with self.db.connect() as conn:
            inserts = self._new_rows(conn)
            writes = EventWrites(
                case_id=case_id,
                claim=not any(
                    r["id"] == case_id for n, rows in inserts if n == "cases" for r in rows
                ),
                case_changes={},
                inserts=inserts,
                updates=[],
                deletes=[],
            )
            for name in self.per_case:
                self._case_changes(conn, name, writes)
        writes.case_changes.pop("version", None)  # the claim moves it: version = version + 1
        return writes

    def _new_rows(self, conn: Any) -> list[tuple[str, list[dict[str, Any]]]]:
        found = []
        for name, t in TABLES.items():
            query = select(t).where(t.c.id > self.last_id[name]).order_by(t.c.id)
            rows = [dict(r) for r in conn.execute(query).mappings()]
            if rows:
                found.append((name, rows))
                self.last_id[name] = rows[-1]["id"]
        return found

    def _case_changes(self, conn: Any, name: str, writes: EventWrites) -> None:
        t = TABLES[name]
        owner = t.c.id if name == "cases" else t.c.case_id
        now = {
            r["id"]: dict(r)
            for r in conn.execute(select(t).where(owner == writes.case_id)).mappings()
        }
        before = self.seen.get((name, writes.case_id), {})
        for row_id, row in now.items():
            old = before.get(row_id)
            changed = {c: v for c, v in row.items() if old is not None and old[c] != v}
            if not changed:
                continue
            if name == "cases":
                writes.case_changes.update(changed)
            else:
                writes.updates.append((name, row_id, changed))
        writes.deletes += [(name, row_id) for row_id in sorted(before.keys() - now.keys())]
        self.seen[(name, writes.case_id)] = now


# ---------------------------------------------------------------------------------------------
# the two runs


@dataclass
class Timing:
    seconds: float
    latencies: list[float]
    statements: int

    @property
    def events(self) -> int:
        return len(self.latencies)

    def rate(self) -> float:
        return self.events / self.seconds if self.seconds else 0.0

    def ms(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return 1000 * ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def request_on(i: int) -> date:
    return FIRST_REQUEST + timedelta(days=i % REQUEST_SPREAD_DAYS)


def fixed_services(engine: Engine, config: EngineConfig) -> Services:
    return Services(make_sessionmaker(engine), config, Clock(now=lambda: FIXED_NOW))


def drive_engine(
    svc: Services, cases: int, after_each: Callable[[int], None] | None = None
) -> list[float]:
    """Drive `cases` cases through JOURNEY; the time of each engine call. `after_each(case_id)`
    runs after every event, outside the timed call."""
    latencies: list[float] = []
    case_ids: list[int] = []
    first = JOURNEY[0]
    for i in range(cases):
        child = Child(
            given_name=f"Child{i}",
            family_name="Example",
            date_of_birth=date(2015, 3, 15) + timedelta(days=i % 365),
        )
        new = NewCase(child=child, request=EventIn(first.type, request_on(i), dict(first.data)))
        t0 = perf_counter()
        case_id = create_case(svc, new, ACTOR)
        latencies.append(perf_counter() - t0)
        case_ids.append(case_id)
        if after_each is not None:
            after_each(case_id)
    for step in JOURNEY[1:]:
        for i, case_id in enumerate(case_ids):
            ev = EventIn(step.type, request_on(i) + timedelta(days=step.day), dict(step.data))
            t0 = perf_counter()
            record_event(svc, case_id=case_id, event=ev, actor=ACTOR)
            latencies.append(perf_counter() - t0)
            if after_each is not None:
                after_each(case_id)
    return latencies


def run_engine(
    engine: Engine, config: EngineConfig, cases: int
) -> tuple[Timing, list[EventWrites]]:
    svc = fixed_services(engine, config)
    reader = WrittenRows(engine.url.render_as_string(hide_password=False))
    writes: list[EventWrites] = []
    try:
        with count_statements(engine) as statements:
            latencies = drive_engine(
                svc, cases, lambda case_id: writes.append(reader.after(case_id))
            )
    finally:
        reader.close()
    return Timing(sum(latencies), latencies, statements[0]), writes


def replay_event(conn: Any, ev: EventWrites) -> None:
    if ev.claim:
        cases = TABLES["cases"]
        conn.execute(
            sa_update(cases)
            .where(cases.c.id == ev.case_id)
            .values(version=cases.c.version + 1, **ev.case_changes)
        )
    for name, rows in ev.inserts:
        conn.execute(insert(TABLES[name]), rows)
    for name, row_id, values in ev.updates:
        table = TABLES[name]
        conn.execute(sa_update(table).where(table.c.id == row_id).values(**values))
    for name, row_id in reversed(ev.deletes):
        table = TABLES[name]
        conn.execute(delete(table).where(table.c.id == row_id))


def run_raw(engine: Engine, plan: Sequence[EventWrites]) -> Timing:
    latencies: list[float] = []
    with count_statements(engine) as statements:
        for ev in plan:
            t0 = perf_counter()
            with engine.begin() as conn:
                replay_event(conn, ev)
            latencies.append(perf_counter() - t0)
    return Timing(sum(latencies), latencies, statements[0])


def differences(engine_db: Engine, raw_db: Engine) -> list[str]:
    """Rows that differ between the two databases, every table (empty when identical)."""
    found: list[str] = []
    with engine_db.connect() as a_conn, raw_db.connect() as b_conn:
        for name in COMPARED:
            a = {row["id"]: row for row in table_rows(a_conn, name)}
            b = {row["id"]: row for row in table_rows(b_conn, name)}
            for row_id in sorted(a.keys() | b.keys()):
                x, y = a.get(row_id), b.get(row_id)
                if x is None or y is None:
                    found.append(
                        f"{name} id {row_id}: only in the {'raw' if x is None else 'engine'} db"
                    )
                elif x != y:
                    cols = {c: (x[c], y[c]) for c in x if x[c] != y[c]}
                    found.append(f"{name} id {row_id}: (engine, raw) differ in {cols}")
    return found


# ---------------------------------------------------------------------------------------------
# results


@dataclass
class Result:
    backend: str
    cases: int
    events: int
    engine_seconds: float
    engine_events_per_second: float
    engine_mean_ms: float
    engine_p50_ms: float
    engine_p95_ms: float
    engine_statements_per_event: float
    raw_seconds: float
    raw_events_per_second: float
    raw_mean_ms: float
    raw_p50_ms: float
    raw_p95_ms: float
    raw_statements_per_event: float
    ratio_engine_to_raw: float
    repeat: int
    engine_audit_records: int
    raw_audit_records: int
    rows_written: dict[str, int]
    raw_rows_identical: bool


def check_engine_run(engine: Engine, cases: int) -> None:
    refused = count_rows(engine, "access_log")
    if refused:
        raise RuntimeError(f"the engine refused {refused} events: the journey no longer fits")
    with engine.connect() as conn:
        versions = set(conn.scalars(select(TABLES["cases"].c.version)))
    if cases and versions != {EVENTS_PER_CASE}:
        raise RuntimeError(f"case versions {sorted(versions)}, expected {EVENTS_PER_CASE}")


def bench_pair(
    backend: str, cases: int, config: EngineConfig, workdir: Path, pg_url: str
) -> tuple[Timing, Timing, int, dict[str, int]]:
    """One engine run and its raw replay, each on a fresh database; checked identical."""
    with fresh_database(backend, "engine", workdir, pg_url) as engine_db:
        engine_t, plan = run_engine(engine_db, config, cases)
        check_engine_run(engine_db, cases)
        with fresh_database(backend, "raw", workdir, pg_url) as raw_db:
            raw_t = run_raw(raw_db, plan)
            diffs = differences(engine_db, raw_db)
            if diffs:
                shown = "\n".join(d[:300] for d in diffs[:10])
                raise RuntimeError(
                    f"the raw replay differs from the engine ({len(diffs)} rows):\n{shown}"
                )
            raw_audit = count_rows(raw_db, "audit_events")
        rows = {name: count_rows(engine_db, name) for name in REPORTED if name in TABLES}
    return engine_t, raw_t, raw_audit, rows


def bench_backend(
    backend: str, cases: int, config: EngineConfig, workdir: Path, pg_url: str, repeat: int = 1
) -> Result:
    """`repeat` pairs; the fastest engine run and the fastest raw run are kept (the runs least
    disturbed by anything else on the machine)."""
    engine_t, raw_t, raw_audit, rows = bench_pair(backend, cases, config, workdir, pg_url)
    for _ in range(repeat - 1):
        e, r, raw_audit, rows = bench_pair(backend, cases, config, workdir, pg_url)
        engine_t = min(engine_t, e, key=lambda t: t.seconds)
        raw_t = min(raw_t, r, key=lambda t: t.seconds)
    events = engine_t.events
    return Result(
        backend=backend,
        cases=cases,
        events=events,
        engine_seconds=engine_t.seconds,
        engine_events_per_second=engine_t.rate(),
        engine_mean_ms=1000 * statistics.fmean(engine_t.latencies),
        engine_p50_ms=engine_t.ms(0.50),
        engine_p95_ms=engine_t.ms(0.95),
        engine_statements_per_event=engine_t.statements / events,
        raw_seconds=raw_t.seconds,
        raw_events_per_second=raw_t.rate(),
        raw_mean_ms=1000 * statistics.fmean(raw_t.latencies),
        raw_p50_ms=raw_t.ms(0.50),
        raw_p95_ms=raw_t.ms(0.95),
        raw_statements_per_event=raw_t.statements / events,
        ratio_engine_to_raw=engine_t.rate() / raw_t.rate(),
        repeat=repeat,
        engine_audit_records=rows["audit_events"],
        raw_audit_records=raw_audit,
        rows_written=rows,
        raw_rows_identical=True,  # bench_pair raises otherwise
    )


def table(results: Sequence[Result]) -> str:
    head = (
        f"{'backend':<11}{'events':>7}{'engine ev/s':>13}{'raw ev/s':>10}{'engine/raw':>12}"
        f"{'engine ms/ev':>14}{'(p95)':>7}{'raw ms/ev':>11}{'(p95)':>7}{'SQL/ev eng|raw':>16}"
    )
    lines = [head, "-" * len(head)]
    for r in results:
        target = "" if r.ratio_engine_to_raw >= 0.25 else " below 25% target"
        lines.append(
            f"{r.backend:<11}{r.events:>7}{r.engine_events_per_second:>13.1f}"
            f"{r.raw_events_per_second:>10.1f}{r.ratio_engine_to_raw:>11.1%} "
            f"{r.engine_mean_ms:>13.2f}{r.engine_p95_ms:>7.2f}{r.raw_mean_ms:>11.2f}"
            f"{r.raw_p95_ms:>7.2f}{r.engine_statements_per_event:>9.1f} | "
            f"{r.raw_statements_per_event:<4.1f}{target}"
        )
    return "\n".join(lines)


def machine() -> dict[str, Any]:
    cpu = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return {
        "nproc": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "cpu": cpu,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "sqlite": sqlite3.sqlite_version,
    }


def postgres_version(pg_url: str) -> str:
    engine = create_engine(normalise_url(pg_url))
    try:
        with engine.connect() as conn:
            return str(conn.scalar(text("SHOW server_version")))
    finally:
        engine.dispose()


# ---------------------------------------------------------------------------------------------
# profile


# (label, file suffix, function names): cumulative times, overlapping by design.
HOTSPOTS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("validate event data (pydantic)", "services/write_path.py", ("validate_event",)),
    ("claim (UPDATE ... RETURNING the case)", "services/write_path.py", ("claim",)),
    ("read the audit history (SELECT, Core)", "audit/log.py", ("chain",)),
    ("fold the history (journey.fold)", "workflows/journey.py", ("fold",)),
    ("every apply_event (in fold + new)", "workflows/journey.py", ("apply_event",)),
    ("stage machines (machine.fire)", "workflows/machine.py", ("fire",)),
    ("timers (apply_timers)", "workflows/timers.py", ("apply_timers",)),
    ("write_projection (read rows + diff)", "services/projection.py", ("write_projection",)),
    ("  state_snapshot (fold -> dicts)", "services/projection.py", ("state_snapshot",)),
    ("  read the rows (3 SELECTs, Core)", "services/projection.py", ("_stored",)),
    ("  write the changes (Core)", "services/projection.py", ("_sync",)),
    ("audit hash (record_hash)", "audit/log.py", ("record_hash",)),
    ("outbox (messages_for + enqueue)", "notifications/outbox.py", ("messages_for", "enqueue")),
    ("notices (record_notice)", "notifications/notices.py", ("record_notice",)),
    ("case summary (one UPDATE)", "services/write_path.py", ("_update_case_summary",)),
    ("Session.flush (ORM INSERT/UPDATE)", "sqlalchemy/orm/session.py", ("flush",)),
    ("SessionTransaction.commit", "sqlalchemy/orm/session.py", ("commit",)),
)

GROUPS: tuple[tuple[str, Callable[[str, str], bool]], ...] = (
    (
        "DB driver + server (sqlite3/psycopg C, waits)",
        lambda f, n: "sqlite3" in n or "psycopg" in f or "psycopg" in n,
    ),
    ("SQLAlchemy (Python)", lambda f, n: "/sqlalchemy/" in f),
    ("pydantic", lambda f, n: "pydantic" in f or "pydantic" in n),
    ("transitions", lambda f, n: "/transitions/" in f),
    ("dataclasses (asdict, replace)", lambda f, n: f.endswith("dataclasses.py")),
    ("copy (deepcopy from asdict)", lambda f, n: f.endswith("copy.py")),
    ("json", lambda f, n: "/json/" in f or "_json" in n),
    ("hashlib", lambda f, n: "hashlib" in f or "hashlib" in n),
    (
        "engine's own code",
        lambda f, n: any(p in f for p in ("/workflows/", "/ehcp_engine/", "/audit/", "/notif")),
    ),
)


def profile_engine(
    backend: str, cases: int, config: EngineConfig, workdir: Path, pg_url: str
) -> str:
    """cProfile the engine part on a fresh database; top 25 cumulative, and where time goes."""
    with fresh_database(backend, "profile", workdir, pg_url) as engine_db:
        svc = fixed_services(engine_db, config)
        profiler = cProfile.Profile()
        profiler.enable()
        drive_engine(svc, cases)
        profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(25)
    raw: dict[tuple[str, int, str], tuple[int, int, float, float, Any]] = stats.stats  # type: ignore[attr-defined]
    total = sum(ct for (f, _l, n), (_c, _nc, _tt, ct, _) in raw.items() if _is_entry(f, n))
    lines = [
        f"\nprofile ({backend}, {cases} cases): {total:.2f}s in create_case + record_event",
        "cumulative time in (overlapping):",
    ]
    for label, suffix, names in HOTSPOTS:
        ct = sum(v[3] for (f, _l, n), v in raw.items() if f.endswith(suffix) and n in names)
        lines.append(f"  {label:<46}{ct:8.2f}s {ct / total:6.1%}")
    lines.append("self time by package (adds up to 100%):")
    grouped: dict[str, float] = {}
    for (f, _l, n), v in raw.items():
        name = next((label for label, match in GROUPS if match(f, n)), "other (stdlib, builtins)")
        grouped[name] = grouped.get(name, 0.0) + v[2]
    all_self = sum(grouped.values())
    for name, tt in sorted(grouped.items(), key=lambda kv: -kv[1]):
        lines.append(f"  {name:<46}{tt:8.2f}s {tt / all_self:6.1%}")
    return out.getvalue() + "\n".join(lines)


def _is_entry(filename: str, name: str) -> bool:
    return (filename.endswith("services/write_path.py") and name == "record_event") or (
        filename.endswith("services/cases.py") and name == "create_case"
    )


# ---------------------------------------------------------------------------------------------
# command line


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="python -m bench.write_path",
        description="Events/second through the write path, against raw inserts of the same rows.",
    )
    p.add_argument("--cases", type=int, default=300, help=f"cases ({EVENTS_PER_CASE} events each)")
    p.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="sqlite")
    p.add_argument("--pg-url", default=DEFAULT_PG_URL, help="a PostgreSQL database to connect to")
    p.add_argument("--json", type=Path, help="also write the figures to this file")
    p.add_argument(
        "--repeat", type=int, default=1, help="pairs of runs; the fastest of each side is kept"
    )
    p.add_argument("--profile", action="store_true", help="then cProfile the engine part")
    args = p.parse_args(argv)
    if args.cases < 1 or args.repeat < 1:
        p.error("--cases and --repeat must be at least 1")
    return args


def main(argv: Sequence[str] | None = None) -> list[Result]:
    args = parse(argv)
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    config = load_engine_config(REPO_CONFIG)
    info = machine()
    if "postgresql" in backends:
        info["postgresql"] = postgres_version(args.pg_url)
    print(f"write-path benchmark: {args.cases} cases x {EVENTS_PER_CASE} events, clock {FIXED_NOW}")
    print("machine: " + ", ".join(f"{k} {v}" for k, v in info.items()))
    results: list[Result] = []
    profiles: list[str] = []
    with tempfile.TemporaryDirectory(prefix="ehcp-bench-") as tmp:
        for backend in backends:
            results.append(
                bench_backend(backend, args.cases, config, Path(tmp), args.pg_url, args.repeat)
            )
        if args.profile:
            for backend in backends:
                profiles.append(profile_engine(backend, args.cases, config, Path(tmp), args.pg_url))
    print()
    print(table(results))
    print()
    print(BASELINE)
    for r in results:
        print(
            f"\n{r.backend}: engine wrote {r.engine_audit_records} audit records "
            f"({r.events} events), rows {r.rows_written}; raw replay identical: "
            f"{r.raw_rows_identical}"
        )
    for text_ in profiles:
        print("\n" + text_)
    if args.json:
        payload = {
            "date": datetime.now(UTC).isoformat(timespec="seconds"),
            "command": "python -m bench.write_path "
            + " ".join(sys.argv[1:] if argv is None else argv),
            "machine": info,
            "journey": [asdict(s) for s in JOURNEY],
            "baseline": textwrap.dedent(BASELINE),
            "results": [asdict(r) for r in results],
        }
        args.json.write_text(json.dumps(payload, indent=2, default=str) + "\n", encoding="utf-8")
    return results


if __name__ == "__main__":
    main()
