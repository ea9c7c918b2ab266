"""At-risk alerts: journeys likely to miss a statutory limit, flagged before they do.

- 20 weeks at risk: no draft plan served by week 14 of a request's 20 (Reg 13(1)-(2): the draft
  needs 15 days for comments before the final plan).
- Phase transfer at risk: from 1 November, a transfer whose amended plan is due by 15 February
  (or 31 March) and not yet issued (Reg 18(1)).
Each alert is claimed once per deadline and audience, like a reminder step.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.orm import aliased

from ehcp_engine.persistence.models import Case, DeadlineRow
from notifications.outbox import queue
from notifications.reminders import Step
from notifications.sweep import SweepContext, _claim, _recipients


def _alert(
    ctx: SweepContext,
    row: Sequence[Any],
    audiences: Sequence[str],
    template: str,
    payload: dict[str, Any],
) -> None:
    d, officer, reference = row
    step = Step("at_risk", ctx.today, 0)
    for audience in audiences:
        people = _recipients(ctx, audience, officer, None)
        if not _claim(ctx, d, step, audience, "queued" if people else "no_recipient"):
            continue
        for person in people:
            key = f"alert:{template}:{d.id}:{audience}:{person.address}"
            if queue(
                ctx.session,
                key=key,
                template=template,
                payload={**payload, "case_reference": reference},
                recipient=person,
                now=ctx.now,
                link=ctx.link(d.case_id),
                case_id=d.case_id,
                kind="alert",
            ):
                ctx.report.count(template)


def twenty_weeks_at_risk(ctx: SweepContext) -> None:
    weeks = ctx.config.at_risk_after_weeks
    draft = aliased(DeadlineRow)
    drafted = exists().where(draft.case_id == DeadlineRow.case_id, draft.rule == "draft_comments")
    rows = ctx.session.execute(
        select(DeadlineRow, Case.officer_id, Case.reference)
        .join(Case, Case.id == DeadlineRow.case_id)
        .where(DeadlineRow.rule == "final_plan", DeadlineRow.status == "open")
        .where(DeadlineRow.starts_on <= ctx.today - timedelta(weeks=weeks), ~drafted)
    ).all()
    for row in rows:
        at_risk_on = row[0].starts_on + timedelta(weeks=weeks)
        _alert(
            ctx,
            row,
            ctx.config.at_risk_audience,
            "twenty_weeks_at_risk",
            {"due_on": row[0].due_on.isoformat(), "at_risk_on": at_risk_on.isoformat()},
        )


def phase_transfer_at_risk(ctx: SweepContext) -> None:
    month, day = ctx.config.transfer_from
    # The long-stops of the coming spring: from 1 November to the following 31 March.
    season_start = date(
        ctx.today.year if ctx.today.month >= month else ctx.today.year - 1, month, day
    )
    if ctx.today < season_start:
        return
    last = date(season_start.year + 1, 3, 31)
    rows = ctx.session.execute(
        select(DeadlineRow, Case.officer_id, Case.reference)
        .join(Case, Case.id == DeadlineRow.case_id)
        .where(DeadlineRow.rule == "phase_transfer", DeadlineRow.status == "open")
        .where(DeadlineRow.due_on >= ctx.today, DeadlineRow.due_on <= last)
    ).all()
    for row in rows:
        latest = ctx.calendar.add_weeks(row[0].due_on, -12)
        _alert(
            ctx,
            row,
            ctx.config.transfer_audience,
            "phase_transfer_at_risk",
            {"due_on": row[0].due_on.isoformat(), "latest_meeting_on": latest.isoformat()},
        )
