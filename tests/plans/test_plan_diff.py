"""What changed between two versions, section by section."""

from __future__ import annotations

from ehcp_engine.domain.plan_content import load_outcome_framework, parse_content
from ehcp_engine.services.plan_diff import as_json, diff, summary_text
from ehcp_engine.settings import REPO_CONFIG
from tests.plans.sample import good

YORK = load_outcome_framework(REPO_CONFIG)


def changes_of(old: dict, new: dict) -> dict[str, list[tuple[str, str | None, list[str]]]]:
    sections = diff(parse_content(old, YORK), parse_content(new, YORK))
    return {
        s.section: [(c.change, c.id, [f.field for f in c.fields]) for c in s.changes]
        for s in sections
        if s.changes
    }


def test_identical_versions_have_no_changes():
    sections = diff(parse_content(good(), YORK), parse_content(good(), YORK))
    assert [s.section for s in sections] == [
        "a", "b", "c", "d", "e", "f", "g", "h1", "h2", "i", "j", "k"
    ]  # fmt: skip
    assert not any(s.changed for s in sections)
    assert summary_text(sections) == "No changes."


def test_a_changed_provision_item_names_the_fields_changed():
    new = good()
    new["f"][0]["frequency"] = "daily"
    new["f"][0]["amount"] = "45 minutes"
    assert changes_of(good(), new) == {"f": [("changed", "F1", ["amount", "frequency"])]}


def test_added_and_removed_items_are_matched_by_id_not_position():
    new = good()
    new["b"] = [
        new["b"][1],
        {"id": "B3", "area": "semh", "description": "Anxiety about transitions."},
    ]
    new["f"][0]["needs"] = ["B3"]
    found = changes_of(good(), new)
    assert found["b"] == [
        ("added", "B3", ["area", "description"]),
        ("removed", "B1", ["area", "description"]),
    ]
    assert found["f"] == [("changed", "F1", ["needs"])]


def test_sections_a_i_and_j_are_compared_field_by_field():
    new = good(i={"setting_name": "Beech College", "setting_type": "Mainstream secondary academy"})
    new["a"]["aspirations"] = "To be a train driver."
    assert changes_of(good(), new) == {
        "a": [("changed", None, ["aspirations"])],
        "i": [("changed", None, ["setting_name"])],
    }


def test_the_summary_says_what_changes_in_words():
    new = good(i={"setting_name": "Beech College"})
    new["f"][0]["frequency"] = "daily"
    new["e"].append(
        {"id": "E3", "description": "Travels to college on the bus independently.", "steps": []}
    )
    new["f"][0]["outcomes"] = ["E1", "E3"]
    text = summary_text(diff(parse_content(good(), YORK), parse_content(new, YORK)))
    assert "Section E (Outcomes):\n- add E3: Travels to college on the bus independently." in text
    assert "frequency from 3 times a week to daily" in text
    assert "setting named from Oak Academy to Beech College" in text
    assert "type of setting from Mainstream secondary academy to (none)" in text


def test_the_json_form_flags_each_section():
    new = good()
    new["k"] = []
    sections = as_json(diff(parse_content(good(), YORK), parse_content(new, YORK)))
    assert [s["section"] for s in sections if s["changed"]] == ["k"]
    assert sections[-1]["changes"][0]["change"] == "removed"
