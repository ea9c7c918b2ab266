"""The measures projection: kept current incrementally, equal to a full fold of the audit log,
and the log's figures equal to the live deadlines' on hand-built cases (corrections included)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import delete, select

from audit.measures.projection import facts_from_projection
from audit.measures.source import facts_from_log
from ehcp_engine.persistence.models import DeadlineRow, MeasureCase, MeasureFact
from ehcp_engine.services import measures
from ehcp_engine.services.context import Services
from ehcp_engine.services.jobs import JOBS
from ehcp_engine.services.scheduler import load_jobs, run_job
from ehcp_engine.settings import REPO_CONFIG
from tests.measures.helpers import Story, ids, measure
from tests.measures.test_journey_measures import Y2025, Y2026, build


def _key(facts: list[Any]) -> list[Any]:
    return sorted(facts, key=lambda f: (f.case_id, f.key))


def _same_as_log(svc: Services) -> None:
    with svc.sessions() as session:
        projected = _key(facts_from_projection(session))
        folded = _key(facts_from_log(session, measures.fold_context(svc)))
    assert projected == folded
    for period in (Y2025, Y2026):
        live = measures.dashboard(svc, *period, ids=True)
        fresh = measures.from_log(svc, *period)
        assert live.pop("computed_from") == "projection"
        assert fresh.pop("computed_from") == "audit log"
        assert live == fresh


def test_incremental_projection_equals_a_full_fold_of_the_log(fresh_svc: Services) -> None:
    story = build(fresh_svc)
    first = measures.refresh(fresh_svc)
    assert first.cases == 7
    _same_as_log(fresh_svc)
    assert measures.refresh(fresh_svc).cases == 0  # nothing new: nothing refolded

    # Two cases move on: a review decision for A, and E's issue date corrected to on time.
    a, e = Story.__new__(Story), Story.__new__(Story)
    for j, case_id in ((a, story["a"]), (e, story["e"])):
        j.svc, j.case_id = fresh_svc, case_id
    a.do("review_meeting_held", date(2026, 5, 4), participants=["parent"])
    a.do("review_decision_notified", date(2026, 5, 18), outcome="maintain")
    why = "the plan went out on the 26th"
    e.do(
        "event_corrected",
        date(2026, 6, 1),
        seq=e.seq("final_plan_issued"),
        reason=why,
        occurred_on="2025-05-26",
    )
    second = measures.refresh(fresh_svc)
    assert second.cases == 2
    _same_as_log(fresh_svc)
    report = measures.dashboard(fresh_svc, *Y2025, ids=True)
    # E's plan (26 May, the last day of the 20 weeks) is now on time.
    assert ids(measure(report, "final_plan_20w_incl"))[0] == sorted([story["a"], story["e"]])


def test_reconcile_refolds_a_case_the_watermark_passed(fresh_svc: Services) -> None:
    story = build(fresh_svc)
    measures.refresh(fresh_svc)
    # As if a record had committed after a later-numbered one was folded: the case's facts and
    # mark are missing although the watermark is past its records.
    with fresh_svc.sessions.begin() as session:
        session.execute(delete(MeasureFact).where(MeasureFact.case_id == story["c"]))
        session.execute(delete(MeasureCase).where(MeasureCase.case_id == story["c"]))
    assert measures.refresh(fresh_svc).cases == 0
    assert measures.refresh(fresh_svc, reconcile=True).cases == 1
    _same_as_log(fresh_svc)


def test_the_scheduled_job_refreshes_and_is_declared(fresh_svc: Services) -> None:
    build(fresh_svc)
    assert "measures_refresh" in JOBS
    assert "measures_refresh" in {j.name for j in load_jobs(REPO_CONFIG / "jobs.toml").jobs}
    run = run_job(fresh_svc, "measures_refresh")
    assert run.outcome == "ok", run.detail
    assert "refolded 7 case(s)" in run.detail
    with fresh_svc.sessions() as session:
        assert session.scalar(select(MeasureCase.case_id).limit(1)) is not None


def _from_deadlines(svc: Services, rule: str, start: date, end: date) -> dict[str, Any]:
    """The live view: the deadlines table, closed deadlines met in the period."""
    with svc.sessions() as session:
        rows = session.execute(
            select(DeadlineRow.case_id, DeadlineRow.status, DeadlineRow.exception).where(
                DeadlineRow.rule == rule,
                DeadlineRow.status.in_(("met", "missed", "missed_exception")),
                DeadlineRow.met_on >= start,
                DeadlineRow.met_on <= end,
            )
        ).all()
    incl = ([c for c, s, _ in rows if s == "met"], [c for c, _, _ in rows])
    excl = ([c for c, s, e in rows if s == "met" and not e], [c for c, _, e in rows if not e])
    return {"incl": tuple(sorted(x) for x in incl), "excl": tuple(sorted(x) for x in excl)}


def test_log_measures_equal_the_live_deadlines(fresh_svc: Services) -> None:
    """SEN2 measures from the log agree with the deadlines officers see, including B's
    exception and F's corrected request date. (2026 differs by design: C's plan, made after a
    tribunal order, is a new plan for SEN2 though the refusal cancelled its 20-week timer.)"""
    build(fresh_svc)
    report = measures.dashboard(fresh_svc, *Y2025, ids=True)
    live = _from_deadlines(fresh_svc, "final_plan", *Y2025)
    assert ids(measure(report, "final_plan_20w_incl")) == live["incl"]
    assert ids(measure(report, "final_plan_20w_excl")) == live["excl"]
    for measure_id, rule in (
        ("assessment_decision_6w", "assessment_decision"),
        ("no_plan_16w", "no_plan_notice"),
    ):
        assert ids(measure(report, measure_id)) == _from_deadlines(fresh_svc, rule, *Y2025)["incl"]


def test_a_page_view_reads_the_projection_not_the_log(fresh_svc: Services) -> None:
    """Fast at scale: once the projection is current, a dashboard reads measure_facts; the only
    look at the audit log is the watermark's (records above it: none)."""
    from sqlalchemy import event

    build(fresh_svc)
    measures.refresh(fresh_svc)
    engine = fresh_svc.sessions.kw["bind"]
    seen: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(" ".join(statement.split()))

    event.listen(engine, "before_cursor_execute", record)
    try:
        measures.dashboard(fresh_svc, *Y2025)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    on_log = [s for s in seen if "audit_events" in s]
    assert on_log and all("audit_events.id >" in s for s in on_log), on_log
    assert any("FROM measure_facts" in s for s in seen)
