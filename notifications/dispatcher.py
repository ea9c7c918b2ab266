"""The dispatcher: sends queued messages after commit, with retries, backoff and leases.

A batch is claimed by moving it to `sending` with a lease (on PostgreSQL with FOR UPDATE SKIP
LOCKED, so two dispatchers never take the same rows). Sent messages are marked `sent`; temporary
failures go back to `pending` with a later `next_attempt_at`; permanent ones are kept as `failed`
with the reason, for an admin to see and retry. A lease that expires (the sender died) returns the
message to `pending`: it is retried, with the same idempotency key.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from ehcp_engine.domain.calendar import StatutoryCalendar
from ehcp_engine.persistence.models import OutboxMessage, User
from notifications.channels import Channel, Outgoing, PermanentFailure, TemporaryFailure
from notifications.notices import mark_notice

LEASE = timedelta(minutes=5)
MAX_BACKOFF = timedelta(minutes=15)
MAX_ATTEMPTS = 200  # ~2 days of 15-minute retries before a temporary failure counts as failed


@dataclass
class DispatchReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    errors: dict[int, str] = field(default_factory=dict)


def backoff(attempts: int) -> timedelta:
    """1, 2, 4, 8 … minutes, capped at 15: an hour's outage delays mail by at most 15 minutes."""
    return min(timedelta(minutes=2 ** max(attempts - 1, 0)), MAX_BACKOFF)


def _claim(session: Session, now: datetime, batch: int) -> list[int] | None:
    """Lease up to `batch` messages that are due; None when none is due. The lease is a
    conditional update: on SQLite the SELECT locks nothing, so another dispatcher may have leased
    some of these rows meanwhile, and only the rows still due are ours."""
    due = or_(
        (OutboxMessage.status == "pending") & (OutboxMessage.next_attempt_at <= now),
        (OutboxMessage.status == "sending") & (OutboxMessage.lease_until < now),
    )
    ready = select(OutboxMessage.id).where(due).order_by(OutboxMessage.id).limit(batch)
    if session.get_bind().dialect.name == "postgresql":
        ready = ready.with_for_update(skip_locked=True)
    ids = list(session.scalars(ready))
    if not ids:
        return None
    leased = session.scalars(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(ids), due)
        .values(status="sending", lease_until=now + LEASE, attempts=OutboxMessage.attempts + 1)
        .returning(OutboxMessage.id)
        .execution_options(synchronize_session=False)
    )
    return sorted(leased)


def _outgoing(session: Session, msg: OutboxMessage) -> Outgoing:
    phone = None
    if msg.channel == "sms" and msg.user_id is not None:
        user = session.get(User, msg.user_id)
        phone = user.phone if user else None
    return Outgoing(msg.idempotency_key, msg.audience, msg.subject, msg.body, phone)


def _finish(
    session: Session,
    msg: OutboxMessage,
    now: datetime,
    report: DispatchReport,
    outcome: Exception | str | None,
    cal: StatutoryCalendar,
) -> None:
    if isinstance(outcome, TemporaryFailure) and msg.attempts < MAX_ATTEMPTS:
        msg.status, msg.next_attempt_at = "pending", now + backoff(msg.attempts)
        msg.last_error, msg.lease_until = str(outcome)[:2000], None
        report.retried += 1
    elif isinstance(outcome, Exception):
        msg.status, msg.last_error, msg.lease_until = "failed", str(outcome)[:2000], None
        report.failed += 1
        report.errors[msg.id] = msg.last_error
    else:
        msg.status, msg.sent_at, msg.provider_ref, msg.lease_until = "sent", now, outcome, None
        report.sent += 1
    mark_notice(session, msg, cal)


def dispatch(
    sessions: sessionmaker[Session],
    channels: Mapping[str, Channel],
    *,
    now: datetime,
    calendar: StatutoryCalendar,
    batch: int = 50,
) -> DispatchReport:
    """Send what is due now; returns what happened. Safe to run in several processes."""
    report = DispatchReport()
    while True:
        with sessions.begin() as session:
            ids = _claim(session, now, batch)
        if ids is None:
            return report
        for message_id in ids:
            _send_one(sessions, channels, message_id, now, report, calendar)


def _channel(channels: Mapping[str, Channel], wanted: str) -> Channel | None:
    """The message's channel; a text message with no SMS service configured goes by email (the
    user's address is always known), not silently to the in-app inbox alone."""
    if wanted in channels:
        return channels[wanted]
    if wanted == "sms" and "email" in channels:
        return channels["email"]
    return channels.get("inapp")


def _send_one(
    sessions: sessionmaker[Session],
    channels: Mapping[str, Channel],
    message_id: int,
    now: datetime,
    report: DispatchReport,
    cal: StatutoryCalendar,
) -> None:
    with sessions() as session:
        msg = session.get(OutboxMessage, message_id)
        assert msg is not None
        outgoing = _outgoing(session, msg)
        channel = _channel(channels, msg.channel)
    outcome: Exception | str | None
    try:
        outcome = channel.send(outgoing) if channel else None
    except (TemporaryFailure, PermanentFailure) as exc:
        outcome = exc
    with sessions.begin() as session:
        msg = session.get(OutboxMessage, message_id)
        assert msg is not None
        _finish(session, msg, now, report, outcome, cal)
