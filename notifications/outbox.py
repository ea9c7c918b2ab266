"""The outbox: messages written in the same transaction as what caused them, sent after commit.

`messages_for` says what an accepted event causes (pure); `queue` writes one message once: its
idempotency key is unique, so a sweep run twice, a replayed event or a second scheduler adds
nothing. Messages never carry the child's name or details.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ehcp_engine.domain.case import CaseState, RecordedEvent
from ehcp_engine.persistence.models import Base, OutboxMessage
from notifications.recipients import Recipient, contributor_recipients
from notifications.templates import render


@dataclass(frozen=True)
class Message:
    template: str
    audience: str
    payload: dict[str, Any]


def messages_for(case: CaseState, ev: RecordedEvent, reference: str) -> list[Message]:
    """The messages an event causes (pure)."""
    if ev.type == "advice_requested":
        key = f"advice-{ev.seq}"
        deadline = case.deadlines.get(f"advice:{key}")
        return [
            Message(
                template="advice_requested",
                audience=str(ev.data["contributor"]),
                payload={
                    "case_reference": reference,
                    "advice_type": str(ev.data["advice_type"]).replace("_", " "),
                    "due_on": deadline.due_on.isoformat() if deadline else None,
                },
            )
        ]
    return []


def insert_once(session: Session, model: type[Base], values: dict[str, Any]) -> int | None:
    """INSERT … ON CONFLICT DO NOTHING; the new row's id, or None when it already existed."""
    dialect = session.get_bind().dialect.name
    factory: Any = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = factory(model).values(**values).on_conflict_do_nothing()
    found = session.execute(stmt.returning(model.id)).scalar()  # type: ignore[attr-defined]
    return int(found) if found is not None else None


def channel_for(recipient: Recipient) -> str:
    """The user's first external channel they can be reached on; in-app otherwise."""
    for channel in recipient.channels:
        if channel == "email" and recipient.address:
            return "email"
        if channel == "sms" and recipient.phone:
            return "sms"
    return "inapp"


def queue(
    session: Session,
    *,
    key: str,
    template: str,
    payload: dict[str, Any],
    recipient: Recipient,
    now: datetime,
    link: str,
    case_id: int | None = None,
    kind: str = "info",
) -> int | None:
    """Queue one message once; returns its id, or None when the key was already queued."""
    subject, body = render(template, payload, link)
    return insert_once(
        session,
        OutboxMessage,
        {
            "case_id": case_id,
            "idempotency_key": key[:200],
            "template": template,
            "audience": recipient.address,
            "payload": payload,
            "status": "pending",
            "attempts": 0,
            "created_at": now,
            "user_id": recipient.user_id,
            "channel": channel_for(recipient),
            "kind": kind,
            "subject": subject[:300],
            "body": body,
            "next_attempt_at": now,
        },
    )


def enqueue(
    session: Session,
    *,
    case_id: int,
    seq: int,
    messages: list[Message],
    now: datetime,
    base_url: str,
) -> None:
    """Queue an event's messages to the people its audience names (a contributor organisation's
    users or inbox); an audience with nobody to reach queues nothing. Contributors act in their
    portal, so the link goes there, in full: an email is read outside the service."""
    for m in messages:
        for recipient in contributor_recipients(session, m.audience):
            queue(
                session,
                key=f"case:{case_id}:event:{seq}:{m.template}:{recipient.address}",
                template=m.template,
                payload=m.payload,
                recipient=recipient,
                now=now,
                link=f"{base_url}/advice",
                case_id=case_id,
                kind="info",
            )
