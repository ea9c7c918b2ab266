"""Small steps for the scenario tests of a plan's life (reviews, amendments, reassessment,
transfers, ceasing, mediation, tribunal): reach a final plan, open a case from a transfer in,
read a deadline by its key, obtain a mediation certificate.

The dates a step records are the test's own literals, or (for the journey before the plan) a
fixed number of days before the issue date the test gave; no step works out an expected date.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from ehcp_engine.domain.case import Child
from ehcp_engine.domain.errors import DomainError
from ehcp_engine.services.cases import NewCase, audit_view, create_case
from ehcp_engine.services.context import Services
from ehcp_engine.services.write_path import EventIn
from tests.journey import OFFICER, Journey

# Born 15 Mar 2015: Year 6 in 2025/26, so the only phase transfer ahead of a plan made in
# 2026-2029 is secondary -> post-16 (September 2031), far from every date these tests use.
BORN = date(2015, 3, 15)


def plan_issued(
    svc: Services, issued: date, *, born: date = BORN, setting: str = "Oak Primary"
) -> Journey:
    """A journey whose final plan is issued on `issued`, every step on time: the request 15
    weeks before, the decision to assess 10 weeks before, the decision to issue 4 weeks before
    and the draft served 27 days before (its 15-day comment window long closed).

    The audit seqs are fixed: request 1, assessment_agreed 2, plan_agreed 3, draft 4, final 5.
    """
    j = Journey(svc, issued - timedelta(weeks=15), born=born)
    j.do("assessment_agreed", issued - timedelta(weeks=10))
    j.do("plan_agreed", issued - timedelta(weeks=4))
    j.do("draft_plan_served", issued - timedelta(days=27))
    j.do("final_plan_issued", issued, named_setting=setting)
    return j


FINAL_PLAN_SEQ = 5  # the audit seq of the final plan in `plan_issued`


class TransferredIn(Journey):
    """A case opened by `plan_transferred_in` as its first event (Reg 15), through the real
    service `create_case`; everything after it goes through the Journey driver."""

    def __init__(
        self,
        svc: Services,
        transferred_on: date,
        *,
        from_la: str,
        plan_issued_on: date,
        last_review_on: date | None = None,
        born: date = BORN,
    ) -> None:
        self.svc = svc
        svc.clock.set(max(svc.clock.today(), transferred_on))  # type: ignore[attr-defined]
        data: dict[str, Any] = {"from_la": from_la, "plan_issued_on": plan_issued_on.isoformat()}
        if last_review_on is not None:
            data["last_review_on"] = last_review_on.isoformat()
        child = Child(given_name="Testchild", family_name="Example", date_of_birth=born)
        opening = EventIn("plan_transferred_in", transferred_on, data)
        self.case_id = create_case(svc, NewCase(child=child, request=opening), OFFICER)


def at(j: Journey, key: str) -> dict[str, Any]:
    """The deadline with this exact key (e.g. `review_decision:annual_review-1`)."""
    found = [d for d in j.view()["deadlines"] if d["key"] == key]
    assert found, f"no deadline {key}; have {[d['key'] for d in j.view()['deadlines']]}"
    return found[0]


def keys(j: Journey, rule: str) -> list[str]:
    return [d["key"] for d in j.deadlines(rule)]


def status(j: Journey, key: str) -> tuple[str, date | None]:
    d = at(j, key)
    return d["status"], d["met_on"]


def seq_of(j: Journey, type_: str, nth: int = -1) -> int:
    """The audit seq of the nth record of a type (the last one by default)."""
    seqs = [r["seq"] for r in audit_view(j.svc, j.case_id) if r["type"] == type_]
    assert seqs, f"no {type_} in the audit log"
    return int(seqs[nth])


def live(j: Journey, stage: str) -> list[dict[str, Any]]:
    """The live (not closed) stages of a type, oldest first."""
    return [s for s in j.view()["stages"] if s["stage"] == stage and s["closed_on"] is None]


def refuse(j: Journey, type_: str, on: date, match: str, **data: Any) -> DomainError:
    """`Journey.refused`, with the clock moved to the event's date first so that the 'nothing
    changed' comparison is made on the same today (display statuses look at today)."""
    if on > j.svc.clock.today():
        j.svc.clock.set(on)  # type: ignore[attr-defined]
    return j.refused(type_, on, match, **data)


def certificate(j: Journey, contacted: date, issued: date, decision_seq: int) -> None:
    """The family tells the mediation adviser they do not want mediation about a decision and
    the adviser issues the certificate (Act s.55; Regs 33-34), so an appeal may follow."""
    j.do(
        "mediation_adviser_contacted",
        contacted,
        wants_mediation=False,
        decision_seq=decision_seq,
    )
    j.do("mediation_certificate_issued", issued)


def exception(rule: str | int, ground: str, start: date, end: date | None = None) -> dict[str, Any]:
    """The data of `exception_recorded` (STATUTORY §2, §4a), the family told (CoP 9.43)."""
    data: dict[str, Any] = {
        "ground": ground,
        "from": start.isoformat(),
        "rule": rule,
        "family_informed": True,
    }
    if end is not None:
        data["to"] = end.isoformat()
    return data
