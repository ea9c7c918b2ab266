"""Messages as people see them: their in-app inbox, channel preferences, failed messages for
admins, and the proof-of-service record of a case's statutory notices."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ehcp_engine.domain.errors import EventInvalid, NotFound
from ehcp_engine.persistence.models import Case, Notice, OutboxMessage, User
from ehcp_engine.services.access import visible
from ehcp_engine.services.context import Actor, Services
from notifications.notices import post_served_on, record_bounce

CHANNELS = ("email", "sms", "inapp")


def _message(m: OutboxMessage) -> dict[str, Any]:
    return {
        "id": m.id,
        "case_id": m.case_id,
        "kind": m.kind,
        "channel": m.channel,
        "subject": m.subject,
        "body": m.body,
        "status": m.status,
        "created_at": m.created_at,
        "sent_at": m.sent_at,
        "read_at": m.read_at,
        "attempts": m.attempts,
        "last_error": m.last_error,
        "audience": m.audience,
        "template": m.template,
    }


def inbox(svc: Services, actor: Actor, *, limit: int, offset: int) -> list[dict[str, Any]]:
    """Every message sent (or queued) to the user, whatever its channel: nothing is invisible."""
    with svc.sessions() as session:
        rows = session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.user_id == actor.user_id)
            .order_by(OutboxMessage.id.desc())
            .limit(limit)
            .offset(offset)
        ).all()
    return [_message(m) for m in rows]


def mark_read(svc: Services, actor: Actor, message_id: int) -> dict[str, Any]:
    with svc.sessions.begin() as session:
        m = session.get(OutboxMessage, message_id)
        if m is None or m.user_id != actor.user_id:
            raise NotFound(f"no message {message_id} in your inbox")
        m.read_at = m.read_at or svc.clock.now()
        return _message(m)


def set_channels(svc: Services, actor: Actor, channels: list[str]) -> list[str]:
    unknown = [c for c in channels if c not in CHANNELS]
    if unknown or not channels:
        raise EventInvalid("channels", f"choose from {', '.join(CHANNELS)}; got {channels}")
    with svc.sessions.begin() as session:
        user = session.get(User, actor.user_id)
        if user is None:
            raise NotFound("no such user")
        if "sms" in channels and not user.phone:
            raise EventInvalid("channels", "add a phone number before choosing sms")
        user.channels = list(dict.fromkeys([*channels, "inapp"]))
        return user.channels


def messages_by_status(svc: Services, status: str, limit: int) -> list[dict[str, Any]]:
    with svc.sessions() as session:
        rows = session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.status == status)
            .order_by(OutboxMessage.id.desc())
            .limit(limit)
        ).all()
    return [_message(m) for m in rows]


def retry(svc: Services, message_id: int) -> dict[str, Any]:
    with svc.sessions.begin() as session:
        m = session.get(OutboxMessage, message_id)
        if m is None:
            raise NotFound(f"no message {message_id}")
        if m.status != "failed":
            raise EventInvalid("status", f"message {message_id} is {m.status}, not failed")
        m.status, m.next_attempt_at, m.attempts, m.last_error = (
            "pending",
            svc.clock.now(),
            0,
            None,
        )
        return _message(m)


def _notice(n: Notice) -> dict[str, Any]:
    return {
        "id": n.id,
        "seq": n.seq,
        "kind": n.kind,
        "route": n.route,
        "addressee": n.addressee,
        "sent_at": n.sent_at,
        "served_on": n.served_on,
        "status": n.status,
        "failure": n.failure,
        "task_open": n.task_open,
    }


def case_notices(svc: Services, case_id: int) -> list[dict[str, Any]]:
    with svc.sessions() as session:
        if session.get(Case, case_id) is None:
            raise NotFound(f"no case {case_id}")
        rows = session.scalars(
            select(Notice).where(Notice.case_id == case_id).order_by(Notice.seq, Notice.id)
        ).all()
    return [_notice(n) for n in rows]


def _notice_in_scope(session: Session, svc: Services, actor: Actor, notice_id: int) -> Notice:
    """The notice, if its case is one the actor may see; otherwise the same 404 as a notice that
    does not exist (a case outside the officer's scope is not theirs to act on, or to learn of)."""
    n = session.get(Notice, notice_id)
    if n is None or not visible(session, actor, n.case_id, svc.settings.case_scope):
        raise NotFound(f"no notice {notice_id}")
    return n


def notice_bounced(svc: Services, actor: Actor, notice_id: int, reason: str) -> dict[str, Any]:
    with svc.sessions.begin() as session:
        n = _notice_in_scope(session, svc, actor, notice_id)
        record_bounce(session, n, reason)
        return _notice(n)


def resend_by_post(svc: Services, actor: Actor, notice_id: int) -> dict[str, Any]:
    """The officer re-sent a failed or bounced notice by post: served on the second working day
    after posting. The posting is a record of its own, so the proof of service keeps how and when
    the failed attempt went and why it failed; that attempt's re-send task is closed."""
    with svc.sessions.begin() as session:
        n = _notice_in_scope(session, svc, actor, notice_id)
        if not n.task_open:
            raise EventInvalid(
                "notice", f"notice {notice_id} has no open re-send task (it is {n.status})"
            )
        now, served = svc.clock.now(), post_served_on(svc.clock.today(), svc.config.calendar)
        n.task_open = False
        if n.route == "post":  # a returned letter, posted again
            n.status, n.sent_at, n.served_on = "sent", now, served
            return _notice(n)
        posted = Notice(
            case_id=n.case_id,
            seq=n.seq,
            kind=n.kind,
            route="post",
            addressee="by post to the family's address",
            status="sent",
            sent_at=now,
            served_on=served,
        )
        session.add(posted)
        session.flush()
        return _notice(posted)
