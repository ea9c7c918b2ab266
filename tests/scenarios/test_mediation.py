"""Mediation about an appealable decision (Regs 32-42; STATUTORY.md §3 `mediation_contact`,
`mediation_certificate`, `mediation_held`, `mediation_agreement`; §4 `mediation`): one mediation
per disagreement, attached to the decision it disputes.

Working days exclude weekends and England's bank holidays, Christmas Day and Good Friday
included (STATUTORY §1). Every expected date is worked out by hand from a calendar (weekday in
the comment).
"""

from __future__ import annotations

from datetime import date

import pytest

from tests.journey import Journey
from tests.scenarios.plan_life import (
    FINAL_PLAN_SEQ,
    at,
    keys,
    plan_issued,
    refuse,
    status,
)

DECISION = f"decision-{FINAL_PLAN_SEQ}"  # the final plan: an appealable decision (s.51(2)(c))


@pytest.mark.parametrize(
    ("issued", "contacted", "due"),
    [
        # No holiday: Tue, Wed, Thu.
        pytest.param(date(2027, 2, 1), date(2027, 3, 1), date(2027, 3, 4), id="plain-week"),
        # Wed 23 Dec 2026: Thu 24 (1); Fri 25 Christmas, Mon 28 Boxing Day substitute; Tue 29
        # (2), Wed 30 (3).
        pytest.param(date(2026, 11, 2), date(2026, 12, 23), date(2026, 12, 30), id="xmas-2026"),
        # Thu 24 Dec 2026: Tue 29 (1), Wed 30 (2), Thu 31 (3).
        pytest.param(date(2026, 11, 2), date(2026, 12, 24), date(2026, 12, 31), id="xmas-eve-2026"),
        # Wed 30 Dec 2026: Thu 31 (1); Fri 1 Jan New Year's Day; Mon 4 (2), Tue 5 Jan (3).
        pytest.param(date(2026, 11, 2), date(2026, 12, 30), date(2027, 1, 5), id="new-year-2027"),
        # Thu 23 Dec 2027: Fri 24 (1); Mon 27, Tue 28 substitutes for Christmas and Boxing Day
        # (Sat/Sun); Wed 29 (2), Thu 30 (3).
        pytest.param(date(2027, 11, 1), date(2027, 12, 23), date(2027, 12, 30), id="xmas-2027"),
        # Thu 25 Mar 2027: Fri 26 Good Friday, Mon 29 Easter Monday; Tue 30 (1), Wed 31 (2),
        # Thu 1 Apr (3).
        pytest.param(date(2027, 2, 1), date(2027, 3, 25), date(2027, 4, 1), id="easter-2027"),
    ],
)
def test_mediation_certificate_3_working_days(svc, issued, contacted, due):
    """Reg 34: when the family tells the mediation adviser they do not want mediation, the
    adviser issues the certificate within 3 working days."""
    j = plan_issued(svc, issued)
    j.do("mediation_adviser_contacted", contacted, wants_mediation=False)
    d = at(j, "mediation_certificate:mediation-1")
    assert d["starts_on"] == contacted
    assert d["due_on"] == due
    assert d["source"] == "Regs 34, 39"
    assert keys(j, "mediation_held") == []  # no mediation to arrange
    assert status(j, f"mediation_contact:{DECISION}") == ("met", contacted)
    assert j.stage("mediation")["state"] == "certificate_due"
    j.do("mediation_certificate_issued", due)
    assert status(j, "mediation_certificate:mediation-1") == ("met", due)
    assert j.stage("mediation")["state"] == "concluded"
    j.assert_replays()


def test_mediation_certificate_a_working_day_late_is_missed(svc):
    """Reg 34: a certificate on the 4th working day is late (Wed 23 Dec 2026 -> due Wed 30 Dec;
    Thu 31 Dec is late)."""
    j = plan_issued(svc, date(2026, 11, 2))  # Mon
    j.do("mediation_adviser_contacted", date(2026, 12, 23), wants_mediation=False)  # Wed
    j.do("mediation_certificate_issued", date(2026, 12, 31))  # Thu
    assert status(j, "mediation_certificate:mediation-1") == ("missed", date(2026, 12, 31))
    j.assert_replays()


def test_mediation_within_30_days(svc):
    """Reg 37: when the family wants mediation, it takes place within 30 days; on the 30th day
    it is on time, and a certificate follows within 3 working days of its end (Reg 39)."""
    j = plan_issued(svc, date(2027, 2, 1))  # Mon
    j.do("mediation_adviser_contacted", date(2027, 3, 1), wants_mediation=True)  # Mon
    d = at(j, "mediation_held:mediation-1")
    assert d["starts_on"] == date(2027, 3, 1)  # Mon
    assert d["due_on"] == date(2027, 3, 31)  # Wed
    assert d["source"] == "Reg 37"
    assert keys(j, "mediation_certificate") == []  # not before the mediation
    assert j.stage("mediation")["state"] == "arranging"
    j.do("mediation_meeting_held", date(2027, 3, 31), agreement="none")  # Wed
    assert status(j, "mediation_held:mediation-1") == ("met", date(2027, 3, 31))
    # Thu 1 Apr (1), Fri 2 Apr (2), Mon 5 Apr (3): Easter 2027 (26-29 Mar) is already past.
    assert at(j, "mediation_certificate:mediation-1")["due_on"] == date(2027, 4, 5)  # Mon
    j.assert_replays()


def test_mediation_after_30_days_is_missed(svc):
    """Reg 37: mediation on the 31st day is late."""
    j = plan_issued(svc, date(2027, 2, 1))  # Mon
    j.do("mediation_adviser_contacted", date(2027, 3, 1), wants_mediation=True)  # Mon
    j.do("mediation_meeting_held", date(2027, 4, 1))  # Thu
    assert status(j, "mediation_held:mediation-1") == ("missed", date(2027, 4, 1))
    j.assert_replays()


def test_mediation_certificate_3_working_days_after_mediation_over_easter(svc):
    """Reg 39: after mediation the certificate is issued within 3 working days: mediation on
    Thu 25 Mar 2027 -> Good Friday and Easter Monday skipped -> Thu 1 Apr."""
    j = plan_issued(svc, date(2027, 2, 1))  # Mon
    j.do("mediation_adviser_contacted", date(2027, 3, 1), wants_mediation=True)  # Mon
    j.do("mediation_meeting_held", date(2027, 3, 25), agreement="partial")  # Thu
    d = at(j, "mediation_certificate:mediation-1")
    assert d["starts_on"] == date(2027, 3, 25)  # Thu
    assert d["due_on"] == date(2027, 4, 1)  # Thu
    j.do("mediation_certificate_issued", date(2027, 4, 1))  # Thu
    assert status(j, "mediation_certificate:mediation-1") == ("met", date(2027, 4, 1))
    assert j.stage("mediation")["state"] == "concluded"
    j.assert_replays()


def test_mediation_certificate_when_mediation_cannot_be_held_in_time(svc):
    """Regs 37, 39: if the LA cannot arrange mediation in time, the 30-day timer ends and a
    certificate is due within 3 working days: Wed 24 Mar 2027 -> Thu 25 (1), Tue 30 (2),
    Wed 31 Mar (3), Good Friday and Easter Monday skipped."""
    j = plan_issued(svc, date(2027, 2, 1))  # Mon
    j.do("mediation_adviser_contacted", date(2027, 3, 1), wants_mediation=True)  # Mon
    j.do("mediation_not_possible", date(2027, 3, 24))  # Wed
    assert at(j, "mediation_held:mediation-1")["status"] == "cancelled"
    assert at(j, "mediation_certificate:mediation-1")["due_on"] == date(2027, 3, 31)  # Wed
    j.do("mediation_certificate_issued", date(2027, 3, 30))  # Tue
    assert status(j, "mediation_certificate:mediation-1") == ("met", date(2027, 3, 30))
    j.assert_replays()


def test_mediation_agreement_2_weeks(svc):
    """Reg 42(3): an agreement on a matter that cannot be appealed is acted on within 2 weeks
    of the mediation; the mediation ends only once it is done."""
    j = plan_issued(svc, date(2027, 2, 1))  # Mon
    j.do("mediation_adviser_contacted", date(2027, 3, 1), wants_mediation=True)  # Mon
    j.do("mediation_meeting_held", date(2027, 3, 25), agreement="non_appealable")  # Thu
    d = at(j, "mediation_agreement:mediation-1")
    assert d["starts_on"] == date(2027, 3, 25)  # Thu
    assert d["due_on"] == date(2027, 4, 8)  # Thu, 14 days later
    assert d["source"] == "Reg 42(3)"
    j.do("mediation_certificate_issued", date(2027, 3, 30))  # Tue
    assert j.stage("mediation")["state"] == "agreement_pending"
    j.do("mediation_agreement_done", date(2027, 4, 8))  # Thu, the last day
    assert status(j, "mediation_agreement:mediation-1") == ("met", date(2027, 4, 8))
    assert j.stage("mediation")["state"] == "concluded"
    j.assert_replays()


def test_full_agreement_on_an_appealable_matter_starts_no_agreement_timer(svc):
    """Reg 42(3) is about non-appealable matters only; a full agreement starts no 2-week
    timer, and the certificate concludes the mediation."""
    j = plan_issued(svc, date(2027, 2, 1))  # Mon
    j.do("mediation_adviser_contacted", date(2027, 3, 1), wants_mediation=True)  # Mon
    j.do("mediation_meeting_held", date(2027, 3, 15), agreement="full")  # Mon
    assert keys(j, "mediation_agreement") == []
    j.do("mediation_certificate_issued", date(2027, 3, 17))  # Wed
    assert j.stage("mediation")["state"] == "concluded"
    refuse(j, "mediation_agreement_done", date(2027, 3, 18), "ended in 'concluded'")  # Thu
    j.assert_replays()


def test_mediation_contact_window_2_months(svc):
    """Reg 33: the family has 2 months from the decision notice to contact the mediation
    adviser (the family's window, shown for information)."""
    j = plan_issued(svc, date(2027, 2, 1))  # Mon
    d = at(j, f"mediation_contact:{DECISION}")
    assert d["starts_on"] == date(2027, 2, 1)  # Mon
    assert d["due_on"] == date(2027, 4, 1)  # Thu
    assert d["window"] is True
    assert d["source"] == "Reg 33"
    j.do("mediation_adviser_contacted", date(2027, 4, 1), wants_mediation=False)  # Thu
    assert status(j, f"mediation_contact:{DECISION}") == ("met", date(2027, 4, 1))
    j.assert_replays()


# --- bad input (409 / 422) ------------------------------------------------------------------------


def test_second_mediation_on_the_same_decision_refused(svc):
    """Regs 33-34: one mediation per disagreement; contacting the adviser again about the
    same decision while its mediation is live is refused."""
    j = plan_issued(svc, date(2027, 2, 1))  # Mon
    j.do("mediation_adviser_contacted", date(2027, 3, 1), wants_mediation=True)  # Mon
    err = refuse(
        j,
        "mediation_adviser_contacted",
        date(2027, 3, 2),  # Tue
        "a mediation about this decision is already live",
        wants_mediation=False,
    )
    assert err.status_code == 409
    refuse(
        j,
        "mediation_adviser_contacted",
        date(2027, 3, 2),  # Tue
        "a mediation about this decision is already live",
        wants_mediation=False,
        decision_seq=FINAL_PLAN_SEQ,
    )
    j.assert_replays()


def test_mediation_needs_an_appealable_decision(svc):
    """Act s.55; Reg 33: mediation is about an appealable decision; with none on the case (only a
    request), or naming a record that is not one, it is refused."""
    j = Journey(svc, date(2027, 1, 4))  # Mon
    refuse(
        j,
        "mediation_adviser_contacted",
        date(2027, 1, 11),  # Mon
        "needs an appealable decision",
        wants_mediation=True,
    )
    j.do("assessment_agreed", date(2027, 2, 8))  # Mon
    err = refuse(
        j,
        "mediation_adviser_contacted",
        date(2027, 2, 9),  # Tue
        "record 2 is not an appealable decision",
        wants_mediation=True,
        decision_seq=2,
    )
    assert err.status_code == 422
    j.assert_replays()


def test_mediation_events_need_a_mediation(svc):
    """Regs 34-39: a meeting or certificate without contact with the adviser is refused."""
    j = plan_issued(svc, date(2027, 2, 1))  # Mon
    refuse(j, "mediation_meeting_held", date(2027, 3, 1), "needs contact with the mediation")
    refuse(j, "mediation_certificate_issued", date(2027, 3, 1), "needs contact with the")
    j.assert_replays()


def test_mediation_meeting_refused_when_the_family_declined_mediation(svc):
    """Reg 34: a family that does not want mediation gets a certificate, not a meeting."""
    j = plan_issued(svc, date(2027, 2, 1))  # Mon
    j.do("mediation_adviser_contacted", date(2027, 3, 1), wants_mediation=False)  # Mon
    refuse(
        j,
        "mediation_meeting_held",
        date(2027, 3, 2),  # Tue
        "not allowed while the mediation stage is 'certificate_due'",
    )
    j.assert_replays()
