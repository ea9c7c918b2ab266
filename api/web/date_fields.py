"""Dates entered in the GOV.UK date input pattern (day, month and year boxes), read from a form
or a query string, with the Design System's error messages."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any


@dataclass(frozen=True)
class DateField:
    """What was typed (to show again) and the date, or the error to show."""

    day: str
    month: str
    year: str
    value: date | None
    error: str | None

    @property
    def empty(self) -> bool:
        return not (self.day or self.month or self.year)

    def items(self, name: str) -> list[dict[str, Any]]:
        """govukDateInput items: the boxes, each with what was typed, in error when wrong."""
        wrong = " govuk-input--error" if self.error else ""
        return [
            {"name": "day", "classes": "govuk-input--width-2" + wrong, "value": self.day},
            {"name": "month", "classes": "govuk-input--width-2" + wrong, "value": self.month},
            {"name": "year", "classes": "govuk-input--width-4" + wrong, "value": self.year},
        ]


def read_date(
    values: Mapping[str, Any], name: str, label: str, *, required: bool = True
) -> DateField:
    """`name-day`, `name-month` and `name-year` as a date; `label` names it in messages
    ("the start date")."""

    def part(key: str) -> str:
        raw = values.get(f"{name}-{key}")
        return raw.strip()[:10] if isinstance(raw, str) else ""

    day, month, year = part("day"), part("month"), part("year")
    if not (day or month or year):
        error = f"Enter {label}" if required else None
        return DateField(day, month, year, None, error)
    missing = [k for k, v in (("day", day), ("month", month), ("year", year)) if not v]
    if missing:
        return DateField(
            day, month, year, None, f"{label.capitalize()} must include a {missing[0]}"
        )
    if not (day.isdigit() and month.isdigit() and year.isdigit()) or len(year) != 4:
        return DateField(day, month, year, None, f"{label.capitalize()} must be a real date")
    try:
        value = date(int(year), int(month), int(day))
    except ValueError:
        return DateField(day, month, year, None, f"{label.capitalize()} must be a real date")
    return DateField(day, month, year, value, None)


def date_field(value: date) -> DateField:
    """A date already known, to show in the boxes."""
    return DateField(str(value.day), str(value.month), str(value.year), value, None)
