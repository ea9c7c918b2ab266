"""The append-only audit log: one hash chain per case.

Each record's hash covers its own fields and the previous record's hash, so altering, removing or
reordering any record behind the application's back breaks the chain at that point, and
`ehcp audit verify` names it. The database refuses UPDATE and DELETE as well (migration 0001).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, func, insert, select
from sqlalchemy.orm import Session

from ehcp_engine.domain.case import RecordedEvent
from ehcp_engine.persistence.models import AuditEvent, Case

GENESIS = "0" * 64


def _utc_iso(moment: datetime) -> str:
    """One spelling of a timestamp whatever the backend hands back (naive UTC on SQLite)."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


_INSERT = insert(cast(Table, AuditEvent.__table__))


def record_hash(
    *,
    prev_hash: str,
    case_id: int,
    seq: int,
    type: str,
    occurred_on: date,
    recorded_at: datetime,
    actor_id: int | None,
    actor: str,
    data: dict[str, Any],
) -> str:
    body = json.dumps(
        {
            "case_id": case_id,
            "seq": seq,
            "type": type,
            "occurred_on": occurred_on.isoformat(),
            "recorded_at": _utc_iso(recorded_at),
            "actor_id": actor_id,
            "actor": actor,
            "data": data,
        },
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        default=str,
    )
    return hashlib.sha256((prev_hash + body).encode("utf-8")).hexdigest()


def _hash_of(rec: AuditEvent, prev_hash: str) -> str:
    return record_hash(
        prev_hash=prev_hash,
        case_id=rec.case_id,
        seq=rec.seq,
        type=rec.type,
        occurred_on=rec.occurred_on,
        recorded_at=rec.recorded_at,
        actor_id=rec.actor_id,
        actor=rec.actor,
        data=rec.data,
    )


def append(
    session: Session,
    *,
    case_id: int,
    prev_hash: str,
    seq: int,
    type: str,
    occurred_on: date,
    data: dict[str, Any],
    actor_id: int | None,
    actor: str,
    recorded_at: datetime,
) -> str:
    """Write the next record of a case's chain in the caller's transaction; return its hash.
    A Core INSERT on the session's connection: the record is never changed after it is written,
    so there is nothing for the ORM to track (and its flush was a measurable share of every
    event's cost, BENCHMARKS.md §1)."""
    fields: dict[str, Any] = {
        "case_id": case_id,
        "seq": seq,
        "type": type,
        "occurred_on": occurred_on,
        "recorded_at": recorded_at,
        "actor_id": actor_id,
        "actor": actor,
        "data": data,
    }
    digest = record_hash(prev_hash=prev_hash, **fields)
    session.connection().execute(_INSERT, {**fields, "prev_hash": prev_hash, "hash": digest})
    return digest


@dataclass(frozen=True)
class Chain:
    """A case's records as the fold reads them (uncorrected, in seq order) and the chain's tip."""

    events: list[RecordedEvent]
    tip: str

    @property
    def next_seq(self) -> int:
        return (self.events[-1].seq if self.events else 0) + 1


_EVENTS = cast(Table, AuditEvent.__table__)
_CHAIN = (
    select(_EVENTS.c.seq, _EVENTS.c.type, _EVENTS.c.occurred_on, _EVENTS.c.data, _EVENTS.c.hash)
    .where(_EVENTS.c.case_id == bindparam("case_id"))
    .order_by(_EVENTS.c.seq)
)


def chain(session: Session, case_id: int) -> Chain:
    """The write path's read of a case's log: plain rows from a statement built once, no ORM
    objects (one per record, every event, was a measurable share of the write path)."""
    events, tip = [], GENESIS
    for seq, type_, occurred_on, data, digest in session.connection().execute(
        _CHAIN, {"case_id": case_id}
    ):
        events.append(RecordedEvent(seq=seq, type=type_, occurred_on=occurred_on, data=data))
        tip = digest
    return Chain(events, tip)


def history(session: Session, case_id: int) -> Sequence[AuditEvent]:
    return session.scalars(
        select(AuditEvent).where(AuditEvent.case_id == case_id).order_by(AuditEvent.seq)
    ).all()


def last_seq(session: Session, case_id: int) -> int:
    found = session.scalar(select(func.max(AuditEvent.seq)).where(AuditEvent.case_id == case_id))
    return int(found or 0)


@dataclass(frozen=True)
class BrokenLink:
    case_id: int
    seq: int
    problem: str

    def __str__(self) -> str:
        return f"case {self.case_id} record {self.seq}: {self.problem}"


def verify_chain(records: Sequence[AuditEvent]) -> Iterator[BrokenLink]:
    """Check one case's records, in seq order: numbering, links and hashes."""
    prev = GENESIS
    for expected_seq, rec in enumerate(records, start=1):
        if rec.seq != expected_seq:
            yield BrokenLink(rec.case_id, rec.seq, f"expected record {expected_seq} (one missing?)")
        if rec.prev_hash != prev:
            yield BrokenLink(rec.case_id, rec.seq, "prev_hash does not match the previous record")
        if _hash_of(rec, rec.prev_hash) != rec.hash:
            yield BrokenLink(rec.case_id, rec.seq, "contents do not match the hash (altered?)")
        prev = rec.hash


def verify(session: Session, case_ids: Sequence[int] | None = None) -> list[BrokenLink]:
    """Every chain link, and each chain's tip against the case's recorded last hash (so the
    newest records cannot be deleted unnoticed)."""
    query = select(AuditEvent).order_by(AuditEvent.case_id, AuditEvent.seq)
    tips_query = select(Case.id, Case.last_hash)
    if case_ids is not None:
        query = query.where(AuditEvent.case_id.in_(case_ids))
        tips_query = tips_query.where(Case.id.in_(case_ids))
    tips = {case_id: tip for case_id, tip in session.execute(tips_query).all()}
    problems: list[BrokenLink] = []
    current: list[AuditEvent] = []
    for rec in session.scalars(query).yield_per(2000):
        if current and current[0].case_id != rec.case_id:
            problems.extend(_check_case(current, tips))
            current = []
        current.append(rec)
    problems.extend(_check_case(current, tips))
    return problems


def _check_case(records: Sequence[AuditEvent], tips: dict[int, str]) -> Iterator[BrokenLink]:
    if not records:
        return
    yield from verify_chain(records)
    case_id, last = records[-1].case_id, records[-1]
    if tips.get(case_id) and tips[case_id] != last.hash:
        yield BrokenLink(
            case_id,
            last.seq,
            "the case's last recorded hash is not this record's: newer records are missing",
        )
