"""Each check fires on a plan that breaks it and stays quiet on one that does not."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from ehcp_engine.domain.plan_checks import Check, checks
from ehcp_engine.domain.plan_content import ReceivedAdvice, load_outcome_framework, parse_content
from ehcp_engine.settings import REPO_CONFIG
from tests.plans.sample import good

YORK = load_outcome_framework(REPO_CONFIG)
PARENTS = ReceivedAdvice(None, "parent", "Parents", date(2026, 3, 1))


def run(
    raw: dict[str, Any],
    *,
    year_group: int | None = 7,
    advice: list[ReceivedAdvice] | None = None,
    kind: str = "final",
) -> list[Check]:
    return checks(
        parse_content(raw, YORK),
        year_group=year_group,
        advice_received=[PARENTS] if advice is None else advice,
        kind=kind,
    )


def codes(found: list[Check]) -> list[tuple[str, str, str | None]]:
    return [(c.code, c.section, c.item) for c in found]


def test_the_complete_plan_raises_no_check():
    assert run(good()) == []


def test_a_complete_plan_for_year_9_with_a_pfa_outcome_raises_no_check():
    assert run(good(), year_group=11) == []


def test_need_in_b_with_no_provision_in_f():
    raw = good()
    raw["f"][1]["needs"] = []
    assert codes(run(raw)) == [("need_without_provision", "b", "B2")]


def test_a_need_met_only_by_health_provision_still_needs_f():
    raw = good()
    raw["f"][1]["needs"] = []
    raw["g"][0]["needs"] = ["C1", "B2"]
    assert codes(run(raw)) == [("need_without_provision", "b", "B2")]


def test_provision_with_no_amount():
    raw = good()
    raw["f"][0]["amount"] = ""
    found = run(raw)
    assert codes(found) == [("provision_not_quantified", "f", "F1")]
    assert "no amount" in found[0].message


def test_provision_with_no_frequency_in_health_provision():
    raw = good()
    raw["g"][0]["frequency"] = "  "
    assert codes(run(raw)) == [("provision_not_quantified", "g", "G1")]


@pytest.mark.parametrize(
    "field, text",
    [
        ("what", "Access to a speech and language therapist"),
        ("frequency", "as required"),
        ("amount", "up to 5 hours"),
        ("frequency", "regular"),
    ],
)
def test_provision_in_unspecific_words(field: str, text: str):
    raw = good()
    raw["f"][1][field] = text
    found = run(raw)
    assert codes(found) == [("provision_not_quantified", "f", "F2")]
    assert "unspecific" in found[0].message


def test_outcome_with_no_provision():
    raw = good()
    raw["f"][1]["outcomes"] = []
    assert codes(run(raw)) == [("outcome_without_provision", "e", "E2")]


def test_year_9_plan_with_no_preparation_for_adulthood_outcome():
    raw = good()
    raw["e"][0]["pfa_theme"] = None
    found = run(raw, year_group=9)
    assert codes(found) == [("no_preparation_for_adulthood_outcome", "e", None)]
    assert not run(raw, year_group=8)
    assert not run(raw, year_group=None)


def test_advice_received_but_missing_from_k():
    ep = ReceivedAdvice(12, "psychological", "EP service", date(2026, 3, 9))
    found = run(good(), advice=[PARENTS, ep])
    assert codes(found) == [("advice_missing_from_k", "k", "12")]
    assert "EP service" in found[0].message


def test_advice_listed_in_k_by_its_request():
    ep = ReceivedAdvice(12, "psychological", "EP service", date(2026, 3, 9))
    raw = good()
    raw["k"].append(
        {
            "advice_request_id": 12,
            "advice_type": "psychological",
            "contributor": "Educational psychology",
            "received_on": "2026-03-09",
        }
    )
    assert run(raw, advice=[PARENTS, ep]) == []


@pytest.mark.parametrize("section", ["a", "c", "d", "g", "h1", "h2", "i", "j", "k"])
def test_a_section_left_empty(section: str):
    raw = good()
    empty: Any = {} if section in ("a", "i", "j") else []
    raw[section] = empty
    # Emptying C, D, G or H can leave a provision item or an outcome unserved: keep the rest
    # consistent so only the empty section fires.
    for item in raw["g"] + raw["h1"] + raw["h2"]:
        item["needs"] = [n for n in item["needs"] if n[0] != section.upper()]
    found = run(raw, advice=[] if section == "k" else None)
    assert codes(found) == [("section_empty", section, None)]


def test_empty_b_e_and_f_each_fire():
    found = run(good(b=[], e=[], f=[], g=[], h1=[], h2=[]))
    assert {(c.code, c.section) for c in found if c.code == "section_empty"} >= {
        ("section_empty", "b"),
        ("section_empty", "e"),
        ("section_empty", "f"),
    }


def test_a_draft_naming_a_setting_is_blocked():
    found = run(good(), kind="draft")
    assert codes(found) == [("draft_names_setting", "i", None)]
    assert found[0].blocking
    assert "s.38(5)" in found[0].message


def test_a_draft_naming_only_a_type_of_setting_is_blocked():
    found = run(good(i={"setting_type": "Special school"}), kind="draft")
    assert [c.code for c in found if c.blocking] == ["draft_names_setting"]


def test_a_draft_leaving_i_empty_raises_nothing():
    assert run(good(i={}), kind="draft") == []


def test_a_final_plan_naming_a_setting_is_not_blocked():
    assert not [c for c in run(good()) if c.blocking]


def test_warnings_never_block():
    raw = good(j={}, k=[])
    raw["f"][0]["amount"] = ""
    raw["f"][1]["needs"] = []
    found = run(raw, year_group=10, advice=[PARENTS])
    assert found and not any(c.blocking for c in found)
