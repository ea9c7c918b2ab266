"""Exceptions the engine proposes to the officer, with the evidence (never records them itself).

Reg 10(4)(a)/(b) (and Reg 5(4)(a) for the 6-week decision): advice asked of a school's head, or
an early years provider, from one week before a closure of at least four weeks until one week
before it reopens. The officer accepts a proposal by recording `exception_recorded` with it.
"""

from __future__ import annotations

from typing import Any

from ehcp_engine.domain.term_dates import TermDates

# The timers whose exception set is reg10_4 and that run while advice is gathered.
CLOSURE_TIMERS = ("assessment_decision", "no_plan_notice", "final_plan")


def closure_proposals(view: dict[str, Any], term_dates: TermDates) -> list[dict[str, Any]]:
    """Proposed exceptions for a case view (as `cases.case_view` builds it)."""
    open_deadlines = [
        d
        for d in view["deadlines"]
        if d["rule"] in CLOSURE_TIMERS and d["status"] in ("open", "overdue") and not d["exception"]
    ]
    proposals: list[dict[str, Any]] = []
    for advice in view["advice_requests"]:
        if advice["advice_type"] != "educational":
            continue
        setting = advice["contributor"]
        closure = term_dates.closure_covering(setting, advice["requested_on"])
        if closure is None:
            continue
        start, end = closure.exception_window()
        early = setting in term_dates.early_years
        evidence = (
            f"advice asked of {setting} on {advice['requested_on']}, within {start} to {end}: "
            f"one week before its closure {closure.first_day} to {closure.last_day}"
            f"{f' ({closure.label})' if closure.label else ''} until one week before it reopens "
            f"(Reg 10(4)({'b' if early else 'a'}))"
        )
        proposals += [
            {
                "deadline_id": d["id"],
                "rule": d["rule"],
                "ground": "early_years_closure" if early else "setting_closure",
                "from": start,
                "to": end,
                "evidence": evidence,
                "advice_request_id": advice["id"],
            }
            for d in open_deadlines
        ]
    return proposals
