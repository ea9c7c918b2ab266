"""Open a case, read one, list many. Opening goes through the write path's transaction."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, exists, func, select, true
from sqlalchemy.orm import Session

from ehcp_engine.domain.calendar import academic_year_start, national_curriculum_year
from ehcp_engine.domain.case import Child, display_status
from ehcp_engine.domain.errors import DomainError, EventInvalid, NotFound
from ehcp_engine.persistence.models import (
    AdviceRequestRow,
    AuditEvent,
    Case,
    DeadlineRow,
    StageRow,
)
from ehcp_engine.services.context import Actor, Services
from ehcp_engine.services.proposals import closure_proposals
from ehcp_engine.services.write_path import (
    EventIn,
    apply_in_transaction,
    log_refusal,
    validate_event,
)
from workflows.phase_transfer import AGE_LIMIT, age_on
from workflows.registry import SPECS


@dataclass(frozen=True)
class NewCase:
    child: Child
    request: EventIn
    officer_id: int | None = None
    # A recorded national curriculum year group on the request date (held back / moved up).
    year_group: int | None = None
    # Where statutory notices are emailed; without it they are recorded as sent by post.
    family_email: str | None = None


def create_case(svc: Services, new: NewCase, actor: Actor) -> int:
    """Open a case with its request (one transaction: no case without its first audit record)."""
    today = svc.clock.today()
    if new.request.type not in ("request_received", "plan_transferred_in"):
        raise EventInvalid("request", "a case opens with a request or a plan transferred in")
    data = validate_event(new.request, today)
    check_date_of_birth(new.child, new.request.occurred_on, new.request.type)
    try:
        rules = svc.config.rule_book.for_date(new.request.occurred_on)
    except LookupError as err:
        raise EventInvalid("occurred_on", str(err)) from None
    child = with_year_group(new.child, new.year_group, new.request.occurred_on)
    if child.school_structure and child.school_structure not in svc.config.schools.names():
        raise EventInvalid(
            "child.school_structure",
            f"unknown school structure '{child.school_structure}'; "
            f"known: {', '.join(svc.config.schools.names())}",
        )
    now = svc.clock.now()
    try:
        with svc.sessions.begin() as session:
            row = Case(
                version=1,
                rule_set=rules.id,
                given_name=new.child.given_name,
                family_name=new.child.family_name,
                date_of_birth=new.child.date_of_birth,
                upn=new.child.upn,
                year_group_offset=child.year_group_offset,
                school_structure=child.school_structure,
                officer_id=new.officer_id,
                family_email=new.family_email,
                created_at=now,
                updated_at=now,
                last_hash="",
            )
            session.add(row)
            session.flush()
            row.reference = f"EHC-{row.id:06d}"
            apply_in_transaction(
                svc, session, row, new.request.type, new.request.occurred_on, data, actor
            )
            return row.id
    except DomainError as refusal:
        log_refusal(svc, actor, None, "create case", refusal)
        raise


def with_year_group(child: Child, year_group: int | None, on: date) -> Child:
    """Record the year group as an offset from the one the date of birth gives, so it ages."""
    if year_group is None:
        return child
    derived = national_curriculum_year(child.date_of_birth, on)
    offset = year_group - derived
    if abs(offset) > 2:
        raise EventInvalid(
            "child.year_group",
            f"year {year_group} is {abs(offset)} years from the year the date of birth gives "
            f"({derived}); check the date of birth",
        )
    return replace(child, year_group_offset=offset)


def check_date_of_birth(child: Child, on: date, opening: str = "request_received") -> None:
    """Refuse a date of birth that makes no sense for the case (a typing error, typically).

    The child must be born by the day the case opens. A request is for a child or young person,
    and a young person is under 25 (Act s.36(1), s.83(2)); a plan may be kept until the end of
    the academic year in which the young person turns 25 (Act s.46), so a plan transferred in is
    refused only after that.
    """
    if child.date_of_birth > on:
        raise EventInvalid("child.date_of_birth", "the child is born after the request date")
    age = age_on(child.date_of_birth, on)
    if age < AGE_LIMIT:
        return
    if opening == "plan_transferred_in":
        last = date(academic_year_start(_birthday(child.date_of_birth, AGE_LIMIT)).year + 1, 8, 31)
        if on <= last:
            return
        why = f"a plan ends by the end of the academic year in which they turn {AGE_LIMIT} (s.46)"
    else:
        why = f"a request is for a child or young person under {AGE_LIMIT} (s.83(2))"
    raise EventInvalid(
        "child.date_of_birth",
        f"the child would be {age} on {on}; {why}: check the date of birth",
    )


def _birthday(date_of_birth: date, years: int) -> date:
    """The birthday on which `years` are reached (29 February's in a common year: 1 March)."""
    try:
        return date_of_birth.replace(year=date_of_birth.year + years)
    except ValueError:
        return date(date_of_birth.year + years, 3, 1)


def _deadline_view(
    d: DeadlineRow,
    stage_ids: dict[str, int],
    advice_ids: dict[str, int],
    labels: dict[str, str],
    today: date,
) -> dict[str, Any]:
    display = display_status(d.status, d.due_on, d.window, today)
    return {
        "id": d.id,
        "key": d.key,
        "rule": d.rule,
        "label": labels.get(d.rule, d.rule),
        "stage_id": stage_ids.get(d.stage_key),
        "subject_id": advice_ids.get(d.subject_key or ""),
        "subject": d.subject_key,
        "starts_on": d.starts_on,
        "due_on": d.due_on,
        "status": display,
        "met_on": d.met_on,
        "exception": d.exception,
        "source": d.source,
        "guidance": d.guidance,
        "window": d.window,
    }


def case_view(svc: Services, case_id: int) -> dict[str, Any]:
    """The case as the API shows it: child, stages, deadlines, advice requests."""
    today = svc.clock.today()
    with svc.sessions() as session:
        row = session.get(Case, case_id)
        if row is None:
            raise NotFound(f"no case {case_id}")
        stages = _rows(session, StageRow, case_id)
        deadlines = _rows(session, DeadlineRow, case_id)
        advice = _rows(session, AdviceRequestRow, case_id)
    rules = svc.config.rule_book.by_id(row.rule_set)
    labels = {tid: t.label for tid, t in rules.timers.items()}
    stage_ids = {s.key: s.id for s in stages}
    advice_ids = {a.key: a.id for a in advice}
    advice_due = {d.subject_key: d.due_on for d in deadlines if d.rule == "advice"}
    view: dict[str, Any] = {
        "id": row.id,
        "reference": row.reference,
        "version": row.version,
        "rule_set": row.rule_set,
        "officer_id": row.officer_id,
        "child": {
            "given_name": row.given_name,
            "family_name": row.family_name,
            "date_of_birth": row.date_of_birth,
            "upn": row.upn,
        },
        "stages": [
            {
                "id": s.id,
                "key": s.key,
                "stage": s.stage,
                "state": s.state,
                "opened_on": s.opened_on,
                "changed_on": s.changed_on,
                "closed_on": s.closed_on,
                "allowed_events": [] if s.closed_on else SPECS[s.stage].allowed_from(s.state),
            }
            for s in stages
        ],
        "deadlines": [_deadline_view(d, stage_ids, advice_ids, labels, today) for d in deadlines],
        "advice_requests": [
            {
                "id": a.id,
                "key": a.key,
                "advice_type": a.advice_type,
                "contributor": a.contributor,
                "requested_on": a.requested_on,
                "received_on": a.received_on,
                "due_on": advice_due.get(a.key),
                "question": a.question,
            }
            for a in advice
        ],
    }
    view["proposed_exceptions"] = closure_proposals(view, svc.config.term_dates)
    return view


def _rows(session: Session, model: Any, case_id: int) -> list[Any]:
    return list(session.scalars(select(model).where(model.case_id == case_id).order_by(model.id)))


def audit_view(svc: Services, case_id: int) -> list[dict[str, Any]]:
    with svc.sessions() as session:
        if session.get(Case, case_id) is None:
            raise NotFound(f"no case {case_id}")
        records = session.scalars(
            select(AuditEvent).where(AuditEvent.case_id == case_id).order_by(AuditEvent.seq)
        ).all()
    return [
        {
            "seq": r.seq,
            "type": r.type,
            "occurred_on": r.occurred_on,
            "recorded_at": r.recorded_at,
            "actor": r.actor,
            "actor_id": r.actor_id,
            "data": r.data,
            "hash": r.hash,
            "prev_hash": r.prev_hash,
        }
        for r in records
    ]


@dataclass(frozen=True)
class CaseFilter:
    officer_id: int | None = None
    stage: str | None = None
    state: str | None = None
    overdue: bool | None = None
    # Cases with a phase transfer (Reg 18(1)) due in this calendar year: the cohort.
    transfer_year: int | None = None
    # Part of a case reference, as an officer types it ("123", "EHC-000123").
    reference: str | None = None
    limit: int = 50
    offset: int = 0


def _filtered(query: Select[Any], f: CaseFilter, today: date) -> Select[Any]:
    if f.officer_id is not None:
        query = query.where(Case.officer_id == f.officer_id)
    if f.stage or f.state:
        live = select(StageRow.id).where(StageRow.case_id == Case.id, StageRow.closed_on.is_(None))
        if f.stage:
            live = live.where(StageRow.stage == f.stage)
        if f.state:
            live = live.where(StageRow.state == f.state)
        query = query.where(exists(live))
    if f.overdue is not None:
        late = Case.next_due_on < today
        query = query.where(late if f.overdue else (Case.next_due_on.is_(None) | ~late))
    if f.transfer_year is not None:
        transfer = select(DeadlineRow.id).where(
            DeadlineRow.case_id == Case.id,
            DeadlineRow.rule == "phase_transfer",
            DeadlineRow.status != "cancelled",
            DeadlineRow.due_on.between(date(f.transfer_year, 1, 1), date(f.transfer_year, 12, 31)),
        )
        query = query.where(exists(transfer))
    if f.reference:
        query = query.where(Case.reference.contains(f.reference.strip().upper(), autoescape=True))
    return query


def list_cases(
    svc: Services, f: CaseFilter, scope: ColumnElement[bool] | None = None
) -> dict[str, Any]:
    """Cases sorted by next deadline (none last), filtered and paginated, within `scope` (the
    cases the asking user may see)."""
    today = svc.clock.today()
    allowed = scope if scope is not None else true()
    with svc.sessions() as session:
        total = session.scalar(_filtered(select(func.count(Case.id)), f, today).where(allowed))
        query = (
            _filtered(select(Case), f, today)
            .where(allowed)
            .order_by(Case.next_due_on.is_(None), Case.next_due_on, Case.id)
        )
        rows = session.scalars(query.limit(f.limit).offset(f.offset)).all()
        stages = _live_stages(session, [r.id for r in rows])
    return {
        "total": total or 0,
        "limit": f.limit,
        "offset": f.offset,
        "items": [
            {
                "id": r.id,
                "reference": r.reference,
                "version": r.version,
                "child": {
                    "given_name": r.given_name,
                    "family_name": r.family_name,
                    "date_of_birth": r.date_of_birth,
                },
                "officer_id": r.officer_id,
                "request_on": r.request_on,
                "next_due_on": r.next_due_on,
                "overdue": r.next_due_on is not None and r.next_due_on < today,
                "live_stages": stages.get(r.id, []),
            }
            for r in rows
        ],
    }


def _live_stages(session: Session, case_ids: list[int]) -> dict[int, list[tuple[str, str]]]:
    """(stage, state) of each listed case's live stages, in the order they opened."""
    found: dict[int, list[tuple[str, str]]] = {}
    query = (
        select(StageRow.case_id, StageRow.stage, StageRow.state)
        .where(StageRow.case_id.in_(case_ids), StageRow.closed_on.is_(None))
        .order_by(StageRow.case_id, StageRow.opened_on, StageRow.id)
    )
    for case_id, stage, state in session.execute(query):
        found.setdefault(case_id, []).append((stage, state))
    return found
