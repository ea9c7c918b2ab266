"""Small steps shared by the scenario tests: exceptions, corrections, reaching a stage.

Every date a step takes is a literal the test wrote; no step computes a date.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from ehcp_engine.services.cases import audit_view
from ehcp_engine.services.context import Services
from tests.journey import Journey


def exception_data(
    rule: str | int,
    ground: str,
    start: date,
    end: date | None = None,
    *,
    family_informed: bool = True,
    evidence: str | None = None,
) -> dict[str, Any]:
    """The data of an `exception_recorded` event (STATUTORY §4a), `from`/`to` as ISO dates."""
    data: dict[str, Any] = {
        "ground": ground,
        "from": start.isoformat(),
        "rule": rule,
        "family_informed": family_informed,
    }
    if end is not None:
        data["to"] = end.isoformat()
    if evidence is not None:
        data["evidence"] = evidence
    return data


def record_exception(
    j: Journey,
    on: date,
    rule: str | int,
    ground: str,
    start: date,
    end: date | None = None,
    **more: Any,
) -> dict[str, Any]:
    return j.do("exception_recorded", on, **exception_data(rule, ground, start, end, **more))


def seq_of(j: Journey, type_: str, nth: int = -1) -> int:
    """The audit seq of the nth record of a type (the last one by default)."""
    seqs = [r["seq"] for r in audit_view(j.svc, j.case_id) if r["type"] == type_]
    assert seqs, f"no {type_} in the audit log"
    return int(seqs[nth])


def advice_id(j: Journey, contributor: str) -> int:
    """The id (as the API shows it) of the advice request sent to a contributor."""
    found = [a["id"] for a in j.view()["advice_requests"] if a["contributor"] == contributor]
    assert len(found) == 1, f"advice requests to {contributor}: {found}"
    return int(found[0])


def deadline_by_subject(j: Journey, rule: str, subject_suffix: str) -> dict[str, Any]:
    found = [d for d in j.deadlines(rule) if d["subject"] and d["subject"].endswith(subject_suffix)]
    assert len(found) == 1, f"{rule} deadlines for {subject_suffix}: {j.deadlines(rule)}"
    return found[0]


def advice_deadline(j: Journey, contributor: str) -> dict[str, Any]:
    """The `advice` deadline of the request sent to a contributor."""
    key = [a["key"] for a in j.view()["advice_requests"] if a["contributor"] == contributor]
    assert len(key) == 1, f"advice requests to {contributor}: {key}"
    found = [d for d in j.deadlines("advice") if d["subject"] == key[0]]
    assert len(found) == 1
    return found[0]


def to_draft(j: Journey, *, agreed: date, decided: date, served: date) -> None:
    """Decision to assess, decision to issue, draft served (dates given by the test)."""
    j.do("assessment_agreed", agreed)
    j.do("plan_agreed", decided)
    j.do("draft_plan_served", served)


def to_final_plan(
    svc: Services,
    *,
    received: date,
    agreed: date,
    decided: date,
    served: date,
    issued: date,
    born: date = date(2015, 3, 15),
    named_setting: str = "Oak Primary",
) -> Journey:
    """A journey from request to final plan; `issued` must be after the 15-day comment window."""
    j = Journey(svc, received, born=born)
    to_draft(j, agreed=agreed, decided=decided, served=served)
    j.do("final_plan_issued", issued, named_setting=named_setting)
    return j


def timeline(j: Journey) -> list[tuple[Any, ...]]:
    """Every deadline's dates and status, sorted by key, to compare two cases (or one case before
    and after something). The status is the display status: compare on the same `today`."""
    view = j.view()
    # Advice deadlines are keyed by their request's audit number, which depends on the order
    # things were keyed; name them by contributor instead so two histories compare.
    contributors = {a["key"]: a["contributor"] for a in view["advice_requests"]}
    return sorted(
        (
            contributors.get(d["subject"] or "", d["key"]),
            d["rule"],
            d["starts_on"],
            d["due_on"],
            d["status"],
            d["met_on"],
        )
        for d in view["deadlines"]
    )
