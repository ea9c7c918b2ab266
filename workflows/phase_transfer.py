"""Phase transfers (Reg 18(1)): when each of a child's transfers falls, and when it is due.

A child's national curriculum year comes from the date of birth (the academic year runs from
1 September; `calendar.national_curriculum_year`) shifted by a recorded year group
(`Child.year_group_offset`, e.g. -1 for a child held back a year). The years at which the child
changes phase come from the local school structure (config/phase_transfer.toml, Reg 2(1)). A
transfer happens on 1 September at the end of the academic year the child spends in `from_year`.

Reg 18(1), as amended by SI 2015/359: where a child or young person is to transfer between phases
of education, the review and any amendment naming the next setting must be completed
(a) for a transfer from secondary school to a post-16 institution, before 31 March of the
calendar year of the transfer; (b) in every other case, before 15 February of that year. Both
"before" dates follow the calendar's `fixed_date_inclusive` setting (STATUTORY.md §6).

Pure: no clock, no I/O. Due dates depend only on the child, the event's date and the law, so a
replay gives the same deadlines (STATUTORY.md §1).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ehcp_engine.domain.calendar import academic_year_start
from ehcp_engine.domain.case import Child
from ehcp_engine.domain.law import Law
from ehcp_engine.domain.schools import Transfer

__all__ = [
    "POST16_KINDS",
    "TransferDue",
    "age_on",
    "child_transfers",
    "future_transfers",
    "latest_review_meeting",
    "phase_transfer_deadline",
    "transfer_date",
]

# Reg 18(1)(a): the transfers with the later, 31 March, long-stop.
POST16_KINDS = frozenset({"secondary_to_post16"})
# Act s.83(2): a young person is under 25; nobody 25 or over has a phase transfer ahead.
AGE_LIMIT = 25
# Nursery is national curriculum year -1, so a child enters Year N in the academic year that
# starts N + 5 years after the start of the academic year of their birth.
_YEARS_BEFORE_RECEPTION = 5


@dataclass(frozen=True)
class TransferDue:
    """One transfer of one child: when it happens, when its deadline is live and when due."""

    kind: str
    from_year: int
    to_year: int
    transfer_on: date
    starts_on: date
    due_on: date


def transfer_date(child: Child, transfer: Transfer) -> date:
    """1 September after the academic year the child spends in `transfer.from_year`.

    The child is in year Y in the academic year starting B + 5 + Y - offset, where B is the year
    the academic year of birth starts (born 15 Mar 2015: B = 2014, Year 6 in 2025/26). A child held
    back a year (offset -1) reaches every year, and every transfer, a year later.
    """
    born = academic_year_start(child.date_of_birth).year
    in_from_year = born + _YEARS_BEFORE_RECEPTION + transfer.from_year - child.year_group_offset
    return date(in_from_year + 1, 9, 1)


def phase_transfer_deadline(kind: str, transfer_on: date, law: Law) -> date:
    """Reg 18(1)(a)/(b): the last compliant day for the amended plan naming the next setting."""
    if kind in POST16_KINDS:
        return law.calendar.before_fixed_date(transfer_on.year, 3, 31)
    return law.calendar.before_fixed_date(transfer_on.year, 2, 15)


def child_transfers(child: Child, law: Law) -> list[TransferDue]:
    """Every transfer of the child's school structure, earliest first.

    The deadline is live from 12 months before the transfer ("within 12 months of a phase
    transfer", STATUTORY.md §3): from 1 September of the academic year the child is in
    `from_year`, which is also when Reg 18(1)'s review of the transfer year begins.
    """
    found: list[TransferDue] = []
    for t in law.schools.transfers(child.school_structure):
        transfer_on = transfer_date(child, t)
        found.append(
            TransferDue(
                kind=t.kind,
                from_year=t.from_year,
                to_year=t.to_year,
                transfer_on=transfer_on,
                starts_on=law.calendar.add_months(transfer_on, -12),
                due_on=phase_transfer_deadline(t.kind, transfer_on, law),
            )
        )
    return sorted(found, key=lambda d: d.transfer_on)


def future_transfers(child: Child, on: date, law: Law) -> list[TransferDue]:
    """The transfers whose deadline is on or after `on` (the event's date): a plan issued after
    a long-stop has passed names the next setting itself, so that transfer gets no deadline.

    Nonsense gets nothing: nobody aged 25 or over on `on`, and no transfer on or after the
    child's 25th birthday (the structures stop at Year 14 in any case).
    """
    if age_on(child.date_of_birth, on) >= AGE_LIMIT:
        return []
    return [
        t
        for t in child_transfers(child, law)
        if t.due_on >= on and age_on(child.date_of_birth, t.transfer_on) < AGE_LIMIT
    ]


def latest_review_meeting(due_on: date, law: Law) -> date:
    """The last day a review meeting can be held and still meet a phase-transfer long-stop, if
    every later step takes the full time the regulations allow: 12 weeks before `due_on`.

    Counting backwards from the deadline for the amended plan naming the next setting:

    * Reg 22(3): the amended plan is issued within 8 weeks of the amendment notice being sent
      (the 15 days for representations, Reg 22(2), run inside those 8 weeks);
    * Reg 20(10): the decision to amend, with the proposed amendments (R (L, M, P) v Devon CC
      [2022] EWHC 493 (Admin)), is notified within 4 weeks of the review meeting.

    So meeting + 4 weeks + 8 weeks <= due. Weeks count back exactly (7 days each), so the result
    is the deadline's weekday 84 days earlier. Invitations must go out at least 2 weeks before
    that meeting (Reg 20(3)); see `latest_invitations`.
    """
    after_notice = law.calendar.add_weeks(due_on, -8)  # Reg 22(3)
    return law.calendar.add_weeks(after_notice, -4)  # Reg 20(10)


def latest_invitations(due_on: date, law: Law) -> date:
    """Reg 20(3): invitations at least 2 weeks before the latest possible meeting."""
    return law.calendar.add_weeks(latest_review_meeting(due_on, law), -2)


def age_on(date_of_birth: date, on: date) -> int:
    """Completed years of age on `on` (a 29 February birthday is reached on 1 March)."""
    before_birthday = (on.month, on.day) < (date_of_birth.month, date_of_birth.day)
    return on.year - date_of_birth.year - int(before_birthday)
