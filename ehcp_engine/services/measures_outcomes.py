"""Outcomes met at review, by heading of the local outcomes framework: the one dashboard measure
that needs plan content (each rated outcome is looked up in the plan in force at the meeting).

Only reviews held in the period with ratings are read. Those of cases with no issued plan
version cannot be matched to a heading, so the database counts them grouped by their ratings
alone; the rest go through the Python lookup (`headings_of`, the reference's own) a chunk of
cases at a time, so memory stays bounded however large the authority.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import Session

from audit.measures import facts as k
from audit.measures.facts import Fact
from audit.measures.local import HeadingsOf, outcome_ratings, ratings_table
from audit.measures.rates import Period
from audit.measures.sql_rates import Base, in_period, m
from audit.measures.sql_report import attr, facts_where
from ehcp_engine.domain.plan_content import PlanContent
from ehcp_engine.persistence.models import PlanVersion
from ehcp_engine.services.context import Services
from ehcp_engine.services.plan_progress import NO_HEADING, UNMATCHED
from ehcp_engine.services.plans import framework

CHUNK = 1_000  # cases per lookup: one IN list each, well under any database's limit


def outcomes_table(session: Session, svc: Services, period: Period, base: Base) -> dict[str, Any]:
    """`local.outcomes_met` over the reviews of the period in scope."""
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    _unmatched(session, period, base, counts)
    _looked_up(session, svc, period, base, counts)
    return ratings_table(counts)


def _rated(period: Period, base: Base) -> list[ColumnElement[bool]]:
    progress = attr("progress")
    return base.of(k.REVIEW, in_period(m.start_on, period), progress.is_not(None), progress != "[]")


def _versioned() -> Select[int]:
    """Cases with an issued plan version (the only ones `headings_of` can match)."""
    return select(PlanVersion.case_id).where(
        PlanVersion.status == "issued", PlanVersion.issued_seq.is_not(None)
    )


def _unmatched(
    session: Session, period: Period, base: Base, counts: dict[str, Counter[str]]
) -> None:
    where = [*_rated(period, base), m.case_id.not_in(_versioned())]
    inner = select(attr("progress").label("p")).where(*where).subquery()
    for text, n in session.execute(select(inner.c.p, func.count()).group_by(inner.c.p)):
        for _outcome, rating in json.loads(text):
            counts[UNMATCHED][str(rating)] += int(n)


def _looked_up(
    session: Session, svc: Services, period: Period, base: Base, counts: dict[str, Counter[str]]
) -> None:
    where = [*_rated(period, base), m.case_id.in_(_versioned())]
    after = 0
    while True:
        page = select(m.case_id).where(*where, m.case_id > after).group_by(m.case_id)
        ids = list(session.scalars(page.order_by(m.case_id).limit(CHUNK)))
        if not ids:
            return
        reviews = facts_where(session, [*where, m.case_id.in_(ids)])
        issues = facts_where(session, base.of(k.PLAN_ISSUE, m.case_id.in_(ids)))
        facts = [*reviews, *issues]
        found = outcome_ratings(facts, period, headings_of(session, svc, facts))
        for heading, ratings in found.items():
            counts[heading].update(ratings)
        after = ids[-1]


# Case ids per IN clause: SQLite allows 32,766 bound values a statement, and a large authority
# has hundreds of thousands of rated cases in a period.
IN_BATCH = 1000


def _issued_versions(session: Session, case_ids: Sequence[int]) -> Iterator[PlanVersion]:
    """The issued plan versions of the cases, by case and number, read a batch of cases at a
    time."""
    for start in range(0, len(case_ids), IN_BATCH):
        yield from session.scalars(
            select(PlanVersion)
            .where(
                PlanVersion.case_id.in_(case_ids[start : start + IN_BATCH]),
                PlanVersion.status == "issued",
                PlanVersion.issued_seq.is_not(None),
            )
            .order_by(PlanVersion.case_id, PlanVersion.number)
        )


def headings_of(session: Session, svc: Services, facts: Sequence[Fact]) -> HeadingsOf:
    """Map each rated outcome to its headings in the local outcomes framework, through the
    plan version in force at the review meeting (read in batches of cases)."""
    rated = {f.case_id for f in facts if f.kind == k.REVIEW and f.attrs.get("progress")}
    if not rated:
        return lambda case_id, seq, outcome: [UNMATCHED]
    issued = {(f.case_id, int(f.attrs["seq"])): f.met_on for f in facts if f.kind == k.PLAN_ISSUE}
    meetings = {(f.case_id, int(f.attrs["seq"])): f.start_on for f in facts if f.kind == k.REVIEW}
    by_case: dict[int, list[tuple[date, int, PlanContent]]] = {}
    for v in _issued_versions(session, sorted(rated)):
        on = issued.get((v.case_id, int(v.issued_seq or 0)))
        if on is not None:
            content = PlanContent.model_validate(v.content)
            by_case.setdefault(v.case_id, []).append((on, int(v.issued_seq or 0), content))
    canonical = framework(svc).canonical

    def lookup(case_id: int, seq: int, outcome: str) -> list[str]:
        met = meetings.get((case_id, seq))
        plans = [p for on, s, p in by_case.get(case_id, []) if met and (on, s) <= (met, seq)]
        if not plans:
            return [UNMATCHED]
        wanted = outcome.strip().casefold()
        for o in plans[-1].e:
            if o.id == outcome or o.description.strip().casefold() == wanted:
                return [canonical(h) or h for h in o.headings] or [NO_HEADING]
        return [UNMATCHED]

    return lookup
