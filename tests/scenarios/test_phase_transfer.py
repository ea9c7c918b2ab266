"""Phase transfers through the write path (Reg 18): the deadlines a plan gets, how they are met,
and the cohort view. Dates are worked out by hand (weekday in the comment).

Every journey: request Mon 5 Jan 2026, final plan Mon 20 Apr 2026. A child born 1 Sep Y to
31 Aug Y+1 is in Year N in the academic year starting 1 Sep Y+5+N.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from ehcp_engine.domain.errors import EventInvalid
from ehcp_engine.services.context import Actor, Services
from ehcp_engine.services.phase_transfers import case_transfers, cohort
from tests.journey import Journey

SYSTEM = Actor.system("test")  # the whole authority's cohort

REQUEST = date(2026, 1, 5)  # Mon
ISSUED = date(2026, 4, 20)  # Mon


def planned(svc: Services, born: date, **child: Any) -> Journey:
    """A journey from request to final plan for a child born on `born`."""
    j = Journey(svc, REQUEST, born=born, **child)
    j.do("assessment_agreed", date(2026, 2, 10))
    j.do("plan_agreed", date(2026, 4, 1))
    j.do("draft_plan_served", date(2026, 4, 2))
    j.do("final_plan_issued", ISSUED, named_setting="Oak School")
    return j


def transfers(j: Journey) -> dict[str, tuple[date, date, str]]:
    """deadline key -> (starts_on, due_on, status)."""
    return {
        d["key"]: (d["starts_on"], d["due_on"], d["status"]) for d in j.deadlines("phase_transfer")
    }


def review_to_amend(j: Journey, held: date, decided: date) -> None:
    j.do("review_meeting_scheduled", date(2026, 9, 14), meeting_on=held.isoformat())
    j.do("review_meeting_held", held)
    j.do("review_decision_notified", decided, outcome="amend", proposed_amendments="Section I")


def test_year_6_to_7_deadline_known_from_the_final_plan(svc: Services) -> None:
    # Born 10 Oct 2015: Year 5 in 2025/26, Year 6 in 2026/27, secondary from Wed 1 Sep 2027.
    j = planned(svc, date(2015, 10, 10))
    assert transfers(j) == {
        "phase_transfer.primary_to_secondary:plan-1": (
            date(2026, 9, 1),  # Tue: live 12 months before the transfer, after the plan's issue
            date(2027, 2, 14),  # Sun: before 15 February 2027
            "open",
        ),
        "phase_transfer.secondary_to_post16:plan-1": (
            date(2031, 9, 1),  # Mon
            date(2032, 3, 30),  # Tue: before 31 March 2032
            "open",
        ),
    }
    j.assert_replays()


def test_amended_plan_naming_the_secondary_school_meets_only_this_transfer(
    svc: Services,
) -> None:
    j = planned(svc, date(2015, 10, 10))
    review_to_amend(j, held=date(2026, 10, 12), decided=date(2026, 11, 2))  # Mon, Mon
    j.do(
        "amended_plan_issued",
        date(2027, 1, 11),  # Mon, within 8 weeks of the notice and before 15 Feb
        named_setting="Hill Secondary",
        names_next_setting=True,
    )
    got = transfers(j)
    assert got["phase_transfer.primary_to_secondary:plan-1"][2] == "met"
    assert got["phase_transfer.secondary_to_post16:plan-1"][2] == "open"
    assert j.deadline("phase_transfer")["met_on"] == date(2027, 1, 11)
    j.assert_replays()


def test_amended_plan_not_naming_the_next_setting_does_not_meet_it(svc: Services) -> None:
    j = planned(svc, date(2015, 10, 10))
    review_to_amend(j, held=date(2026, 10, 12), decided=date(2026, 11, 2))
    j.do("amended_plan_issued", date(2027, 1, 11), named_setting="Oak School")
    assert transfers(j)["phase_transfer.primary_to_secondary:plan-1"][2] == "open"


def test_year_11_to_post16_before_31_march(svc: Services) -> None:
    # Born 10 Oct 2010: Year 10 in 2025/26, Year 11 in 2026/27, post-16 from Wed 1 Sep 2027.
    j = planned(svc, date(2010, 10, 10))
    assert transfers(j) == {
        "phase_transfer.secondary_to_post16:plan-1": (date(2026, 9, 1), date(2027, 3, 30), "open")
    }  # Tue 1 Sep 2026, Tue 30 Mar 2027


def test_plan_issued_after_the_long_stop_gets_only_later_transfers(svc: Services) -> None:
    # Born 15 Mar 2015: Year 6 in 2025/26; the 14 Feb 2026 long-stop had passed by 20 Apr.
    j = planned(svc, date(2015, 3, 15))
    assert list(transfers(j)) == ["phase_transfer.secondary_to_post16:plan-1"]


def test_infant_junior_year_2_to_3(svc: Services) -> None:
    # Born 10 Oct 2019: Year 1 in 2025/26, Year 2 in 2026/27, junior school Wed 1 Sep 2027.
    j = planned(svc, date(2019, 10, 10), school_structure="infant_junior")
    got = transfers(j)
    assert got["phase_transfer.infant_to_junior:plan-1"] == (
        date(2026, 9, 1),  # Tue
        date(2027, 2, 14),  # Sun
        "open",
    )
    assert got["phase_transfer.primary_to_secondary:plan-1"][1] == date(2031, 2, 14)  # Fri
    assert got["phase_transfer.secondary_to_post16:plan-1"][1] == date(2036, 3, 30)  # Sun
    j.assert_replays()


def test_middle_school_area(svc: Services) -> None:
    # Born 10 Oct 2017: Year 3 in 2025/26; Year 4 in 2026/27 -> middle Wed 1 Sep 2027;
    # Year 8 in 2030/31 -> upper Mon 1 Sep 2031; Year 11 in 2033/34 -> post-16 Fri 1 Sep 2034.
    j = planned(svc, date(2017, 10, 10), school_structure="three_tier")
    assert {k: v[1] for k, v in transfers(j).items()} == {
        "phase_transfer.first_to_middle:plan-1": date(2027, 2, 14),  # Sun
        "phase_transfer.middle_to_upper:plan-1": date(2031, 2, 14),  # Fri
        "phase_transfer.secondary_to_post16:plan-1": date(2034, 3, 30),  # Thu
    }


def test_held_back_child_recorded_year_group_overrides_date_of_birth(svc: Services) -> None:
    # Born 10 Oct 2015 says Year 5 in 2025/26; recorded in Year 4, so Year 6 in 2027/28.
    j = planned(svc, date(2015, 10, 10), year_group=4)
    got = transfers(j)
    assert got["phase_transfer.primary_to_secondary:plan-1"][:2] == (
        date(2027, 9, 1),  # Wed
        date(2028, 2, 14),  # Mon, a year after the classmates' Sun 14 Feb 2027
    )
    assert got["phase_transfer.secondary_to_post16:plan-1"][1] == date(2033, 3, 30)  # Wed
    j.assert_replays()


def test_post16_to_post16_move_mid_year(svc: Services) -> None:
    # Born 10 Oct 2008: Year 12 in 2025/26, past every school transfer: no phase_transfer.
    j = planned(svc, date(2008, 10, 10))
    assert j.deadlines("phase_transfer") == []
    # A move to another college on Wed 6 Jan 2027, proposed on Mon 1 Jun 2026 (Reg 18(2)).
    j.do("post16_move_proposed", date(2026, 6, 1), moves_on="2027-01-06", institution="Vale FE")
    move = j.deadline("post16_transfer")
    assert (move["starts_on"], move["due_on"]) == (date(2026, 6, 1), date(2026, 8, 6))  # Thu
    j.do("amended_plan_issued", date(2026, 7, 20), named_setting="Vale FE")
    assert (j.deadline("post16_transfer")["status"], j.deadline("post16_transfer")["met_on"]) == (
        "met",
        date(2026, 7, 20),
    )
    j.assert_replays()


def test_a_phase_transfer_for_a_30_year_old_is_refused(svc: Services) -> None:
    with pytest.raises(EventInvalid, match="would be 30 on 2026-01-05") as caught:
        Journey(svc, REQUEST, born=date(1996, 1, 1))
    assert caught.value.status_code == 422


# --- the cohort view -----------------------------------------------------------------------


def _row(rows: list[dict[str, Any]], case_id: int) -> dict[str, Any]:
    found = [r for r in rows if r["case_id"] == case_id]
    assert len(found) == 1, rows
    return found[0]


def test_cohort_lists_who_transfers_in_september(fresh_svc: Services) -> None:
    year6 = planned(fresh_svc, date(2015, 10, 10), given_name="Sam")
    year11 = planned(fresh_svc, date(2010, 10, 10), given_name="Kit")
    held_back = planned(fresh_svc, date(2015, 10, 10), year_group=4, given_name="Lee")
    fresh_svc.clock.set(date(2026, 11, 2))  # type: ignore[attr-defined]
    rows = cohort(fresh_svc, transfer_year=2027, kind=None, actor=SYSTEM)
    assert [r["case_id"] for r in rows] == [year6.case_id, year11.case_id]  # by long-stop
    sam = _row(rows, year6.case_id)
    assert sam["child_name"] == "Sam Example"
    assert (sam["kind"], sam["transfer_on"], sam["due_on"]) == (
        "primary_to_secondary",
        date(2027, 9, 1),
        date(2027, 2, 14),
    )
    assert sam["latest_review_meeting_on"] == date(2026, 11, 22)  # Sun, 12 weeks before
    assert (sam["status"], sam["flag"], sam["annual_review_state"]) == ("open", "on_track", "due")
    kit = _row(rows, year11.case_id)
    assert (kit["kind"], kit["due_on"], kit["latest_review_meeting_on"]) == (
        "secondary_to_post16",
        date(2027, 3, 30),  # Tue
        date(2027, 1, 5),  # Tue
    )
    only = cohort(fresh_svc, transfer_year=2027, kind="secondary_to_post16", actor=SYSTEM)
    assert [r["case_id"] for r in only] == [year11.case_id]
    later = cohort(fresh_svc, transfer_year=2028, kind="primary_to_secondary", actor=SYSTEM)
    assert [r["case_id"] for r in later] == [held_back.case_id]


def test_cohort_flags_at_risk_then_overdue_then_met(fresh_svc: Services) -> None:
    j = planned(fresh_svc, date(2015, 10, 10))
    fresh_svc.clock.set(date(2026, 11, 22))  # type: ignore[attr-defined]  # Sun: last day
    assert cohort(fresh_svc, transfer_year=2027, kind=None, actor=SYSTEM)[0]["flag"] == "on_track"
    fresh_svc.clock.set(date(2026, 11, 23))  # type: ignore[attr-defined]  # Mon: too late
    assert cohort(fresh_svc, transfer_year=2027, kind=None, actor=SYSTEM)[0]["flag"] == "at_risk"
    fresh_svc.clock.set(date(2027, 2, 15))  # type: ignore[attr-defined]  # Mon: past long-stop
    row = cohort(fresh_svc, transfer_year=2027, kind=None, actor=SYSTEM)[0]
    assert (row["status"], row["flag"]) == ("overdue", "overdue")
    review_to_amend(j, held=date(2027, 2, 15), decided=date(2027, 2, 16))
    # The family answers at once, so the amended plan need not wait for Reg 22(2)'s 15 days.
    j.do("amendment_representations_received", date(2027, 2, 19))
    j.do("amended_plan_issued", date(2027, 2, 22), named_setting="Hill", names_next_setting=True)
    row = cohort(fresh_svc, transfer_year=2027, kind=None, actor=SYSTEM)[0]
    assert (row["status"], row["flag"], row["met_on"]) == ("missed", "overdue", date(2027, 2, 22))


def test_a_meeting_held_keeps_the_case_on_track_and_met_when_amended(
    fresh_svc: Services,
) -> None:
    j = planned(fresh_svc, date(2015, 10, 10))
    review_to_amend(j, held=date(2026, 10, 12), decided=date(2026, 11, 2))
    fresh_svc.clock.set(date(2026, 12, 1))  # type: ignore[attr-defined]  # past 22 Nov
    row = case_transfers(fresh_svc, j.case_id)[0]
    assert (row["flag"], row["review_meeting_held_on"]) == ("on_track", date(2026, 10, 12))
    assert row["annual_review_state"] == "amending"
    j.do("amended_plan_issued", date(2027, 1, 11), named_setting="Hill", names_next_setting=True)
    row = case_transfers(fresh_svc, j.case_id)[0]
    assert (row["status"], row["flag"]) == ("met", "met")


def test_cohort_refuses_an_unknown_kind(fresh_svc: Services) -> None:
    with pytest.raises(EventInvalid, match=r"known kinds: .*primary_to_secondary"):
        cohort(fresh_svc, transfer_year=2027, kind="sideways", actor=SYSTEM)
