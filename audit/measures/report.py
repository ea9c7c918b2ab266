"""All measures over a period, as one JSON document and as CSV rows."""

from __future__ import annotations

import csv
import io
import tomllib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from audit.measures.facts import Fact
from audit.measures.local import HeadingsOf, Targets, local_measures
from audit.measures.rates import Period
from audit.measures.timeliness import monthly_trend, timeliness_measures, weeks_to_issue
from ehcp_engine.domain.calendar import StatutoryCalendar
from ehcp_engine.domain.rules import RuleError


@dataclass(frozen=True)
class MeasureSettings:
    """config/measures.toml."""

    weeks_buckets: tuple[int, ...] = (6, 10, 14, 16, 20, 26, 30, 40, 52)
    overdue_months: tuple[int, ...] = (6, 12, 24)
    targets: Targets = field(default_factory=Targets)


def load_measure_settings(path: Path) -> MeasureSettings:
    if not path.exists():
        return MeasureSettings()
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    known = {"weeks_buckets", "overdue_months", "advice_targets_percent"}
    if set(raw) - known:
        raise RuleError(f"{path}: unknown settings {sorted(set(raw) - known)}")
    lists = {name: raw.get(name) for name in known if name in raw}
    for name, value in lists.items():
        if not isinstance(value, list) or not all(isinstance(v, int) and v > 0 for v in value):
            raise RuleError(f"{path}: {name} must be a list of positive whole numbers")
        if value != sorted(value):
            raise RuleError(f"{path}: {name} must be in increasing order")
    default = MeasureSettings()
    return MeasureSettings(
        weeks_buckets=tuple(raw.get("weeks_buckets", default.weeks_buckets)),
        overdue_months=tuple(raw.get("overdue_months", default.overdue_months)),
        targets=Targets(tuple(raw.get("advice_targets_percent", default.targets.advice_percent))),
    )


def measures_report(
    facts: Sequence[Fact],
    period: Period,
    settings: MeasureSettings,
    cal: StatutoryCalendar,
    headings_of: HeadingsOf,
) -> dict[str, Any]:
    return {
        "period": period_dict(period),
        "timeliness": timeliness_measures(facts, period),
        "weeks_to_issue": weeks_to_issue(facts, period, settings.weeks_buckets),
        "trend": monthly_trend(facts, period),
        "local": local_measures(facts, period, cal, settings.targets, headings_of),
    }


MEMBERS = frozenset({"numerator_ids", "denominator_ids", "excluded_ids", "case_ids"})


def without_ids(report: Any) -> Any:
    """The report without its member lists (the case ids counted): what the dashboard gives
    unless the ids are asked for, since at a large authority each list is a whole cohort."""
    if isinstance(report, dict):
        return {k: without_ids(v) for k, v in report.items() if k not in MEMBERS}
    if isinstance(report, list):
        return [without_ids(v) for v in report]
    return report


def period_dict(period: Period) -> dict[str, str]:
    return {
        "from": period.start.isoformat(),
        "to": period.end.isoformat(),
        "as_of": period.as_of.isoformat(),
    }


CSV_COLUMNS = ("measure", "group", "label", "source", "numerator", "denominator", "percent")


def _rates(result: dict[str, Any], path: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every (group, rate) inside a result: a rate has numerator and denominator."""
    if "numerator" in result and "denominator" in result:
        yield path, result
        for name, sub in result.get("by", {}).items():
            yield f"{path}/{name}" if path else name, sub
        return
    for name, value in result.items():
        if isinstance(value, dict):
            yield from _rates(value, f"{path}/{name}" if path else name)


def report_csv(report: dict[str, Any]) -> str:
    """One row per measure and per group of a measure (numerator, denominator, percentage)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for m in report["timeliness"]:
        for group, rate in _rates(m):
            writer.writerow((m["id"], group or "all", m["label"], m["source"], *_numbers(rate)))
    for m in report["local"]:
        for group, rate in _rates(m["result"]):
            writer.writerow((m["id"], group or "all", m["label"], m["source"], *_numbers(rate)))
    return out.getvalue()


def _numbers(rate: dict[str, Any]) -> tuple[Any, ...]:
    pct = rate.get("percent")
    return rate["numerator"], rate["denominator"], "" if pct is None else pct
