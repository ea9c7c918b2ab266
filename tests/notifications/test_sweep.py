"""The deadline sweep: each reminder step is claimed once (run twice, or by two sweeps at once),
steps missed while the service was down are superseded by the latest, quiet days are respected,
and every message says what is due, for which case, by when and what to do, with a link, and
never names the child.

One case throughout (conftest `assessing_case`): request Mon 5 Jan 2026, decision to assess Tue
10 Feb, advice asked of the EP service (contributor user Cara) and of Community Paediatrics
(shared inbox) on Wed 11 Feb, both due Wed 25 Mar 2026.
"""

from __future__ import annotations

import json
import re
import threading
from datetime import date

import pytest
from sqlalchemy import select

from ehcp_engine.persistence.models import DeadlineRow, ReminderStep
from ehcp_engine.services.jobs import labels
from notifications.sweep import SweepReport, sweep
from tests.notifications.conftest import (
    BASE_URL,
    CHILD_NAMES,
    CONTRIBUTOR,
    EP,
    EP_MANAGER,
    MANAGER,
    OFFICER,
    PAEDS,
    PAEDS_INBOX,
    assessing_case,
    build_world,
    clock_of,
    open_case,
    outbox,
    record,
    run_day,
)

SWEEP = ("sweep",)


def reminders(svc) -> set[tuple[str, str]]:
    """(recipient, subject) of every reminder, escalation and alert queued."""
    return {
        (m.audience, m.subject)
        for m in outbox(svc)
        if m.kind in ("reminder", "alert") or m.template == "escalation"
    }


def steps_by_outcome(svc) -> dict[tuple[str, str, str], str]:
    """(deadline rule, audience, step without its due date) -> outcome."""
    with svc.sessions() as session:
        rows = session.execute(
            select(DeadlineRow.rule, DeadlineRow.subject_key, ReminderStep)
            .join(ReminderStep, ReminderStep.deadline_id == DeadlineRow.id)
            .order_by(ReminderStep.id)
        ).all()
    return {
        (f"{rule}:{subject or ''}", s.audience, s.step.split("@")[0]): s.outcome
        for rule, subject, s in rows
    }


def test_each_step_is_queued_once_however_often_the_sweep_runs(nsvc):
    """Mon 16 Mar 2026: 10 days before Wed 25 Mar is Sun 15 Mar, so both contributors are
    reminded on the Monday, 9 days before."""
    case = assessing_case(nsvc, build_world(nsvc))
    first = run_day(nsvc, date(2026, 3, 16), *SWEEP)["sweep"]
    expected = {
        (
            CONTRIBUTOR,
            f"Advice from a contributor ({EP}) for case {case.reference} is due in 9 days "
            "(2026-03-25)",
        ),
        (
            PAEDS_INBOX,
            f"Advice from a contributor ({PAEDS}) for case {case.reference} is due in 9 days "
            "(2026-03-25)",
        ),
    }
    assert reminders(nsvc) == expected
    assert "queued 2 (reminder_before 2)" in first
    for _ in range(2):
        again = run_day(nsvc, date(2026, 3, 16), *SWEEP)["sweep"]
        assert "queued 0 (nothing new)" in again
    assert len(outbox(nsvc)) == 2 + 2  # and the two advice requests themselves
    assert reminders(nsvc) == expected


def test_two_sweeps_at_once_queue_each_step_once(nsvc):
    """Two sweeps started together on Wed 1 Apr (several steps per deadline fall due at once)
    claim each (deadline, step, audience) once between them: one of them queues it."""
    assessing_case(nsvc, build_world(nsvc))
    clock_of(nsvc).set(date(2026, 4, 1))
    start = threading.Barrier(2)
    reports: list[SweepReport] = []
    errors: list[BaseException] = []

    def one() -> None:
        start.wait()
        try:
            reports.append(
                sweep(
                    nsvc.sessions,
                    config=nsvc.reminders,
                    calendar=nsvc.config.calendar,
                    labels=labels(nsvc),
                    today=date(2026, 4, 1),
                    now=nsvc.clock.now(),
                )
            )
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=one) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    assert sum(r.queued for r in reports) == 4
    assert sum(r.superseded for r in reports) == 10
    assert len(reminders(nsvc)) == 4


def test_after_downtime_only_the_latest_step_is_sent_and_the_rest_are_superseded(nsvc):
    """The service was down from before 16 Mar until Wed 1 Apr. Each audience gets one
    reminder that morning (the first overdue one), not four: the earlier steps are recorded as
    superseded, so they are never sent later either."""
    case = assessing_case(nsvc, build_world(nsvc))
    run_day(nsvc, date(2026, 4, 1), *SWEEP)

    def overdue(service: str) -> str:
        what = f"Advice from a contributor ({service}) for case {case.reference}"
        return f"OVERDUE: {what} was due 2026-03-25"

    assert reminders(nsvc) == {
        (CONTRIBUTOR, overdue(EP)),
        (PAEDS_INBOX, overdue(PAEDS)),
        (OFFICER, overdue(EP)),
        (OFFICER, overdue(PAEDS)),
    }
    outcomes = steps_by_outcome(nsvc)
    ep_advice = next(k[0] for k in outcomes if k[0].startswith("advice:"))
    assert {k[2]: v for k, v in outcomes.items() if k[:2] == (ep_advice, "contributor")} == {
        "before:10": "superseded",
        "before:3": "superseded",
        "due": "superseded",
        "overdue:1": "queued",
    }
    assert {k[2]: v for k, v in outcomes.items() if k[:2] == (ep_advice, "officer")} == {
        "before:7": "superseded",
        "due": "superseded",
        "overdue:1": "queued",
    }
    # The next sweep, a day later, adds nothing: superseded steps stay unsent.
    assert "queued 0" in run_day(nsvc, date(2026, 4, 2), *SWEEP)["sweep"]


def test_escalation_to_the_contributors_service_manager_after_14_days(nsvc):
    """Escalation falls on Wed 8 Apr (25 Mar + 14). Catching up on Thu 9 Apr, the EP service's
    manager is told it is 15 days overdue; Community Paediatrics has no manager's address, so its
    escalation is recorded as having no one to tell."""
    case = assessing_case(nsvc, build_world(nsvc))
    run_day(nsvc, date(2026, 4, 1), *SWEEP)
    detail = run_day(nsvc, date(2026, 4, 9), *SWEEP)["sweep"]
    escalations = outbox(nsvc, template="escalation")
    assert [(m.audience, m.subject) for m in escalations] == [
        (
            EP_MANAGER,
            f"Escalation: Advice from a contributor ({EP}) for case {case.reference} is 15 days "
            "overdue",
        )
    ]
    assert "sure it is sent" in escalations[0].body
    assert "1 with no one to tell" in detail
    outcomes = steps_by_outcome(nsvc)
    assert sorted(v for k, v in outcomes.items() if k[1] == "contributor_manager") == [
        "no_recipient",
        "queued",
    ]


def test_no_officer_or_unknown_contributor_is_recorded_not_queued(nsvc):
    """A case with no officer yet and advice asked of a service the directory does not know:
    the steps are claimed as 'no_recipient' (and counted), and nothing is queued."""
    build_world(nsvc)
    case = open_case(nsvc, date(2026, 1, 5))
    record(nsvc, case.id, "assessment_agreed", date(2026, 2, 10))
    record(
        nsvc,
        case.id,
        "advice_requested",
        date(2026, 2, 11),
        advice_type="social_care",
        contributor="Unknown Team",
    )
    detail = run_day(nsvc, date(2026, 3, 18), *SWEEP)["sweep"]  # Wed: a week before for officers
    assert reminders(nsvc) == set()
    assert "queued 0" in detail and "2 with no one to tell" in detail
    assert set(steps_by_outcome(nsvc).values()) == {"no_recipient"}


def test_quiet_days_nothing_goes_out_at_the_weekend_or_on_a_bank_holiday(nsvc):
    """A request received Sat 3 Jan 2026 reaches week 14 on Sat 11 Apr 2026 with no draft: the
    20-weeks-at-risk alert waits for Mon 13 Apr. Nothing is sent on Good Friday either."""
    world = build_world(nsvc)
    case = open_case(nsvc, date(2026, 1, 3), officer_id=world.officer)
    for quiet in (date(2026, 4, 3), date(2026, 4, 11), date(2026, 4, 12)):  # Fri (BH), Sat, Sun
        run_day(nsvc, quiet, *SWEEP)
        assert reminders(nsvc) == set(), quiet
    run_day(nsvc, date(2026, 4, 13), *SWEEP)
    subject = f"20 weeks at risk: case {case.reference} has no draft plan at week 14"
    assert {(OFFICER, subject), (MANAGER, subject)} <= reminders(nsvc)
    [alert] = outbox(nsvc, template="twenty_weeks_at_risk", audience=OFFICER)
    assert "reached week 14 on 2026-04-11" in alert.body
    assert "final plan is due by 2026-05-23" in alert.body  # Sat: 3 Jan + 140 days


def test_phase_transfer_at_risk_from_1_november_on_the_first_working_day(nsvc):
    """A child born 10 Oct 2015 moves to secondary school in September 2027: the amended plan is
    due before 15 Feb 2027 (Sun 14 Feb). From 1 November 2026 (a Sunday) the transfer is at
    risk: the officer and manager hear on Mon 2 Nov, once."""
    world = build_world(nsvc)
    case = open_case(nsvc, date(2026, 1, 5), officer_id=world.officer, born=date(2015, 10, 10))
    record(nsvc, case.id, "assessment_agreed", date(2026, 2, 10))
    record(nsvc, case.id, "plan_agreed", date(2026, 4, 1))
    record(nsvc, case.id, "draft_plan_served", date(2026, 4, 2))
    record(nsvc, case.id, "final_plan_issued", date(2026, 4, 20), named_setting="Oak School")
    for day in (date(2026, 10, 30), date(2026, 11, 1)):  # Fri: too early; Sun: quiet
        run_day(nsvc, day, *SWEEP)
        assert outbox(nsvc, template="phase_transfer_at_risk") == [], day
    for day in (date(2026, 11, 2), date(2026, 11, 3)):
        run_day(nsvc, day, *SWEEP)
    alerts = outbox(nsvc, template="phase_transfer_at_risk")
    subject = (
        f"Phase transfer at risk: case {case.reference} must have its amended plan by 2027-02-14"
    )
    assert sorted((m.audience, m.subject) for m in alerts) == [
        (MANAGER, subject),
        (OFFICER, subject),
    ]
    assert {m.created_at.date() for m in alerts} == {date(2026, 11, 2)}


def test_a_moved_due_date_gets_its_own_reminders(nsvc):
    """The EP service actually received the request on Mon 2 Mar, not Wed 11 Feb: corrected on
    Tue 17 Mar, the advice is due Mon 13 Apr 2026. The 10-days-before reminder was sent for the
    old date (Mon 16 Mar); the new date gets its own: 10 days before is Good Friday 3 Apr, so Tue
    7 Apr (after Easter Monday), 6 days before; then Fri 10 Apr, 3 days before."""
    case = assessing_case(nsvc, build_world(nsvc))
    run_day(nsvc, date(2026, 3, 16), *SWEEP)
    with nsvc.sessions() as session:
        seq = session.scalar(
            select(DeadlineRow.started_by).where(
                DeadlineRow.case_id == case.id, DeadlineRow.rule == "advice"
            )
        )
    record(
        nsvc,
        case.id,
        "event_corrected",
        date(2026, 3, 17),
        seq=seq,
        data={"received_by_contributor_on": "2026-03-02"},
        reason="the EP service received the request on 2 March",
    )
    for day in (date(2026, 3, 23), date(2026, 3, 25), date(2026, 4, 7), date(2026, 4, 10)):
        run_day(nsvc, day, *SWEEP)
    to_cara = sorted(
        (m.created_at.date(), m.subject)
        for m in outbox(nsvc, audience=CONTRIBUTOR, kind="reminder")
    )
    prefix = f"Advice from a contributor ({EP}) for case {case.reference} is due in"
    assert to_cara == [
        (date(2026, 3, 16), f"{prefix} 9 days (2026-03-25)"),
        (date(2026, 4, 7), f"{prefix} 6 days (2026-04-13)"),
        (date(2026, 4, 10), f"{prefix} 3 days (2026-04-13)"),
    ]


def test_messages_say_what_when_which_case_and_what_to_do_with_a_link_never_the_child(nsvc):
    case = assessing_case(nsvc, build_world(nsvc), family_email="parent@example.org")
    for day in (date(2026, 3, 16), date(2026, 3, 18), date(2026, 3, 25), date(2026, 4, 13)):
        run_day(nsvc, day, "sweep", "manager_digest")
    messages = outbox(nsvc)
    assert {m.template for m in messages} >= {
        "advice_requested",
        "statutory_notice",
        "reminder_before",
        "reminder_due",
        "twenty_weeks_at_risk",
        "manager_digest",
    }
    for m in messages:
        text = f"{m.subject}\n{m.body}\n{json.dumps(m.payload)}".lower()
        for name in CHILD_NAMES:
            assert name.lower() not in text, (m.template, m.subject)
        assert case.reference in f"{m.subject} {m.body}" or m.template == "manager_digest"
        if m.kind in ("reminder", "alert"):
            assert f"{BASE_URL}/cases/{case.id}" in m.body, m.body
            assert re.search(r"\d{4}-\d\d-\d\d", m.body), m.body  # by when
    actions = {m.audience: m.body for m in messages if m.template == "reminder_before"}
    assert "Please send your advice through the portal." in actions[CONTRIBUTOR]
    assert "Check the case and record the step when it is done." in actions[OFFICER]


@pytest.mark.parametrize("day", [date(2026, 3, 14), date(2026, 4, 6)])  # Sat; Easter Monday
def test_the_sweep_job_says_why_it_sent_nothing_on_a_quiet_day(nsvc, day):
    assessing_case(nsvc, build_world(nsvc))
    detail = run_day(nsvc, day, *SWEEP)["sweep"]
    assert "quiet day" in detail
    assert reminders(nsvc) == set()
