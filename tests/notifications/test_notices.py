"""Proof of service for statutory notices (notifications/notices.py): how and when each notice
went, the day it counts as served, and any failure or bounce, which opens a task for the officer
to re-send by another route.

Deemed service (CPR 6.26 by analogy): an email sent on a working day before 16:30 (London time)
is served that day, otherwise on the next working day; a letter posted first class is served on
the second working day after posting. Dates worked out by hand; BST runs from Sun 29 Mar 2026.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from ehcp_engine.domain.calendar import StatutoryCalendar
from ehcp_engine.persistence.models import Notice
from ehcp_engine.services.scheduler import run_job
from ehcp_engine.services.users import issue_token
from notifications.notices import email_served_on, post_served_on
from tests.notifications.conftest import (
    CHILD_NAMES,
    FAMILY,
    add_team,
    add_user,
    build_world,
    clock_of,
    open_case,
    outbox,
    record,
    run_day,
    utc,
)

CAL = StatutoryCalendar()


@pytest.mark.parametrize(
    ("sent_at_utc", "served"),
    [
        (datetime(2026, 2, 10, 16, 29), date(2026, 2, 10)),  # Tue 16:29 GMT: that day
        (datetime(2026, 2, 10, 16, 30), date(2026, 2, 11)),  # Tue 16:30 GMT: next working day
        (datetime(2026, 5, 12, 15, 29), date(2026, 5, 12)),  # Tue 16:29 BST
        (datetime(2026, 5, 12, 15, 30), date(2026, 5, 13)),  # Tue 16:30 BST
        (datetime(2026, 5, 22, 15, 45), date(2026, 5, 26)),  # Fri 16:45 BST; Mon 25 May is a BH
        (datetime(2026, 2, 14, 10, 0), date(2026, 2, 16)),  # Sat: Mon
        (datetime(2026, 4, 2, 16, 0), date(2026, 4, 7)),  # Thu 17:00 BST: Good Fri, Easter Mon
        (datetime(2026, 12, 24, 16, 35), date(2026, 12, 29)),  # Thu 24 Dec: Fri 25, Mon 28 BHs
        (datetime(2026, 12, 24, 9, 0), date(2026, 12, 24)),  # Christmas Eve is a working day
    ],
)
def test_an_email_is_served_that_day_before_1630_on_a_working_day_else_the_next(
    sent_at_utc, served
):
    assert email_served_on(sent_at_utc.replace(tzinfo=UTC), CAL) == served


@pytest.mark.parametrize(
    ("posted", "served"),
    [
        (date(2026, 2, 12), date(2026, 2, 16)),  # Thu: Fri 13 (1st), Mon 16 (2nd)
        (date(2026, 4, 2), date(2026, 4, 8)),  # Thu: Tue 7 Apr (1st), Wed 8 Apr (2nd)
        (date(2026, 12, 23), date(2026, 12, 29)),  # Wed: Thu 24 (1st), Tue 29 (2nd)
    ],
)
def test_a_letter_is_served_on_the_second_working_day_after_posting(posted, served):
    assert post_served_on(posted, CAL) == served


def notices(svc, case_id: int) -> list[Notice]:
    with svc.sessions() as session:
        return list(
            session.query(Notice).filter(Notice.case_id == case_id).order_by(Notice.id).all()
        )


@pytest.fixture
def officer_client(nsvc):
    world = build_world(nsvc)
    client = TestClient(create_app(services=nsvc), raise_server_exceptions=False)
    client.headers["Authorization"] = f"Bearer {issue_token(nsvc, world.officer)}"
    return world, client


def test_an_emailed_notice_records_when_it_went_and_when_it_is_served(nsvc, smtp, officer_client):
    world, client = officer_client
    case = open_case(nsvc, date(2026, 1, 5), officer_id=world.officer, family_email=FAMILY)
    record(nsvc, case.id, "assessment_agreed", date(2026, 2, 13))  # Fri
    [pending] = notices(nsvc, case.id)
    assert (pending.route, pending.status, pending.addressee) == ("email", "pending", FAMILY)
    assert pending.served_on is None and pending.outbox_id is not None

    run_day(nsvc, date(2026, 2, 13), "dispatch")  # Fri 12:00 GMT: served that day
    [mail] = smtp.messages
    assert mail.to == (FAMILY,)
    assert mail.subject == f"Decision to carry out an EHC needs assessment (case {case.reference})"
    assert "dated 2026-02-13" in mail.body and "rights of appeal" in mail.body
    for name in CHILD_NAMES:
        assert name not in mail.raw
    shown = client.get(f"/api/v1/cases/{case.id}/notices").json()
    assert [
        (n["kind"], n["route"], n["status"], n["served_on"], n["task_open"]) for n in shown
    ] == [("assessment_agreed", "email", "sent", "2026-02-13", False)]
    assert shown[0]["sent_at"].startswith("2026-02-13T12:00")


def test_an_email_sent_after_1630_on_a_friday_is_served_on_monday(nsvc, smtp):
    world = build_world(nsvc)
    case = open_case(nsvc, date(2026, 1, 5), officer_id=world.officer, family_email=FAMILY)
    record(nsvc, case.id, "assessment_agreed", date(2026, 2, 13))
    clock_of(nsvc).set(date(2026, 2, 13), time(16, 45))  # Fri 16:45 GMT
    assert run_job(nsvc, "dispatch").outcome == "ok"
    [notice] = notices(nsvc, case.id)
    assert (notice.status, notice.served_on) == ("sent", date(2026, 2, 16))
    assert utc(notice.sent_at) == datetime(2026, 2, 13, 16, 45, tzinfo=UTC)


def test_without_an_email_address_the_notice_is_posted_and_served_two_working_days_later(
    nsvc, smtp
):
    """Draft plan served Thu 2 Apr 2026, by post: Good Friday and Easter Monday do not count, so
    the family is served on Wed 8 Apr."""
    world = build_world(nsvc)
    case = open_case(nsvc, date(2026, 1, 5), officer_id=world.officer)
    record(nsvc, case.id, "assessment_agreed", date(2026, 2, 10))
    record(nsvc, case.id, "plan_agreed", date(2026, 4, 1))
    record(nsvc, case.id, "draft_plan_served", date(2026, 4, 2))
    posted = [(n.kind, n.route, n.status, n.served_on) for n in notices(nsvc, case.id)]
    assert posted == [
        ("assessment_agreed", "post", "sent", date(2026, 2, 12)),  # Tue -> Thu
        ("draft_plan_served", "post", "sent", date(2026, 4, 8)),
    ]
    assert outbox(nsvc, kind="notice") == []


def test_a_refused_email_opens_a_task_and_resending_by_post_closes_it(nsvc, smtp, officer_client):
    world, client = officer_client
    smtp.refuse(FAMILY)
    case = open_case(nsvc, date(2026, 1, 5), officer_id=world.officer, family_email=FAMILY)
    record(nsvc, case.id, "assessment_agreed", date(2026, 2, 10))
    run_day(nsvc, date(2026, 2, 10), "dispatch")
    [failed] = client.get(f"/api/v1/cases/{case.id}/notices").json()
    assert (failed["status"], failed["served_on"], failed["task_open"]) == ("failed", None, True)
    assert "550" in failed["failure"]

    clock_of(nsvc).set(date(2026, 2, 11))  # Wed: the officer posts it
    posted = client.post(f"/api/v1/notices/{failed['id']}/resent-by-post")
    assert posted.status_code == 200, posted.text
    assert (posted.json()["route"], posted.json()["served_on"]) == ("post", "2026-02-13")  # Fri
    shown = client.get(f"/api/v1/cases/{case.id}/notices").json()
    assert [
        (n["route"], n["status"], n["served_on"], n["task_open"], n["failure"] is not None)
        for n in shown
    ] == [
        ("email", "failed", None, False, True),  # the failed attempt stays on the record
        ("post", "sent", "2026-02-13", False, False),
    ]
    again = client.post(f"/api/v1/notices/{failed['id']}/resent-by-post")
    assert again.status_code in (409, 422)  # no open task: nothing to re-send


def test_a_bounce_reported_after_sending_unserves_the_notice_and_opens_a_task(
    nsvc, smtp, officer_client
):
    world, client = officer_client
    case = open_case(nsvc, date(2026, 1, 5), officer_id=world.officer, family_email=FAMILY)
    record(nsvc, case.id, "assessment_agreed", date(2026, 2, 10))
    run_day(nsvc, date(2026, 2, 10), "dispatch")
    [sent] = client.get(f"/api/v1/cases/{case.id}/notices").json()
    assert (sent["status"], sent["served_on"]) == ("sent", "2026-02-10")

    bounced = client.post(
        f"/api/v1/notices/{sent['id']}/bounced", json={"reason": "552 mailbox full (DSN)"}
    )
    assert bounced.status_code == 200, bounced.text
    assert (bounced.json()["status"], bounced.json()["served_on"]) == ("bounced", None)
    assert bounced.json()["task_open"] is True
    assert bounced.json()["failure"] == "552 mailbox full (DSN)"

    clock_of(nsvc).set(date(2026, 2, 12))  # Thu
    assert client.post(f"/api/v1/notices/{sent['id']}/resent-by-post").status_code == 200
    shown = client.get(f"/api/v1/cases/{case.id}/notices").json()
    assert [(n["route"], n["status"], n["served_on"], n["task_open"]) for n in shown] == [
        ("email", "bounced", None, False),
        ("post", "sent", "2026-02-16", False),  # Mon: Fri 13 (1st), Mon 16 (2nd)
    ]


def test_an_officer_of_another_team_can_neither_report_a_bounce_nor_resend(nsvc, smtp):
    world = build_world(nsvc)
    south = add_team(nsvc, "South")
    stranger = add_user(nsvc, "sol@la.example.gov.uk", "officer", name="Sol", team_id=south)
    case = open_case(nsvc, date(2026, 1, 5), officer_id=world.officer, family_email=FAMILY)
    record(nsvc, case.id, "assessment_agreed", date(2026, 2, 10))
    run_day(nsvc, date(2026, 2, 10), "dispatch")
    [sent] = notices(nsvc, case.id)
    client = TestClient(create_app(services=nsvc), raise_server_exceptions=False)
    client.headers["Authorization"] = f"Bearer {issue_token(nsvc, stranger)}"

    bounce = client.post(f"/api/v1/notices/{sent.id}/bounced", json={"reason": "made up"})
    resend = client.post(f"/api/v1/notices/{sent.id}/resent-by-post")

    # The same answer as for a notice that does not exist: the case is not theirs to know of.
    assert (bounce.status_code, bounce.json()["detail"]) == (404, f"no notice {sent.id}")
    assert resend.status_code == 404
    [unchanged] = notices(nsvc, case.id)
    assert (unchanged.status, unchanged.task_open, unchanged.failure) == ("sent", False, None)


def test_a_failed_notice_retried_by_an_admin_and_sent_closes_its_task(nsvc, smtp):
    world = build_world(nsvc)
    admin = TestClient(create_app(services=nsvc), raise_server_exceptions=False)
    admin.headers["Authorization"] = (
        f"Bearer {issue_token(nsvc, add_user(nsvc, 'admin@exampleshire.gov.uk', 'admin'))}"
    )
    smtp.refuse(FAMILY)
    case = open_case(nsvc, date(2026, 1, 5), officer_id=world.officer, family_email=FAMILY)
    record(nsvc, case.id, "assessment_agreed", date(2026, 2, 10))
    run_day(nsvc, date(2026, 2, 10), "dispatch")
    [notice] = notices(nsvc, case.id)
    assert (notice.status, notice.task_open) == ("failed", True)

    smtp.sink.refuse.clear()  # the family's mailbox works again
    clock_of(nsvc).set(date(2026, 2, 11))
    assert admin.post(f"/api/v1/admin/messages/{notice.outbox_id}/retry").status_code == 200
    run_day(nsvc, date(2026, 2, 11), "dispatch")
    [notice] = notices(nsvc, case.id)
    assert (notice.status, notice.served_on, notice.task_open) == ("sent", date(2026, 2, 11), False)
    assert "550" in (notice.failure or "")  # the earlier failure stays on the record
