"""Forms generated from the event vocabulary (api/web/event_forms.py): every event has one, and
reading a posted form gives the event's data or a message per field."""

from __future__ import annotations

from datetime import date

import pytest
from starlette.datastructures import FormData

from api.web.event_forms import form_fields, parse
from ehcp_engine.domain.events import VOCABULARY, data_model


@pytest.mark.parametrize("event_type", sorted(VOCABULARY))
def test_every_event_has_a_form_whose_required_fields_are_asked_for(event_type: str) -> None:
    fields = form_fields(event_type, {"rule": [(1, "a deadline")], "seq": [(1, "an event")]})
    names = {f.name for f in fields}
    model = data_model(event_type)
    for name, info in model.model_fields.items():
        if info.is_required():
            assert (info.alias or name) in names, f"{event_type}: {name} is not on the form"
    empty = parse(FormData(), fields)
    required = {f.anchor for f in fields if not f.optional}
    assert set(empty.errors) == required


def test_a_posted_form_becomes_the_events_data() -> None:
    fields = form_fields("exception_recorded", {"rule": [(7, "Final plan")]})
    form = FormData(
        [
            ("ground", "setting_closure"),
            ("from-day", "3"),
            ("from-month", "11"),
            ("from-year", "2026"),
            ("rule", "7"),
            ("family_informed", "yes"),
            ("evidence", "  school letter  "),
        ]
    )
    parsed = parse(form, fields)
    assert parsed.errors == {}
    assert parsed.data == {
        "ground": "setting_closure",
        "from": date(2026, 11, 3),
        "rule": 7,
        "family_informed": True,
        "evidence": "school letter",
    }


def test_lists_and_choices_are_read_from_checkboxes() -> None:
    fields = form_fields("review_meeting_held", {})
    form = FormData([("participants", v) for v in ("parent", "setting", "not a participant")])
    assert parse(form, fields).data == {"participants": ["parent", "setting"]}


@pytest.mark.parametrize(
    ("parts", "message"),
    [
        (("", "11", "2026"), "Date of the meeting must include a day"),
        (("30", "2", "2026"), "Date of the meeting must be a real date"),
        (("1", "1", "26"), "Date of the meeting must be a real date"),
        (("", "", ""), "Enter the date of the meeting"),
    ],
)
def test_date_messages(parts: tuple[str, str, str], message: str) -> None:
    fields = form_fields("review_meeting_scheduled", {})
    day, month, year = parts
    form = FormData(
        [("meeting_on-day", day), ("meeting_on-month", month), ("meeting_on-year", year)]
    )
    assert parse(form, fields).errors == {"meeting_on-day": message}
