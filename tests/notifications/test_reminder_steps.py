"""The reminder step calendar (config/reminders.toml, notifications/reminders.py), pure.

Contributors: 10 and 3 days before an advice deadline, on the day, then weekly while overdue, and
the contributor's service manager 14 days after the due date. Officers: a week before each
deadline, on the day, then weekly. A step that falls on a quiet day (weekend or bank holiday in
England) fires on the next working day.

Every date is worked out by hand from a 2026/27 calendar (weekday in the comment). England's bank
holidays used here: Good Friday 3 Apr 2026, Easter Monday 6 Apr 2026, early May 4 May 2026,
spring 25 May 2026, Christmas Fri 25 Dec 2026, Boxing Day substitute Mon 28 Dec 2026, New Year
Fri 1 Jan 2027.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from ehcp_engine.domain.calendar import StatutoryCalendar
from ehcp_engine.domain.rules import RuleError
from ehcp_engine.settings import REPO_CONFIG
from notifications.reminders import (
    ReminderRule,
    Step,
    escalation_step,
    load_reminders,
    plan_steps,
)

CAL = StatutoryCalendar()
CONTRIBUTOR = ReminderRule(
    name="contributor_advice",
    timers=("advice",),
    audience="contributor",
    before_days=(10, 3),
    on_due_day=True,
    overdue_every_days=7,
    escalate_after_days=14,
)
OFFICER = ReminderRule(
    name="officer_deadlines",
    timers=("*",),
    audience="officer",
    before_days=(7,),
    on_due_day=True,
    overdue_every_days=7,
)


def steps(rule: ReminderRule, due: date, today: date, quiet: bool = True) -> list[tuple]:
    return [(s.name, s.fire_on, s.days) for s in plan_steps(rule, due, today, CAL, quiet)]


# ---- the repository's configuration -------------------------------------------------------------


def test_the_repository_rules_are_the_ones_the_issue_asks_for(engine_config):
    timers = {t for rs in engine_config.rule_book.rule_sets for t in rs.timers}
    config = load_reminders(REPO_CONFIG / "reminders.toml", timers)
    by_name = {r.name: r for r in config.rules}
    assert by_name["contributor_advice"] == CONTRIBUTOR
    assert by_name["officer_deadlines"] == OFFICER
    assert config.quiet_days is True
    assert (config.at_risk_after_weeks, config.at_risk_audience) == (14, ("officer", "manager"))
    assert config.transfer_from == (11, 1)
    assert config.max_before_days == 10


def test_every_deadline_the_authority_owes_is_covered_but_not_a_familys_window():
    assert OFFICER.covers("final_plan", family_window=False)
    assert OFFICER.covers("advice", family_window=False)
    assert not OFFICER.covers("appeal_window", family_window=True)
    assert CONTRIBUTOR.covers("advice", family_window=False)
    assert not CONTRIBUTOR.covers("final_plan", family_window=False)


# ---- the contributor's calendar -----------------------------------------------------------------


def test_contributor_steps_move_off_sundays_to_the_monday():
    """Advice due Wed 25 Mar 2026: 10 days before is Sun 15 Mar and 3 days before Sun 22 Mar;
    both move to the Monday."""
    assert steps(CONTRIBUTOR, date(2026, 3, 25), date(2026, 3, 25)) == [
        ("before:10", date(2026, 3, 16), 10),  # Mon
        ("before:3", date(2026, 3, 23), 3),  # Mon
        ("due", date(2026, 3, 25), 0),  # Wed
    ]


def test_without_quiet_days_steps_fall_on_their_own_dates():
    assert steps(CONTRIBUTOR, date(2026, 3, 25), date(2026, 3, 25), quiet=False) == [
        ("before:10", date(2026, 3, 15), 10),  # Sun
        ("before:3", date(2026, 3, 22), 3),  # Sun
        ("due", date(2026, 3, 25), 0),
    ]


def test_no_step_has_fired_before_the_first_one():
    assert steps(CONTRIBUTOR, date(2026, 3, 25), date(2026, 3, 13)) == []  # Fri before Mon 16th
    assert steps(CONTRIBUTOR, date(2026, 3, 25), date(2026, 3, 15)) == []  # Sun: moved to Mon


def test_overdue_steps_weekly_and_escalation_over_easter_2026():
    """Advice due Fri 20 Mar 2026. Overdue weekly: Fri 27 Mar, then Fri 3 Apr is Good Friday
    (and Mon 6 Apr Easter Monday), so the second overdue reminder goes on Tue 7 Apr, as does the
    escalation (20 Mar + 14 days = Good Friday 3 Apr)."""
    due = date(2026, 3, 20)
    assert steps(CONTRIBUTOR, due, date(2026, 4, 6)) == [  # Easter Monday
        ("before:10", date(2026, 3, 10), 10),  # Tue
        ("before:3", date(2026, 3, 17), 3),  # Tue
        ("due", date(2026, 3, 20), 0),  # Fri
        ("overdue:1", date(2026, 3, 27), -7),  # Fri
    ]
    assert escalation_step(CONTRIBUTOR, due, date(2026, 4, 6), CAL, True) is None
    assert steps(CONTRIBUTOR, due, date(2026, 4, 7))[-1] == ("overdue:2", date(2026, 4, 7), -14)
    assert escalation_step(CONTRIBUTOR, due, date(2026, 4, 7), CAL, True) == Step(
        "escalate", date(2026, 4, 7), -14
    )
    assert steps(CONTRIBUTOR, due, date(2026, 4, 10))[-1] == ("overdue:3", date(2026, 4, 10), -21)


def test_overdue_and_escalation_over_christmas_2026():
    """Advice due Fri 18 Dec 2026: the first overdue reminder would be Christmas Day; Mon 28 Dec
    is the Boxing Day substitute, so it goes on Tue 29 Dec. The second, and the escalation (18 Dec
    + 14 = Fri 1 Jan 2027, New Year's Day), go on Mon 4 Jan 2027."""
    due = date(2026, 12, 18)
    assert steps(CONTRIBUTOR, due, date(2027, 1, 4)) == [
        ("before:10", date(2026, 12, 8), 10),  # Tue
        ("before:3", date(2026, 12, 15), 3),  # Tue
        ("due", date(2026, 12, 18), 0),  # Fri
        ("overdue:1", date(2026, 12, 29), -7),  # Tue
        ("overdue:2", date(2027, 1, 4), -14),  # Mon
    ]
    assert escalation_step(CONTRIBUTOR, due, date(2026, 12, 31), CAL, True) is None
    assert escalation_step(CONTRIBUTOR, due, date(2027, 1, 4), CAL, True) == Step(
        "escalate", date(2027, 1, 4), -14
    )


def test_a_reminder_moved_onto_the_due_day_is_superseded_by_the_due_day_one():
    """Due Tue 7 Apr 2026: 3 days before is Sat 4 Apr; Mon 6 Apr is Easter Monday, so it moves to
    Tue 7 Apr, the due day itself. The due-day step sorts last: it is the one sent."""
    found = steps(CONTRIBUTOR, date(2026, 4, 7), date(2026, 4, 7))
    assert found == [
        ("before:10", date(2026, 3, 30), 10),  # Sat 28 Mar -> Mon 30 Mar
        ("before:3", date(2026, 4, 7), 3),
        ("due", date(2026, 4, 7), 0),
    ]


# ---- the officer's calendar ---------------------------------------------------------------------


def test_officer_a_week_before_and_a_due_day_on_a_bank_holiday():
    """Final plan due Mon 25 May 2026, the spring bank holiday: a week before is Mon 18 May; the
    due-day reminder goes on Tue 26 May. Officers' reminders never escalate."""
    due = date(2026, 5, 25)
    assert steps(OFFICER, due, date(2026, 5, 25)) == [("before:7", date(2026, 5, 18), 7)]
    assert steps(OFFICER, due, date(2026, 6, 2)) == [
        ("before:7", date(2026, 5, 18), 7),
        ("due", date(2026, 5, 26), 0),  # Tue
        ("overdue:1", date(2026, 6, 1), -7),  # Mon
    ]
    assert escalation_step(OFFICER, due, date(2026, 12, 1), CAL, True) is None


def test_officer_a_week_before_a_saturday_deadline_over_the_early_may_bank_holiday():
    """Due Sat 9 May 2026: a week before is Sat 2 May; Mon 4 May is a bank holiday: Tue 5 May.
    The due-day step (Saturday) fires on Mon 11 May."""
    assert steps(OFFICER, date(2026, 5, 9), date(2026, 5, 11)) == [
        ("before:7", date(2026, 5, 5), 7),
        ("due", date(2026, 5, 11), 0),
    ]


# ---- configuration errors stop start-up ---------------------------------------------------------


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "reminders.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[[reminder]]\naudience = "officer"\ntimers = ["nope"]\n', "unknown timers"),
        ('[[reminder]]\naudience = "parent"\ntimers = ["advice"]\n', "audience must be"),
        ('[[reminder]]\naudience = "officer"\nbefore_days = [0]\n', "positive"),
        ('[[reminder]]\naudience = "officer"\nbefore = [3]\n', "unknown keys"),
    ],
)
def test_a_bad_reminder_rule_is_refused_naming_the_problem(tmp_path, text, message):
    with pytest.raises(RuleError, match=message):
        load_reminders(_write(tmp_path, text), {"advice", "final_plan"})
