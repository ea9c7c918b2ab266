"""Hand-built case histories for the measures tests: cases opened through the real services
(the one write path) with an officer, officers in teams, and small readers of the results."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import update

from ehcp_engine.domain.case import Child
from ehcp_engine.persistence.models import Team, User
from ehcp_engine.services.cases import NewCase, create_case
from ehcp_engine.services.context import Services
from ehcp_engine.services.users import create_user
from ehcp_engine.services.write_path import EventIn
from tests.journey import OFFICER, Journey

BORN = date(2015, 3, 15)


class Story(Journey):
    """A Journey whose case has an officer (so team and officer filters have something to do)."""

    def __init__(
        self,
        svc: Services,
        received_on: date,
        *,
        officer_id: int | None = None,
        source: str = "parent",
        born: date = BORN,
        school_structure: str | None = None,
    ) -> None:
        self.svc = svc
        svc.clock.set(max(svc.clock.today(), received_on))  # type: ignore[attr-defined]
        child = Child(
            given_name="Testchild",
            family_name="Example",
            date_of_birth=born,
            school_structure=school_structure,
        )
        request = EventIn("request_received", received_on, {"source": source})
        new = NewCase(child=child, request=request, officer_id=officer_id)
        self.case_id = create_case(svc, new, OFFICER)

    def seq(self, type_: str, nth: int = -1) -> int:
        from ehcp_engine.services.cases import audit_view

        seqs = [r["seq"] for r in audit_view(self.svc, self.case_id) if r["type"] == type_]
        return int(seqs[nth])


def team_with_officers(svc: Services, name: str, n: int = 1) -> tuple[int, list[int]]:
    """A team and `n` officers in it: (team id, officer ids)."""
    with svc.sessions.begin() as session:
        team = Team(name=name)
        session.add(team)
        session.flush()
        team_id = team.id
    officers = []
    for i in range(n):
        user_id = create_user(
            svc, f"{name.lower().replace(' ', '.')}.{i}@example.gov.uk", "officer"
        )
        with svc.sessions.begin() as session:
            session.execute(update(User).where(User.id == user_id).values(team_id=team_id))
        officers.append(user_id)
    return team_id, officers


def measure(report: dict[str, Any], measure_id: str) -> dict[str, Any]:
    found = [m for m in report["timeliness"] if m["id"] == measure_id]
    assert found, f"no measure {measure_id}"
    return found[0]


def local(report: dict[str, Any], measure_id: str) -> dict[str, Any]:
    found = [m for m in report["local"] if m["id"] == measure_id]
    assert found, f"no local measure {measure_id}"
    return dict(found[0]["result"])


def counts(result: dict[str, Any]) -> tuple[int, int]:
    return result["numerator"], result["denominator"]


def ids(result: dict[str, Any]) -> tuple[list[int], list[int]]:
    return result["numerator_ids"], result["denominator_ids"]


def same_as_python(svc: Services, period: tuple[date, date], scope: Any = None) -> None:
    """The dashboard counted by the database equals the Python measures over the same facts:
    with the member lists when asked for, and without them by default."""
    from audit.measures.report import without_ids
    from ehcp_engine.services import measures

    scope = scope or measures.Scope()
    reference = measures.in_python(svc, *period, scope)
    with_ids = measures.dashboard(svc, *period, scope, ids=True)
    counted = measures.dashboard(svc, *period, scope)
    assert with_ids == reference
    assert counted == without_ids(reference)
    assert "numerator_ids" not in measure(counted, "advice_6w")
