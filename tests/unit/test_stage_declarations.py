"""The stage machines, the event vocabulary and the generated diagrams agree."""

from __future__ import annotations

from pathlib import Path

from ehcp_engine.domain.events import ADMINISTRATIVE, VOCABULARY, stage_of
from workflows.diagrams import all_documents
from workflows.effects import OPENERS
from workflows.registry import FALLBACK, SPECS

DOCS = Path(__file__).resolve().parents[2] / "docs" / "stages"
# Act on deadlines / history / who holds the case, not on a stage.
SPECIAL = {"exception_recorded", "event_corrected", *ADMINISTRATIVE}


def test_diagrams_in_docs_are_current():
    """Run `ehcp diagrams` after changing a stage machine."""
    for name, text in all_documents().items():
        on_disk = (DOCS / name).read_text(encoding="utf-8")
        assert on_disk == text, f"docs/stages/{name} is out of date: run `ehcp diagrams`"


def test_every_transition_is_a_known_event_of_that_stage_or_a_fallback():
    for name, spec in SPECS.items():
        for trigger in spec.triggers():
            assert trigger in VOCABULARY, f"{name}: unknown event {trigger}"
            owners = {stage_of(trigger), *FALLBACK.get(trigger, ())}
            assert name in owners or trigger == "request_withdrawn", (name, trigger)


def test_every_event_has_a_stage_that_accepts_it_or_opens_one():
    handled = set(OPENERS) | SPECIAL
    for spec in SPECS.values():
        handled |= spec.triggers()
    assert set(VOCABULARY) == handled


def test_final_states_are_states():
    for spec in SPECS.values():
        assert set(spec.final) <= set(spec.states)
        assert spec.initial in spec.states
