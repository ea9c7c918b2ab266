"""From audit records to the history the fold reads, with corrections applied.

A correction (`event_corrected`) is itself an audit record. It names an earlier record by seq and
gives a new occurred_on and/or data, or voids it; the case is recomputed as if the corrected event
had been right from the start (STATUTORY.md §1). Later corrections of one record win.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import date
from typing import Any

from pydantic import ValidationError

from ehcp_engine.domain.case import RecordedEvent
from ehcp_engine.domain.errors import EventInvalid
from ehcp_engine.domain.events import ADMINISTRATIVE, data_model
from ehcp_engine.persistence.models import AuditEvent


def as_recorded(rec: AuditEvent) -> RecordedEvent:
    return RecordedEvent(seq=rec.seq, type=rec.type, occurred_on=rec.occurred_on, data=rec.data)


def effective_history(records: Iterable[AuditEvent | RecordedEvent]) -> list[RecordedEvent]:
    """The events to fold, corrections applied and corrections themselves left out, in the order
    they happened: by occurred_on, then by entry (seq). An event entered late takes its legal
    place, so deadlines come from occurred_on whatever order officers typed (STATUTORY.md §1)."""
    events = [r if isinstance(r, RecordedEvent) else as_recorded(r) for r in records]
    by_seq = {e.seq: e for e in events if e.type != "event_corrected"}
    voided: set[int] = set()
    for correction in (e for e in events if e.type == "event_corrected"):
        target = int(correction.data["seq"])
        if correction.data.get("void"):
            voided.add(target)
        elif target in by_seq:
            by_seq[target] = corrected(by_seq[target], correction.data)
    kept = [e for seq, e in by_seq.items() if seq not in voided]
    return sorted(kept, key=lambda e: (e.occurred_on, e.seq))


def corrected(original: RecordedEvent, correction: dict[str, Any]) -> RecordedEvent:
    """The original event with the correction's occurred_on and data fields applied."""
    occurred_on = original.occurred_on
    if correction.get("occurred_on"):
        occurred_on = date.fromisoformat(str(correction["occurred_on"]))
    data = dict(original.data)
    data.update(correction.get("data") or {})
    return replace(original, occurred_on=occurred_on, data=data)


def check_correction(
    events: Sequence[RecordedEvent], correction: dict[str, Any], today: date
) -> None:
    """Refuse a correction of a record that does not exist, of a correction, into the future,
    or with bad data."""
    new_date = correction.get("occurred_on")
    if new_date and date.fromisoformat(str(new_date)) > today:
        raise EventInvalid("data.occurred_on", f"{new_date} is in the future (today is {today})")
    target = {e.seq: e for e in events}.get(int(correction["seq"]))
    if target is None:
        raise EventInvalid("data.seq", f"no record {correction['seq']} on this case")
    if target.type == "event_corrected":
        raise EventInvalid("data.seq", "a correction cannot be corrected: correct the original")
    if target.type in ADMINISTRATIVE:
        raise EventInvalid("data.seq", f"a {target.type} record is not corrected: record it again")
    if correction.get("data"):
        merged = corrected(target, correction).data
        try:
            data_model(target.type).model_validate(merged)
        except ValidationError as exc:
            first = exc.errors()[0]
            loc = ".".join(str(p) for p in first["loc"])
            raise EventInvalid(f"data.data.{loc}", first["msg"]) from None
