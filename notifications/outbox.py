"""Messages an accepted event causes, written to the outbox in the event's own transaction.

Sent after commit by the dispatcher (timers and notifications work), never inside the write path.
Messages never carry the child's name or details: only the case reference, what is due and when.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from ehcp_engine.domain.case import CaseState, RecordedEvent
from ehcp_engine.persistence.models import OutboxMessage


@dataclass(frozen=True)
class Message:
    template: str
    audience: str
    payload: dict[str, Any]


def messages_for(case: CaseState, ev: RecordedEvent, reference: str) -> list[Message]:
    """The messages an event causes (pure)."""
    if ev.type == "advice_requested":
        key = f"advice:{_latest_advice_key(case)}"
        deadline = case.deadlines.get(key)
        return [
            Message(
                template="advice_requested",
                audience=str(ev.data["contributor"]),
                payload={
                    "case_reference": reference,
                    "advice_type": ev.data["advice_type"],
                    "due_on": deadline.due_on.isoformat() if deadline else None,
                },
            )
        ]
    return []


def _latest_advice_key(case: CaseState) -> str:
    return list(case.advice_requests)[-1] if case.advice_requests else ""


def enqueue(
    session: Session, *, case_id: int, seq: int, messages: list[Message], now: datetime
) -> None:
    """Add outbox rows; the idempotency key makes a replayed event queue nothing twice."""
    for m in messages:
        session.add(
            OutboxMessage(
                case_id=case_id,
                idempotency_key=f"case:{case_id}:event:{seq}:{m.template}:{m.audience}",
                template=m.template,
                audience=m.audience,
                payload=m.payload,
                status="pending",
                attempts=0,
                created_at=now,
            )
        )
