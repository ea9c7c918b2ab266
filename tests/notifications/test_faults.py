"""Faults: a server killed at random moments, two schedulers at once, an SMTP server down.

The work is fault_worker.py's: six cases whose events are recorded through the write path while
the sweep, the managers' digest and the dispatcher run, day by simulated day, from Mon 5 Jan to
Mon 20 Apr 2026 (decisions, advice asked and answered or not, reminders before, on and after due
dates, escalations, 20-weeks-at-risk alerts, statutory notices). What should have been queued is
known from a reference run of the same days without faults.

Exactly once, and what it means for email: every reminder step is claimed once (a unique row in
the transaction that queues its messages), and every message is queued once (a unique
idempotency key). Sending is at least once: a process killed after the SMTP server accepted a
message but before the dispatcher marked it sent cannot know it went, so the message is sent
again when its lease expires, with the same Message-ID (derived from the idempotency key), which
lets the receiving side recognise the repeat. So the tests assert that the set of distinct
Message-IDs received is exactly the set of messages queued, and that repeats are at most one
per kill.
"""

from __future__ import annotations

import multiprocessing
import os
import random
import signal
import time as wallclock
from collections import Counter
from datetime import date, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from audit.log import verify
from ehcp_engine.persistence.models import AuditEvent, JobRun, Notice, OutboxMessage
from ehcp_engine.services.replay import replay_all
from ehcp_engine.services.scheduler import run_job
from notifications.channels import message_id
from tests.conftest import PG_URL, Backend
from tests.notifications import fault_worker as fw
from tests.notifications.conftest import (
    CONTRIBUTOR,
    PAEDS_INBOX,
    assessing_case,
    build_world,
    clock_of,
    configure,
    outbox,
    settings_for,
)

KILLS = 15
# Forked workers start in milliseconds (the interpreter and its imports are inherited), so the
# kills land in the work, not in start-up. Each creates its own database engine.
FORK = multiprocessing.get_context("fork")


def url_of(svc) -> str:
    return svc.sessions.kw["bind"].url.render_as_string(hide_password=False)


def reference_run(backend: Backend, engine_config: Any, first: date, last: date, *, pre: bool):
    """The same scenario without faults (and without sending): what must be queued."""
    url = backend.new_database()
    svc = fw.services(url, None, engine_config)
    try:
        scenario = fw.set_up(svc)
        if pre:
            fw.record_due_events(svc, scenario, first - timedelta(days=1))
        started = wallclock.monotonic()
        fw.run_days(svc, scenario, first, last, jobs=("sweep", "manager_digest"))
        seconds = wallclock.monotonic() - started
        return fw.outbox_keys(svc), fw.reminder_steps(svc), seconds
    finally:
        svc.sessions.kw["bind"].dispose()


def audit_and_outbox_agree(svc) -> None:
    """Each event that causes messages has them, and each event-caused message has its event."""
    with svc.sessions() as session:
        events = {(e.case_id, e.seq): e for e in session.scalars(select(AuditEvent))}
        keys = set(session.scalars(select(OutboxMessage.idempotency_key)))
        notices = list(session.scalars(select(Notice)))
    for (case_id, seq), event in events.items():
        if event.type == "advice_requested":
            recipient = CONTRIBUTOR if event.data["advice_type"] == "educational" else PAEDS_INBOX
            assert f"case:{case_id}:event:{seq}:advice_requested:{recipient}" in keys
    for key in keys:
        if key.startswith("case:"):
            _, case_id, _, seq, *_ = key.split(":")
            assert (int(case_id), int(seq)) in events, key
        if key.startswith("notice:"):
            _, case_id, seq = key.split(":")
            assert events[(int(case_id), int(seq))].type == "assessment_agreed", key
    emailed = [n for n in notices if n.route == "email"]
    assert emailed and all(n.status == "sent" and n.served_on for n in emailed)
    assert len(emailed) == sum(1 for k in keys if k.startswith("notice:"))


def test_killed_with_sigkill_at_random_moments_every_reminder_goes_out_and_nothing_is_lost(
    fresh_svc, backend, engine_config, smtp, tmp_path
):
    svc = configure(fresh_svc, settings_for(smtp=smtp))
    scenario = fw.set_up(svc)
    expected_keys, expected_steps, seconds = reference_run(
        backend, engine_config, fw.START, fw.END, pre=False
    )
    seed = random.randrange(1 << 30)
    rng = random.Random(seed)
    progress = tmp_path / "progress.json"
    args = (url_of(svc), smtp.port, engine_config, scenario, str(progress), fw.END)
    interrupted = 0
    for _ in range(KILLS):
        process = FORK.Process(target=fw.worker, args=args)
        process.start()
        process.join(timeout=rng.uniform(0.02, max(0.2, 1.5 * seconds / KILLS)))
        if process.is_alive():
            os.kill(process.pid, signal.SIGKILL)
            interrupted += 1
        process.join()
        assert process.exitcode in (0, -signal.SIGKILL), f"seed {seed}: the worker failed"
    assert interrupted >= KILLS // 2, f"seed {seed}: the work finished before the kills"
    reached = progress.read_text() if progress.exists() else "nothing"
    # A clean restart finishes the days; then a last dispatch once any lease of a killed sender
    # (5 minutes) has run out.
    clean = FORK.Process(target=fw.worker, args=args)
    clean.start()
    clean.join(timeout=300)
    assert clean.exitcode == 0, f"seed {seed}: the clean run failed"
    clock_of(svc).set(fw.END, time(13, 0))
    assert run_job(svc, "dispatch").outcome == "ok"

    context = f"seed {seed}, {interrupted} kills, progress before the clean run: {reached}"
    keys = fw.outbox_keys(svc)
    assert Counter(keys) == Counter(expected_keys), context  # every message, each queued once
    assert sorted(fw.reminder_steps(svc)) == sorted(expected_steps), context
    messages = outbox(svc)
    assert {m.status for m in messages} == {"sent"}, context  # nothing queued was lost
    with svc.sessions() as session:
        killed_mid_job = session.scalar(
            select(JobRun.id).where(JobRun.outcome == "running").limit(1)
        )
    assert killed_mid_job is not None, f"{context}: no kill landed inside a job"

    # Each step claimed as queued has its messages.
    stable = set(keys)
    for deadline, step, audience, outcome in fw.reminder_steps(svc):
        if outcome == "queued":
            prefix = f"reminder:{deadline}:{step}:{audience}:"
            alert = f":{deadline}:{audience}:"
            assert any(k.startswith(prefix) or (alert in k and step == "at_risk") for k in stable)

    # Email: each queued message arrived, under its own Message-ID; a repeat is a message whose
    # sender was killed between the SMTP server's acceptance and marking it sent.
    received = Counter(mail.message_id for mail in smtp.messages)
    wanted = {message_id(m.idempotency_key) for m in messages if m.channel == "email"}
    assert set(received) == wanted, context
    repeats = sum(n - 1 for n in received.values())
    assert repeats <= interrupted, context

    with svc.sessions() as session:
        assert verify(session) == [], context
    assert replay_all(svc).differences == [], context
    audit_and_outbox_agree(svc)


def scheduler_process(
    index: int,
    url: str,
    smtp_port: int,
    engine_config: Any,
    scenario: fw.Scenario,
    first: date,
    last: date,
    barrier: Any,
) -> None:
    """One of two schedulers: each day both run the sweep, digest and dispatch at the same time
    (the first also records the day's events, as the API processes would, before)."""
    svc = fw.services(url, smtp_port, engine_config)
    day = first
    while day <= last:
        clock_of(svc).set(day)
        if index == 0:
            fw.record_due_events(svc, scenario, day)
        barrier.wait(120)
        for job in ("sweep", "manager_digest", "dispatch"):
            run = run_job(svc, job)
            assert run.outcome == "ok", f"{job} on {day}: {run.detail}"
        barrier.wait(120)
        day += timedelta(days=1)
    svc.sessions.kw["bind"].dispose()


@pytest.mark.skipif(not PG_URL, reason="needs PostgreSQL (EHCP_TEST_DATABASE_URL)")
def test_two_schedulers_on_one_postgresql_database_for_a_month_send_each_step_once(
    fresh_svc, backend, engine_config, smtp
):
    if backend.name != "postgresql":
        pytest.skip("two schedulers are deployed against PostgreSQL")
    first, last = date(2026, 3, 16), date(2026, 4, 14)  # a month of advice falling due
    svc = configure(fresh_svc, settings_for(smtp=smtp))
    scenario = fw.set_up(svc)
    fw.record_due_events(svc, scenario, first - timedelta(days=1))
    expected_keys, expected_steps, _ = reference_run(backend, engine_config, first, last, pre=True)
    barrier = FORK.Barrier(2)
    processes = [
        FORK.Process(
            target=scheduler_process,
            args=(i, url_of(svc), smtp.port, engine_config, scenario, first, last, barrier),
        )
        for i in range(2)
    ]
    for p in processes:
        p.start()
    for p in processes:
        p.join(timeout=300)
    assert [p.exitcode for p in processes] == [0, 0]

    assert Counter(fw.outbox_keys(svc)) == Counter(expected_keys)
    assert sorted(fw.reminder_steps(svc)) == sorted(expected_steps)
    messages = outbox(svc)
    assert {m.status for m in messages} == {"sent"}
    received = Counter(mail.message_id for mail in smtp.messages)
    assert received == Counter(message_id(m.idempotency_key) for m in messages)  # each once
    with svc.sessions() as session:
        sweeps = session.scalars(select(JobRun).where(JobRun.job == "sweep")).all()
    assert len(sweeps) == 2 * 30 and {r.outcome for r in sweeps} == {"ok"}  # both ran daily


def test_smtp_down_for_an_hour_messages_wait_and_go_when_it_returns(nsvc, smtp):
    """The SMTP server goes down at 12:00 and comes back at 13:01. The dispatcher runs every
    30 seconds; a message that could not go is tried again after 1, 2, 4, 8 then 15 minutes:
    at 12:00, 12:01, 12:03, 12:07, 12:15, 12:30, 12:45, 13:00 (all refused), then 13:15, when it
    goes. It waits as pending the whole time, never failed."""
    assessing_case(nsvc, build_world(nsvc))  # two advice requests queued at 12:00
    smtp.stop()
    clock = clock_of(nsvc)
    day = date(2026, 2, 11)
    attempts: list[float] = []
    for step in range(0, 2 * 80):  # every 30 seconds from 12:00 to 13:19:30
        minutes = step / 2
        if minutes == 61:
            smtp.start()
        clock.set(day)
        clock.advance(minutes=minutes)
        detail = run_job(nsvc, "dispatch").detail
        if detail != "sent 0, to retry 0, failed 0":
            attempts.append(minutes)
            expected = "sent 2, to retry 0, failed 0" if minutes >= 61 else "sent 0, to retry 2"
            assert detail.startswith(expected), (minutes, detail)
        if minutes < 61:
            waiting = outbox(nsvc, template="advice_requested")
            assert {m.status for m in waiting} == {"pending"}
            assert all("SMTP server unreachable" in (m.last_error or "") for m in waiting)
    assert attempts == [0, 1, 3, 7, 15, 30, 45, 60, 75]
    sent = outbox(nsvc, template="advice_requested")
    assert {(m.status, m.attempts) for m in sent} == {("sent", 9)}
    received = Counter(mail.message_id for mail in smtp.messages)
    assert received == Counter(message_id(m.idempotency_key) for m in sent)


def test_the_worker_resumes_from_the_database_alone(fresh_svc, engine_config, tmp_path: Path):
    """What the kill test relies on: running a day twice, or the days again from the start,
    records no event twice and queues nothing twice."""
    svc = configure(fresh_svc, settings_for())
    scenario = fw.set_up(svc)
    last = fw.START + timedelta(days=45)
    fw.run_days(svc, scenario, fw.START, last, jobs=("sweep", "manager_digest"))
    keys, steps = fw.outbox_keys(svc), fw.reminder_steps(svc)
    with svc.sessions() as session:
        events = len(session.scalars(select(AuditEvent.id)).all())
    fw.run_days(svc, scenario, fw.START, last, jobs=("sweep", "manager_digest"))
    with svc.sessions() as session:
        assert len(session.scalars(select(AuditEvent.id)).all()) == events
    assert (fw.outbox_keys(svc), fw.reminder_steps(svc)) == (keys, steps)
    assert any(k.startswith("reminder:") for k in keys)
