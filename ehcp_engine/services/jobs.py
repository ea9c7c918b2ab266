"""The scheduled jobs: thin named tasks calling query and notification functions.

Each returns a one-line summary for the job history. Each is safe to run twice, or in two
processes at once: work is claimed in the database (unique reminder steps and message keys,
leased outbox rows), never held in memory.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta

from sqlalchemy import delete, update

from ehcp_engine.persistence.models import JobRun, OutboxMessage
from ehcp_engine.services.context import Services
from notifications.alerts import phase_transfer_at_risk, twenty_weeks_at_risk
from notifications.channels import Channel, InAppChannel, NotifyChannel, SmtpChannel
from notifications.digest import (
    first_working_day_of_week,
    queue_daily_digests,
    queue_weekly_summaries,
)
from notifications.dispatcher import dispatch
from notifications.recipients import Directory
from notifications.sweep import SweepContext, SweepReport, sweep

Job = Callable[[Services, date, datetime], str]


def labels(svc: Services) -> dict[str, str]:
    return {t: r.label for rs in svc.config.rule_book.rule_sets for t, r in rs.timers.items()}


def quiet_day(svc: Services, today: date) -> bool:
    """A weekend or bank holiday, when config/reminders.toml says quiet days are respected.
    Nothing is lost: steps and alerts that fall due then go on the next working day."""
    return svc.reminders.quiet_days and not svc.config.calendar.is_working_day(today)


QUIET = "quiet day (weekend or bank holiday): nothing sent; the next working day catches up"


def run_sweep(svc: Services, today: date, now: datetime) -> str:
    if quiet_day(svc, today):
        return QUIET
    base_url = svc.settings.base_url.rstrip("/")
    report = sweep(
        svc.sessions,
        config=svc.reminders,
        calendar=svc.config.calendar,
        labels=labels(svc),
        today=today,
        now=now,
        base_url=base_url,
    )
    with svc.sessions.begin() as session:
        ctx = SweepContext(
            session,
            Directory(session),
            svc.reminders,
            svc.config.calendar,
            labels(svc),
            today,
            now,
            report,
            base_url,
        )
        twenty_weeks_at_risk(ctx)
        phase_transfer_at_risk(ctx)
    return _sweep_summary(report)


def _sweep_summary(r: SweepReport) -> str:
    kinds = ", ".join(f"{k} {v}" for k, v in sorted(r.by_template.items())) or "nothing new"
    return (
        f"{r.deadlines_seen} deadlines near or past due; queued {r.queued} ({kinds}); "
        f"{r.superseded} superseded; {r.no_recipient} with no one to tell"
    )


def channels(svc: Services) -> dict[str, Channel]:
    """Email goes through GOV.UK Notify when a key is configured, else SMTP when a host is."""
    s = svc.settings
    found: dict[str, Channel] = {"inapp": InAppChannel()}
    if s.notify_api_key:
        notify = NotifyChannel(
            s.notify_api_key,
            s.notify_base_url,
            s.notify_email_template_id,
            s.notify_sms_template_id,
        )
        found["email"] = found["sms"] = notify
    elif s.smtp_host:
        found["email"] = SmtpChannel(
            s.smtp_host, s.smtp_port, s.mail_from, s.smtp_user, s.smtp_password, s.smtp_starttls
        )
    return found


def run_dispatch(svc: Services, today: date, now: datetime) -> str:
    configured = channels(svc)
    if "email" not in configured:
        return "no email channel configured (EHCP_SMTP_HOST or EHCP_NOTIFY_API_KEY): waiting"
    r = dispatch(svc.sessions, configured, now=now, calendar=svc.config.calendar)
    return f"sent {r.sent}, to retry {r.retried}, failed {r.failed}"


def run_digest(svc: Services, today: date, now: datetime) -> str:
    if quiet_day(svc, today):
        return QUIET
    return queue_daily_digests(
        svc.sessions,
        today=today,
        now=now,
        labels=labels(svc),
        base_url=svc.settings.base_url,
        at_risk_weeks=svc.reminders.at_risk_after_weeks,
    )


def run_weekly(svc: Services, today: date, now: datetime) -> str:
    if not first_working_day_of_week(today, svc.config.calendar):
        return "not the week's first working day: the summary went (or goes) on that day"
    return queue_weekly_summaries(
        svc.sessions, today=today, now=now, base_url=svc.settings.base_url
    )


def run_housekeeping(svc: Services, today: date, now: datetime) -> str:
    with svc.sessions.begin() as session:
        released = session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.status == "sending", OutboxMessage.lease_until < now)
            .values(status="pending", lease_until=None)
        ).rowcount  # type: ignore[attr-defined]
        pruned = session.execute(
            delete(JobRun).where(JobRun.started_at < now - timedelta(days=400))
        ).rowcount  # type: ignore[attr-defined]
    return f"released {released} expired leases; pruned {pruned} job runs over 400 days old"


def run_measures_refresh(svc: Services, today: date, now: datetime) -> str:
    """Fold the cases whose audit log grew into measure_facts, and reconcile every case's chain
    tip with the projection (catches a record committed after a later-numbered one)."""
    from ehcp_engine.services.measures import refresh

    return str(refresh(svc, reconcile=True))


def run_qa_sample(svc: Services, today: date, now: datetime) -> str:
    """Draw the QA sample of last month's plans if no round covers that month yet."""
    from ehcp_engine.services.qa import scheduled_round

    return scheduled_round(svc, today)


JOBS: dict[str, Job] = {
    "sweep": run_sweep,
    "dispatch": run_dispatch,
    "manager_digest": run_digest,
    "weekly_summary": run_weekly,
    "housekeeping": run_housekeeping,
    "measures_refresh": run_measures_refresh,
    "qa_sample": run_qa_sample,
}
