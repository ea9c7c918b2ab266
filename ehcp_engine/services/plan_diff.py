"""What changed between two versions of a plan, section by section (pure).

Used for the proposed-amendments notice of a review (Reg 20(10), 22(2); R (L, M, P) v Devon CC
[2022] EWHC 493: the family is sent the amendments proposed, not just a decision to amend).
List sections are compared item by item, matched by their stable ids; sections A, I and J field
by field.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any, Literal

from ehcp_engine.domain.plan_content import (
    AREA_LABELS,
    PFA_LABELS,
    SECTION_TITLES,
    SECTIONS,
    PlanContent,
)

ChangeKind = Literal["added", "removed", "changed"]
FIELD_LABELS = {
    "views": "views",
    "interests": "interests",
    "aspirations": "aspirations",
    "area": "area of need",
    "description": "description",
    "time_frame": "time frame",
    "steps": "steps",
    "pfa_theme": "preparation for adulthood",
    "headings": "outcomes framework headings",
    "what": "provision",
    "who": "who provides it",
    "amount": "amount",
    "frequency": "frequency",
    "needs": "needs served",
    "outcomes": "outcomes served",
    "setting_name": "setting named",
    "setting_type": "type of setting",
    "personal_budget": "personal budget",
    "arrangements": "arrangements",
    "advice_request_id": "advice request",
    "advice_type": "type of advice",
    "contributor": "contributor",
    "received_on": "received on",
}


@dataclass(frozen=True)
class FieldChange:
    field: str
    label: str
    before: Any
    after: Any


@dataclass(frozen=True)
class ItemChange:
    change: ChangeKind
    id: str | None
    label: str
    fields: list[FieldChange] = field(default_factory=list)


@dataclass(frozen=True)
class SectionDiff:
    section: str
    title: str
    changes: list[ItemChange]

    @property
    def changed(self) -> bool:
        return bool(self.changes)


def _label(item: dict[str, Any]) -> str:
    for key in ("description", "what", "contributor"):
        if item.get(key):
            text = str(item[key])
            return text if len(text) <= 80 else text[:77] + "..."
    return str(item.get("id", ""))


def _field_changes(before: dict[str, Any], after: dict[str, Any]) -> list[FieldChange]:
    return [
        FieldChange(name, FIELD_LABELS.get(name, name), before.get(name), after.get(name))
        for name in dict.fromkeys([*before, *after])
        if name != "id" and before.get(name) != after.get(name)
    ]


def _key(item: dict[str, Any], n: int) -> str:
    if item.get("id"):
        return str(item["id"])
    if item.get("advice_request_id"):
        return f"advice-{item['advice_request_id']}"
    return f"{item.get('advice_type')}|{item.get('contributor')}|{n}"


def _list_changes(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> list[ItemChange]:
    before = {_key(x, n): x for n, x in enumerate(old)}
    after = {_key(x, n): x for n, x in enumerate(new)}
    changes = []
    for key, item in after.items():
        if key not in before:
            changes.append(
                ItemChange("added", item.get("id"), _label(item), _field_changes({}, item))
            )
        elif before[key] != item:
            fields = _field_changes(before[key], item)
            changes.append(ItemChange("changed", item.get("id"), _label(item), fields))
    changes += [
        ItemChange("removed", item.get("id"), _label(item), _field_changes(item, {}))
        for key, item in before.items()
        if key not in after
    ]
    return changes


def diff(old: PlanContent, new: PlanContent) -> list[SectionDiff]:
    """Every section A–K with its changes (an empty list where nothing changed)."""
    a, b = old.as_json(), new.as_json()
    result = []
    for section in SECTIONS:
        if isinstance(a[section], list):
            changes = _list_changes(a[section], b[section])
        else:
            fields = _field_changes(a[section], b[section])
            changes = (
                [ItemChange("changed", None, SECTION_TITLES[section], fields)] if fields else []
            )
        result.append(SectionDiff(section, SECTION_TITLES[section], changes))
    return result


def shown(name: str, value: Any, nothing: str = "none") -> str:
    """A field's value in words: labels for coded values, lists joined."""
    if value is None or value == "" or value == []:
        return nothing
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    labels = {"area": AREA_LABELS, "pfa_theme": PFA_LABELS}.get(name)
    if labels:
        return labels.get(str(value), str(value))
    if name == "advice_type":
        return str(value).replace("_", " ").capitalize()
    if name == "personal_budget":
        return f"£{Decimal(str(value)):,.2f}"
    return str(value)


def summary_text(sections: list[SectionDiff]) -> str:
    """The proposed amendments in words, section by section (for the review decision's
    `proposed_amendments`)."""
    lines = []
    for s in sections:
        if not s.changes:
            continue
        lines.append(f"Section {s.section.upper()} ({s.title}):")
        for c in s.changes:
            ident = f" {c.id}" if c.id else ""
            if c.change == "changed":
                what = ", ".join(
                    f"{f.label} from {shown(f.field, f.before, '(none)')} to "
                    f"{shown(f.field, f.after, '(none)')}"
                    for f in c.fields
                )
                lines.append(f"- change{ident} ({c.label}): {what}")
            else:
                verb = "add" if c.change == "added" else "remove"
                lines.append(f"- {verb}{ident}: {c.label}")
    return "\n".join(lines) if lines else "No changes."


def as_json(sections: list[SectionDiff]) -> list[dict[str, Any]]:
    return [{**asdict(s), "changed": s.changed} for s in sections]
