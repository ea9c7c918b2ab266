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
