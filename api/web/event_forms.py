"""Forms generated from the event vocabulary's pydantic data models (domain/events.py).

Each data field becomes one GOV.UK input: dates a date input (day, month, year), Literals and
booleans radios, lists of choices checkboxes, lists of text one item a line, short text an input
and long text a textarea. Fields the write path fills itself (stable keys) are never asked for.
Parsing turns the posted form back into the event's data, with a GOV.UK message per field for
what cannot even be read (a date that does not exist); the rest is the write path's to check.
"""

from __future__ import annotations

import types
from dataclasses import dataclass, replace
from datetime import date
from typing import Any, Literal, Union, get_args, get_origin

from annotated_types import MaxLen
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from ehcp_engine.domain.events import data_model

# Filled by the write path from the ids the officer picks (write_path.resolve_references).
INTERNAL = frozenset({"deadline_key", "advice_request_key"})
# The event's own date; named apart from a correction's data field `occurred_on`.
EVENT_DATE = "event_on"
LONG_TEXT = 500

LABELS: dict[str, str] = {
    "source": "Who made the request",
    "received_by": "Who received the request",
    "reasons": "Reasons for the decision",
    "reason": "Reason",
    "advice_type": "Type of advice",
    "contributor": "Who was asked for advice",
    "received_by_contributor_on": "Date the contributor received the request",
    "question": "Question for the contributor",
    "advice_request_id": "Which advice request this answers",
    "requested_setting": "Setting the family asked for",
    "setting": "Name of the school or setting",
    "named_setting": "Setting named in the plan",
    "names_next_setting": "Does the plan name the setting for the next phase of education?",
    "ground": "Ground for the exception",
    "from": "Date the exception starts",
    "to": "Date the exception ends",
    "rule": "Which deadline the exception applies to",
    "family_informed": "Has the family been told?",
    "evidence": "Evidence for the exception",
    "seq": "Which event to correct",
    "occurred_on": "Correct date of the event",
    "void": "Did the event not happen at all (void it)?",
    "meeting_on": "Date of the meeting",
    "participants": "Who took part",
    "decision_seq": "Audit number of the decision disputed",
}
HINTS: dict[str, str] = {
    "received_by_contributor_on": "Leave blank if it is the date the request was sent.",
    "to": "Leave blank if it has not ended yet.",
    "occurred_on": "Leave blank if the date was right.",
    "decision_seq": "Leave blank for the latest open decision.",
    "evidence": "What shows the exception applies, for example a letter or a note of a call.",
}


# Option texts where the bare value would not tell an officer which law applies (STATUTORY §3).
OPTION_TEXT: dict[str, str] = {
    "setting_closure": "A school or college closed for 4 weeks or more (Reg 10(4)(a))",
    "early_years_closure": "An early years setting closed for 4 weeks or more (Reg 10(4)(b))",
    "personal_circumstances": "Exceptional personal circumstances of the child or family "
    "(Reg 10(4)(c), 8(2)(a))",
    "absence_from_area": "The child or family away from the area for 2 weeks or more "
    "(Reg 10(4)(d), 8(2)(b))",
    "missed_appointment": "The child or family missed an appointment (Reg 8(2)(c))",
    "representations": "The family wants to make representations (Reg 44(3))",
    "coronavirus": "Coronavirus (SI 2020/471, 1 May to 25 September 2020 only)",
}


@dataclass(frozen=True)
class FormField:
    name: str  # the form field and the data key (pydantic's alias)
    kind: Literal["date", "text", "textarea", "int", "choice", "bool", "multi", "lines"]
    label: str
    optional: bool
    options: tuple[tuple[str, Any, str], ...] = ()  # (form value, data value, text)
    hint: str = ""

    @property
    def anchor(self) -> str:
        """The id an error summary links to: the first input of the field."""
        return f"{self.name}-day" if self.kind == "date" else self.name


def humanise(name: str | int) -> str:
    text = str(name).replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def _unwrap_optional(annotation: Any) -> tuple[Any, bool]:
    if get_origin(annotation) in (Union, types.UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        if len(args) < len(get_args(annotation)):
            return (args[0] if len(args) == 1 else Union[tuple(args)]), True  # noqa: UP007
    return annotation, False


def _choices(values: tuple[Any, ...]) -> tuple[tuple[str, Any, str], ...]:
    return tuple((str(v), v, OPTION_TEXT.get(str(v), humanise(v))) for v in values)


def _field(name: str, info: FieldInfo) -> FormField | None:
    annotation, nullable = _unwrap_optional(info.annotation)
    optional = nullable or not info.is_required()
    label = LABELS.get(name, humanise(name))
    base = FormField(name, "text", label, optional, hint=HINTS.get(name, ""))
    origin = get_origin(annotation)
    if annotation is date:
        return replace(base, kind="date")
    if annotation is bool:
        return replace(base, kind="bool", options=(("yes", True, "Yes"), ("no", False, "No")))
    if origin is Literal:
        return replace(base, kind="choice", options=_choices(get_args(annotation)))
    if annotation is int:
        return replace(base, kind="int")
    if annotation is str:
        longest = max((m.max_length for m in info.metadata if isinstance(m, MaxLen)), default=0)
        return replace(base, kind="textarea" if longest > LONG_TEXT else "text")
    if origin is list:
        (item,) = get_args(annotation)
        if get_origin(item) is Literal:
            return replace(base, kind="multi", options=_choices(get_args(item)), optional=True)
        if item is str:
            return replace(base, kind="lines")
    return None  # structured data (a correction's new data, outcome ratings): not on a form


def form_fields(event_type: str, choices: dict[str, list[tuple[Any, str]]]) -> list[FormField]:
    """The event's data fields as form fields; `choices` gives the case's own options for fields
    that name something on the case (an advice request, a deadline, an earlier event)."""
    model: type[BaseModel] = data_model(event_type)
    found: list[FormField] = []
    for name, info in model.model_fields.items():
        key = info.alias or name
        if key in INTERNAL:
            continue
        if key in choices:
            options = tuple((str(v), v, text) for v, text in choices[key])
            optional = key == "advice_request_id" and not options
            label = LABELS.get(key, humanise(key))
            found.append(FormField(key, "choice", label, optional, options, HINTS.get(key, "")))
            continue
        made = _field(key, info)
        if made is not None:
            found.append(made)
    return found


@dataclass
class Parsed:
    data: dict[str, Any]
    values: dict[str, Any]  # what the officer typed, to show again
    errors: dict[str, str]  # anchor -> message


def read_date(form: Any, name: str, label: str, optional: bool) -> tuple[Any, dict[str, str], str]:
    """A GOV.UK date input: (date or None, values to show again, error message or "")."""
    parts = {p: str(form.get(f"{name}-{p}") or "").strip()[:10] for p in ("day", "month", "year")}
    missing = [p for p, v in parts.items() if not v]
    if len(missing) == 3:
        return None, parts, "" if optional else f"Enter the {label[:1].lower()}{label[1:]}"
    if missing:
        return None, parts, f"{label} must include a {' and '.join(missing)}"
    try:
        day, month, year = (int(parts[p]) for p in ("day", "month", "year"))
        if year < 1900:
            raise ValueError
        return date(year, month, day), parts, ""
    except ValueError:
        return None, parts, f"{label} must be a real date"


def _read_one(form: Any, f: FormField) -> tuple[Any, Any, str]:
    """(data value or None, value to show again, error message or "")."""
    if f.kind == "date":
        return read_date(form, f.name, f.label, f.optional)
    if f.kind == "multi":
        picked = [str(v) for v in form.getlist(f.name)]
        return [d for s, d, _ in f.options if s in picked], picked, ""
    raw = str(form.get(f.name) or "").strip()
    if f.kind == "lines":
        items = [line.strip() for line in raw.splitlines() if line.strip()]
        return items, raw, ""
    if not raw:
        verb = "Select" if f.kind in ("choice", "bool") else "Enter"
        what = f.label[:1].lower() + f.label[1:]
        return None, raw, "" if f.optional else f"{verb} {what}"
    if f.kind in ("choice", "bool"):
        for value, data, _ in f.options:
            if raw == value:
                return data, raw, ""
        return None, raw, f"Select one of the options for {f.label[:1].lower()}{f.label[1:]}"
    if f.kind == "int":
        if raw.isdigit() and len(raw) < 10:
            return int(raw), raw, ""
        return None, raw, f"{f.label} must be a whole number, like 12"
    return raw, raw, ""


def parse(form: Any, fields: list[FormField]) -> Parsed:
    result = Parsed({}, {}, {})
    for f in fields:
        value, shown, error = _read_one(form, f)
        result.values[f.name] = shown
        if error:
            result.errors[f.anchor] = error
        elif value is not None and value != []:
            result.data[f.name] = value
    return result


def error_anchor(location: str, fields: list[FormField]) -> str | None:
    """Where the write path's error location (`data.contributor`, `occurred_on`) is on the form."""
    if location == "occurred_on":
        return f"{EVENT_DATE}-day"
    name = location.removeprefix("data.").split(".")[0]
    for f in fields:
        if f.name == name:
            return f.anchor
    return None
