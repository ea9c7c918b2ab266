"""A failed message about a child, for the administration pages (which must not show the name)."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime

from ehcp_engine.domain.case import Child
from ehcp_engine.persistence.models import OutboxMessage
from ehcp_engine.services.cases import NewCase, create_case
from ehcp_engine.services.context import Actor, Services
from ehcp_engine.services.write_path import EventIn

_keys = itertools.count()


def failed_message_about(svc: Services, given: str, family: str, to: str) -> tuple[int, int]:
    """(case id, message id): a reminder about the child that failed for good."""
    actor = Actor(user_id=None, label="admin world", role="system")
    child = Child(given_name=given, family_name=family, date_of_birth=date(2016, 5, 1))
    request = EventIn("request_received", date(2026, 9, 1), {"source": "parent"})
    case_id = create_case(svc, NewCase(child, request), actor)
    with svc.sessions.begin() as session:
        message = OutboxMessage(
            case_id=case_id,
            idempotency_key=f"admin-world-{next(_keys)}-{case_id}",
            template="reminder",
            audience=to,
            payload={},
            status="failed",
            attempts=5,
            created_at=datetime(2026, 11, 20, 9, 30, tzinfo=UTC),
            last_error="550 mailbox unavailable",
            channel="email",
            kind="reminder",
            subject=f"{given} {family}: advice is due",
            body=f"The advice for {given} {family} is due on 1 December.",
        )
        session.add(message)
        session.flush()
        return case_id, message.id
