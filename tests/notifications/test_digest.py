"""The managers' daily digest (notifications/digest.py): for the manager's team (every team when
the manager has none), deadlines overdue and due in the next 7 days by officer, 20-week journeys
at risk, and advice overdue by contributing agency, each with a link to the case. One a day, on
working days. Dates worked out by hand; the digest is for Thu 2 Apr 2026.

- North (officer Olivia, manager Manny): advice asked of the EP service and Community
  Paediatrics on Wed 11 Feb, both due Wed 25 Mar: two overdue.
- South (officer Sofia, manager Sam):
  case A, request Mon 23 Feb 2026: decision whether to assess due Mon 6 Apr (Easter Monday);
  case B, request Mon 15 Dec 2025, decision to assess Tue 20 Jan: week 14 was Mon 23 Mar with no
  draft plan (at risk); the decision to issue a plan or not is due Mon 6 Apr (16 weeks).
- Dana, a manager with no team, sees both teams.
"""

from __future__ import annotations

import dataclasses
from datetime import date

from tests.notifications.conftest import (
    BASE_URL,
    CHILD_NAMES,
    EP,
    MANAGER,
    PAEDS,
    add_team,
    add_user,
    assessing_case,
    build_world,
    open_case,
    outbox,
    record,
    run_day,
)

DAY = date(2026, 4, 2)  # Thu


def test_each_manager_gets_their_teams_digest_with_links_and_no_child_details(nsvc):
    world = build_world(nsvc)
    south = add_team(nsvc, "South")
    sofia = add_user(nsvc, "sofia@exampleshire.gov.uk", "officer", name="Sofia", team_id=south)
    add_user(nsvc, "sam@exampleshire.gov.uk", "manager", team_id=south)
    add_user(nsvc, "dana@exampleshire.gov.uk", "manager")
    b = open_case(nsvc, date(2025, 12, 15), officer_id=sofia)
    record(nsvc, b.id, "assessment_agreed", date(2026, 1, 20))
    north = assessing_case(nsvc, world)
    a = open_case(nsvc, date(2026, 2, 23), officer_id=sofia)

    detail = run_day(nsvc, DAY, "manager_digest")["manager_digest"]
    assert detail == "queued 3 daily digests"
    digests = {m.audience: m for m in outbox(nsvc, template="manager_digest")}
    assert {who: m.subject for who, m in digests.items()} == {
        MANAGER: "Daily deadlines: 2 overdue, 0 due this week",
        "sam@exampleshire.gov.uk": "Daily deadlines: 0 overdue, 2 due this week",
        "dana@exampleshire.gov.uk": "Daily deadlines: 2 overdue, 2 due this week",
    }
    manny = digests[MANAGER].body
    sam = digests["sam@exampleshire.gov.uk"].body
    dana = digests["dana@exampleshire.gov.uk"].body

    assert "Deadlines for Thursday 02 April 2026: 2 overdue, 0 due in the next 7 days." in manny
    assert "  - Olivia Officer: 2 / 0" in manny
    link = f"{BASE_URL}/cases/{north.id}"
    assert f"  - {north.reference}: Advice from a contributor due 2026-03-25 {link}" in manny
    assert f"  - {EP}: 1" in manny and f"  - {PAEDS}: 1" in manny
    assert "20 weeks at risk, no draft plan by week 14 (0):" in manny
    assert a.reference not in manny and b.reference not in manny  # another team's cases

    assert "  - Sofia: 0 / 2" in sam
    assert "20 weeks at risk, no draft plan by week 14 (1):" in sam
    assert f"  - {b.reference}: Final EHC plan issued due 2026-05-04 {BASE_URL}/cases/{b.id}" in sam
    assert "Advice overdue by contributing agency:\n  - none" in sam
    assert north.reference not in sam

    assert "  - Olivia Officer: 2 / 0" in dana and "  - Sofia: 0 / 2" in dana
    for body in (manny, sam, dana):
        assert not any(name in body for name in CHILD_NAMES)

    assert run_day(nsvc, DAY, "manager_digest")["manager_digest"] == "queued 0 daily digests"
    assert "quiet day" in run_day(nsvc, date(2026, 4, 3), "manager_digest")["manager_digest"]
    assert len(outbox(nsvc, template="manager_digest")) == 3


def test_a_case_nobody_is_assigned_to_is_in_every_managers_digest(nsvc):
    """Request Mon 23 Feb 2026 with no officer: the decision whether to assess is due Mon 6 Apr
    (6 weeks), inside the 7 days from Thu 2 Apr."""
    world = build_world(nsvc)
    south = add_team(nsvc, "South")
    add_user(nsvc, "sam@exampleshire.gov.uk", "manager", team_id=south)
    intake = open_case(nsvc, date(2026, 2, 23))
    assessing_case(nsvc, world)

    run_day(nsvc, DAY, "manager_digest")

    digests = {m.audience: m.body for m in outbox(nsvc, template="manager_digest")}
    for body in (digests[MANAGER], digests["sam@exampleshire.gov.uk"]):
        assert "  - Unassigned: 0 / 1" in body
    assert "  - Olivia Officer: 2 / 0" in digests[MANAGER]
    assert "  - Olivia Officer" not in digests["sam@exampleshire.gov.uk"]
    assert f"{BASE_URL}/cases/{intake.id}" not in digests[MANAGER]  # listed: overdue only


def test_the_at_risk_week_comes_from_the_reminder_config(nsvc):
    """Request Mon 15 Dec 2025, no draft: week 14 began Mon 23 Mar, week 16 begins Mon 6 Apr.
    With the alert set at 16 weeks the case is not yet at risk on Thu 2 Apr."""
    south = add_team(nsvc, "South")
    sofia = add_user(nsvc, "sofia@exampleshire.gov.uk", "officer", name="Sofia", team_id=south)
    add_user(nsvc, "sam@exampleshire.gov.uk", "manager", team_id=south)
    b = open_case(nsvc, date(2025, 12, 15), officer_id=sofia)
    record(nsvc, b.id, "assessment_agreed", date(2026, 1, 20))
    nsvc.reminders = dataclasses.replace(nsvc.reminders, at_risk_after_weeks=16)

    run_day(nsvc, DAY, "manager_digest")

    [body] = [m.body for m in outbox(nsvc, template="manager_digest")]
    assert "20 weeks at risk, no draft plan by week 16 (0):" in body
    assert b.reference not in body.split("by week 16")[1]


def test_the_weekly_summary_goes_on_the_first_working_day_of_the_week(nsvc):
    """Easter Monday 6 Apr 2026 is a bank holiday: that week's summary goes on Tue 7 Apr, once;
    the next week's on Mon 13 Apr."""
    build_world(nsvc)
    sent_on = {}
    for day in (date(2026, 4, 6), date(2026, 4, 7), date(2026, 4, 8), date(2026, 4, 13)):
        sent_on[day] = run_day(nsvc, day, "weekly_summary")["weekly_summary"]

    assert sent_on[date(2026, 4, 6)].startswith("not the week's first working day")
    assert sent_on[date(2026, 4, 7)] == "queued 1 weekly summaries"
    assert sent_on[date(2026, 4, 8)].startswith("not the week's first working day")
    assert sent_on[date(2026, 4, 13)] == "queued 1 weekly summaries"
    summaries = outbox(nsvc, template="weekly_summary")
    assert [m.audience for m in summaries] == [MANAGER, MANAGER]
    assert all(f"{BASE_URL}/dashboard" in m.body for m in summaries)
