"""Reg 10(4)(a): the closure window runs from one week before a closure of at least four
continuous weeks until one week before the setting reopens."""

from __future__ import annotations

from datetime import date

import pytest

from ehcp_engine.domain.rules import RuleError
from ehcp_engine.domain.term_dates import Closure, load_term_dates


def test_window_is_one_week_before_closing_to_one_week_before_reopening():
    summer = Closure(date(2026, 7, 22), date(2026, 9, 1))  # Wed to Tue; reopens Wed 2 Sep
    assert summer.long
    assert summer.exception_window() == (date(2026, 7, 15), date(2026, 8, 26))  # Wed, Wed
    assert summer.covers(date(2026, 7, 15)) and summer.covers(date(2026, 8, 26))
    assert not summer.covers(date(2026, 7, 14)) and not summer.covers(date(2026, 8, 27))


def test_a_closure_shorter_than_four_weeks_never_counts():
    christmas = Closure(date(2026, 12, 19), date(2027, 1, 4))  # 17 days
    assert not christmas.long
    assert not christmas.covers(date(2026, 12, 20))


def test_exactly_four_weeks_counts():
    four_weeks = Closure(date(2026, 8, 1), date(2026, 8, 28))  # Sat 1 to Fri 28 Aug: 28 days
    assert four_weeks.long


def test_loader_refuses_a_closure_that_ends_before_it_starts(tmp_path):
    path = tmp_path / "term_dates.toml"
    path.write_text("[default]\nclosures = [{ from = 2026-09-01, to = 2026-07-22 }]\n")
    with pytest.raises(RuleError, match=r"default\.closures\[0\]"):
        load_term_dates(path)


def test_loader_refuses_unknown_keys(tmp_path):
    path = tmp_path / "term_dates.toml"
    path.write_text("[defaults]\n")
    with pytest.raises(RuleError, match="unknown keys"):
        load_term_dates(path)
