"""One case from request to final plan, walked day by day with an injected clock: every day the
day's events are recorded, then the sweep, the managers' digest and the dispatcher run, sending
email to a real SMTP server. The test asserts the exact set of messages each person receives,
and on which day, worked out by hand from config/reminders.toml:

- contributors: 10 and 3 days before their advice is due, on the day, weekly while overdue, and
  their service manager 14 days after the due date;
- the officer: a week before each deadline of the case, on the day, weekly while overdue;
- the officer and the team's manager: "20 weeks at risk" at week 14 with no draft plan;
- the team's manager: a digest every working day;
- the family: the statutory notices;
- nothing on a weekend or bank holiday (2026: Good Friday 3 Apr, Easter Monday 6 Apr, early May
  4 May; a step falling on one moves to the next working day).

The journey (2026):
    Mon  5 Jan  request received (final plan due Mon 25 May, 20 weeks; decision due Mon 16 Feb)
    Tue 10 Feb  decision to assess (the decision to issue a plan, or not, is due Mon 27 Apr)
    Wed 11 Feb  advice asked of the EP service (Cara) and Community Paediatrics (shared inbox);
                both due Wed 25 Mar
    Fri 20 Mar  Community Paediatrics' advice arrives
    Mon 13 Apr  week 14, no draft plan
    Thu 16 Apr  the EP service's advice arrives, three weeks late
    Tue 21 Apr  decision to issue a plan
    Thu 23 Apr  draft plan served
    Fri 24 Apr  Oak Primary consulted (response due Sat 9 May)
    Tue 12 May  Oak Primary responds, late
    Fri 22 May  final plan issued, on time
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

from audit.log import verify
from ehcp_engine.persistence.models import OutboxMessage
from ehcp_engine.services.messages import inbox
from tests.notifications.conftest import (
    CHILD_NAMES,
    CONTRIBUTOR,
    EP,
    EP_MANAGER,
    FAMILY,
    MANAGER,
    OFFICER,
    PAEDS,
    PAEDS_INBOX,
    actor_of,
    build_world,
    open_case,
    record,
    run_day,
)

START, END = date(2026, 1, 5), date(2026, 5, 22)
BANK_HOLIDAYS_2026 = {date(2026, 4, 3), date(2026, 4, 6), date(2026, 5, 4), date(2026, 5, 25)}

EVENTS: dict[date, list[tuple[str, dict]]] = {
    date(2026, 2, 10): [("assessment_agreed", {})],
    date(2026, 2, 11): [
        ("advice_requested", {"advice_type": "educational", "contributor": EP}),
        ("advice_requested", {"advice_type": "health", "contributor": PAEDS}),
    ],
    date(2026, 3, 20): [("advice_received", {"advice_type": "health"})],
    date(2026, 4, 16): [("advice_received", {"advice_type": "educational"})],
    date(2026, 4, 21): [("plan_agreed", {})],
    date(2026, 4, 23): [("draft_plan_served", {})],
    date(2026, 4, 24): [("setting_consulted", {"setting": "Oak Primary"})],
    date(2026, 5, 12): [("setting_responded", {"setting": "Oak Primary"})],
    date(2026, 5, 22): [("final_plan_issued", {"named_setting": "Oak Primary"})],
}


def expected_messages(ref: str) -> Counter[tuple[date, str, str]]:
    ep = f"Advice from a contributor ({EP}) for case {ref}"
    paeds = f"Advice from a contributor ({PAEDS}) for case {ref}"
    setting = f"Setting's response to consultation on being named for case {ref}"
    at_risk = f"20 weeks at risk: case {ref} has no draft plan at week 14"
    decision = f"Decision whether to assess for case {ref}"
    no_plan = f"Notice of a decision not to issue a plan for case {ref}"
    final = f"Final EHC plan issued for case {ref}"
    d = date
    by_hand = [
        # The officer.
        (d(2026, 2, 9), OFFICER, f"{decision} is due in 7 days (2026-02-16)"),
        (d(2026, 3, 18), OFFICER, f"{ep} is due in 7 days (2026-03-25)"),
        (d(2026, 3, 18), OFFICER, f"{paeds} is due in 7 days (2026-03-25)"),
        (d(2026, 3, 25), OFFICER, f"{ep} is due today (2026-03-25)"),
        (d(2026, 4, 1), OFFICER, f"OVERDUE: {ep} was due 2026-03-25"),
        (d(2026, 4, 8), OFFICER, f"OVERDUE: {ep} was due 2026-03-25"),
        (d(2026, 4, 13), OFFICER, at_risk),
        (d(2026, 4, 15), OFFICER, f"OVERDUE: {ep} was due 2026-03-25"),
        (d(2026, 4, 20), OFFICER, f"{no_plan} is due in 7 days (2026-04-27)"),
        # A week before Sat 9 May is Sat 2 May; Mon 4 May is a bank holiday: Tue 5 May.
        (d(2026, 5, 5), OFFICER, f"{setting} is due in 4 days (2026-05-09)"),
        # The due-day step of a Saturday deadline goes on the Monday: overdue by then.
        (d(2026, 5, 11), OFFICER, f"OVERDUE: {setting} was due 2026-05-09"),
        (d(2026, 5, 18), OFFICER, f"{final} is due in 7 days (2026-05-25)"),
        # The EP service's contributor. 10 and 3 days before fall on Sundays: the Mondays.
        (d(2026, 2, 11), CONTRIBUTOR, f"Advice requested for case {ref}: due 2026-03-25"),
        (d(2026, 3, 16), CONTRIBUTOR, f"{ep} is due in 9 days (2026-03-25)"),
        (d(2026, 3, 23), CONTRIBUTOR, f"{ep} is due in 2 days (2026-03-25)"),
        (d(2026, 3, 25), CONTRIBUTOR, f"{ep} is due today (2026-03-25)"),
        (d(2026, 4, 1), CONTRIBUTOR, f"OVERDUE: {ep} was due 2026-03-25"),
        (d(2026, 4, 8), CONTRIBUTOR, f"OVERDUE: {ep} was due 2026-03-25"),
        (d(2026, 4, 15), CONTRIBUTOR, f"OVERDUE: {ep} was due 2026-03-25"),
        # The EP service's manager, 14 days after the due date.
        (d(2026, 4, 8), EP_MANAGER, f"Escalation: {ep} is 14 days overdue"),
        # Community Paediatrics' shared inbox: advice in on Fri 20 Mar, before the 3-day reminder.
        (d(2026, 2, 11), PAEDS_INBOX, f"Advice requested for case {ref}: due 2026-03-25"),
        (d(2026, 3, 16), PAEDS_INBOX, f"{paeds} is due in 9 days (2026-03-25)"),
        # The family: statutory notices.
        (d(2026, 2, 10), FAMILY, f"Decision to carry out an EHC needs assessment (case {ref})"),
        (d(2026, 4, 23), FAMILY, f"Draft EHC plan (case {ref})"),
        (d(2026, 5, 22), FAMILY, f"Final EHC plan (case {ref})"),
        # The team's manager: the at-risk alert, and the digests below.
        (d(2026, 4, 13), MANAGER, at_risk),
    ]  # fmt: skip
    return Counter(by_hand) + Counter((day, MANAGER, digest_subject(day)) for day in working_days())


def working_days() -> list[date]:
    days = [START + timedelta(n) for n in range((END - START).days + 1)]
    return [d for d in days if d.weekday() < 5 and d not in BANK_HOLIDAYS_2026]


def digest_subject(day: date) -> str:
    """Overdue, and due in the next 7 days, counted by hand from the deadlines open that day:
    advice (both due Wed 25 Mar; Paediatrics' met Fri 20 Mar, the EP's Thu 16 Apr); the
    setting's response (due Sat 9 May, met Tue 12 May); the final plan (due Mon 25 May, met Fri
    22 May). The decision whether to assess (due 16 Feb) and the no-plan notice (due 27 Apr) are
    settled before they come within a week."""
    overdue = due_this_week = 0
    if day == date(2026, 3, 19):
        due_this_week = 2
    elif date(2026, 3, 20) <= day <= date(2026, 3, 25):
        due_this_week = 1
    elif date(2026, 3, 26) <= day <= date(2026, 4, 15):
        overdue = 1
    elif date(2026, 5, 5) <= day <= date(2026, 5, 8):
        due_this_week = 1
    elif day == date(2026, 5, 11):
        overdue = 1
    elif date(2026, 5, 19) <= day <= date(2026, 5, 21):
        due_this_week = 1
    return f"Daily deadlines: {overdue} overdue, {due_this_week} due this week"


def test_a_case_walked_day_by_day_from_request_to_final_plan(nsvc, smtp):
    world = build_world(nsvc)
    case = open_case(nsvc, START, officer_id=world.officer, family_email=FAMILY)
    received: Counter[tuple[date, str, str]] = Counter()
    day = START
    while day <= END:
        for type_, data in EVENTS.get(day, []):
            record(nsvc, case.id, type_, day, **data)
        run_day(nsvc, day)
        for mail in smtp.take():
            for to in mail.to:
                received[(day, to, mail.subject)] += 1
            text = f"{mail.subject}\n{mail.body}\n{mail.raw}"
            assert not any(name in text for name in CHILD_NAMES), mail.subject
        day += timedelta(days=1)

    expected = expected_messages(case.reference)
    missing, extra = expected - received, received - expected
    assert sorted(extra) == []
    assert sorted(missing) == []

    # Every message to a user is in their in-app inbox too.
    for user_id, address in (
        (world.officer, OFFICER),
        (world.manager, MANAGER),
        (world.contributor, CONTRIBUTOR),
    ):
        shown = inbox(nsvc, actor_of(nsvc, user_id), limit=1000, offset=0)
        wanted: Counter[str] = Counter()
        for (_day, to, subject), n in expected.items():
            if to == address:
                wanted[subject] += n
        assert Counter(m["subject"] for m in shown) == wanted, address
        assert {m["status"] for m in shown} == {"sent"}

    # The digest on week 15's first day lists the case as at risk and the late advice by agency,
    # with links to the case.
    with nsvc.sessions() as session:
        digest = (
            session.query(OutboxMessage)
            .filter(OutboxMessage.idempotency_key == f"digest:{world.manager}:2026-04-14")
            .one()
        )
        assert verify(session) == []
    assert "20 weeks at risk, no draft plan by week 14 (1):" in digest.body
    assert f"{case.reference}: Final EHC plan issued due 2026-05-25" in digest.body
    assert f"  - {EP}: 1" in digest.body
    assert f"/cases/{case.id}" in digest.body
    assert "Olivia Officer: 1 / 0" in digest.body
