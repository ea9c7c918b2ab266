"""`ehcp sen2 export`, run for real in a subprocess against its own database: a clean return is
written (XML and a CSV per module); a broken record is reported with its reason and link, the
command exits 1, and nothing is exported unless a partial return is asked for."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from ehcp_engine.persistence.db import make_engine, make_sessionmaker
from ehcp_engine.services import sen2
from ehcp_engine.services.context import Services
from ehcp_engine.settings import REPO_CONFIG
from tests.conftest import Backend, FakeClock
from tests.measures.test_journey_measures import build
from tests.measures.test_sen2 import _complete

REPO = Path(__file__).resolve().parents[2]


def _command() -> list[str]:
    script = Path(sys.executable).parent / "ehcp"
    return [str(script)] if script.exists() else [sys.executable, "-m", "ehcp_engine.cli"]


class Cli:
    def __init__(self, backend: Backend, engine_config: Any, tmp_path: Path) -> None:
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("EHCP_")}
        self.env["EHCP_DATA_DIR"] = str(tmp_path / "data")
        if backend.name == "sqlite":
            (tmp_path / "data").mkdir()
            self.url = f"sqlite:///{tmp_path / 'data' / 'ehcp.sqlite3'}"
        else:
            self.url = backend.new_database()
            self.env["EHCP_DATABASE_URL"] = self.url
        assert self.run("migrate").returncode == 0
        self.engine = make_engine(self.url)
        self.svc = Services(make_sessionmaker(self.engine), engine_config, FakeClock())

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*_command(), *args],
            env=self.env,
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )


@pytest.fixture
def cli(backend: Backend, engine_config: Any, tmp_path: Path) -> Iterator[Cli]:
    made = Cli(backend, engine_config, tmp_path)
    yield made
    made.engine.dispose()


def test_a_clean_return_is_written_with_a_csv_per_module(cli: Cli, tmp_path: Path) -> None:
    build(cli.svc)
    _complete(cli.svc)
    out, csvs = tmp_path / "sen2_2026.xml", tmp_path / "csv"
    done = cli.run("sen2", "export", "--year", "2026", "--out", str(out), "--csv", str(csvs))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "7 person(s) in the return; 0 error(s)" in done.stdout
    schema = etree.XMLSchema(etree.parse(str(REPO_CONFIG / "sen2" / "sen2_schema_2026.xsd")))
    assert schema.validate(etree.parse(str(out)))
    assert sorted(p.name for p in csvs.iterdir()) == [
        "module1_person.csv",
        "module2_requests.csv",
        "module3_assessment.csv",
        "module4_named_plan.csv",
        "module5_active_plans.csv",
    ]
    requests = (csvs / "module2_requests.csv").read_text().splitlines()
    assert requests[0].startswith("case_id,reference,request,ReceivedDate,RequestSource")
    assert len(requests) == 1 + 7


def test_a_broken_record_is_reported_not_exported_silently(cli: Cli, tmp_path: Path) -> None:
    story = build(cli.svc)
    _complete(cli.svc)
    broken = story["b"]
    sen2.set_person(cli.svc, broken, sen2.PersonIn(ethnicity="WBRI", upn_unknown="UN2"))
    out = tmp_path / "sen2_2026.xml"
    done = cli.run("sen2", "export", "--year", "2026", "--out", str(out))
    assert done.returncode == 1
    assert f"ERROR case {broken} EHC-{broken:06d} [sex_missing]" in done.stdout
    assert f"(/cases/{broken})" in done.stdout
    assert "nothing written" in done.stdout
    assert not out.exists()
    report = json.loads(out.with_suffix(".quality.json").read_text())
    errors = [i for i in report["issues"] if i["level"] == "error"]
    assert [(i["case_id"], i["rule"], i["link"]) for i in errors] == [
        (broken, "sex_missing", f"/cases/{broken}")
    ]
    # Asked for, a partial return leaves the broken record out and still fails.
    partial = cli.run("sen2", "export", "--year", "2026", "--out", str(out), "--partial")
    assert partial.returncode == 1
    surnames = etree.parse(str(out)).findall(".//Person")
    assert len(surnames) == 6


def test_an_unconfigured_year_is_a_clear_error(cli: Cli, tmp_path: Path) -> None:
    done = cli.run("sen2", "export", "--year", "2031", "--out", str(tmp_path / "x.xml"))
    assert done.returncode == 2
    assert "no SEN2 collection 2031 is configured" in done.stderr
