"""Benchmark: the measures dashboard and a full recompute from the log, against DuckDB over the
same events.

    .venv/bin/python -m bench.dashboard --size 10000 20000 640000
    .venv/bin/python -m bench.dashboard --size 300 --template-plans 10 --template-years 1

The authority is built by bench/authority.py: a small authority simulated through the real write
path, then its rows copied in bulk (INSERT ... SELECT) up to each --size (plans in force, smallest
first, one database grown in place). The copying is not timed and is not the write path; it only
multiplies real engine output. Above --engine-max-plans only DuckDB runs, over the events alone
(the other tables are not even copied). The steps that fold or read every fact into Python
(RECOMPUTE, PYTHON) hold the facts in memory, so they run only up to --recompute-max-plans.

Timed, each --repeat times (median), over the last 12 months of the simulated period:

DASHBOARD  `ehcp_engine.services.measures.dashboard` as GET /api/v1/measures calls it: an
           incremental refresh of the projection (nothing new to fold) and every measure
           counted by the database over `measure_facts` (grouped SQL; counts, no member lists).
PYTHON     `measures.in_python`: the same report computed in Python from every fact of the
           window read out of `measure_facts` (the dashboard before it counted in SQL, and the
           reference the SQL is tested against).
RECOMPUTE  `measures.from_log`: every case folded afresh from the whole audit log (what the
           projection must equal), then the Python measures.

BASELINE: DuckDB (in memory) over the same audit events (case, seq, type, date; exported to
CSV and loaded, timed apart as LOAD), computing in one SQL query each the two headline rates
from the raw events: final plans within 20 weeks of the latest request (incl. exceptions) and
decisions whether to assess within 6 weeks. It is a simplified definition (no corrections, no
exceptions, no phase transfers, no other measure), so its figures are printed beside the
engine's and its time is a floor for an analytical engine, not a like-for-like replacement.
Peak memory is the process's resident high-water mark during each step.
"""

from __future__ import annotations

import argparse
import csv
import json
import statistics
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from pathlib import Path
from time import perf_counter
from typing import Any

import duckdb
from sqlalchemy import Engine, select

from audit.measures.report import without_ids
from bench.authority import CLONED, EVENTS_ONLY, Authority, grow, simulate_template
from bench.common import PeakMemory, describe_machine, fresh_database, services_at, utc
from bench.write_path import DEFAULT_PG_URL
from ehcp_engine.persistence.models import AuditEvent
from ehcp_engine.services import measures

BASELINE = (__doc__ or "").split("\n\n")[-1].strip()
NOW = utc(2027, 1, 4)

RATES_SQL = """
WITH requests AS (
    SELECT case_id, seq, occurred_on FROM events WHERE type = 'request_received'
), acts AS (
    SELECT e.case_id, e.type, e.occurred_on,
           (SELECT max(r.occurred_on) FROM requests r
             WHERE r.case_id = e.case_id AND r.seq < e.seq) AS requested_on
      FROM events e
     WHERE e.type IN ('final_plan_issued', 'assessment_agreed', 'assessment_refused')
       AND e.occurred_on BETWEEN $start AND $end
)
SELECT
    count(*) FILTER (WHERE type = 'final_plan_issued' AND occurred_on <= requested_on + 140),
    count(*) FILTER (WHERE type = 'final_plan_issued' AND requested_on IS NOT NULL),
    count(*) FILTER (WHERE type <> 'final_plan_issued' AND occurred_on <= requested_on + 42),
    count(*) FILTER (WHERE type <> 'final_plan_issued' AND requested_on IS NOT NULL)
  FROM acts
"""


@dataclass
class Step:
    median_ms: float
    runs_ms: list[float]
    peak_mib: float


@dataclass
class DashboardResult:
    backend: str
    authority: Authority
    period: tuple[str, str]
    dashboard: Step
    python: Step
    recompute: Step
    same_as_python: bool | None  # the SQL counts equal the Python measures' (when both ran)
    duckdb_load_ms: float
    duckdb: Step
    engine_rates: dict[str, float | None]
    duckdb_rates: dict[str, float | None]

    def ratio(self, step: Step) -> float:
        return step.median_ms / self.duckdb.median_ms if self.duckdb.median_ms else 0.0


def timed(fn: Callable[[], Any], repeat: int) -> tuple[Step, Any]:
    runs, result, memory = [], None, PeakMemory()
    with memory.measure():
        for _ in range(repeat):
            t0 = perf_counter()
            result = fn()
            runs.append((perf_counter() - t0) * 1000)
    return Step(statistics.median(runs), runs, memory.mib), result


def _percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def engine_rates(report: dict[str, Any]) -> dict[str, float | None]:
    found = {m["id"]: m.get("percent") for m in report.get("timeliness", [])}
    return {
        "final_plan_20w_incl": found.get("final_plan_20w_incl"),
        "assessment_decision_6w": found.get("assessment_decision_6w"),
    }


def export_events(engine: Engine, path: Path) -> int:
    """Every audit event's (case, seq, type, date) to a CSV file, streamed."""
    query = select(AuditEvent.case_id, AuditEvent.seq, AuditEvent.type, AuditEvent.occurred_on)
    written = 0
    with engine.connect() as conn, path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["case_id", "seq", "type", "occurred_on"])
        for row in conn.execution_options(yield_per=50_000).execute(query):
            writer.writerow([row[0], row[1], row[2], row[3].isoformat()])
            written += 1
    return written


def duckdb_loaded(path: Path) -> duckdb.DuckDBPyConnection:
    db = duckdb.connect(":memory:")
    db.execute(
        "CREATE TABLE events AS SELECT * FROM read_csv(?, header = true, columns = "
        "{'case_id': 'INTEGER', 'seq': 'INTEGER', 'type': 'VARCHAR', 'occurred_on': 'DATE'})",
        [str(path)],
    )
    return db


def duckdb_rates(db: duckdb.DuckDBPyConnection, start: date, end: date) -> tuple[int, ...]:
    row = db.execute(RATES_SQL, {"start": start, "end": end}).fetchone()
    return tuple(int(v or 0) for v in row or (0, 0, 0, 0))


def measure(
    engine: Engine, authority: Authority, args: argparse.Namespace, workdir: Path, engine_too: bool
) -> DashboardResult:
    svc = services_at(engine, NOW)
    end = authority.period_end - timedelta(days=1)
    start = end.replace(year=end.year - 1) + timedelta(days=1)
    skipped = Step(0.0, [], 0.0)
    dash, python, recompute = skipped, skipped, skipped
    report: dict[str, Any] = {}
    if engine_too:
        dash, report = timed(lambda: measures.dashboard(svc, start, end), args.repeat)
        print(f"  dashboard {dash.median_ms:.0f} ms", flush=True)
    same: bool | None = None
    if engine_too and authority.plans_in_force <= args.recompute_max_plans:
        python, reference = timed(
            lambda: measures.in_python(svc, start, end), args.recompute_repeat
        )
        same = report == without_ids(reference)
        print(f"  python {python.median_ms:.0f} ms (SQL counts equal: {same})", flush=True)
        recompute, _ = timed(lambda: measures.from_log(svc, start, end), args.recompute_repeat)
        print(f"  recompute {recompute.median_ms:.0f} ms", flush=True)
    csv_path = workdir / "events.csv"
    t0 = perf_counter()
    export_events(engine, csv_path)
    db = duckdb_loaded(csv_path)
    load_ms = (perf_counter() - t0) * 1000
    csv_path.unlink()
    duck, counts = timed(lambda: duckdb_rates(db, start, end), args.repeat)
    db.close()
    return DashboardResult(
        backend=engine.dialect.name,
        authority=authority,
        period=(start.isoformat(), end.isoformat()),
        dashboard=dash,
        python=python,
        recompute=recompute,
        same_as_python=same,
        duckdb_load_ms=load_ms,
        duckdb=duck,
        engine_rates=engine_rates(report),
        duckdb_rates={
            "final_plan_20w_incl": _percent(counts[0], counts[1]),
            "assessment_decision_6w": _percent(counts[2], counts[3]),
        },
    )


def run(backend: str, args: argparse.Namespace, workdir: Path) -> list[DashboardResult]:
    """One template, grown size by size (smallest first), measured at each size."""
    found = []
    with fresh_database(backend, "dashboard", workdir, args.pg_url) as engine:
        template = simulate_template(
            engine, NOW, plans=args.template_plans, years=args.template_years
        )
        have = 1
        for plans in sorted(args.size):
            engine_too = plans <= args.engine_max_plans
            tables = CLONED if engine_too else EVENTS_ONLY
            authority = grow(engine, template, have, plans, tables)
            have = authority.copies
            print(f"{backend}: {authority}", flush=True)
            found.append(measure(engine, authority, args, workdir, engine_too))
    return found


def report(results: Sequence[DashboardResult]) -> str:
    lines = []
    for r in results:
        a = r.authority
        lines += [
            f"{r.backend}: {a.plans_in_force} plans in force, {a.cases} cases, {a.events} events, "
            f"{a.facts} facts ({a.copies} copies of a {a.template_seconds:.0f} s simulation; "
            f"copied in {a.copy_seconds:.0f} s); period {r.period[0]} to {r.period[1]}",
            f"  {'step':<28}{'median ms':>12}{'x DuckDB':>10}{'peak MiB':>10}",
        ]
        for name, step in (
            ("dashboard (SQL counts)", r.dashboard),
            ("Python over projection", r.python),
            ("full recompute (from log)", r.recompute),
            ("DuckDB query (BASELINE)", r.duckdb),
        ):
            if not step.runs_ms:
                lines.append(f"  {name:<28}{'not run (over the size limit)':>32}")
                continue
            lines.append(
                f"  {name:<28}{step.median_ms:>12.1f}{r.ratio(step):>10.1f}{step.peak_mib:>10.0f}"
            )
        lines.append(f"  DuckDB load (CSV export + read_csv): {r.duckdb_load_ms:.0f} ms")
        if r.same_as_python is not None:
            lines.append(f"  dashboard's SQL counts equal the Python measures': {r.same_as_python}")
        for key in r.engine_rates if r.dashboard.runs_ms else ():
            lines.append(
                f"  {key}: engine {r.engine_rates[key]}%, DuckDB (simplified) "
                f"{r.duckdb_rates[key]}%"
            )
    return "\n".join(lines)


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.dashboard")
    p.add_argument("--size", type=int, nargs="+", default=[10_000, 20_000, 640_000])
    p.add_argument(
        "--engine-max-plans",
        type=int,
        default=1_000_000,
        help="above this, only DuckDB runs (and only the events are copied)",
    )
    p.add_argument(
        "--recompute-max-plans",
        type=int,
        default=40_000,
        help="above this, the Python steps (in_python, from_log: every fact in memory) do not run",
    )
    p.add_argument("--template-plans", type=int, default=100)
    p.add_argument("--template-years", type=int, default=2)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--recompute-repeat", type=int, default=1)
    p.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="sqlite")
    p.add_argument("--pg-url", default=DEFAULT_PG_URL)
    p.add_argument("--json", type=Path)
    return p.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> list[DashboardResult]:
    args = parse(argv)
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-dashboard-") as tmp:
        for backend in backends:
            results += run(backend, args, Path(tmp))
    print(BASELINE)
    print(report(results))
    print(json.dumps(describe_machine(args.pg_url if "postgresql" in backends else None)))
    if args.json:
        args.json.write_text(json.dumps([asdict(r) for r in results], indent=2, default=str))
    return results


if __name__ == "__main__":
    main()
