"""A small driver for scenario tests: open a case, record events, read deadlines, check replay.

It goes through the real services (the one write path) on the real database.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from ehcp_engine.domain.case import Child
from ehcp_engine.domain.errors import DomainError
from ehcp_engine.services.cases import NewCase, case_view, create_case
from ehcp_engine.services.context import Actor, Services
from ehcp_engine.services.replay import replay_case
from ehcp_engine.services.write_path import EventIn, record_event

OFFICER = Actor(user_id=None, label="officer@example.gov.uk", role="officer")


class Journey:
    def __init__(
        self,
        svc: Services,
        received_on: date,
        *,
        born: date = date(2015, 3, 15),
        source: str = "parent",
        year_group: int | None = None,
        school_structure: str | None = None,
        given_name: str = "Testchild",
    ) -> None:
        self.svc = svc
        svc.clock.set(max(svc.clock.today(), received_on))  # type: ignore[attr-defined]
        child = Child(
            given_name=given_name,
            family_name="Example",
            date_of_birth=born,
            school_structure=school_structure,
        )
        request = EventIn("request_received", received_on, {"source": source})
        new = NewCase(child=child, request=request, year_group=year_group)
        self.case_id = create_case(svc, new, OFFICER)

    def do(self, type_: str, on: date, **data: Any) -> dict[str, Any]:
        """Record an event (moving the clock to its date if needed) and return the case view."""
        if on > self.svc.clock.today():
            self.svc.clock.set(on)  # type: ignore[attr-defined]
        record_event(self.svc, case_id=self.case_id, event=EventIn(type_, on, data), actor=OFFICER)
        return self.view()

    def refused(self, type_: str, on: date, match: str, **data: Any) -> DomainError:
        """Assert the event is refused with a reason matching `match`, and nothing changed."""
        before = self.view()
        if on > self.svc.clock.today():
            self.svc.clock.set(on)  # type: ignore[attr-defined]
        with pytest.raises(DomainError, match=match) as caught:
            record_event(
                self.svc, case_id=self.case_id, event=EventIn(type_, on, data), actor=OFFICER
            )
        assert self.view() == before, "a refused event must change nothing"
        return caught.value

    def view(self) -> dict[str, Any]:
        return case_view(self.svc, self.case_id)

    def deadline(self, rule: str, nth: int = 0) -> dict[str, Any]:
        found = [d for d in self.view()["deadlines"] if d["rule"] == rule]
        assert found, f"no {rule} deadline; have {[d['key'] for d in self.view()['deadlines']]}"
        return found[nth]

    def deadlines(self, rule: str) -> list[dict[str, Any]]:
        return [d for d in self.view()["deadlines"] if d["rule"] == rule]

    def stage(self, name: str) -> dict[str, Any]:
        found = [s for s in self.view()["stages"] if s["stage"] == name]
        assert found, f"no {name} stage"
        return found[-1]

    def assert_replays(self) -> None:
        _events, diffs = replay_case(self.svc, self.case_id)
        assert diffs == []
