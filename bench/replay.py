"""Benchmark: replay speed (events per second) of `ehcp audit replay`, and its peak memory.

    .venv/bin/python -m bench.replay --size 20000
    .venv/bin/python -m bench.replay --size 60 --template-plans 10 --template-years 1

The authority is built by bench/authority.py (a simulated template copied in bulk up to --size
plans in force; the copying is not timed). Each copy must replay without a difference: the run
fails otherwise.

REPLAY  `ehcp_engine.services.replay.replay_all`, what `ehcp audit replay` runs: every case read
        (its row, its audit history, its stored stages, deadlines and advice requests), folded
        by the write path's own fold and compared.

BASELINE: the same reads case by case, in the same sessions and order (`session.get` of the case,
`audit.log.history`, `projection.rows_snapshot`), with no fold and no comparison: what replay
cannot avoid. REPLAY / READ is the share of replay's time that is reading.
Peak memory is the process's resident high-water mark during each run.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from time import perf_counter

from audit import log as audit_log
from bench.authority import Authority, build
from bench.common import PeakMemory, describe_machine, fresh_database, services_at, utc
from bench.write_path import DEFAULT_PG_URL
from ehcp_engine.persistence.models import Case
from ehcp_engine.services.context import Services
from ehcp_engine.services.projection import rows_snapshot
from ehcp_engine.services.replay import case_ids, replay_all

BASELINE = (__doc__ or "").split("\n\n")[-1].strip()
NOW = utc(2027, 1, 4)


@dataclass
class Run:
    seconds: float
    events: int
    peak_mib: float

    @property
    def events_per_second(self) -> float:
        return self.events / self.seconds if self.seconds else 0.0


@dataclass
class ReplayResult:
    backend: str
    authority: Authority
    cases: int
    differences: int
    replay: Run
    read: Run

    @property
    def ratio(self) -> float:
        """Replay's rate as a share of the read-only rate."""
        rate = self.read.events_per_second
        return self.replay.events_per_second / rate if rate else 0.0


def read_only(svc: Services) -> int:
    """The reads replay makes, case by case, without folding; the events read."""
    events = 0
    for case_id in case_ids(svc):
        with svc.sessions() as session:
            session.get(Case, case_id)
            events += len(audit_log.history(session, case_id))
            rows_snapshot(session, case_id)
    return events


def run(backend: str, plans: int, args: argparse.Namespace, workdir: Path) -> ReplayResult:
    with fresh_database(backend, "replay", workdir, args.pg_url) as engine:
        authority = build(
            engine,
            NOW,
            plans,
            template_plans=args.template_plans,
            template_years=args.template_years,
        )
        print(f"built {authority}", flush=True)
        svc = services_at(engine, NOW)
        memory = PeakMemory()
        with memory.measure():
            t0 = perf_counter()
            found = replay_all(svc)
            replay = Run(perf_counter() - t0, found.events, 0.0)
        replay.peak_mib = memory.mib
        if found.differences:
            shown = "\n".join(found.differences[:10])
            raise RuntimeError(f"replay found {len(found.differences)} differences:\n{shown}")
        with memory.measure():
            t0 = perf_counter()
            events = read_only(svc)
            read = Run(perf_counter() - t0, events, 0.0)
        read.peak_mib = memory.mib
    return ReplayResult(backend, authority, found.cases, len(found.differences), replay, read)


def report(results: Sequence[ReplayResult]) -> str:
    head = (
        f"{'backend':<11}{'cases':>8}{'events':>10}{'replay s':>10}{'replay ev/s':>13}"
        f"{'read ev/s':>11}{'replay/read':>13}{'peak MiB':>10}"
    )
    lines = [head, "-" * len(head)]
    for r in results:
        lines.append(
            f"{r.backend:<11}{r.cases:>8}{r.replay.events:>10}{r.replay.seconds:>10.1f}"
            f"{r.replay.events_per_second:>13.0f}{r.read.events_per_second:>11.0f}"
            f"{r.ratio:>12.1%} {r.replay.peak_mib:>10.0f}"
        )
        lines.append(f"  ({r.authority.plans_in_force} plans in force; differences: 0)")
    return "\n".join(lines)


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.replay")
    p.add_argument("--size", type=int, default=20_000, help="plans in force")
    p.add_argument("--template-plans", type=int, default=100)
    p.add_argument("--template-years", type=int, default=2)
    p.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="sqlite")
    p.add_argument("--pg-url", default=DEFAULT_PG_URL)
    p.add_argument("--json", type=Path)
    return p.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> list[ReplayResult]:
    args = parse(argv)
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-replay-") as tmp:
        for backend in backends:
            results.append(run(backend, args.size, args, Path(tmp)))
    print(BASELINE)
    print(report(results))
    print(json.dumps(describe_machine(args.pg_url if "postgresql" in backends else None)))
    if args.json:
        payload = [{**asdict(r), "ratio": r.ratio} for r in results]
        args.json.write_text(json.dumps(payload, indent=2, default=str))
    return results


if __name__ == "__main__":
    main()
