"""Email over SMTP, to a real local SMTP server (aiosmtpd) whose messages are read back.

Messages are written to the outbox in the transaction of the event that caused them and sent
after commit by the dispatcher, with the message's idempotency key as its Message-ID.
"""

from __future__ import annotations

import collections
import threading
from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from ehcp_engine.domain.errors import DomainError
from ehcp_engine.persistence.models import User
from ehcp_engine.services.jobs import channels
from ehcp_engine.services.scheduler import run_job
from ehcp_engine.services.users import issue_token
from ehcp_engine.settings import Settings
from notifications.channels import message_id
from notifications.dispatcher import _claim, dispatch
from notifications.outbox import queue
from notifications.recipients import Recipient
from tests.notifications.conftest import (
    BASE_URL,
    CONTRIBUTOR,
    EP,
    EP_MANAGER,
    MAIL_FROM,
    PAEDS_INBOX,
    SmtpServer,
    add_user,
    assessing_case,
    build_world,
    clock_of,
    configure,
    open_case,
    outbox,
    record,
    run_day,
    utc,
)

DISPATCH = ("dispatch",)


def test_messages_are_sent_after_commit_with_their_key_as_message_id(nsvc, smtp):
    case = assessing_case(nsvc, build_world(nsvc))
    queued = outbox(nsvc, template="advice_requested")
    assert {m.status for m in queued} == {"pending"}
    assert smtp.messages == []  # queued with the event; nothing sent inside the transaction
    detail = run_day(nsvc, date(2026, 2, 11), *DISPATCH)["dispatch"]
    assert detail == "sent 2, to retry 0, failed 0"
    mails = {m.to: m for m in smtp.messages}
    assert set(mails) == {(CONTRIBUTOR,), (PAEDS_INBOX,)}
    for m in queued:
        mail = mails[(m.audience,)]
        assert mail.message_id == message_id(m.idempotency_key)
        assert mail.subject == f"Advice requested for case {case.reference}: due 2026-03-25"
        assert f"From: {MAIL_FROM}" in mail.raw
        assert "please send it by 2026-03-25 (Reg 8)" in mail.body
        # The contributor acts in their portal; an email needs the full address.
        assert f"Sign in to see the case and act on it: {BASE_URL}/advice" in mail.body
    for m in outbox(nsvc, template="advice_requested"):
        assert (m.status, m.attempts, m.provider_ref) == (
            "sent",
            1,
            message_id(m.idempotency_key),
        )
        assert utc(m.sent_at) == clock_of(nsvc).moment
    assert run_day(nsvc, date(2026, 2, 11), *DISPATCH)["dispatch"] == "sent 0, to retry 0, failed 0"
    assert len(smtp.messages) == 2


def test_a_refused_event_queues_nothing(nsvc, smtp):
    """The outbox row shares the event's transaction: an event the stage machine refuses (a
    final plan during the assessment) leaves no notice and no message behind."""
    world = build_world(nsvc)
    case = open_case(
        nsvc, date(2026, 1, 5), officer_id=world.officer, family_email="parent@example.org"
    )
    record(nsvc, case.id, "assessment_agreed", date(2026, 2, 10))
    before = [m.idempotency_key for m in outbox(nsvc)]
    with pytest.raises(DomainError):
        record(nsvc, case.id, "final_plan_issued", date(2026, 2, 12), named_setting="Oak")
    assert [m.idempotency_key for m in outbox(nsvc)] == before
    run_day(nsvc, date(2026, 2, 12), *DISPATCH)
    assert [m.subject for m in smtp.messages] == [
        f"Decision to carry out an EHC needs assessment (case {case.reference})"
    ]


def test_a_user_who_chose_the_inbox_only_gets_no_email_but_sees_it_in_the_app(nsvc, smtp):
    world = build_world(nsvc)
    client = TestClient(create_app(services=nsvc), raise_server_exceptions=False)
    headers = {"Authorization": f"Bearer {issue_token(nsvc, world.contributor)}"}
    chosen = client.put("/api/v1/me/channels", json={"channels": ["inapp"]}, headers=headers)
    assert chosen.status_code == 200, chosen.text
    assert chosen.json() == {"channels": ["inapp"]}
    case = assessing_case(nsvc, world)
    run_day(nsvc, date(2026, 2, 11), *DISPATCH)
    assert [m.to for m in smtp.messages] == [(PAEDS_INBOX,)]
    inbox = client.get("/api/v1/me/messages", headers=headers).json()
    assert [(m["channel"], m["status"], m["subject"]) for m in inbox] == [
        ("inapp", "sent", f"Advice requested for case {case.reference}: due 2026-03-25")
    ]
    read = client.post(f"/api/v1/me/messages/{inbox[0]['id']}/read", headers=headers)
    assert read.status_code == 200 and read.json()["read_at"] is not None
    # SMS needs a phone number first.
    refused = client.put("/api/v1/me/channels", json={"channels": ["sms"]}, headers=headers)
    assert refused.status_code == 422


def test_sms_first_without_an_sms_service_falls_back_to_email(nsvc, smtp):
    """Cara prefers SMS, then email. With only SMTP configured (no Notify) her text cannot go:
    she gets the email, rather than a message marked sent that nobody sent."""
    world = build_world(nsvc)
    with nsvc.sessions.begin() as session:
        cara = session.get(User, world.contributor)
        assert cara is not None
        cara.phone, cara.channels = "07700900123", ["sms", "email", "inapp"]
    assert "sms" not in channels(nsvc)
    assessing_case(nsvc, world)
    run_day(nsvc, date(2026, 2, 11), *DISPATCH)
    assert sorted(m.to for m in smtp.messages) == [(CONTRIBUTOR,), (PAEDS_INBOX,)]


def test_a_refused_recipient_is_kept_as_failed_with_the_reason(nsvc, smtp):
    smtp.refuse(PAEDS_INBOX)
    assessing_case(nsvc, build_world(nsvc))
    assert run_day(nsvc, date(2026, 2, 11), *DISPATCH)["dispatch"] == "sent 1, to retry 0, failed 1"
    [failed] = outbox(nsvc, status="failed")
    assert failed.audience == PAEDS_INBOX
    assert "550" in (failed.last_error or "") and "refused" in (failed.last_error or "")
    # Kept, and never retried on its own.
    run_day(nsvc, date(2026, 2, 12), *DISPATCH)
    assert [m.id for m in outbox(nsvc, status="failed")] == [failed.id]
    assert [m.to for m in smtp.messages] == [(CONTRIBUTOR,)]


def _queue_many(svc, n: int) -> None:
    with svc.sessions.begin() as session:
        for i in range(n):
            queue(
                session,
                key=f"bulk:{i}",
                template="weekly_summary",
                payload={"headline": f"{i}", "text": "x"},
                recipient=Recipient(f"person{i}@example.org"),
                now=svc.clock.now(),
                link="/dashboard",
            )


def test_two_dispatchers_at_once_send_each_message_once(nsvc, smtp):
    """Two dispatchers (e.g. the server's scheduler and `ehcp jobs run dispatch`) started
    together over 120 messages in small batches: each message reaches the SMTP server once."""
    _queue_many(nsvc, 120)
    start = threading.Barrier(2)
    sent: list[int] = []
    errors: list[BaseException] = []
    configured = channels(nsvc)

    def one() -> None:
        start.wait()
        try:
            report = dispatch(
                nsvc.sessions, configured, now=nsvc.clock.now(), calendar=nsvc.config.calendar,
                batch=2,
            )  # fmt: skip
            sent.append(report.sent)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=one) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    counts = collections.Counter(m.message_id for m in smtp.messages)
    assert len(counts) == 120
    assert [mid for mid, n in counts.items() if n > 1] == []
    assert sum(sent) == 120
    assert {m.status for m in outbox(nsvc)} == {"sent"}


def test_a_message_leased_by_a_sender_that_died_is_sent_when_the_lease_expires(nsvc, smtp):
    """A dispatcher claimed the message (leased for 5 minutes) and died before sending it. It is
    not sent while the lease runs, and is sent once, with the same Message-ID, after."""
    _queue_many(nsvc, 1)
    clock = clock_of(nsvc)
    with nsvc.sessions.begin() as session:
        assert len(_claim(session, clock.now(), 10) or []) == 1
    clock.advance(minutes=4)
    assert (
        dispatch(nsvc.sessions, channels(nsvc), now=clock.now(), calendar=nsvc.config.calendar).sent
        == 0
    )
    clock.advance(minutes=2)
    report = dispatch(nsvc.sessions, channels(nsvc), now=clock.now(), calendar=nsvc.config.calendar)
    assert report.sent == 1
    [m] = outbox(nsvc)
    assert (m.status, m.attempts) == ("sent", 2)
    assert [mail.message_id for mail in smtp.messages] == [message_id("bulk:0")]
    assert utc(m.sent_at) - utc(m.created_at) == timedelta(minutes=6)


def test_every_message_to_a_user_is_in_their_inbox_including_ones_to_their_address(nsvc, smtp):
    """The EP service's manager is also a user (inbox only). An escalation addressed to the
    organisation's manager address reaches them in the app, as their preference says."""
    world = build_world(nsvc)
    manager_id = add_user(nsvc, EP_MANAGER, "contributor", channels=["inapp"])
    case = assessing_case(nsvc, world)
    run_day(nsvc, date(2026, 4, 8), "sweep", "dispatch")  # Wed: 14 days overdue
    client = TestClient(create_app(services=nsvc), raise_server_exceptions=False)
    headers = {"Authorization": f"Bearer {issue_token(nsvc, manager_id)}"}
    inbox = client.get("/api/v1/me/messages", headers=headers).json()
    assert [(m["template"], m["channel"]) for m in inbox] == [("escalation", "inapp")]
    assert inbox[0]["subject"] == (
        f"Escalation: Advice from a contributor ({EP}) for case {case.reference} is 14 days overdue"
    )
    assert EP_MANAGER not in {to for m in smtp.messages for to in m.to}


def test_smtp_comes_from_the_environment_and_a_refused_login_makes_mail_wait(
    fresh_svc, monkeypatch
):
    """EHCP_SMTP_HOST, _PORT, _USER, _PASSWORD and EHCP_MAIL_FROM configure the channel. A login
    refused (535: the password was changed) is the service's problem, not the message's: the
    messages wait and go once the login works, rather than all being marked failed."""
    server = SmtpServer(credentials=("ehcp-mailer", "s3cret"))
    server.start()
    try:
        environment = {
            "EHCP_SMTP_HOST": "127.0.0.1",
            "EHCP_SMTP_PORT": str(server.port),
            "EHCP_SMTP_USER": "ehcp-mailer",
            "EHCP_SMTP_PASSWORD": "s3cret",
            "EHCP_MAIL_FROM": "ehcp@exampleshire.gov.uk",
        }
        for name, value in environment.items():
            monkeypatch.setenv(name, value)
        monkeypatch.delenv("EHCP_NOTIFY_API_KEY", raising=False)
        svc = configure(fresh_svc, Settings())
        assessing_case(svc, build_world(svc))
        assert (
            run_day(svc, date(2026, 2, 11), *DISPATCH)["dispatch"] == "sent 2, to retry 0, failed 0"
        )
        assert server.logins == ["ehcp-mailer", "ehcp-mailer"]
        assert all("From: ehcp@exampleshire.gov.uk" in m.raw for m in server.messages)

        server.credentials = ("ehcp-mailer", "rotated")
        run_day(svc, date(2026, 2, 11), "manager_digest")
        assert (
            run_day(svc, date(2026, 2, 11), *DISPATCH)["dispatch"] == "sent 0, to retry 1, failed 0"
        )
        [digest] = outbox(svc, template="manager_digest")
        assert digest.status == "pending" and "535" in (digest.last_error or "")
        server.credentials = ("ehcp-mailer", "s3cret")  # fixed by the administrator
        clock_of(svc).advance(minutes=1)
        assert run_job(svc, "dispatch").detail == "sent 1, to retry 0, failed 0"
    finally:
        server.stop()
