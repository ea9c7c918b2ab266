"""A small world for the QA pages: a child's plan taken from request to a final plan issued
(through the services, as an officer would), and a QA round whose sample holds it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from ehcp_engine.domain.case import Child
from ehcp_engine.persistence.models import AdviceRequestRow
from ehcp_engine.services import plans, qa
from ehcp_engine.services.cases import NewCase, create_case
from ehcp_engine.services.context import Actor, Services
from ehcp_engine.services.write_path import EventIn, record_event
from tests.plans.sample import good


@dataclass(frozen=True)
class IssuedPlan:
    case_id: int
    draft_id: int
    final_id: int


def issue_a_final_plan(
    svc: Services, officer_id: int, given: str, family: str, received_on: date
) -> IssuedPlan:
    """Request received → assessment agreed → EP advice → plan agreed → draft served → final
    issued, 12 weeks after the request (inside the 20-week limit)."""
    actor = Actor(user_id=officer_id, label="qa world", role="officer")
    child = Child(given_name=given, family_name=family, date_of_birth=date(2016, 3, 15))
    request = EventIn("request_received", received_on, {"source": "parent"})
    case_id = create_case(svc, NewCase(child, request, officer_id=officer_id), actor)

    def do(kind: str, weeks: int, data: dict[str, object] | None = None) -> None:
        on = date.fromordinal(received_on.toordinal() + 7 * weeks)
        record_event(svc, case_id=case_id, event=EventIn(kind, on, data or {}), actor=actor)

    do("assessment_agreed", 4)
    do("advice_requested", 4, {"advice_type": "psychological", "contributor": "EP service"})
    advice_id = _advice_id(svc, case_id)
    do("advice_received", 7, {"advice_request_id": advice_id})
    do("plan_agreed", 8)
    draft = plans.new_version(svc, case_id, actor)
    plans.update_version(svc, case_id, draft["id"], good(i={}), actor)
    served = date.fromordinal(received_on.toordinal() + 7 * 9)
    plans.issue_version(svc, case_id, draft["id"], plans.IssueIn(occurred_on=served), actor)
    final = plans.new_version(svc, case_id, actor)
    plans.update_version(svc, case_id, final["id"], good(), actor)
    issued = date.fromordinal(received_on.toordinal() + 7 * 12)
    plans.issue_version(svc, case_id, final["id"], plans.IssueIn(occurred_on=issued), actor)
    return IssuedPlan(case_id, draft["id"], final["id"])


def _advice_id(svc: Services, case_id: int) -> int:
    with svc.sessions() as session:
        found = session.scalar(
            select(AdviceRequestRow.id)
            .where(AdviceRequestRow.case_id == case_id)
            .order_by(AdviceRequestRow.id.desc())
        )
    assert found is not None
    return int(found)


def sample_round(svc: Services, start: date, end: date, size: int, name: str) -> int:
    """A QA round drawn by the service, as a manager starting one would."""
    manager = Actor(user_id=None, label="qa world manager", role="manager")
    return qa.create_round(svc, manager, qa.RoundIn(start, end, size=size, seed=7, name=name))
