"""Progress towards a plan's outcomes, as rated at annual reviews (Reg 20(2)-(6); CoP 9.176).

The ratings live in the audit log: each `review_meeting_held` record's `outcome_progress` items
name an outcome (by its Section E id) with a rating and a note. They are read from the log with
corrections applied, and joined to the plan version in force on the meeting's date, so the
measures can answer "% of outcomes met" by heading of the local outcomes framework.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ehcp_engine.domain.case import RecordedEvent
from ehcp_engine.domain.plan_content import Outcome, PlanContent
from ehcp_engine.persistence.models import AuditEvent, PlanVersion
from ehcp_engine.services.context import Services
from ehcp_engine.services.history import effective_history
from ehcp_engine.services.plans import IN_FORCE_KINDS, framework

RATINGS = ("achieved", "on_track", "partly", "not_yet", "no_longer_relevant")
NO_HEADING = "(no heading)"
UNMATCHED = "(outcome not in the plan in force)"
ISSUING = ("final_plan_issued", "amended_plan_issued")
_READ = ("review_meeting_held", "event_corrected", *ISSUING)


@dataclass
class HeadingProgress:
    """Ratings under one heading. An outcome no longer relevant is left out of the rate."""

    heading: str
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(RATINGS, 0))

    @property
    def rated(self) -> int:
        return sum(self.counts.values()) - self.counts["no_longer_relevant"]

    @property
    def percent_met(self) -> float | None:
        return round(100 * self.counts["achieved"] / self.rated, 1) if self.rated else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "heading": self.heading,
            "counts": dict(self.counts),
            "rated": self.rated,
            "achieved": self.counts["achieved"],
            "percent_met": self.percent_met,
        }


@dataclass(frozen=True)
class Rating:
    case_id: int
    meeting_seq: int
    meeting_on: date
    outcome: str
    rating: str
    note: str | None
    matched: Outcome | None
    # The plan version in force at the meeting (none before the first final plan).
    version_id: int | None


def _issued(session: Session, case_id: int) -> list[PlanVersion]:
    return list(
        session.scalars(
            select(PlanVersion)
            .where(
                PlanVersion.case_id == case_id,
                PlanVersion.status == "issued",
                PlanVersion.kind.in_(IN_FORCE_KINDS),
            )
            .order_by(PlanVersion.number)
        )
    )


def _plan_at(
    versions: Sequence[PlanVersion], issued_on: dict[int, date], meeting: RecordedEvent
) -> PlanVersion | None:
    """The version in force at the meeting: the latest issued on or before its date."""
    found = [
        v
        for v in versions
        if v.issued_seq in issued_on
        and (issued_on[v.issued_seq], v.issued_seq) <= (meeting.occurred_on, meeting.seq)
    ]
    return found[-1] if found else None


def _match(plan: PlanContent | None, outcome: str) -> Outcome | None:
    """By id; an outcome typed as its description is matched too."""
    if plan is None:
        return None
    by_id = {o.id: o for o in plan.e}
    if outcome in by_id:
        return by_id[outcome]
    wanted = outcome.strip().casefold()
    return next((o for o in plan.e if o.description.strip().casefold() == wanted), None)


def case_ratings(session: Session, case_id: int) -> list[Rating]:
    """Every outcome rating of a case's reviews, joined to the plan in force at each meeting."""
    records = session.scalars(
        select(AuditEvent)
        .where(AuditEvent.case_id == case_id, AuditEvent.type.in_(_READ))
        .order_by(AuditEvent.seq)
    ).all()
    events = effective_history(records)
    issued_on = {e.seq: e.occurred_on for e in events if e.type in ISSUING}
    versions = _issued(session, case_id)
    ratings = []
    for meeting in (e for e in events if e.type == "review_meeting_held"):
        version = _plan_at(versions, issued_on, meeting)
        plan = PlanContent.model_validate(version.content) if version else None
        for item in meeting.data.get("outcome_progress") or []:
            outcome = str(item["outcome"])
            ratings.append(
                Rating(
                    case_id,
                    meeting.seq,
                    meeting.occurred_on,
                    outcome,
                    str(item["rating"]),
                    item.get("note"),
                    _match(plan, outcome),
                    version.id if version else None,
                )
            )
    return ratings


def version_progress(svc: Services, case_id: int, version_id: int) -> dict[str, list[Any]]:
    """The ratings given while this version was in force, by outcome id (or by the text given,
    when it matches no outcome of the version)."""
    with svc.sessions() as session:
        ratings = case_ratings(session, case_id)
    found: dict[str, list[Any]] = defaultdict(list)
    for r in ratings:
        if r.version_id != version_id:
            continue
        found[r.matched.id if r.matched else r.outcome].append(
            {
                "meeting_seq": r.meeting_seq,
                "meeting_on": r.meeting_on,
                "rating": r.rating,
                "note": r.note,
                "matched": r.matched is not None,
            }
        )
    return dict(found)


def progress_by_heading(svc: Services, period: tuple[date, date]) -> list[dict[str, Any]]:
    """Ratings given at review meetings held in [start, end), by framework heading.

    An outcome under several headings counts under each. Outcomes with no heading, and ratings
    naming no outcome of the plan in force, are reported under their own rows."""
    start, end = period
    headings = framework(svc).headings
    table = {h: HeadingProgress(h) for h in (*headings, NO_HEADING, UNMATCHED)}
    with svc.sessions() as session:
        case_ids = session.scalars(
            select(AuditEvent.case_id).where(AuditEvent.type == "review_meeting_held").distinct()
        ).all()
        ratings = [r for c in case_ids for r in case_ratings(session, c)]
    for r in ratings:
        if not start <= r.meeting_on < end or r.rating not in RATINGS:
            continue
        if r.matched is None:
            rows = [UNMATCHED]
        else:
            rows = [h for h in r.matched.headings if h in table] or [NO_HEADING]
        for heading in rows:
            table[heading].counts[r.rating] += 1
    return [p.as_dict() for p in table.values()]
