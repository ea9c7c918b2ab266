"""Benchmark: the scheduler's deadline sweep job at 10k, 100k and 640k plans with 0.1% due.

    .venv/bin/python -m bench.sweep --size 10000 100000 640000 --backend both
    .venv/bin/python -m bench.sweep --size 2000 --baseline-plans 1000 --backend sqlite

It measures the sweep, not the write path: the case and deadline rows are seeded by bulk insert
(SQLAlchemy Core executemany, untimed), because driving 640k plans through the write path would
take days on the project's machine. The rows have the shape the engine writes:

- every plan has one open annual-review deadline and two settled ones (its final plan, met, and
  last year's review, met); 5% also have a request in flight (an open 20-week `final_plan`
  deadline started in the last 10 weeks, not yet at risk);
- `due` plans (0.1% of the total) have their open review deadline within the sweep's horizon,
  from 14 days overdue to 7 days ahead; every other open deadline is 30-360 days away;
- one officer per 150 plans, eight to a team with a manager.

Timed: `ehcp_engine.services.jobs.run_sweep` (the job as the scheduler runs it: reminders, then
the 20-weeks and phase-transfer alerts), twice per database: FIRST (claims and queues every due
step) and AGAIN (the same day again: finds everything claimed). Between repeats the claims and
the outbox are emptied outside the timed region.

BASELINE: the same job on a database of --baseline-plans (10k) plans with the SAME due count,
seeded and timed the same way in the same run, its sweeps interleaved with the subject's (median
of --repeat). If the cost follows the due count, the ratio stays near 1 while the total grows.
The statements of one sweep are also timed one by one and shown with their query plans, so a
scan that follows the total is named.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from pathlib import Path
from time import perf_counter
from typing import Any

from sqlalchemy import Engine, delete, text

from bench.common import (
    PeakMemory,
    StatementClock,
    bulk_insert,
    describe_machine,
    fresh_database,
    query_plan,
    reset_sequences,
    services_at,
    table,
    utc,
)
from bench.write_path import DEFAULT_PG_URL
from ehcp_engine.services.context import Services
from ehcp_engine.services.jobs import run_sweep

BASELINE = (__doc__ or "").split("\n\n")[-1].strip()
NOW = utc(2027, 3, 10)  # a Wednesday in term time: not a quiet day
TODAY = NOW.date()
DUE_SHARE = 0.001
PLANS_PER_OFFICER = 150
OFFICERS_PER_TEAM = 8
IN_FLIGHT_EVERY = 20  # one plan in 20 has a request in flight


@dataclass
class SweepTiming:
    backend: str
    plans: int
    due: int
    deadlines: int
    seed_seconds: float
    first_ms: float  # median of the repeats
    again_ms: float
    queued: int
    summary: str
    peak_mib: float
    slowest_statements: list[tuple[float, str, str]] = field(default_factory=list)


@dataclass
class SweepResult:
    size: SweepTiming
    baseline: SweepTiming

    @property
    def ratio_first(self) -> float:
        return self.size.first_ms / self.baseline.first_ms if self.baseline.first_ms else 0.0

    @property
    def ratio_again(self) -> float:
        return self.size.again_ms / self.baseline.again_ms if self.baseline.again_ms else 0.0


# ---------------------------------------------------------------------------------------------
# seeding (bulk, untimed)


def _people(plans: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[int]]:
    officers = max(2, plans // PLANS_PER_OFFICER)
    teams = (officers + OFFICERS_PER_TEAM - 1) // OFFICERS_PER_TEAM
    team_rows = [{"id": t + 1, "name": f"Bench team {t + 1}"} for t in range(teams)]
    users, officer_ids = [], []
    for n in range(officers):
        users.append(_user(n + 1, f"officer{n + 1}", "officer", n // OFFICERS_PER_TEAM + 1))
        officer_ids.append(n + 1)
    for t in range(teams):
        users.append(_user(officers + t + 1, f"manager{t + 1}", "manager", t + 1))
    return team_rows, users, officer_ids


def _user(user_id: int, name: str, role: str, team_id: int) -> dict[str, Any]:
    return {
        "id": user_id,
        "email": f"{name}@bench.example.gov.uk",
        "name": name,
        "role": role,
        "active": True,
        "created_at": NOW,
        "team_id": team_id,
        "channels": ["email", "inapp"],
        "failed_logins": 0,
    }


def _cases(plans: int, officers: Sequence[int]) -> Iterator[dict[str, Any]]:
    for i in range(plans):
        yield {
            "id": i + 1,
            "reference": f"BENCH-{i + 1:07d}",
            "version": 6,
            "rule_set": "2015",
            "given_name": "Bench",
            "family_name": f"Child{i + 1}",
            "date_of_birth": date(2012, 1, 1) + timedelta(days=i % 3000),
            "year_group_offset": 0,
            "officer_id": officers[i % len(officers)],
            "request_on": TODAY - timedelta(days=400 + i % 700),
            "last_hash": f"{i:064x}",
            "created_at": NOW,
            "updated_at": NOW,
        }


def _deadline(
    case_id: int, key: str, rule: str, starts: date, due: date, met: bool
) -> dict[str, Any]:
    return {
        "case_id": case_id,
        "key": key,
        "rule": rule,
        "stage_key": "plan" if rule == "annual_review" else "request",
        "subject_key": None,
        "starts_on": starts,
        "due_on": due,
        "status": "met" if met else "open",
        "met_on": due - timedelta(days=3) if met else None,
        "exception": None,
        "source": "SEND Regulations 2014 (bench seed)",
        "guidance": False,
        "started_by": 1,
        "family_window": False,
    }


def _due_cases(plans: int, due: int) -> set[int]:
    """`due` case ids spread evenly over the table (not clustered at one end)."""
    step = plans / due if due else 0
    return {int(k * step) + 1 for k in range(due)}


def _deadlines(plans: int, due: int) -> Iterator[dict[str, Any]]:
    due_ids = _due_cases(plans, due)
    for case_id in range(1, plans + 1):
        issued = TODAY - timedelta(days=400 + case_id % 700)
        yield _deadline(
            case_id, "final_plan", "final_plan", issued - timedelta(weeks=20), issued, True
        )
        last = TODAY - timedelta(days=30 + case_id % 330)
        yield _deadline(
            case_id, "review:1", "annual_review", last - timedelta(days=365), last, True
        )
        if case_id in due_ids:
            review_due = TODAY + timedelta(days=-14 + case_id % 22)
        else:
            review_due = TODAY + timedelta(days=30 + case_id % 330)
        yield _deadline(
            case_id,
            "review:2",
            "annual_review",
            review_due - timedelta(days=365),
            review_due,
            False,
        )
        if case_id % IN_FLIGHT_EVERY == 0 and case_id not in due_ids:
            start = TODAY - timedelta(days=case_id % 70)
            yield _deadline(
                case_id, "final_plan:2", "final_plan", start, start + timedelta(weeks=20), False
            )


def seed(engine: Engine, plans: int, due: int) -> int:
    """Bulk-insert the authority; the number of deadline rows."""
    teams, users, officers = _people(plans)
    bulk_insert(engine, "teams", teams)
    bulk_insert(engine, "users", users)
    bulk_insert(engine, "cases", _cases(plans, officers))
    written = bulk_insert(engine, "deadlines", _deadlines(plans, due))
    reset_sequences(engine, ["teams", "users", "cases", "deadlines"])
    with engine.begin() as conn:
        conn.execute(text("ANALYZE"))
    return written


# ---------------------------------------------------------------------------------------------
# timing


def _clear(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(delete(table("reminder_steps")))
        conn.execute(delete(table("outbox")))


def _queued(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.scalar(text("SELECT COUNT(*) FROM outbox")) or 0)


def _sweep_once(svc: Services) -> tuple[float, str]:
    t0 = perf_counter()
    summary = run_sweep(svc, TODAY, NOW)
    return (perf_counter() - t0) * 1000, summary


class Subject:
    """One seeded database and the figures of the sweeps timed on it."""

    def __init__(self, backend: str, engine: Engine, plans: int, due: int, drop: str) -> None:
        t0 = perf_counter()
        self.deadlines = seed(engine, plans, due)
        if drop:  # to measure what an index buys
            with engine.begin() as conn:
                conn.execute(text(f"DROP INDEX {drop}"))
        self.seeded = perf_counter() - t0
        self.backend, self.engine, self.plans, self.due = backend, engine, plans, due
        self.svc = services_at(engine, NOW)
        _sweep_once(self.svc)  # warm-up, untimed: imports, connection pool, the backend's cache
        self.firsts: list[float] = []
        self.agains: list[float] = []
        self.summary, self.queued, self.peak = "", 0, 0.0

    def sweep_twice(self) -> None:
        _clear(self.engine)
        memory = PeakMemory()
        with memory.measure():
            ms, self.summary = _sweep_once(self.svc)
            self.firsts.append(ms)
            self.queued = _queued(self.engine)
            self.agains.append(_sweep_once(self.svc)[0])
        self.peak = max(self.peak, memory.mib)

    def timing(self) -> SweepTiming:
        _clear(self.engine)
        with StatementClock(self.engine) as clock:
            _sweep_once(self.svc)
        slowest = sorted(clock.spent.items(), key=lambda kv: -kv[1])[:3]
        return SweepTiming(
            backend=self.backend,
            plans=self.plans,
            due=self.due,
            deadlines=self.deadlines,
            seed_seconds=self.seeded,
            first_ms=statistics.median(self.firsts),
            again_ms=statistics.median(self.agains),
            queued=self.queued,
            summary=self.summary,
            peak_mib=self.peak,
            slowest_statements=[
                (ms * 1000, " ".join(sql.split())[:160], self._plan(sql, clock.params.get(sql)))
                for sql, ms in slowest
            ],
        )

    def _plan(self, sql: str, params: Any) -> str:
        return query_plan(self.engine, sql, params)


def measure(
    backend: str, plans: int, base_plans: int, due: int, args: argparse.Namespace, workdir: Path
) -> SweepResult:
    """Both databases seeded, then their sweeps interleaved (base, size, base, size, ...) so
    that whatever else the machine is doing falls on both alike."""
    with (
        fresh_database(backend, f"sweep{plans}", workdir, args.pg_url) as big,
        fresh_database(backend, f"base{base_plans}", workdir, args.pg_url) as small,
    ):
        size = Subject(backend, big, plans, due, args.drop_index)
        base = Subject(backend, small, base_plans, due, args.drop_index)
        for _ in range(args.repeat):
            base.sweep_twice()
            size.sweep_twice()
        return SweepResult(size.timing(), base.timing())


# ---------------------------------------------------------------------------------------------
# report


def report(results: Sequence[SweepResult], baseline_plans: int) -> str:
    head = (
        f"{'backend':<11}{'plans':>8}{'due':>6}{'first ms':>10}{'again ms':>10}"
        f"{f'base {baseline_plans} first':>18}{'ratio':>7}{'again ratio':>12}{'peak MiB':>10}"
    )
    lines = [head, "-" * len(head)]
    for r in results:
        s, b = r.size, r.baseline
        lines.append(
            f"{s.backend:<11}{s.plans:>8}{s.due:>6}{s.first_ms:>10.1f}{s.again_ms:>10.1f}"
            f"{b.first_ms:>18.1f}{r.ratio_first:>7.2f}{r.ratio_again:>12.2f}{s.peak_mib:>10.0f}"
        )
    lines.append("(first: claims and queues every due step; again: the same day, nothing new)")
    lines.append("")
    lines.append("slowest statements of one sweep at the largest size (ms, SQL, plan):")
    largest = max(results, key=lambda r: r.size.plans)
    for ms, sql, plan in largest.size.slowest_statements:
        lines.append(f"  {ms:8.1f}  {sql}\n            plan: {plan}")
    lines.append(f"job summary: {largest.size.summary}")
    return "\n".join(lines)


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.sweep", description=__doc__.split("\n")[0])
    p.add_argument("--size", type=int, nargs="+", default=[10_000, 100_000, 640_000])
    p.add_argument("--baseline-plans", type=int, default=10_000)
    p.add_argument("--due-share", type=float, default=DUE_SHARE)
    p.add_argument("--repeat", type=int, default=3, help="timed sweeps per database (median)")
    p.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="sqlite")
    p.add_argument("--pg-url", default=DEFAULT_PG_URL)
    p.add_argument("--json", type=Path, help="also write the figures to this file")
    p.add_argument("--drop-index", default="", help="drop this index after seeding (A/B)")
    return p.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> list[SweepResult]:
    args = parse(argv)
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    results: list[SweepResult] = []
    with tempfile.TemporaryDirectory(prefix="bench-sweep-") as tmp:
        for backend in backends:
            for plans in args.size:
                due = max(1, round(plans * args.due_share))
                found = measure(backend, plans, args.baseline_plans, due, args, Path(tmp))
                results.append(found)
                print(
                    f"{backend} {plans} plans, {due} due: {found.size.first_ms:.1f} ms "
                    f"(base {found.baseline.first_ms:.1f} ms)",
                    flush=True,
                )
    print(BASELINE)
    print(report(results, args.baseline_plans))
    uses_pg = "postgresql" in backends
    print(json.dumps(describe_machine(args.pg_url if uses_pg else None)))
    if args.json:
        payload = [
            {**asdict(r), "ratio_first": r.ratio_first, "ratio_again": r.ratio_again}
            for r in results
        ]
        args.json.write_text(json.dumps({"results": payload}, indent=2, default=str))
    return results


if __name__ == "__main__":
    main()
