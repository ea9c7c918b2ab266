"""Timer rules as data: the shipped rule sets load, and a bad rule stops start-up with a message
that names the file, the timer and the value."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from ehcp_engine.config import load_engine_config
from ehcp_engine.domain.rules import RuleError, load_rule_book
from ehcp_engine.settings import REPO_CONFIG

STATUTORY_TIMERS = {
    # STATUTORY.md §3, every row (the order and unopposed families expand per order type).
    "assessment_decision",
    "advice",
    "no_plan_notice",
    "draft_comments",
    "setting_consultation",
    "final_plan",
    "annual_review",
    "early_years_review",
    "review_invitations",
    "review_advice_circulated",
    "review_report",
    "review_decision",
    "amendment_comments",
    "amended_plan",
    "phase_transfer",
    "post16_transfer",
    "reassessment_decision",
    "reassessment_plan",
    "transfer_plan_sent",
    "transfer_notice",
    "transfer_review",
    "mediation_contact",
    "mediation_certificate",
    "mediation_held",
    "mediation_agreement",
    "appeal_window",
    "tribunal_response",
    "order_assess",
    "order_make_plan",
    "order_amend",
    "order_name_setting",
    "order_continue",
    "order_cease",
    "recommendation_response",
}


@pytest.fixture
def rules_copy(tmp_path: Path) -> Path:
    target = tmp_path / "rules"
    shutil.copytree(REPO_CONFIG / "rules", target)
    return target


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def test_every_statutory_timer_has_a_rule_with_a_source():
    book = load_rule_book(REPO_CONFIG / "rules")
    base = book.by_id("2015")
    assert set(base.timers) >= STATUTORY_TIMERS
    assert all(t.source for t in base.timers.values())
    assert {t for t in base.timers if t.startswith("unopposed_")} == {
        "unopposed_assess",
        "unopposed_make_plan",
        "unopposed_amend",
        "unopposed_name_setting",
        "unopposed_continue",
    }


def test_guidance_rules_are_labelled_as_guidance():
    base = load_rule_book(REPO_CONFIG / "rules").by_id("2015")
    guidance = {tid for tid, t in base.timers.items() if t.guidance}
    assert {"setting_consultation", "early_years_review", "tribunal_response"} <= guidance
    assert "final_plan" not in guidance


def test_a_case_keeps_the_rule_set_in_force_when_its_request_was_received():
    book = load_rule_book(REPO_CONFIG / "rules")
    assert book.for_date(date(2020, 4, 30)).id == "2015"
    assert book.for_date(date(2020, 5, 1)).id == "2020-coronavirus"  # SI 2020/471 in force
    assert book.for_date(date(2020, 9, 25)).id == "2020-coronavirus"  # its last day
    assert book.for_date(date(2020, 9, 26)).id == "2015"
    assert book.for_date(date(2026, 1, 5)).id == "2015"


def test_coronavirus_rule_set_extends_2015_and_adds_only_its_ground():
    book = load_rule_book(REPO_CONFIG / "rules")
    covid, base = book.by_id("2020-coronavirus"), book.by_id("2015")
    assert set(covid.timers) == set(base.timers)
    assert covid.timer("final_plan").unit == "weeks" and covid.timer("final_plan").amount == 20
    assert "coronavirus" in covid.grounds_for("final_plan")
    assert "coronavirus" not in base.grounds_for("final_plan")
    assert covid.grounds_for("annual_review") == ("coronavirus",)
    assert base.grounds_for("annual_review") == ()


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            'met_by = ["final_plan_issued"]',
            'met_by = ["final_plan_isued"]',
            "timer 'final_plan': unknown event 'final_plan_isued'",
        ),
        (
            'unit = "weeks"\namount = 20',
            'unit = "fortnights"\namount = 10',
            "timer 'final_plan': unknown unit 'fortnights'",
        ),
        ('exceptions = "reg8_2"', 'exceptions = "reg99"', "unknown exception set 'reg99'"),
        (
            'calculator = "appeal_window"',
            'calculator = "appeal_windw"',
            "unknown calculator 'appeal_windw'",
        ),
        ('when = "child_under_5"', 'when = "child_under_6"', "unknown condition 'child_under_6'"),
        (
            'label = "Decision whether to assess"\n',
            'label = "Decision whether to assess"\ncolour = 1\n',
            "timers.assessment_decision.colour",
        ),
    ],
)
def test_a_bad_rule_stops_start_up_naming_file_timer_and_value(rules_copy, old, new, message):
    _edit(rules_copy / "2015.toml", old, new)
    with pytest.raises(RuleError) as caught:
        load_rule_book(rules_copy)
    assert message in str(caught.value)
    assert "2015.toml" in str(caught.value)


def test_unparseable_toml_is_named(rules_copy):
    (rules_copy / "2015.toml").write_text("id = \n")
    with pytest.raises(RuleError, match=r"2015\.toml: not valid TOML"):
        load_rule_book(rules_copy)


def test_extending_an_unknown_rule_set_is_refused(rules_copy):
    _edit(rules_copy / "2020-coronavirus.toml", 'extends = "2015"', 'extends = "2014"')
    with pytest.raises(RuleError, match="extends '2014'"):
        load_rule_book(rules_copy)


def test_missing_config_directory_is_refused(tmp_path):
    with pytest.raises(RuleError, match="does not exist"):
        load_engine_config(tmp_path / "nowhere")


def test_unknown_calendar_setting_is_refused(tmp_path):
    shutil.copytree(REPO_CONFIG, tmp_path / "config")
    (tmp_path / "config" / "calendar.toml").write_text("fixed_date_inclusiv = true\n")
    with pytest.raises(RuleError, match="unknown settings"):
        load_engine_config(tmp_path / "config")
