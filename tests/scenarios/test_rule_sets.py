"""Versioned rule sets: a case keeps the law in force when its request was received.

SI 2020/471 (1 May – 25 Sep 2020) let an authority miss a time limit for a reason relating to
coronavirus; a case received in that period may record that exception, a later case may not.
"""

from __future__ import annotations

from datetime import date

import pytest

from ehcp_engine.domain.errors import EventInvalid
from tests.journey import Journey


def _late_final_plan(j: Journey) -> None:
    j.do("assessment_agreed", date(2020, 7, 10))
    j.do("plan_agreed", date(2020, 9, 1))
    j.do("draft_plan_served", date(2020, 9, 2))


def test_coronavirus_exception_applies_to_a_case_received_under_si_2020_471(svc):
    j = Journey(svc, date(2020, 6, 1))  # Mon
    assert j.view()["rule_set"] == "2020-coronavirus"
    assert j.deadline("final_plan")["due_on"] == date(2020, 10, 19)  # Mon, 20 weeks
    _late_final_plan(j)
    j.do(
        "exception_recorded",
        date(2020, 9, 20),
        ground="coronavirus",
        **{"from": "2020-09-01"},
        rule="final_plan",
        family_informed=True,
    )
    j.do("final_plan_issued", date(2020, 11, 2), named_setting="Elm School")
    final = j.deadline("final_plan")
    assert final["status"] == "missed_exception"
    assert final["due_on"] == date(2020, 10, 19)  # an exception never moves the due date
    j.assert_replays()


def test_coronavirus_exception_is_refused_for_a_case_received_after_the_modification(svc):
    j = Journey(svc, date(2020, 9, 28))  # Mon, after 25 Sep 2020
    assert j.view()["rule_set"] == "2015"
    with pytest.raises(EventInvalid, match="'coronavirus' is not a ground for final_plan"):
        j.do(
            "exception_recorded",
            date(2020, 10, 1),
            ground="coronavirus",
            **{"from": "2020-10-01"},
            rule="final_plan",
        )
    j.assert_replays()
