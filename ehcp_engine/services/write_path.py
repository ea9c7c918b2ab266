"""The one write path: every change to a case goes through `record_event` (DESIGN.md).

1. claim the case (optimistic lock: the version moves only if nobody else moved it first);
2. fold the case's history and ask the stage machine whether the event is allowed;
3. recompute the deadlines from the pure calculator and store the projection;
4. append the audit record (hash-chained) in the same transaction;
5. append outbox rows for notifications;
6. commit once.
A refusal rolls everything back; the refusal itself goes to the access log.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, cast

from pydantic import ValidationError
from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from audit import log as audit_log
from ehcp_engine.domain.case import CaseState, Child, RecordedEvent
from ehcp_engine.domain.errors import DomainError, EventInvalid, NotFound, VersionConflict
from ehcp_engine.domain.events import ADMINISTRATIVE, LATER_STAGE_EVENTS, VOCABULARY, data_model
from ehcp_engine.domain.law import Law
from ehcp_engine.persistence.models import (
    AccessLog,
    AdviceRequestRow,
    Case,
    DeadlineRow,
    PlanVersion,
)
from ehcp_engine.services.assignment import apply_reassignment
from ehcp_engine.services.context import Actor, Services
from ehcp_engine.services.history import check_correction, effective_history
from ehcp_engine.services.projection import write_projection
from notifications.notices import record_notice
from notifications.outbox import enqueue, messages_for
from workflows.journey import fold


@dataclass(frozen=True)
class EventIn:
    type: str
    occurred_on: date
    data: dict[str, Any] = field(default_factory=dict)
    expected_version: int | None = None


def validate_event(ev: EventIn, today: date) -> dict[str, Any]:
    """Check the type and data against the vocabulary; return the data in its JSON form."""
    if ev.type not in VOCABULARY:
        if ev.type in LATER_STAGE_EVENTS:
            raise EventInvalid(
                "type", f"'{ev.type}' ({LATER_STAGE_EVENTS[ev.type]} stage) is not supported yet"
            )
        known = ", ".join(sorted(VOCABULARY))
        raise EventInvalid("type", f"unknown event type '{ev.type}'; known types: {known}")
    if ev.occurred_on > today:
        raise EventInvalid("occurred_on", f"{ev.occurred_on} is in the future (today is {today})")
    try:
        model = data_model(ev.type).model_validate(ev.data)
    except ValidationError as exc:
        raise EventInvalid.from_pydantic(exc.errors(), "data") from None
    _no_future_facts(model, today)
    return model.model_dump(mode="json", by_alias=True, exclude_none=True)


# Data fields that record something that has already happened (unlike a meeting's date).
PAST_FACTS = ("received_by_contributor_on", "plan_issued_on", "last_review_on")


def _no_future_facts(model: Any, today: date) -> None:
    for name in PAST_FACTS:
        value = getattr(model, name, None)
        if isinstance(value, date) and value > today:
            raise EventInvalid(f"data.{name}", f"{value} is in the future (today is {today})")


def child_of(row: Case) -> Child:
    return Child(
        given_name=row.given_name,
        family_name=row.family_name,
        date_of_birth=row.date_of_birth,
        upn=row.upn,
        year_group_offset=row.year_group_offset,
        school_structure=row.school_structure,
    )


_CASES = cast(Table, Case.__table__)
# Built once (building a statement cost as much as running it). The UPDATE returns the row, so
# the claim is one round trip; the ORM loads it as the session's Case (refreshing one already
# loaded) without working out which other loaded objects the UPDATE touched.
_CLAIM_OPTIONS = {"synchronize_session": False, "populate_existing": True}
_MOVE_VERSION = (
    update(Case)
    .where(Case.id == bindparam("case_id"))
    .values(version=Case.version + 1)
    .returning(Case)
)
_MOVE_EXPECTED_VERSION = _MOVE_VERSION.where(Case.version == bindparam("expected"))


def claim(session: Session, case_id: int, expected_version: int | None) -> Case:
    """Move the case's version first, so this transaction holds the case until it commits."""
    if expected_version is None:
        query, params = _MOVE_VERSION, {"case_id": case_id}
    else:
        query, params = _MOVE_EXPECTED_VERSION, {"case_id": case_id, "expected": expected_version}
    moved = session.scalars(query, params, execution_options=_CLAIM_OPTIONS).first()
    if moved is not None:
        return moved
    row = session.get(Case, case_id, populate_existing=True)
    if row is None:
        raise NotFound(f"no case {case_id}")
    raise VersionConflict(
        f"the case changed since you read it (now version {row.version}, you sent "
        f"{expected_version}): reload it and try again"
    )


# Rows that belong with an event (the documents sent with advice): written by the caller in the
# event's own transaction, given the session, the case and the event's audit seq.
WithEvent = Callable[[Session, Case, int], None]


def record_event(
    svc: Services,
    *,
    case_id: int,
    event: EventIn,
    actor: Actor,
    with_event: WithEvent | None = None,
) -> int:
    """Apply one event through the write path; return the new case version."""
    data = validate_event(event, svc.clock.today())
    try:
        with svc.sessions.begin() as session:
            row = claim(session, case_id, event.expected_version)
            apply_in_transaction(svc, session, row, event.type, event.occurred_on, data, actor)
            if with_event is not None:
                with_event(session, row, audit_log.last_seq(session, row.id))
            return row.version
    except DomainError as refusal:
        log_refusal(svc, actor, case_id, event.type, refusal)
        raise


def apply_in_transaction(
    svc: Services,
    session: Session,
    row: Case,
    type_: str,
    occurred_on: date,
    data: dict[str, Any],
    actor: Actor,
) -> CaseState:
    """Fold, check, project, audit and queue, inside the caller's transaction."""
    log = audit_log.chain(session, row.id)
    records, seq = log.events, log.next_seq
    law = svc.config.law(row.rule_set)
    data = resolve_references(session, row.id, type_, data)
    if type_ in ADMINISTRATIVE:
        data = apply_reassignment(session, actor, row, data, svc.settings.case_scope)
    new = RecordedEvent(seq=seq, type=type_, occurred_on=occurred_on, data=data)
    if type_ == "event_corrected":
        check_correction(effective_history(records), data, svc.clock.today())
    state = _fold_with(child_of(row), law, records, new)
    write_projection(session, row.id, state)
    now = svc.clock.now()
    tip = audit_log.append(
        session,
        case_id=row.id,
        prev_hash=log.tip,
        seq=seq,
        type=type_,
        occurred_on=occurred_on,
        data=data,
        actor_id=actor.user_id,
        actor=actor.label,
        recorded_at=now,
    )
    enqueue(
        session,
        case_id=row.id,
        seq=seq,
        now=now,
        messages=messages_for(state, new, row.reference or str(row.id)),
        base_url=svc.settings.base_url,
    )
    record_notice(
        session,
        case_id=row.id,
        seq=seq,
        event_type=type_,
        occurred_on=occurred_on,
        reference=row.reference or str(row.id),
        family_email=row.family_email,
        now=now,
        cal=law.calendar,
    )
    if type_ == "event_corrected" and data.get("void"):
        _void_issued_versions(session, row.id, int(data["seq"]))
    _update_case_summary(session, row, state, tip, now)
    return state


def _fold_with(
    child: Child, law: Law, records: Sequence[RecordedEvent], new: RecordedEvent
) -> CaseState:
    """Fold the history with the new event in its legal place; if that breaks a later event,
    say so in terms of the event being recorded."""
    try:
        return fold(child, law, effective_history([*records, new]))
    except DomainError as err:
        broken: RecordedEvent | None = getattr(err, "event", None)
        if broken is None or broken.seq == new.seq or new.type == "event_corrected":
            raise
        err.detail = (
            f"{new.type} dated {new.occurred_on} cannot be recorded: it would make the later "
            f"{broken.type} of {broken.occurred_on} (record {broken.seq}) invalid: {err.detail}"
        )
        raise


_SUMMARY = (
    update(_CASES)
    .where(_CASES.c.id == bindparam("case_id"))
    .values({c: bindparam(c) for c in ("request_on", "next_due_on", "last_hash", "updated_at")})
)


def _update_case_summary(
    session: Session, row: Case, state: CaseState, tip: str, now: datetime
) -> None:
    """The chain's tip (so a deleted newest record shows in verify) and the columns the caseload
    sorts and filters on, kept with the projection. One Core UPDATE; the loaded row is given the
    same values as already committed, so the ORM does not write them a second time."""
    open_dues = [d.due_on for d in state.deadlines.values() if d.status == "open" and not d.window]
    values = {
        "request_on": state.request_on,
        "next_due_on": min(open_dues) if open_dues else None,
        "last_hash": tip,
        "updated_at": now,
    }
    session.connection().execute(_SUMMARY, {"case_id": row.id, **values})
    for name, value in values.items():
        set_committed_value(row, name, value)


def resolve_references(
    session: Session, case_id: int, type_: str, data: dict[str, Any]
) -> dict[str, Any]:
    """Turn row ids the caller gave into the fold's stable keys, so the log replays anywhere."""
    if type_ == "advice_received" and data.get("advice_request_id") is not None:
        key = session.scalar(
            select(AdviceRequestRow.key).where(
                AdviceRequestRow.case_id == case_id,
                AdviceRequestRow.id == data["advice_request_id"],
            )
        )
        if key is None:
            raise EventInvalid("data.advice_request_id", "no such advice request on this case")
        return {**data, "advice_request_key": key}
    if type_ == "exception_recorded" and isinstance(data.get("rule"), int):
        found = session.execute(
            select(DeadlineRow.key, DeadlineRow.started_by).where(
                DeadlineRow.case_id == case_id, DeadlineRow.id == data["rule"]
            )
        ).first()
        if found is None:
            raise EventInvalid("data.rule", f"no deadline {data['rule']} on this case")
        # The timer (with its step) and the event that started it name the deadline stably.
        return {**data, "deadline_key": f"{found.key.split(':')[0]}@{found.started_by}"}
    return data


def log_refusal(
    svc: Services, actor: Actor, case_id: int | None, what: str, err: Exception
) -> None:
    """STATUTORY §4: a refused event changes nothing; the refusal is kept in the access log."""
    with svc.sessions.begin() as session:
        session.add(
            AccessLog(
                at=svc.clock.now(),
                user_id=actor.user_id,
                action="refused",
                case_id=case_id,
                detail=f"{what}: {err}"[:2000],
            )
        )


def _void_issued_versions(session: Session, case_id: int, seq: int) -> None:
    """A voided issuing event un-issues its plan version: the plan was never lawfully issued, so
    the version must not read as issued (its documents say VOID) and the next version starts
    from the last version still issued. The version is kept, not deleted: the log says why."""
    session.execute(
        update(PlanVersion)
        .where(PlanVersion.case_id == case_id, PlanVersion.issued_seq == seq)
        .values(status="void")
    )
