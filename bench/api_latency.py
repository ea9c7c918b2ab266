"""Benchmark: API latency (p50/p99) of the caseload and case endpoints with 50 concurrent users.

    .venv/bin/python -m bench.api_latency --size 20000
    .venv/bin/python -m bench.api_latency --size 60 --template-plans 10 --template-years 1 \
        --users 5 --requests 50

The authority is built by bench/authority.py (a simulated template copied in bulk up to --size
plans in force, untimed) in a SQLite file. The real app (`api.app:create_app`, scheduler off) is
then served by uvicorn in a separate process (one worker, as `ehcp serve` runs it), and --users
clients (httpx, asyncio, one connection each) send --requests requests per endpoint in all, each
user waiting for its answer before the next request, as an officer with an API token:

CASELOAD  GET /api/v1/cases (the officer's caseload: first page of 50, by next deadline)
CASE      GET /api/v1/cases/{id} (a random case the officer may see; each read is access-logged)

BASELINE: GET /healthz of the same server under the same load (routing, middleware, one
`SELECT 1`): the cost of the server, the client and the machine, which every endpoint pays.
Endpoints are measured in turn, baseline first and last (its two runs show the drift). Latency is
from sending a request to reading its whole answer, at the client.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from time import perf_counter

import httpx
from sqlalchemy import Engine, select

from bench.authority import Authority, build
from bench.common import PeakMemory, describe_machine, percentile, services_at
from ehcp_engine.persistence.db import make_engine, migrate
from ehcp_engine.persistence.models import Case, User
from ehcp_engine.services.users import issue_token

BASELINE = (__doc__ or "").split("\n\n")[-1].strip()
REPO = Path(__file__).resolve().parent.parent


@dataclass
class Latency:
    endpoint: str
    requests: int
    errors: int
    seconds: float
    p50_ms: float
    p99_ms: float
    mean_ms: float

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


@dataclass
class ApiResult:
    authority: Authority
    users: int
    baseline: Latency
    baseline_again: Latency
    caseload: Latency
    case: Latency
    server_peak_mib: float
    client_peak_mib: float

    def ratio(self, found: Latency, q: str) -> float:
        base = getattr(self.baseline, q)
        return float(getattr(found, q)) / base if base else 0.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def officer_and_cases(engine: Engine) -> tuple[int, list[int]]:
    """An officer of the authority and the cases of their team (all of which they may read)."""
    with engine.connect() as conn:
        officer_id, team_id = conn.execute(
            select(User.id, User.team_id).where(User.role == "officer").order_by(User.id)
        ).first() or (0, None)
        team = select(User.id).where(User.team_id == team_id)
        ids = list(conn.scalars(select(Case.id).where(Case.officer_id.in_(team))))
    return int(officer_id), ids


def start_server(db_url: str, port: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "EHCP_DATABASE_URL": db_url,
        "EHCP_SCHEDULER": "false",
        "EHCP_ENV": "development",
    }
    command = [sys.executable, "-m", "uvicorn", "api.app:create_app", "--factory"]
    command += ["--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]
    server = subprocess.Popen(command, cwd=REPO, env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return server
        except httpx.HTTPError:
            time.sleep(0.2)
    server.kill()
    raise RuntimeError("the server did not start")


def server_peak_mib(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


async def _user(
    client: httpx.AsyncClient, paths: list[str], times: list[float], errors: list[int]
) -> None:
    for path in paths:
        t0 = perf_counter()
        response = await client.get(path)
        await response.aread()
        times.append(perf_counter() - t0)
        if response.status_code != 200:
            errors.append(response.status_code)


async def _load(base: str, token: str, paths: list[str], users: int) -> tuple[list[float], int]:
    times: list[float] = []
    errors: list[int] = []
    headers = {"Authorization": f"Bearer {token}"}
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    clients = [
        httpx.AsyncClient(base_url=base, headers=headers, limits=limits, timeout=120)
        for _ in range(users)
    ]
    try:
        shares = [paths[i::users] for i in range(users)]
        await asyncio.gather(
            *(_user(c, s, times, errors) for c, s in zip(clients, shares, strict=True))
        )
    finally:
        for c in clients:
            await c.aclose()
    return times, len(errors)


def hammer(base: str, token: str, name: str, paths: list[str], users: int) -> Latency:
    t0 = perf_counter()
    times, errors = asyncio.run(_load(base, token, paths, users))
    seconds = perf_counter() - t0
    print(f"  {name}: {len(times)} requests in {seconds:.1f} s", flush=True)
    return Latency(
        endpoint=name,
        requests=len(times),
        errors=errors,
        seconds=seconds,
        p50_ms=percentile(times, 0.50) * 1000,
        p99_ms=percentile(times, 0.99) * 1000,
        mean_ms=1000 * sum(times) / len(times) if times else 0.0,
    )


def run(args: argparse.Namespace, workdir: Path) -> ApiResult:
    db_url = f"sqlite:///{workdir / 'api.sqlite3'}"
    engine = make_engine(db_url)
    migrate(engine)
    now = datetime.now(UTC)
    authority = build(
        engine,
        now,
        args.size,
        template_plans=args.template_plans,
        template_years=args.template_years,
    )
    print(f"built {authority}", flush=True)
    officer, cases = officer_and_cases(engine)
    token = issue_token(services_at(engine, now), officer)
    engine.dispose()
    rng = random.Random(7)
    n, users = args.requests, args.users
    port = free_port()
    server = start_server(db_url, port)
    base = f"http://127.0.0.1:{port}"
    memory = PeakMemory()
    try:
        hammer(base, token, "warm-up", ["/healthz"] * users + ["/api/v1/cases"] * users, users)
        with memory.measure():
            baseline = hammer(base, token, "GET /healthz", ["/healthz"] * n, users)
            caseload = hammer(base, token, "GET /api/v1/cases", ["/api/v1/cases"] * n, users)
            picks = [f"/api/v1/cases/{rng.choice(cases)}" for _ in range(n)]
            case = hammer(base, token, "GET /api/v1/cases/{id}", picks, users)
            again = hammer(base, token, "GET /healthz (again)", ["/healthz"] * n, users)
        peak = server_peak_mib(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=30)
    return ApiResult(authority, users, baseline, again, caseload, case, peak, memory.mib)


def report(r: ApiResult) -> str:
    a = r.authority
    head = (
        f"{'endpoint':<26}{'requests':>9}{'errors':>7}{'req/s':>8}{'p50 ms':>9}{'p99 ms':>9}"
        f"{'p50 x base':>11}{'p99 x base':>11}"
    )
    lines = [
        f"{a.plans_in_force} plans in force, {a.cases} cases, {a.events} events; "
        f"{r.users} concurrent users; one uvicorn worker",
        head,
        "-" * len(head),
    ]
    for found in (r.baseline, r.caseload, r.case, r.baseline_again):
        lines.append(
            f"{found.endpoint:<26}{found.requests:>9}{found.errors:>7}{found.per_second:>8.0f}"
            f"{found.p50_ms:>9.1f}{found.p99_ms:>9.1f}"
            f"{r.ratio(found, 'p50_ms'):>11.1f}{r.ratio(found, 'p99_ms'):>11.1f}"
        )
    lines.append(
        f"peak memory: server {r.server_peak_mib:.0f} MiB (whole life), "
        f"client {r.client_peak_mib:.0f} MiB"
    )
    return "\n".join(lines)


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.api_latency")
    p.add_argument("--size", type=int, default=20_000, help="plans in force")
    p.add_argument("--template-plans", type=int, default=100)
    p.add_argument("--template-years", type=int, default=2)
    p.add_argument("--users", type=int, default=50)
    p.add_argument("--requests", type=int, default=2000, help="per endpoint")
    p.add_argument("--json", type=Path)
    return p.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> ApiResult:
    args = parse(argv)
    with tempfile.TemporaryDirectory(prefix="bench-api-") as tmp:
        result = run(args, Path(tmp))
    print(BASELINE)
    print(report(result))
    print(json.dumps(describe_machine(None)))
    if args.json:
        args.json.write_text(json.dumps(asdict(result), indent=2, default=str))
    return result


if __name__ == "__main__":
    main()
