"""The draft plan, the final plan and the start of the plan (Regs 12–14, Act ss.38–39, s.44(1);
STATUTORY.md §3): `draft_comments`, `setting_consultation`, `final_plan`, the first
`annual_review` and the `early_years_review`.

Every expected date is worked out by hand from a calendar (weekday in the comment).
"""

from __future__ import annotations

import contextlib
from datetime import date

import pytest

from ehcp_engine.domain.errors import DomainError
from tests.journey import Journey
from tests.scenarios.steps import deadline_by_subject, to_draft, to_final_plan


def drafted(svc) -> Journey:
    """Request Mon 5 Jan 2026 (final plan due Mon 25 May 2026), decision to assess Tue 10 Feb,
    decision to issue Fri 27 Feb, draft served Mon 2 Mar 2026. Today follows the events."""
    svc.clock.set(date(2026, 1, 5))  # Mon
    j = Journey(svc, date(2026, 1, 5))  # Mon
    to_draft(j, agreed=date(2026, 2, 10), decided=date(2026, 2, 27), served=date(2026, 3, 2))
    return j


# --- draft_comments (Reg 13(1)) ------------------------------------------------------------------


def test_draft_comments_window_is_15_days_beginning_with_service(svc):
    """Reg 13(1): 15 days BEGINNING WITH the day the draft is served: last day = served + 14."""
    j = drafted(svc)
    d = j.deadline("draft_comments")
    assert d["starts_on"] == date(2026, 3, 2)  # Mon
    assert d["due_on"] == date(2026, 3, 16)  # Mon, the 15th day
    assert (d["status"], d["met_on"]) == ("open", None)
    assert d["window"] is True
    assert d["source"] == "Reg 13(1)"
    assert j.stage("draft")["state"] == "comments_window"
    j.assert_replays()


def test_draft_comments_window_across_the_end_of_february(svc):
    """Reg 13(1): served Mon 16 Feb 2026 (February has 28 days) -> last day Mon 2 Mar 2026."""
    svc.clock.set(date(2026, 1, 5))  # Mon
    j = Journey(svc, date(2026, 1, 5))  # Mon
    to_draft(j, agreed=date(2026, 2, 10), decided=date(2026, 2, 13), served=date(2026, 2, 16))
    assert j.deadline("draft_comments")["due_on"] == date(2026, 3, 2)  # Mon
    j.assert_replays()


def test_draft_comments_window_across_29_february_in_a_leap_year(svc):
    """Reg 13(1): served Wed 16 Feb 2028 -> 29 Feb is a day of the window -> last day Wed 1 Mar."""
    svc.clock.set(date(2028, 1, 3))  # Mon
    j = Journey(svc, date(2028, 1, 3))  # Mon
    to_draft(j, agreed=date(2028, 2, 7), decided=date(2028, 2, 15), served=date(2028, 2, 16))
    assert j.deadline("draft_comments")["due_on"] == date(2028, 3, 1)  # Wed
    assert j.deadline("final_plan")["due_on"] == date(2028, 5, 22)  # Mon, 140 days
    j.assert_replays()


def test_draft_comments_met_by_representations(svc):
    """Reg 13(1), §4a: the family's representations meet the window; a requested setting is
    recorded and the draft is ready for the final plan."""
    j = drafted(svc)
    j.do("representations_received", date(2026, 3, 10), requested_setting="Elm School")  # Tue
    d = j.deadline("draft_comments")
    assert (d["status"], d["met_on"]) == ("met", date(2026, 3, 10))
    assert j.stage("draft")["state"] == "ready"
    j.assert_replays()


def test_draft_comments_representations_on_the_last_day_meet_the_window(svc):
    """Reg 13(1): the 15th day (Mon 16 Mar) is still inside the window."""
    j = drafted(svc)
    j.do("representations_received", date(2026, 3, 16))  # Mon
    d = j.deadline("draft_comments")
    assert (d["status"], d["met_on"]) == ("met", date(2026, 3, 16))
    j.assert_replays()


def test_draft_comments_window_runs_out_and_is_never_overdue(svc):
    """§3 `draft_comments`, config `window`: the family's window is never the LA's overdue
    deadline; once its last day passes it has run its course, and a final plan issued after it
    closes it on its last day."""
    j = drafted(svc)
    svc.clock.set(date(2026, 3, 16))  # Mon, last day
    assert j.deadline("draft_comments")["status"] == "open"
    svc.clock.set(date(2026, 3, 17))  # Tue
    assert j.deadline("draft_comments")["status"] == "met"  # ran out; not "overdue"
    j.do("final_plan_issued", date(2026, 3, 17), named_setting="Oak Primary")  # Tue
    d = j.deadline("draft_comments")
    assert (d["status"], d["met_on"]) == ("met", date(2026, 3, 16))  # Mon, its last day
    j.assert_replays()


def test_representations_after_the_window_do_not_make_it_a_breach(svc):
    """Reg 13(1): the window ran out on Mon 16 Mar; late comments the LA still reads do not turn
    the family's window into a missed deadline."""
    j = drafted(svc)
    svc.clock.set(date(2026, 3, 17))  # Tue
    assert j.deadline("draft_comments")["status"] == "met"
    j.do("representations_received", date(2026, 3, 20))  # Fri
    assert j.deadline("draft_comments")["status"] == "met"
    j.assert_replays()


def test_draft_comments_cancelled_by_request_withdrawn(svc):
    """§4a: a withdrawal during the window cancels it."""
    j = drafted(svc)
    j.do("request_withdrawn", date(2026, 3, 5), reason="family withdraws")  # Thu
    d = j.deadline("draft_comments")
    assert (d["status"], d["met_on"]) == ("cancelled", None)
    j.assert_replays()


# --- setting_consultation (Act s.39; CoP 9.84, guidance) -----------------------------------------


def test_setting_consultation_15_days(svc):
    """Act s.39(2), CoP 9.84 (guidance): a setting consulted on being named answers within 15
    days (N days after D: due = D + 15)."""
    j = drafted(svc)
    j.do("setting_consulted", date(2026, 3, 3), setting="Oak Primary")  # Tue
    d = j.deadline("setting_consultation")
    assert d["starts_on"] == date(2026, 3, 3)  # Tue
    assert d["due_on"] == date(2026, 3, 18)  # Wed
    assert (d["status"], d["met_on"]) == ("open", None)
    assert d["guidance"] is True
    assert d["source"] == "Act s.39; CoP 9.84"
    assert j.stage("draft")["state"] == "settings_consulted"
    j.assert_replays()


def test_setting_consultation_one_timer_per_setting_met_and_missed(svc):
    """CoP 9.84: each setting consulted has its own 15 days; a response on the last day is met,
    one after it missed (guidance, not a statutory breach)."""
    j = drafted(svc)
    j.do("setting_consulted", date(2026, 3, 3), setting="Oak Primary")  # Tue
    j.do("setting_consulted", date(2026, 3, 5), setting="Elm Special School")  # Thu
    oak = deadline_by_subject(j, "setting_consultation", "setting:Oak Primary")
    elm = deadline_by_subject(j, "setting_consultation", "setting:Elm Special School")
    assert oak["due_on"] == date(2026, 3, 18)  # Wed
    assert elm["due_on"] == date(2026, 3, 20)  # Fri
    j.do("setting_responded", date(2026, 3, 18), setting="Oak Primary")  # Wed, last day
    oak = deadline_by_subject(j, "setting_consultation", "setting:Oak Primary")
    elm = deadline_by_subject(j, "setting_consultation", "setting:Elm Special School")
    assert (oak["status"], oak["met_on"]) == ("met", date(2026, 3, 18))
    assert (elm["status"], elm["met_on"]) == ("open", None)
    svc.clock.set(date(2026, 3, 21))  # Sat
    elm = deadline_by_subject(j, "setting_consultation", "setting:Elm Special School")
    assert elm["status"] == "overdue"
    j.do("setting_responded", date(2026, 3, 23), setting="Elm Special School")  # Mon
    elm = deadline_by_subject(j, "setting_consultation", "setting:Elm Special School")
    assert (elm["status"], elm["met_on"]) == ("missed", date(2026, 3, 23))
    assert elm["guidance"] is True
    j.assert_replays()


def test_setting_consultation_cancelled_by_request_withdrawn(svc):
    """§4a: withdrawal cancels an unanswered consultation."""
    j = drafted(svc)
    j.do("setting_consulted", date(2026, 3, 3), setting="Oak Primary")  # Tue
    j.do("request_withdrawn", date(2026, 3, 9), reason="family withdraws")  # Mon
    d = j.deadline("setting_consultation")
    assert (d["status"], d["met_on"]) == ("cancelled", None)
    j.assert_replays()


def test_setting_consultation_open_at_the_final_plan_is_not_left_overdue_for_ever(svc):
    """CoP 9.84: a consultation is answered or ends; it cannot stay owed after the plan is final."""
    j = drafted(svc)
    j.do("setting_consulted", date(2026, 3, 3), setting="Oak Primary")  # Tue
    j.do("final_plan_issued", date(2026, 3, 17), named_setting="Elm School")  # Tue
    # if refused, the timer must not be open any more
    with contextlib.suppress(DomainError):
        j.do("setting_responded", date(2026, 3, 20), setting="Oak Primary")  # Fri
    svc.clock.set(date(2026, 12, 1))  # Tue
    assert j.deadline("setting_consultation")["status"] != "overdue"
    j.assert_replays()


# --- final_plan (Reg 13(2)–(3)) ------------------------------------------------------------------


def test_final_plan_issued_after_the_window_is_met_and_opens_the_plan(svc):
    """Reg 13(2): a final plan inside 20 weeks meets the timer; the plan is then maintained."""
    j = drafted(svc)
    j.do("final_plan_issued", date(2026, 3, 17), named_setting="Oak Primary")  # Tue
    d = j.deadline("final_plan")
    assert (d["status"], d["met_on"], d["due_on"]) == (
        "met",
        date(2026, 3, 17),
        date(2026, 5, 25),  # Mon
    )
    assert j.stage("draft")["state"] == "final_issued"
    plan = j.stage("plan")
    assert (plan["state"], plan["opened_on"]) == ("maintained", date(2026, 3, 17))
    j.assert_replays()


def test_final_plan_issued_on_the_last_day_of_20_weeks_is_met(svc):
    """Reg 13(2): on time iff issued <= request + 140 days (Mon 25 May 2026)."""
    j = drafted(svc)
    j.do("final_plan_issued", date(2026, 5, 25), named_setting="Oak Primary")  # Mon
    d = j.deadline("final_plan")
    assert (d["status"], d["met_on"]) == ("met", date(2026, 5, 25))
    j.assert_replays()


def test_final_plan_issued_after_20_weeks_is_missed(svc):
    """Reg 13(2): a final plan one day late is a breach (no exception recorded)."""
    j = drafted(svc)
    svc.clock.set(date(2026, 5, 26))  # Tue
    assert j.deadline("final_plan")["status"] == "overdue"
    j.do("final_plan_issued", date(2026, 5, 26), named_setting="Oak Primary")  # Tue
    d = j.deadline("final_plan")
    assert (d["status"], d["met_on"], d["due_on"]) == (
        "missed",
        date(2026, 5, 26),
        date(2026, 5, 25),  # Mon, unchanged
    )
    j.assert_replays()


def test_final_plan_is_appealable_and_the_appeal_window_rolls_over_august(svc):
    """HESC r.20, r.12(3); Act s.51(2)(c): the final plan starts an appeal window of 2 months;
    one ending in August runs to the first working day after 31 August."""
    j = drafted(svc)
    j.do("final_plan_issued", date(2026, 6, 15), named_setting="Oak Primary")  # Mon
    assert j.deadline("final_plan")["status"] == "missed"  # due Mon 25 May
    [appeal] = j.deadlines("appeal_window")
    assert appeal["starts_on"] == date(2026, 6, 15)  # Mon
    # 2 months -> Sat 15 Aug 2026; 31 Aug 2026 is the summer bank holiday -> Tue 1 Sep
    assert appeal["due_on"] == date(2026, 9, 1)  # Tue
    j.assert_replays()


# --- the plan's first review (Act s.44(1); CoP 9.178) --------------------------------------------


def test_first_annual_review_due_12_months_after_final_plan(svc):
    """Act s.44(1): the plan is reviewed within 12 months of the date it was first issued."""
    j = drafted(svc)
    j.do("final_plan_issued", date(2026, 3, 17), named_setting="Oak Primary")  # Tue
    d = j.deadline("annual_review")
    assert d["starts_on"] == date(2026, 3, 17)  # Tue
    assert d["due_on"] == date(2027, 3, 17)  # Wed
    assert (d["status"], d["met_on"]) == ("open", None)
    assert d["source"] == "Act s.44(1); Regs 18–20"
    assert d["guidance"] is False
    j.assert_replays()


def test_first_annual_review_from_29_february_is_due_28_february(svc):
    """STATUTORY §1 months: 12 months after Tue 29 Feb 2028 -> 29 Feb 2029 does not exist ->
    Wed 28 Feb 2029, the month's last day."""
    j = to_final_plan(
        svc,
        received=date(2027, 10, 18),  # Mon; final plan due Mon 6 Mar 2028
        agreed=date(2027, 11, 22),  # Mon
        decided=date(2028, 1, 31),  # Mon
        served=date(2028, 2, 1),  # Tue; window until Tue 15 Feb
        issued=date(2028, 2, 29),  # Tue
    )
    assert j.deadline("final_plan")["due_on"] == date(2028, 3, 6)  # Mon
    assert j.deadline("final_plan")["status"] == "met"
    assert j.deadline("annual_review")["due_on"] == date(2029, 2, 28)  # Wed
    j.assert_replays()


def test_early_years_review_for_child_under_5(svc):
    """CoP 9.178 (guidance): a child under 5's plan is reviewed every 3–6 months; the engine
    counts 6 months. 31 Aug 2027 + 6 months -> 31 Feb does not exist -> Tue 29 Feb 2028 (leap)."""
    j = to_final_plan(
        svc,
        received=date(2027, 5, 3),  # Mon
        agreed=date(2027, 6, 7),  # Mon
        decided=date(2027, 7, 30),  # Fri
        served=date(2027, 8, 2),  # Mon; window until Mon 16 Aug
        issued=date(2027, 8, 31),  # Tue
        born=date(2023, 6, 10),  # Sat: aged 4 at the final plan
    )
    d = j.deadline("early_years_review")
    assert d["starts_on"] == date(2027, 8, 31)  # Tue
    assert d["due_on"] == date(2028, 2, 29)  # Tue
    assert d["status"] == "open"
    assert d["guidance"] is True
    assert d["source"] == "CoP 9.178"
    # The statutory 12-month review still applies to every plan (Act s.44(1)).
    assert j.deadline("annual_review")["due_on"] == date(2028, 8, 31)  # Thu
    j.assert_replays()


def test_early_years_review_from_31_august_in_a_common_year_is_due_28_february(svc):
    """CoP 9.178: Thu 31 Aug 2028 + 6 months -> Wed 28 Feb 2029 (2029 is not a leap year)."""
    j = to_final_plan(
        svc,
        received=date(2028, 4, 3),  # Mon; final plan due Mon 21 Aug 2028
        agreed=date(2028, 5, 8),  # Mon
        decided=date(2028, 7, 31),  # Mon
        served=date(2028, 8, 1),  # Tue
        issued=date(2028, 8, 31),  # Thu
        born=date(2024, 1, 1),  # Mon: aged 4
    )
    assert j.deadline("early_years_review")["due_on"] == date(2029, 2, 28)  # Wed
    j.assert_replays()


def test_no_early_years_review_for_child_aged_5_or_over(svc):
    """CoP 9.178 applies to children under 5 only: a child of 11 has the annual review alone."""
    j = drafted(svc)  # born Sun 15 Mar 2015: aged 10 at the final plan
    j.do("final_plan_issued", date(2026, 3, 17), named_setting="Oak Primary")  # Tue
    assert j.deadlines("early_years_review") == []
    assert j.deadline("annual_review")["due_on"] == date(2027, 3, 17)  # Wed
    j.assert_replays()


@pytest.mark.parametrize(
    ("issued", "expected"),
    [
        (date(2028, 8, 30), [date(2029, 2, 28)]),  # Wed: the day before the 5th birthday
        (date(2028, 8, 31), []),  # Thu: the 5th birthday, no longer under 5
    ],
)
def test_early_years_review_only_while_the_child_is_under_5_on_the_day_of_the_plan(
    svc, issued, expected
):
    """CoP 9.178: the child born Thu 31 Aug 2023 is under 5 until Thu 31 Aug 2028."""
    j = to_final_plan(
        svc,
        received=date(2028, 4, 3),  # Mon
        agreed=date(2028, 5, 8),  # Mon
        decided=date(2028, 7, 31),  # Mon
        served=date(2028, 8, 1),  # Tue; window until Tue 15 Aug
        issued=issued,
        born=date(2023, 8, 31),  # Thu
    )
    assert [d["due_on"] for d in j.deadlines("early_years_review")] == expected
    j.assert_replays()
