"""The plan's life: reviews within 12 months and their decisions within 4 weeks, amended plans
within 8 weeks, phase transfers by their deadline by transfer, statutory advice by agency, and
the seeds' review measures (participation, reviewed in the last 12 months, outcomes met)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from ehcp_engine.persistence.models import PlanVersion
from ehcp_engine.services import measures
from ehcp_engine.services.context import Services
from tests.measures.helpers import Story, counts, ids, local, measure, same_as_python

Y2025 = (date(2025, 1, 1), date(2025, 12, 31))
Y2026 = (date(2026, 1, 1), date(2026, 11, 25))


def issued(svc: Services, on: date, **kw: object) -> Story:
    """A plan issued on `on`, every step before it on time."""
    j = Story(svc, on - timedelta(weeks=15), **kw)  # type: ignore[arg-type]
    j.do("assessment_agreed", on - timedelta(weeks=10))
    j.do("plan_agreed", on - timedelta(weeks=4))
    j.do("draft_plan_served", on - timedelta(days=27))
    j.do("final_plan_issued", on, named_setting="Oak Primary")
    return j


def _version(svc: Services, case_id: int, issued_seq: int, outcomes: list[dict[str, object]]):
    now = datetime(2025, 3, 3, tzinfo=UTC)
    with svc.sessions.begin() as session:
        session.add(
            PlanVersion(
                case_id=case_id,
                number=1,
                kind="final",
                status="issued",
                content={"e": outcomes},
                issued_seq=issued_seq,
                created_at=now,
                updated_at=now,
                created_by="officer@example.gov.uk",
            )
        )


def test_reviews_amendments_participation_and_outcomes(fresh_svc: Services) -> None:
    p1 = issued(fresh_svc, date(2025, 3, 3))
    _version(
        fresh_svc,
        p1.case_id,
        p1.seq("final_plan_issued"),
        [
            {"id": "e1", "description": "Reads fluently", "headings": ["I achieve my goals"]},
            {"id": "e2", "description": "Makes friends", "headings": []},
        ],
    )
    p1.do("review_meeting_scheduled", date(2026, 1, 5), meeting_on="2026-02-02")
    p1.do(
        "review_meeting_held",
        date(2026, 2, 2),
        participants=["child_or_young_person", "parent"],
        outcome_progress=[
            {"outcome": "e1", "rating": "achieved"},
            {"outcome": "Makes friends", "rating": "partly"},
        ],
    )
    p1.do("review_decision_notified", date(2026, 2, 23), outcome="amend", proposed_amendments="F")
    p1.do("amendment_representations_received", date(2026, 3, 2))
    p1.do("amended_plan_issued", date(2026, 4, 27))  # due 20 Apr: late
    p2 = issued(fresh_svc, date(2025, 4, 7))
    p2.do("review_meeting_held", date(2026, 3, 30), participants=["parent"])
    p2.do("review_decision_notified", date(2026, 5, 11), outcome="maintain")  # due 27 Apr
    p3 = issued(fresh_svc, date(2025, 6, 2))
    p3.do("cease_proposed", date(2026, 1, 12), reason=2)
    p3.do("cease_decided", date(2026, 2, 2), reason=2)
    p3.do("plan_ceased", date(2026, 4, 13), reason=2)  # before its review fell due (2 Jun)
    p4 = issued(fresh_svc, date(2025, 1, 6))  # never reviewed: due 6 Jan 2026
    one, two, three, four = p1.case_id, p2.case_id, p3.case_id, p4.case_id

    report = measures.dashboard(fresh_svc, *Y2026, ids=True)
    assert ids(measure(report, "review_decision_4w")) == ([one], sorted([one, two]))
    reviews = measure(report, "annual_review_12m")
    assert ids(reviews) == ([one], sorted([one, two, four]))
    assert reviews["excluded_ids"] == [three]
    assert ids(measure(report, "amended_plan_8w")) == ([], [one])

    taking_part = local(report, "review_participation")
    assert ids(taking_part["child_and_parent_or_young_person"]) == ([one], sorted([one, two]))
    assert counts(taking_part["parent"]) == (2, 2)
    assert counts(taking_part["child_or_young_person"]) == (1, 2)
    reviewed = local(report, "plans_reviewed_in_12_months")
    assert ids(reviewed) == (sorted([one, two]), sorted([one, two, four]))
    by_heading = local(report, "outcomes_met_by_heading")
    assert by_heading["I achieve my goals"]["numerator"] == 1
    assert by_heading["I achieve my goals"]["denominator"] == 1
    assert by_heading["(no heading)"]["percent"] == 0.0
    assert set(by_heading) == {"I achieve my goals", "(no heading)"}
    same_as_python(fresh_svc, Y2026)  # the outcomes looked up through the plan's content


def test_phase_transfers_by_year_of_transfer(fresh_svc: Services) -> None:
    # Born 1 Oct 2014: Year 6 in 2025/26, to secondary on 1 Sep 2026, due before 15 Feb 2026.
    t1 = issued(fresh_svc, date(2025, 3, 3), born=date(2014, 10, 1))
    t1.do("amended_plan_issued", date(2026, 2, 10), named_setting="Beech", names_next_setting=True)
    t2 = issued(fresh_svc, date(2025, 3, 3), born=date(2014, 10, 1))
    t2.do("amended_plan_issued", date(2026, 3, 2), named_setting="Beech", names_next_setting=True)
    # Born 1 Oct 2018 in an infant/junior area: Year 2 in 2025/26, to junior in September 2026.
    t3 = issued(
        fresh_svc, date(2025, 3, 3), born=date(2018, 10, 1), school_structure="infant_junior"
    )
    # A young person's move between post-16 institutions: at least 5 months before (1 Apr).
    t4 = issued(fresh_svc, date(2025, 3, 3), born=date(2007, 10, 1))
    t4.do("post16_move_proposed", date(2026, 1, 5), moves_on="2026-09-01", institution="College")
    t4.do("amended_plan_issued", date(2026, 3, 20), named_setting="College")

    transfers = measure(measures.dashboard(fresh_svc, *Y2026, ids=True), "phase_transfer")
    one, two, three, four = t1.case_id, t2.case_id, t3.case_id, t4.case_id
    assert ids(transfers["by"]["Year 6 (primary_to_secondary)"]) == ([one], sorted([one, two]))
    assert ids(transfers["by"]["Year 2 (infant_to_junior)"]) == ([], [three])
    assert ids(transfers["by"]["Year 13/14 (post16_move)"]) == ([four], [four])
    assert counts(transfers) == (2, 4)


def test_advice_within_6_weeks_by_agency_with_exceptions(fresh_svc: Services) -> None:
    j = Story(fresh_svc, date(2025, 1, 6))
    j.do("assessment_agreed", date(2025, 2, 10))
    ask = {"occurred_on": date(2025, 2, 10)}
    j.do("advice_requested", ask["occurred_on"], advice_type="health", contributor="NHS Trust")
    j.do(
        "advice_requested",
        ask["occurred_on"],
        advice_type="educational",
        contributor="EP Service",
        received_by_contributor_on="2025-02-12",  # Reg 8: six weeks from receipt, 26 Mar
    )
    j.do(
        "advice_requested",
        ask["occurred_on"],
        advice_type="psychological",
        contributor="EP Service",
    )
    j.do("advice_requested", ask["occurred_on"], advice_type="social_care", contributor="CSC")
    psych = next(a for a in j.view()["advice_requests"] if a["advice_type"] == "psychological")
    deadline = next(d for d in j.view()["deadlines"] if d["subject"] == psych["key"])
    j.do(
        "exception_recorded",
        date(2025, 3, 3),
        ground="missed_appointment",
        rule=deadline["id"],
        **{"from": "2025-03-03"},
    )
    j.do("advice_received", date(2025, 3, 20), advice_type="health")  # due 24 Mar
    j.do("advice_received", date(2025, 4, 1), advice_type="educational")  # due 26 Mar
    j.do("advice_received", date(2025, 4, 7), advice_type="psychological")  # late, exception
    j.do("plan_agreed", date(2025, 4, 14))
    j.do("draft_plan_served", date(2025, 4, 21))
    j.do("final_plan_issued", date(2025, 5, 19))  # social care advice never came: late
    case = j.case_id

    report = measures.dashboard(fresh_svc, *Y2025, ids=True)
    advice = measure(report, "advice_6w")
    assert ids(advice) == ([case], [case] * 4)
    assert counts(advice["by"]["NHS Trust"]) == (1, 1)
    assert counts(advice["by"]["EP Service"]) == (0, 2)
    assert counts(advice["by"]["CSC"]) == (0, 1)
    excl = measure(report, "advice_6w_excl")
    assert counts(excl) == (1, 3)
    assert counts(excl["by"]["EP Service"]) == (0, 1)
    targets = local(report, "advice_on_time_by_agency")
    assert targets["by"]["NHS Trust"]["targets_met"] == {"75%": True, "100%": True}
    assert targets["by"]["EP Service"]["targets_met"] == {"75%": False, "100%": False}


def test_plan_versions_behind_ratings_are_read_in_batches_of_cases(
    fresh_svc: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At 640k plans one IN clause naming every rated case passed SQLite's limit on bound values;
    the versions are read a batch of cases at a time, in the same order."""
    from ehcp_engine.services import measures_outcomes

    cases = []
    for on in (date(2025, 3, 3), date(2025, 4, 7), date(2025, 5, 5)):
        plan = issued(fresh_svc, on)
        _version(fresh_svc, plan.case_id, plan.seq("final_plan_issued"), [])
        cases.append(plan.case_id)
    with fresh_svc.sessions() as session:
        whole = [(v.case_id, v.id) for v in measures_outcomes._issued_versions(session, cases)]
        monkeypatch.setattr(measures_outcomes, "IN_BATCH", 2)
        batched = [(v.case_id, v.id) for v in measures_outcomes._issued_versions(session, cases)]
    assert [case_id for case_id, _ in whole] == cases
    assert batched == whole
