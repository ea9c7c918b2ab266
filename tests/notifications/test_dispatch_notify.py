"""GOV.UK Notify through notifications-python-client, against a local server that speaks the part
of Notify's API the engine uses. 500 and 429 are retried with backoff; 400 is kept as failed with
Notify's reason, shown to admins (API and `ehcp notifications`) and retried only when they say.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from ehcp_engine.persistence.models import User
from ehcp_engine.services.scheduler import run_job
from ehcp_engine.services.users import issue_token
from ehcp_engine.settings import Settings
from tests.notifications.conftest import (
    CONTRIBUTOR,
    EMAIL_TEMPLATE_ID,
    NOTIFY_API_KEY,
    PAEDS_INBOX,
    SMS_TEMPLATE_ID,
    add_user,
    assessing_case,
    build_world,
    clock_of,
    configure,
    outbox,
    run_day,
    settings_for,
    utc,
)

REPO = Path(__file__).resolve().parents[2]
DISPATCH = ("dispatch",)


@pytest.fixture
def nsvc(fresh_svc, notify):
    """Services over a fresh database, sending email and SMS through the fake Notify."""
    return configure(fresh_svc, settings_for(notify=notify))


def test_email_goes_through_notify_with_the_key_as_reference(nsvc, notify):
    case = assessing_case(nsvc, build_world(nsvc))
    assert run_day(nsvc, date(2026, 2, 11), *DISPATCH)["dispatch"] == "sent 2, to retry 0, failed 0"
    calls = notify.delivered()
    assert {c.body["email_address"] for c in calls} == {CONTRIBUTOR, PAEDS_INBOX}
    assert all(c.authorised and c.path == "/v2/notifications/email" for c in notify.calls)
    by_key = {m.idempotency_key: m for m in outbox(nsvc, template="advice_requested")}
    for call in calls:
        message = by_key[call.body["reference"]]
        assert call.body["template_id"] == EMAIL_TEMPLATE_ID
        assert call.body["personalisation"] == {"subject": message.subject, "body": message.body}
        assert message.subject == f"Advice requested for case {case.reference}: due 2026-03-25"
        assert message.status == "sent" and message.provider_ref  # Notify's notification id


def test_a_user_who_prefers_sms_gets_a_text_message(nsvc, notify):
    world = build_world(nsvc)
    with nsvc.sessions.begin() as session:
        cara = session.get(User, world.contributor)
        assert cara is not None
        cara.phone, cara.channels = "07700900123", ["sms", "email", "inapp"]
    assessing_case(nsvc, world)
    run_day(nsvc, date(2026, 2, 11), *DISPATCH)
    [sms] = [c for c in notify.delivered() if c.path == "/v2/notifications/sms"]
    assert sms.body["phone_number"] == "07700900123"
    assert sms.body["template_id"] == SMS_TEMPLATE_ID
    [message] = outbox(nsvc, audience=CONTRIBUTOR)
    assert (message.channel, message.status) == ("sms", "sent")
    assert sms.body["reference"] == message.idempotency_key


def test_notify_500_then_429_is_retried_with_backoff_then_sent(nsvc, notify):
    """Attempt 1 at 12:00 gets 500: next try 1 minute later. Attempt 2 at 12:01 gets 429: next
    try 2 minutes later. Attempt 3 at 12:03 is accepted. Nothing is tried in between."""
    build_world(nsvc)
    clock = clock_of(nsvc)
    run_day(nsvc, date(2026, 1, 5), "manager_digest")  # Manny's digest
    notify.fail_next(500, 429)
    details = []
    for minute in (0, 0.5, 1, 2, 3):
        clock.set(date(2026, 1, 5))
        clock.advance(minutes=minute)
        details.append((minute, run_job(nsvc, "dispatch").detail))
    assert details == [
        (0, "sent 0, to retry 1, failed 0"),  # 500
        (0.5, "sent 0, to retry 0, failed 0"),
        (1, "sent 0, to retry 1, failed 0"),  # 429
        (2, "sent 0, to retry 0, failed 0"),
        (3, "sent 1, to retry 0, failed 0"),
    ]
    assert [c.status for c in notify.calls] == [500, 429, 201]
    assert len({c.body["reference"] for c in notify.calls}) == 1  # one idempotency key
    [message] = outbox(nsvc)
    assert (message.status, message.attempts) == ("sent", 3)
    assert utc(message.sent_at) - utc(message.created_at) == timedelta(minutes=3)
    assert "429" in (message.last_error or "")  # the last temporary failure, kept for the record


def test_notify_400_is_kept_as_failed_with_the_reason_and_an_admin_retries_it(nsvc, notify):
    build_world(nsvc)
    admin = add_user(nsvc, "admin@exampleshire.gov.uk", "admin")
    officer = add_user(nsvc, "other@exampleshire.gov.uk", "officer")
    run_day(nsvc, date(2026, 1, 5), "manager_digest")
    notify.fail_next(400)
    assert run_day(nsvc, date(2026, 1, 5), *DISPATCH)["dispatch"] == "sent 0, to retry 0, failed 1"
    [failed] = outbox(nsvc)
    assert failed.status == "failed"
    assert "Notify 400" in (failed.last_error or "")
    assert "team-only API key" in (failed.last_error or "")
    # Kept, never retried on its own.
    run_day(nsvc, date(2026, 1, 6), *DISPATCH)
    assert [c.status for c in notify.calls] == [400]

    client = TestClient(create_app(services=nsvc), raise_server_exceptions=False)
    as_admin = {"Authorization": f"Bearer {issue_token(nsvc, admin)}"}
    as_officer = {"Authorization": f"Bearer {issue_token(nsvc, officer)}"}
    listed = client.get("/api/v1/admin/messages", headers=as_admin)
    assert listed.status_code == 200
    assert [(m["id"], m["status"]) for m in listed.json()] == [(failed.id, "failed")]
    assert "team-only API key" in listed.json()[0]["last_error"]
    assert client.get("/api/v1/admin/messages", headers=as_officer).status_code == 403
    assert (
        client.post(f"/api/v1/admin/messages/{failed.id}/retry", headers=as_officer).status_code
        == 403
    )

    retried = client.post(f"/api/v1/admin/messages/{failed.id}/retry", headers=as_admin)
    assert retried.status_code == 200, retried.text
    assert (retried.json()["status"], retried.json()["attempts"]) == ("pending", 0)
    again = client.post(f"/api/v1/admin/messages/{failed.id}/retry", headers=as_admin)
    assert again.status_code in (409, 422)  # only a failed message can be retried
    assert run_day(nsvc, date(2026, 1, 6), *DISPATCH)["dispatch"] == "sent 1, to retry 0, failed 0"
    assert [c.status for c in notify.calls] == [400, 201]
    assert client.get("/api/v1/admin/messages", headers=as_admin).json() == []


def _ehcp(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    script = Path(sys.executable).parent / "ehcp"
    command = [str(script)] if script.exists() else [sys.executable, "-m", "ehcp_engine.cli"]
    return subprocess.run(
        [*command, *args], env=env, cwd=REPO, capture_output=True, text=True, timeout=120
    )


def test_ehcp_notifications_lists_failed_messages_and_retries_one(nsvc, notify, tmp_path):
    build_world(nsvc)
    run_day(nsvc, date(2026, 1, 5), "manager_digest")
    notify.fail_next(400)
    run_day(nsvc, date(2026, 1, 5), *DISPATCH)
    [failed] = outbox(nsvc)
    env = {k: v for k, v in os.environ.items() if not k.startswith("EHCP_")}
    env["EHCP_DATA_DIR"] = str(tmp_path)
    env["EHCP_DATABASE_URL"] = nsvc.sessions.kw["bind"].url.render_as_string(hide_password=False)

    listed = _ehcp(env, "notifications", "list")
    assert listed.returncode == 0, listed.stderr
    assert "1 failed message(s)" in listed.stdout
    line = next(x for x in listed.stdout.splitlines() if x.strip().startswith(str(failed.id)))
    assert "manny@exampleshire.gov.uk" in line and "Notify 400" in line

    retried = _ehcp(env, "notifications", "retry", str(failed.id))
    assert retried.returncode == 0, retried.stderr
    assert f"message {failed.id} queued again" in retried.stdout
    [pending] = outbox(nsvc)
    assert (pending.status, pending.attempts, pending.last_error) == ("pending", 0, None)

    twice = _ehcp(env, "notifications", "retry", str(failed.id))
    assert twice.returncode == 1
    assert f"no failed message {failed.id}" in twice.stderr


def test_notify_comes_from_the_environment_and_a_refused_key_makes_messages_wait(
    fresh_svc, notify, monkeypatch
):
    """EHCP_NOTIFY_API_KEY (and EHCP_NOTIFY_BASE_URL) send email through Notify even when SMTP
    is configured too. A key Notify refuses (403: revoked, or the clock is out) is the service's
    problem: messages wait, and go once the key is put right."""
    wrong = NOTIFY_API_KEY[:-12] + "000000000000"
    for name, value in {
        "EHCP_NOTIFY_API_KEY": wrong,
        "EHCP_NOTIFY_BASE_URL": notify.url,
        "EHCP_SMTP_HOST": "127.0.0.1",
    }.items():
        monkeypatch.setenv(name, value)
    svc = configure(fresh_svc, Settings())
    build_world(svc)
    run_day(svc, date(2026, 1, 5), "manager_digest")
    assert run_day(svc, date(2026, 1, 5), *DISPATCH)["dispatch"] == "sent 0, to retry 1, failed 0"
    [waiting] = outbox(svc)
    assert waiting.status == "pending" and "403" in (waiting.last_error or "")
    assert [(c.authorised, c.status) for c in notify.calls] == [(False, 403)]

    monkeypatch.setenv("EHCP_NOTIFY_API_KEY", NOTIFY_API_KEY)
    svc.settings = Settings()
    clock_of(svc).advance(minutes=1)
    assert run_job(svc, "dispatch").detail == "sent 1, to retry 0, failed 0"
    assert [(c.authorised, c.status) for c in notify.calls][-1] == (True, 201)
