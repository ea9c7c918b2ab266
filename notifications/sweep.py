"""The deadline sweep: claim each reminder step once and queue its messages.

It reads open deadlines by due date (an index on status, due_on), so its cost follows the number
of deadlines near or past due, not the number of cases. A step is claimed by inserting its
(deadline, step, audience) row; the unique key makes a second sweep, or a second scheduler,
claim nothing. The claim and the outbox row share one transaction: a crash loses neither alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.orm import Session, sessionmaker

from ehcp_engine.domain.calendar import StatutoryCalendar
from ehcp_engine.persistence.models import AdviceRequestRow, Case, DeadlineRow, ReminderStep
from notifications.outbox import insert_once, queue
from notifications.recipients import Directory, Recipient
from notifications.reminders import ReminderConfig, ReminderRule, Step, escalation_step, plan_steps

BATCH = 200
ACTIONS = {
    "contributor": "Please send your advice through the portal.",
    "officer": "Check the case and record the step when it is done.",
}


@dataclass
class SweepReport:
    deadlines_seen: int = 0
    queued: int = 0
    superseded: int = 0
    no_recipient: int = 0
    by_template: dict[str, int] = field(default_factory=dict)

    def count(self, template: str) -> None:
        self.queued += 1
        self.by_template[template] = self.by_template.get(template, 0) + 1


@dataclass(frozen=True)
class SweepContext:
    session: Session
    directory: Directory
    config: ReminderConfig
    calendar: StatutoryCalendar
    labels: dict[str, str]
    today: date
    now: datetime
    report: SweepReport
    # Links in messages are absolute: an email or SMS is read outside the service.
    base_url: str = ""

    def link(self, case_id: int) -> str:
        return f"{self.base_url}/cases/{case_id}"


def _candidates(session: Session, config: ReminderConfig, today: date) -> list[Sequence[Any]]:
    # The furthest "before" step, plus a long weekend's quiet days.
    horizon = today + timedelta(days=config.max_before_days + 4)
    query = (
        select(DeadlineRow, Case.officer_id, Case.reference, AdviceRequestRow.contributor)
        .join(Case, Case.id == DeadlineRow.case_id)
        .outerjoin(
            AdviceRequestRow,
            and_(
                AdviceRequestRow.case_id == DeadlineRow.case_id,
                AdviceRequestRow.key == DeadlineRow.subject_key,
            ),
        )
        .where(DeadlineRow.status == "open", DeadlineRow.due_on <= horizon)
        .where(DeadlineRow.window.is_(False), DeadlineRow.starts_on <= today)
        .order_by(DeadlineRow.id)
    )
    return list(session.execute(query).all())


def _recipients(
    ctx: SweepContext, audience: str, officer: int | None, contributor: str | None
) -> list[Recipient]:
    if audience == "officer":
        return ctx.directory.officer(officer)
    if audience == "manager":
        return ctx.directory.managers(officer)
    if audience == "contributor" and contributor:
        return ctx.directory.contributor(contributor)
    if audience == "contributor_manager" and contributor:
        return ctx.directory.contributor_manager(contributor)
    return []


def _claim(ctx: SweepContext, d: DeadlineRow, step: Step, audience: str, outcome: str) -> bool:
    return (
        insert_once(
            ctx.session,
            ReminderStep,
            {
                "deadline_id": d.id,
                "step": step.name,
                "audience": audience,
                "fire_on": step.fire_on,
                "done_at": ctx.now,
                "outcome": outcome,
            },
        )
        is not None
    )


def _payload(
    ctx: SweepContext,
    d: DeadlineRow,
    reference: str | None,
    step: Step,
    audience: str,
    contributor: str | None,
) -> dict[str, Any]:
    label = ctx.labels.get(d.rule, d.rule)
    return {
        "case_reference": reference,
        # Which contributor's advice: an officer may be chasing several on one case.
        "label": f"{label} ({contributor})" if contributor else label,
        "due_on": d.due_on.isoformat(),
        "source": d.source,
        # Counted from the day it is sent: a step moved off a quiet day, or sent late after
        # downtime, must not say "due in 10 days" when it is due in 8.
        "days": abs((d.due_on - ctx.today).days),
        "action": ACTIONS.get(audience, ""),
        "contributor": contributor or "",
        "rule": d.rule,
        "deadline_id": d.id,
        "step": step.name,
    }


def _send_step(
    ctx: SweepContext, row: Sequence[Any], step: Step, audience: str, template: str
) -> None:
    d, officer, reference, contributor = row
    people = _recipients(ctx, audience, officer, contributor)
    if not _claim(ctx, d, step, audience, "queued" if people else "no_recipient"):
        return
    if not people:
        ctx.report.no_recipient += 1
    payload = _payload(ctx, d, reference, step, audience, contributor)
    for person in people:
        key = f"reminder:{d.id}:{step.name}:{audience}:{person.address}"
        if queue(
            ctx.session,
            key=key,
            template=template,
            payload=payload,
            recipient=person,
            now=ctx.now,
            link=ctx.link(d.case_id),
            case_id=d.case_id,
            kind="reminder",
        ):
            ctx.report.count(template)


def _template(due_on: date, today: date) -> str:
    """By the day the message goes, not the step's name: a due-day step moved off a Saturday
    deadline to the Monday is overdue, not "due today"."""
    if today < due_on:
        return "reminder_before"
    return "reminder_due" if today == due_on else "reminder_overdue"


def _for_due_date(step: Step, due_on: date) -> Step:
    """A step is claimed for the due date it reminds of: when a correction moves the date, the
    new date gets its own reminders instead of finding them already claimed."""
    return replace(step, name=f"{step.name}@{due_on.isoformat()}")


def _remind(ctx: SweepContext, row: Sequence[Any], rule: ReminderRule) -> None:
    d = row[0]
    planned = plan_steps(rule, d.due_on, ctx.today, ctx.calendar, ctx.config.quiet_days)
    steps = [_for_due_date(s, d.due_on) for s in planned]
    if steps:
        # Only the latest step is sent; older unsent ones (the service was down) are superseded.
        for older in steps[:-1]:
            if _claim(ctx, d, older, rule.audience, "superseded"):
                ctx.report.superseded += 1
        _send_step(ctx, row, steps[-1], rule.audience, _template(d.due_on, ctx.today))
    escalation = escalation_step(rule, d.due_on, ctx.today, ctx.calendar, ctx.config.quiet_days)
    if escalation is not None and rule.audience == "contributor":
        escalation = _for_due_date(escalation, d.due_on)
        _send_step(ctx, row, escalation, "contributor_manager", "escalation")


def sweep(
    sessions: sessionmaker[Session],
    *,
    config: ReminderConfig,
    calendar: StatutoryCalendar,
    labels: dict[str, str],
    today: date,
    now: datetime,
    base_url: str = "",
) -> SweepReport:
    """Queue every reminder step due by `today` that has not been claimed yet."""
    report = SweepReport()
    with sessions() as reader:
        rows = _candidates(reader, config, today)
        if not rows:
            return report
        # Who to tell, read once per sweep, not once per batch: at a national-scale authority
        # the staff list is thousands of users (BENCHMARKS.md §2). Only column values are used,
        # so the users stay readable once this session closes.
        directory = Directory(reader)
    for start in range(0, len(rows), BATCH):
        with sessions.begin() as session:
            ctx = SweepContext(
                session, directory, config, calendar, labels, today, now, report, base_url
            )
            for row in rows[start : start + BATCH]:
                report.deadlines_seen += 1
                for rule in config.rules:
                    if rule.covers(row[0].rule, row[0].window):
                        _remind(ctx, row, rule)
    return report
