"""The write-path benchmark still runs: a tiny size, and no assertion about speed."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from bench.write_path import EVENTS_PER_CASE, main

PG_URL = os.environ.get("EHCP_TEST_DATABASE_URL")
CASES = 3


@pytest.mark.parametrize("backend", ["sqlite", *(["postgresql"] if PG_URL else [])])
def test_benchmark_runs_and_the_baseline_writes_the_engines_rows(
    backend: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "bench.json"
    # Two pairs of runs: each must start from a fresh database.
    argv = ["--cases", str(CASES), "--backend", backend, "--repeat", "2", "--json", str(out)]
    if PG_URL:
        argv += ["--pg-url", PG_URL]
    [result] = main(argv)

    events = CASES * EVENTS_PER_CASE
    assert result.backend == backend
    assert result.events == events
    assert result.engine_audit_records == events
    assert result.raw_audit_records == events
    assert result.rows_written["cases"] == CASES
    assert result.raw_rows_identical
    assert result.engine_events_per_second > 0
    assert result.raw_events_per_second > 0
    assert result.ratio_engine_to_raw > 0

    written = json.loads(out.read_text(encoding="utf-8"))
    assert written["results"][0]["engine_audit_records"] == events
    assert "RAW baseline" in capsys.readouterr().out


@pytest.mark.parametrize("backend", ["sqlite", *(["postgresql"] if PG_URL else [])])
def test_sweep_benchmark_times_the_job_on_both_sizes_with_the_same_due_count(
    backend: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from bench import sweep

    argv = ["--size", "1500", "--baseline-plans", "500", "--repeat", "1", "--backend", backend]
    [result] = sweep.main([*argv, *(["--pg-url", PG_URL] if PG_URL else [])])

    assert result.size.backend == backend
    assert result.size.plans == 1500 and result.baseline.plans == 500
    assert result.size.due == result.baseline.due == 2  # 0.1% of 1,500, rounded
    # Every due deadline gets exactly one message to its officer, at either size.
    assert result.size.queued == result.baseline.queued == 2
    assert result.size.deadlines > result.baseline.deadlines
    assert result.size.first_ms > 0 and result.ratio_first > 0
    assert "BASELINE" in capsys.readouterr().out


def test_dashboard_benchmark_grows_the_authority_and_compares_with_duckdb(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from bench import dashboard

    argv = ["--size", "20", "40", "--engine-max-plans", "20", "--repeat", "1"]
    small, large = dashboard.main([*argv, "--template-plans", "8", "--template-years", "1"])

    a, b = small.authority, large.authority
    assert b.copies > a.copies
    assert b.events * a.copies == a.events * b.copies  # whole copies of the same template
    assert small.dashboard.runs_ms and small.recompute.runs_ms
    assert not large.dashboard.runs_ms  # over --engine-max-plans: DuckDB only
    assert small.duckdb.runs_ms and large.duckdb.runs_ms
    # Copies repeat the template: every rate is the same at both sizes.
    assert small.duckdb_rates == large.duckdb_rates
    assert set(small.engine_rates) == set(small.duckdb_rates)
    assert "DuckDB" in capsys.readouterr().out


def test_replay_benchmark_replays_every_copied_event_without_a_difference() -> None:
    from bench import replay

    [result] = replay.main(["--size", "20", "--template-plans", "8", "--template-years", "1"])

    assert result.differences == 0
    assert result.cases == result.authority.cases
    assert result.replay.events == result.read.events == result.authority.events
    assert result.replay.events_per_second > 0 and result.ratio > 0
    assert result.replay.peak_mib > 0


def test_api_latency_benchmark_serves_the_app_and_every_request_succeeds() -> None:
    from bench import api_latency

    argv = ["--size", "16", "--template-plans", "8", "--template-years", "1"]
    result = api_latency.main([*argv, "--users", "3", "--requests", "12"])

    for found in (result.baseline, result.caseload, result.case, result.baseline_again):
        assert found.requests == 12
        assert found.errors == 0, found.endpoint
        assert 0 < found.p50_ms <= found.p99_ms
