"""Sections A–K as validated data: structure, cross references, outcome headings, Section K."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from ehcp_engine.domain.errors import EventInvalid
from ehcp_engine.domain.plan_content import (
    NO_FRAMEWORK,
    FrameworkError,
    PlanContent,
    ReceivedAdvice,
    load_outcome_framework,
    parse_content,
    with_received_advice,
)
from ehcp_engine.settings import REPO_CONFIG
from tests.plans.sample import GOOD, good

YORK = load_outcome_framework(REPO_CONFIG)


def fields_at_fault(raw: dict) -> list[str]:
    with pytest.raises(EventInvalid) as caught:
        parse_content(raw, YORK)
    return [field for field, _ in caught.value.errors]


def test_the_complete_sample_plan_is_valid():
    content = parse_content(GOOD, YORK)
    assert [o.id for o in content.e] == ["E1", "E2"]
    assert content.as_json()["j"]["personal_budget"] == "1200.00"


def test_an_empty_plan_is_valid_content():
    assert parse_content({}, YORK) == PlanContent()


def test_york_is_the_active_framework_with_its_seven_outcomes():
    assert YORK.id == "york"
    assert YORK.headings == (
        "I am safe",
        "I am becoming more independent",
        "I can overcome challenges and difficulties on my own or with support",
        "I achieve my goals",
        "I have a choice and am heard",
        "I am included",
        "I am healthy",
    )


def test_shropshire_can_be_made_active(tmp_path: Path):
    text = (REPO_CONFIG / "outcome_frameworks.toml").read_text(encoding="utf-8")
    (tmp_path / "outcome_frameworks.toml").write_text(
        text.replace('active = "york"', 'active = "shropshire"'), encoding="utf-8"
    )
    shropshire = load_outcome_framework(tmp_path)
    assert shropshire.headings == (
        "Heard",
        "Achieving",
        "Healthy",
        "Happy",
        "Included",
        "Safe",
        "Independent",
    )


def test_a_framework_file_naming_no_framework_is_refused(tmp_path: Path):
    (tmp_path / "outcome_frameworks.toml").write_text('active = "kent"\n', encoding="utf-8")
    with pytest.raises(FrameworkError, match="active"):
        load_outcome_framework(tmp_path)


def test_without_a_framework_file_no_heading_is_accepted(tmp_path: Path):
    assert load_outcome_framework(tmp_path) == NO_FRAMEWORK
    with pytest.raises(EventInvalid, match="none configured"):
        parse_content(good(), NO_FRAMEWORK)


def test_an_unknown_field_is_refused_naming_it():
    raw = good()
    raw["f"][0]["hours"] = 3
    assert fields_at_fault(raw) == ["content.f.0.hours"]


def test_an_unknown_area_of_need_is_refused():
    raw = good()
    raw["b"][1]["area"] = "behaviour"
    assert fields_at_fault(raw) == ["content.b.1.area"]


def test_provision_naming_a_need_not_in_b_is_refused_naming_the_field():
    raw = good()
    raw["f"][1]["needs"] = ["B2", "B9"]
    with pytest.raises(EventInvalid) as caught:
        parse_content(raw, YORK)
    assert caught.value.errors == [("content.f.1.needs.1", "no need 'B9' in section B")]


def test_special_educational_provision_serves_only_section_b_needs():
    raw = good()
    raw["f"][0]["needs"] = ["C1"]
    assert fields_at_fault(raw) == ["content.f.0.needs.0"]


def test_health_provision_may_serve_health_needs_and_sen():
    raw = good()
    raw["g"][0]["needs"] = ["C1", "B1"]
    assert parse_content(raw, YORK).g[0].needs == ["C1", "B1"]


def test_provision_naming_an_outcome_not_in_e_is_refused():
    raw = good()
    raw["h1"][0]["outcomes"] = ["E7"]
    assert fields_at_fault(raw) == ["content.h1.0.outcomes.0"]


def test_duplicate_ids_are_refused():
    raw = good()
    raw["c"][0]["id"] = "B1"
    raw["g"][0]["needs"] = ["B1"]
    raw["e"][1]["id"] = "E1"
    raw["f"][1]["outcomes"] = ["E1"]
    assert fields_at_fault(raw) == ["content.c.0.id", "content.e.1.id"]


def test_an_id_must_be_a_short_stable_token():
    raw = good()
    raw["b"][0]["id"] = "need one"
    assert "content.b.0.id" in fields_at_fault(raw)


def test_a_heading_outside_the_active_framework_is_refused():
    raw = good()
    raw["e"][0]["headings"] = ["I am safe", "Happy"]  # Happy is Shropshire's, not York's
    with pytest.raises(EventInvalid) as caught:
        parse_content(raw, YORK)
    (field, message), *_ = caught.value.errors
    assert field == "content.e.0.headings.1"
    assert "York SEND Outcomes Framework" in message


def test_headings_are_stored_in_the_frameworks_spelling():
    raw = good()
    raw["e"][0]["headings"] = ["i am SAFE "]
    assert parse_content(raw, YORK).e[0].headings == ["I am safe"]


def test_an_unknown_pfa_theme_is_refused():
    raw = good()
    raw["e"][0]["pfa_theme"] = "leisure"
    assert fields_at_fault(raw) == ["content.e.0.pfa_theme"]


def test_text_the_database_cannot_hold_is_refused():
    raw = good(a={"views": "nul \x00 here"})
    assert fields_at_fault(raw) == ["content.a.views"]


def test_a_negative_personal_budget_is_refused():
    assert fields_at_fault(good(j={"personal_budget": "-5"})) == ["content.j.personal_budget"]


def test_section_k_is_filled_with_received_advice_once():
    content = parse_content(good(k=[]), YORK)
    received = [
        ReceivedAdvice(7, "educational", "Springfield Primary", date(2026, 3, 2)),
        ReceivedAdvice(8, "psychological", "EP service", date(2026, 3, 9)),
    ]
    filled = with_received_advice(content, received)
    assert [(a.advice_request_id, a.contributor) for a in filled.k] == [
        (7, "Springfield Primary"),
        (8, "EP service"),
    ]
    assert with_received_advice(filled, received).k == filled.k


def test_advice_typed_into_k_without_its_request_counts_as_listed():
    content = parse_content(
        good(
            k=[
                {
                    "advice_type": "psychological",
                    "contributor": "ep service",
                    "received_on": "2026-03-09",
                }
            ]
        ),
        YORK,
    )
    received = [ReceivedAdvice(8, "psychological", "EP service", date(2026, 3, 9))]
    assert with_received_advice(content, received).k == content.k
