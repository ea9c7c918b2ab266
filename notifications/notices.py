"""Proof of service for statutory notices: how and when each went, when it counts as served,
and any failure, which opens a task for the officer to re-send by another route.

Ombudsman complaints turn on "the parent never received the letter". Every decision the law
requires the LA to notify (Regs 5, 10, 13, 20-22, 25, 31; Act s.51 rights) gets a notice record
when its event is recorded. Deemed service follows CPR 6.26 by analogy (the SEND Regulations set
none): an email sent on a working day before 16:30 is served that day, otherwise on the next
working day; a letter sent first class is served on the second working day after posting.
"""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from ehcp_engine.domain.calendar import StatutoryCalendar
from ehcp_engine.persistence.models import Notice, OutboxMessage
from notifications.outbox import queue
from notifications.recipients import Recipient

LONDON = ZoneInfo("Europe/London")
EMAIL_CUT_OFF = time(16, 30)

NOTICE_TITLES: dict[str, str] = {
    "assessment_agreed": "Decision to carry out an EHC needs assessment",
    "assessment_refused": "Decision not to carry out an EHC needs assessment",
    "plan_refused": "Decision not to issue an EHC plan",
    "draft_plan_served": "Draft EHC plan",
    "final_plan_issued": "Final EHC plan",
    "review_decision_notified": "Decision after the annual review",
    "amended_plan_issued": "Final amended EHC plan",
    "reassessment_refused": "Decision not to reassess",
    "cease_decided": "Decision to cease to maintain the EHC plan",
    "transfer_notice_sent": "Notice after the transfer of the EHC plan",
}


def email_served_on(sent_at: datetime, cal: StatutoryCalendar) -> date:
    local = sent_at.astimezone(LONDON)
    day = local.date()
    if cal.is_working_day(day) and local.time() < EMAIL_CUT_OFF:
        return day
    return cal.next_working_day_after(day)


def post_served_on(posted_on: date, cal: StatutoryCalendar) -> date:
    return cal.add_working_days(posted_on, 2)


def record_notice(
    session: Session,
    *,
    case_id: int,
    seq: int,
    event_type: str,
    occurred_on: date,
    reference: str,
    family_email: str | None,
    now: datetime,
    cal: StatutoryCalendar,
) -> None:
    """Queue the notice by email when the family has an address, else record it as posted."""
    title = NOTICE_TITLES.get(event_type)
    if title is None:
        return
    if family_email:
        outbox_id = queue(
            session,
            key=f"notice:{case_id}:{seq}",
            template="statutory_notice",
            payload={
                "notice_title": title,
                "notice_date": occurred_on.isoformat(),
                "case_reference": reference,
            },
            recipient=Recipient(family_email, channels=("email",)),
            now=now,
            link=f"/cases/{case_id}",
            case_id=case_id,
            kind="notice",
        )
        session.add(
            Notice(
                case_id=case_id,
                seq=seq,
                kind=event_type,
                route="email",
                addressee=family_email,
                status="pending",
                outbox_id=outbox_id,
            )
        )
        return
    session.add(
        Notice(
            case_id=case_id,
            seq=seq,
            kind=event_type,
            route="post",
            addressee="by post to the family's address",
            status="sent",
            sent_at=now,
            served_on=post_served_on(occurred_on, cal),
        )
    )


def mark_notice(session: Session, msg: OutboxMessage, cal: StatutoryCalendar) -> None:
    """Carry the outbox result to the notice: served date when sent, a task when it failed."""
    if msg.kind != "notice":
        return
    notice = session.scalar(select(Notice).where(Notice.outbox_id == msg.id))
    if notice is None:
        return
    if msg.status == "sent" and msg.sent_at is not None:
        notice.status, notice.sent_at = "sent", msg.sent_at
        notice.served_on = email_served_on(msg.sent_at, cal)
        # An admin retried a failed notice and it went: served, so the re-send task is done (the
        # earlier failure stays recorded).
        notice.task_open = False
    elif msg.status == "failed":
        notice.status, notice.failure, notice.task_open = "failed", msg.last_error, True


def record_bounce(session: Session, notice: Notice, reason: str) -> None:
    """A bounce reported after sending: the notice was not served; the officer must re-send."""
    notice.status, notice.failure, notice.task_open, notice.served_on = (
        "bounced",
        reason,
        True,
        None,
    )
