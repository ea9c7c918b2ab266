"""A case's audit records as the measures read them: corrections applied, in legal order.

The measures are taken from the log alone (never from the projections the write path keeps), so
they apply `event_corrected` records themselves: a correction names an earlier record by `seq`
and gives a new `occurred_on`, new `data` fields, or `void: true`; the latest correction of a
record wins field by field. Corrections are left out, and the rest sorted by (occurred_on, seq),
the order things happened in (STATUTORY.md §1).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol


class AuditLike(Protocol):
    """What the measures need of an audit record (an `AuditEvent` row has it)."""

    @property
    def seq(self) -> int: ...
    @property
    def type(self) -> str: ...
    @property
    def occurred_on(self) -> date: ...
    @property
    def data(self) -> Mapping[str, Any]: ...


@dataclass(frozen=True)
class Event:
    seq: int
    type: str
    occurred_on: date
    data: Mapping[str, Any]


def _amended(event: Event, correction: Mapping[str, Any]) -> Event:
    on = correction.get("occurred_on")
    data = {**event.data, **(correction.get("data") or {})}
    return Event(
        seq=event.seq,
        type=event.type,
        occurred_on=date.fromisoformat(str(on)) if on else event.occurred_on,
        data=data,
    )


def effective_events(records: Iterable[AuditLike]) -> list[Event]:
    """The events that count, corrections applied, in the order they happened."""
    kept: dict[int, Event] = {}
    corrections: list[Mapping[str, Any]] = []
    for rec in records:
        if rec.type == "event_corrected":
            corrections.append(rec.data)
        else:
            kept[rec.seq] = Event(rec.seq, rec.type, rec.occurred_on, dict(rec.data))
    for correction in corrections:
        target = int(correction["seq"])
        if target not in kept:
            continue
        if correction.get("void"):
            del kept[target]
        else:
            kept[target] = _amended(kept[target], correction)
    return sorted(kept.values(), key=lambda e: (e.occurred_on, e.seq))
