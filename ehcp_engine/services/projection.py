"""Store a folded case as rows (stages, deadlines, advice requests), and read them back to compare.

Rows are matched to the fold by their stable `key`, so ids survive recomputation after a
correction or a backdated event; rows the fold no longer has are removed.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from ehcp_engine.domain.case import CaseState
from ehcp_engine.persistence.models import AdviceRequestRow, Base, DeadlineRow, StageRow

STAGE_FIELDS = ("stage", "state", "opened_on", "changed_on", "closed_on", "parent_key")
DEADLINE_FIELDS = (
    "rule",
    "stage_key",
    "subject_key",
    "starts_on",
    "due_on",
    "status",
    "met_on",
    "exception",
    "source",
    "guidance",
    "window",
    "started_by",
)
ADVICE_FIELDS = (
    "stage_key",
    "advice_type",
    "contributor",
    "requested_on",
    "received_on",
    "question",
)
KINDS: tuple[tuple[str, type[Base], tuple[str, ...]], ...] = (
    ("stages", StageRow, STAGE_FIELDS),
    ("deadlines", DeadlineRow, DEADLINE_FIELDS),
    ("advice_requests", AdviceRequestRow, ADVICE_FIELDS),
)

RowT = TypeVar("RowT", bound=Base)
Snapshot = dict[str, dict[str, dict[str, Any]]]


def rows_of(session: Session, model: type[RowT], case_id: int) -> dict[str, RowT]:
    rows = session.scalars(select(model).where(model.case_id == case_id))  # type: ignore[attr-defined]
    return {row.key: row for row in rows}  # type: ignore[attr-defined]


def state_snapshot(case: CaseState) -> Snapshot:
    """The fold's projection as plain dicts keyed by kind and key. The fields are read directly:
    they are dates, strings, numbers and booleans, so no deep copy (dataclasses.asdict per
    field was most of the write path's time)."""
    out: Snapshot = {}
    for kind, _model, fields in KINDS:
        items: Mapping[str, Any] = getattr(case, kind)
        out[kind] = {k: {f: _plain(getattr(v, f)) for f in fields} for k, v in items.items()}
    return out


def _plain(value: Any) -> Any:
    """A copy of a mutable value (an exception's details), so a row never shares it with the
    fold's state."""
    return copy.deepcopy(value) if isinstance(value, dict | list) else value


def rows_snapshot(session: Session, case_id: int) -> Snapshot:
    out: Snapshot = {}
    for kind, model, fields in KINDS:
        rows = rows_of(session, model, case_id)
        out[kind] = {k: {f: getattr(r, f) for f in fields} for k, r in rows.items()}
    return out


def differences(stored: Snapshot, folded: Snapshot) -> list[str]:
    """Human-readable differences between stored rows and a fresh fold (empty when equal)."""
    found: list[str] = []
    for kind in folded:
        a, b = stored.get(kind, {}), folded[kind]
        found += [f"{kind} {k}: stored but not in the log" for k in sorted(set(a) - set(b))]
        found += [f"{kind} {k}: in the log but not stored" for k in sorted(set(b) - set(a))]
        for k in sorted(set(a) & set(b)):
            found += [
                f"{kind} {k}.{f}: stored {a[k][f]!r}, log gives {b[k][f]!r}"
                for f in a[k]
                if a[k][f] != b[k][f]
            ]
    return found


def write_projection(session: Session, case_id: int, case: CaseState) -> None:
    """Make the rows equal the fold: update changed rows, add new ones, drop vanished ones."""
    folded = state_snapshot(case)
    for kind, model, _fields in KINDS:
        _sync(session, model, case_id, rows_of(session, model, case_id), folded[kind])


def _sync(
    session: Session,
    model: type[Base],
    case_id: int,
    rows: Mapping[str, Base],
    wanted: Mapping[str, dict[str, Any]],
) -> None:
    for key, values in wanted.items():
        row = rows.get(key)
        if row is None:
            session.add(model(case_id=case_id, key=key, **values))
            continue
        for field, value in values.items():
            if getattr(row, field) != value:
                setattr(row, field, value)
    for key in set(rows) - set(wanted):
        session.delete(rows[key])


def keys_to_ids(rows: Sequence[Any]) -> dict[str, int]:
    return {row.key: row.id for row in rows}
