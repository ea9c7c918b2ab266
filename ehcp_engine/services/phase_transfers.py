"""The phase-transfer cohort: who transfers in September, and where is each one up to.

Reads the `phase_transfer` deadlines the fold keeps (one per transfer still ahead of a child,
Reg 18(1); workflows.phase_transfer) and plans backwards from each long-stop: the latest day a
review meeting can be held and still meet it if every later step takes its full statutory time
(Reg 20(10) 4 weeks to the decision, Reg 22(3) 8 weeks to the amended plan). Only the `flag` and
the display status look at today; the dates come from the case's log.

Flags, most urgent first:
* `overdue`: the long-stop has passed without the amended plan (or it came late);
* `at_risk`: today is past the latest meeting date and no review meeting has been held since the
  transfer's deadline went live (12 months before the transfer);
* `on_track`: neither; `met`: the amended plan naming the next setting was issued in time.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, select
from sqlalchemy.orm import Session

from ehcp_engine.domain.case import display_status
from ehcp_engine.domain.errors import EventInvalid, NotFound
from ehcp_engine.persistence.models import AuditEvent, Case, DeadlineRow, StageRow
from ehcp_engine.services.access import case_scope
from ehcp_engine.services.context import Actor, Services
from ehcp_engine.services.history import effective_history
from workflows.phase_transfer import latest_invitations, latest_review_meeting

RULE = "phase_transfer"
FLAGS = ("overdue", "at_risk", "on_track", "met")
_LATE = frozenset({"overdue", "missed", "missed_exception"})


def known_kinds(svc: Services) -> list[str]:
    """The transfer kinds this authority's school structures name."""
    return svc.config.schools.kinds()


def check_kind(svc: Services, kind: str | None) -> None:
    if kind is not None and kind not in known_kinds(svc):
        raise EventInvalid(
            "kind", f"unknown transfer kind '{kind}'; known kinds: {', '.join(known_kinds(svc))}"
        )


def kind_of(deadline_key: str) -> str:
    """`phase_transfer.primary_to_secondary:plan-1` -> `primary_to_secondary`."""
    return deadline_key.split(":", 1)[0].removeprefix(f"{RULE}.")


def cohort(
    svc: Services, *, transfer_year: int, kind: str | None, actor: Actor
) -> list[dict[str, Any]]:
    """Every case the actor may see with a live or settled phase-transfer deadline for a transfer
    on 1 September of `transfer_year` (optionally of one kind), earliest long-stop first."""
    check_kind(svc, kind)
    # Both long-stops (15 Feb, 31 Mar) fall in the calendar year of the transfer (Reg 18(1)).
    rows = _rows(
        svc,
        DeadlineRow.due_on >= date(transfer_year, 1, 1),
        DeadlineRow.due_on <= date(transfer_year, 12, 31),
        case_scope(actor, svc.settings.case_scope),
    )
    return [r for r in rows if kind is None or r["kind"] == kind]


def case_transfers(svc: Services, case_id: int) -> list[dict[str, Any]]:
    """One case's phase transfers with the same backwards plan and flag, earliest first."""
    with svc.sessions() as session:
        if session.get(Case, case_id) is None:
            raise NotFound(f"no case {case_id}")
    return _rows(svc, DeadlineRow.case_id == case_id)


def _rows(svc: Services, *where: ColumnElement[bool]) -> list[dict[str, Any]]:
    """Phase-transfer deadlines matching `where`, with their cases. Cancelled ones (the plan
    ceased or moved to another authority) are no longer anyone's transfer."""
    today = svc.clock.today()
    live = (DeadlineRow.rule == RULE, DeadlineRow.status != "cancelled", *where)
    query = select(DeadlineRow, Case).join(Case, Case.id == DeadlineRow.case_id).where(*live)
    case_ids = select(DeadlineRow.case_id).where(*live).distinct()
    with svc.sessions() as session:
        found = session.execute(query.order_by(DeadlineRow.due_on, Case.id)).all()
        reviews = _live_review_states(session, case_ids)
        meetings = _meetings_held(session, case_ids)
    return [_row(svc, d, c, today, reviews.get(c.id), meetings.get(c.id, [])) for d, c in found]


def _row(
    svc: Services,
    d: DeadlineRow,
    c: Case,
    today: date,
    review_state: str | None,
    meetings: list[date],
) -> dict[str, Any]:
    law = svc.config.law(c.rule_set)
    latest = latest_review_meeting(d.due_on, law)
    status = display_status(d.status, d.due_on, d.window, today)
    held = [m for m in meetings if m >= d.starts_on]
    return {
        "case_id": c.id,
        "reference": c.reference,
        "child_name": f"{c.given_name} {c.family_name}",
        "date_of_birth": c.date_of_birth,
        "kind": kind_of(d.key),
        "deadline_id": d.id,
        "deadline_key": d.key,
        "transfer_on": date(d.due_on.year, 9, 1),
        "starts_on": d.starts_on,
        "due_on": d.due_on,
        "status": status,
        "met_on": d.met_on,
        "latest_invitations_on": latest_invitations(d.due_on, law),
        "latest_review_meeting_on": latest,
        "review_meeting_held_on": max(held) if held else None,
        "annual_review_state": review_state,
        "flag": flag(status, latest, bool(held), today),
    }


def flag(status: str, latest_meeting: date, meeting_held: bool, today: date) -> str:
    """See the module docstring; `status` is the deadline's display status today."""
    if status == "met":
        return "met"
    if status in _LATE:
        return "overdue"
    if today > latest_meeting and not meeting_held:
        return "at_risk"
    return "on_track"


def _live_review_states(session: Session, case_ids: Select[Any]) -> dict[int, str]:
    """The state of each case's live annual review. A decision to amend opens the next cycle
    (Act s.44) while the amendment is still in hand, so the earliest live cycle is the one the
    transfer depends on."""
    stages = session.scalars(
        select(StageRow)
        .where(
            StageRow.case_id.in_(case_ids),
            StageRow.stage == "annual_review",
            StageRow.closed_on.is_(None),
        )
        .order_by(StageRow.id)
    )
    states: dict[int, str] = {}
    for s in stages:
        states.setdefault(s.case_id, s.state)
    return states


def _meetings_held(session: Session, case_ids: Select[Any]) -> dict[int, list[date]]:
    """Dates of the review meetings each case's log records, corrections applied (a meeting
    voided or re-dated by `event_corrected` counts as corrected, STATUTORY.md §1)."""
    records = session.scalars(
        select(AuditEvent)
        .where(
            AuditEvent.case_id.in_(case_ids),
            AuditEvent.type.in_(("review_meeting_held", "event_corrected")),
        )
        .order_by(AuditEvent.case_id, AuditEvent.seq)
    ).all()
    by_case: dict[int, list[AuditEvent]] = defaultdict(list)
    for r in records:
        by_case[r.case_id].append(r)
    return {
        case_id: [e.occurred_on for e in effective_history(recs) if e.type == "review_meeting_held"]
        for case_id, recs in by_case.items()
    }
