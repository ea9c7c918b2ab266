"""The plan's sections as web forms: which fields each section and item has, how a posted form
becomes section content, and how the validator's field paths map back to form fields.

The content model (ehcp_engine/domain/plan_content.py) stays the one judge of what is valid: a
form is turned into the same JSON the API takes and passed to `plans.update_version`, whose
`EventInvalid` names fields as `content.<section>.<n>.<field>`; `field_errors` turns those into
the messages beside each field.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ehcp_engine.domain.plan_content import (
    AREA_LABELS,
    NEEDS_SERVED,
    PFA_LABELS,
    PROVISION_SECTIONS,
    SECTION_TITLES,
)

LIST_SECTIONS = ("b", "c", "d", "e", *PROVISION_SECTIONS)
FORM_SECTIONS = ("a", "i", "j")
EDITABLE = (*FORM_SECTIONS[:1], *LIST_SECTIONS, *FORM_SECTIONS[1:])


@dataclass(frozen=True)
class Field:
    """One form field: `kind` is text, textarea, lines (one entry per line), radios or
    checkboxes; `choices` are (value, label)."""

    name: str
    label: str
    kind: str = "text"
    hint: str = ""
    choices: tuple[tuple[str, str], ...] = ()
    optional: bool = False


ID_HINT = "A short reference that stays the same across versions, for example B1 or F3."


def _id_field(prefix: str) -> Field:
    return Field("id", "Reference", hint=f"{ID_HINT.replace('B1', f'{prefix}1', 1)}")


SECTION_FIELDS: dict[str, tuple[Field, ...]] = {
    "a": (
        Field("views", "Views", "textarea", optional=True),
        Field("interests", "Interests", "textarea", optional=True),
        Field("aspirations", "Aspirations", "textarea", optional=True),
    ),
    "i": (
        Field(
            "setting_name",
            "Name of the school or other institution",
            hint="Leave empty in a draft plan: the setting is named in the final plan (s.38(5)).",
            optional=True,
        ),
        Field("setting_type", "Type of school or institution", optional=True),
    ),
    "j": (
        Field("personal_budget", "Personal budget (£)", hint="For example 1200.00", optional=True),
        Field("arrangements", "How the budget will be used", "textarea", optional=True),
    ),
}


def item_fields(
    section: str, content: Mapping[str, Any], framework: tuple[str, ...]
) -> tuple[Field, ...]:
    """The fields of one item of a list section; provision items offer the needs and outcomes
    already in the plan to tick."""
    prefix = section.upper()
    if section == "b":
        areas = tuple(AREA_LABELS.items())
        return (
            _id_field(prefix),
            Field("area", "Broad area of need", "radios", choices=areas),
            Field("description", "Description of the need", "textarea"),
        )
    if section in ("c", "d"):
        return (_id_field(prefix), Field("description", "Description of the need", "textarea"))
    if section == "e":
        return _outcome_fields(framework)
    needs = tuple(
        (n["id"], f"{n['id']}: {_short(n['description'])}")
        for s in NEEDS_SERVED[section]
        for n in content.get(s, [])
    )
    outcomes = tuple(
        (o["id"], f"{o['id']}: {_short(o['description'])}") for o in content.get("e", [])
    )
    return (
        _id_field(prefix),
        Field("what", "The provision", "textarea"),
        Field("who", "Who provides it", optional=True),
        Field("amount", "How much", hint="For example 2 hours, 30 minutes", optional=True),
        Field("frequency", "How often", hint="For example weekly, termly", optional=True),
        Field("needs", "Needs it meets", "checkboxes", choices=needs, optional=True),
        Field(
            "outcomes", "Outcomes it works towards", "checkboxes", choices=outcomes, optional=True
        ),
    )


def _outcome_fields(framework: tuple[str, ...]) -> tuple[Field, ...]:
    pfa = (("", "None"), *PFA_LABELS.items())
    headings = "One per line, from the local outcomes framework: " + "; ".join(framework)
    return (
        _id_field("E"),
        Field("description", "The outcome", "textarea"),
        Field("time_frame", "By when", hint="For example by the end of Year 6", optional=True),
        Field("steps", "Steps towards it", "lines", hint="One step per line", optional=True),
        Field("pfa_theme", "Preparing for adulthood", "radios", choices=pfa, optional=True),
        Field("headings", "Outcome framework headings", "lines", hint=headings, optional=True),
    )


def _short(text: str, length: int = 60) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


def from_form(
    fields: tuple[Field, ...], form: Mapping[str, Any], multi: Mapping[str, list[str]]
) -> dict[str, Any]:
    """The section or item as content JSON; empty optional fields are left out or emptied."""
    out: dict[str, Any] = {}
    for f in fields:
        if f.kind == "checkboxes":
            out[f.name] = [v for v in multi.get(f.name, []) if v]
            continue
        raw = str(form.get(f.name, "") or "")
        if f.kind == "lines":
            out[f.name] = [line.strip() for line in raw.splitlines() if line.strip()]
        elif raw.strip() or not f.optional:
            out[f.name] = raw.strip() if f.kind != "textarea" else raw.strip("\r\n")
        elif f.name in (
            "pfa_theme",
            "setting_name",
            "setting_type",
            "personal_budget",
            "arrangements",
        ):
            out[f.name] = None
        else:
            out[f.name] = ""
    return out


def as_form(fields: tuple[Field, ...], item: Mapping[str, Any]) -> dict[str, Any]:
    """Content values as the form shows them (lines joined, None as empty)."""
    values: dict[str, Any] = {}
    for f in fields:
        value = item.get(f.name)
        if f.kind == "lines":
            values[f.name] = "\n".join(value or [])
        elif f.kind == "checkboxes":
            values[f.name] = list(value or [])
        else:
            values[f.name] = "" if value is None else str(value)
    return values


def field_errors(errors: list[tuple[str, str]], prefix: str) -> tuple[dict[str, str], list[str]]:
    """Split the validator's errors into those on this form's fields (by field name) and the rest
    (said in words, with where they are)."""
    mine: dict[str, str] = {}
    others: list[str] = []
    for path, message in errors:
        if path.startswith(prefix + "."):
            name = path[len(prefix) + 1 :].split(".")[0]
            mine.setdefault(name, _sentence(message))
        else:
            others.append(f"{_where(path)}: {message}")
    return mine, others


def _where(path: str) -> str:
    parts = path.removeprefix("content.").split(".")
    section = parts[0]
    title = f"Section {section.upper()}"
    if len(parts) > 1 and parts[1].isdigit():
        return f"{title}, item {int(parts[1]) + 1}"
    return title


def _sentence(message: str) -> str:
    return message[:1].upper() + message[1:]


def section_title(section: str) -> str:
    return f"Section {section.upper()}: {SECTION_TITLES[section]}"
