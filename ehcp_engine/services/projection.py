"""Store a folded case as rows (stages, deadlines, advice requests), and read them back to compare.

Rows are matched to the fold by their stable `key`, so ids survive recomputation after a
correction or a backdated event; rows the fold no longer has are removed.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import (
    Delete,
    Insert,
    Select,
    Table,
    Update,
    bindparam,
    delete,
    insert,
    select,
    update,
)
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

Snapshot = dict[str, dict[str, dict[str, Any]]]
Stored = dict[str, tuple[int, dict[str, Any]]]


@dataclass(frozen=True)
class _Statements:
    """One kind's statements, built once: building a statement and its cache key on every call
    cost as much as running it (BENCHMARKS.md §1)."""

    fields: tuple[str, ...]
    columns: tuple[str, ...]  # the column behind each field (`window` is `family_window`)
    read: Select[Any]
    add: Insert
    change: Update
    drop: Delete

    @classmethod
    def of(cls, model: type[Base], fields: tuple[str, ...]) -> _Statements:
        table = cast(Table, model.__table__)
        mapped = model.__mapper__.columns
        columns = tuple(str(mapped[f].key) for f in fields)
        cols = [table.c[c] for c in columns]
        return cls(
            fields=fields,
            columns=columns,
            read=select(table.c.id, table.c.key, *cols).where(
                table.c.case_id == bindparam("case_id")
            ),
            add=insert(table),
            change=update(table)
            .where(table.c.id == bindparam("row_id"))
            .values({c: bindparam(c) for c in columns}),
            drop=delete(table).where(table.c.id.in_(bindparam("ids", expanding=True))),
        )


_STATEMENTS = {kind: _Statements.of(model, fields) for kind, model, fields in KINDS}


def _stored(session: Session, kind: str, case_id: int) -> Stored:
    """The case's rows of one kind as key -> (id, field values). Core rows, not ORM objects:
    building and tracking ORM objects to diff them was a third of the write path's time."""
    st = _STATEMENTS[kind]
    rows = session.connection().execute(st.read, {"case_id": case_id})
    return {row[1]: (row[0], dict(zip(st.fields, row[2:], strict=True))) for row in rows}


# Fields that may hold a mutable value (an exception's details): copied, so a row never shares
# it with the fold's state. Every other field is a date, string, number or boolean.
MUTABLE_FIELDS = {"deadlines": ("exception",)}


def state_snapshot(case: CaseState) -> Snapshot:
    """The fold's projection as plain dicts keyed by kind and key. The fields are read directly,
    not deep-copied (dataclasses.asdict per field was most of the write path's time)."""
    out: Snapshot = {}
    for kind, _model, fields in KINDS:
        items: Mapping[str, Any] = getattr(case, kind)
        rows = {k: {f: getattr(v, f) for f in fields} for k, v in items.items()}
        for row in rows.values():
            for f in MUTABLE_FIELDS.get(kind, ()):
                row[f] = copy.deepcopy(row[f])
        out[kind] = rows
    return out


def rows_snapshot(session: Session, case_id: int) -> Snapshot:
    out: Snapshot = {}
    for kind in _STATEMENTS:
        out[kind] = {k: values for k, (_id, values) in _stored(session, kind, case_id).items()}
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
    """Make the rows equal the fold: update changed rows, add new ones, drop vanished ones.
    Core statements on the session's connection (same transaction): the rows are never held as
    ORM objects, so there is nothing for the unit of work to track or flush."""
    folded = state_snapshot(case)
    for kind in folded:
        _sync(session, kind, case_id, _stored(session, kind, case_id), folded[kind])


def _sync(
    session: Session, kind: str, case_id: int, stored: Stored, wanted: Mapping[str, dict[str, Any]]
) -> None:
    st, conn = _STATEMENTS[kind], session.connection()

    def columns(values: dict[str, Any]) -> dict[str, Any]:
        return {c: values[f] for f, c in zip(st.fields, st.columns, strict=True)}

    added = [
        {"case_id": case_id, "key": k, **columns(v)} for k, v in wanted.items() if k not in stored
    ]
    changed = [
        {"row_id": stored[k][0], **columns(v)}
        for k, v in wanted.items()
        if k in stored and stored[k][1] != v
    ]
    gone = [row_id for k, (row_id, _values) in stored.items() if k not in wanted]
    if added:
        conn.execute(st.add, added)
    if changed:
        conn.execute(st.change, changed)
    if gone:
        conn.execute(st.drop, {"ids": gone})


def keys_to_ids(rows: Sequence[Any]) -> dict[str, int]:
    return {row.key: row.id for row in rows}
