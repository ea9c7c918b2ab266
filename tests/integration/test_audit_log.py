"""The audit log is append-only in the database itself, and `audit.log.verify` finds a record
changed behind the application's back (after the database's own guard has been removed)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, select, text, update
from sqlalchemy.exc import DBAPIError

from audit.log import GENESIS, BrokenLink, record_hash, verify
from ehcp_engine.persistence.models import AuditEvent
from ehcp_engine.services.context import Services
from tests.journey import Journey


def _engine(svc: Services) -> Engine:
    bind = svc.sessions.kw["bind"]
    assert isinstance(bind, Engine)
    return bind


def _journey(svc: Services) -> Journey:
    """A case with four records: request, decision to assess, advice asked, advice given."""
    j = Journey(svc, date(2026, 1, 5))
    j.do("assessment_agreed", date(2026, 2, 10))
    j.do("advice_requested", date(2026, 2, 11), advice_type="health", contributor="NHS")
    j.do("advice_received", date(2026, 3, 2), advice_type="health")
    return j


def _records(svc: Services, case_id: int) -> list[AuditEvent]:
    with svc.sessions() as session:
        return list(
            session.scalars(
                select(AuditEvent).where(AuditEvent.case_id == case_id).order_by(AuditEvent.seq)
            )
        )


def _verify(svc: Services, case_ids: list[int] | None = None) -> list[BrokenLink]:
    with svc.sessions() as session:
        return verify(session, case_ids)


@contextmanager
def _guard_removed(svc: Services) -> Iterator[Connection]:
    """A connection on which audit_events may be changed: what someone with database access
    could do behind the application's back."""
    engine = _engine(svc)
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            conn.execute(text("DROP TRIGGER audit_events_no_update"))
            conn.execute(text("DROP TRIGGER audit_events_no_delete"))
            yield conn
        else:
            conn.execute(text("ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_change"))
            yield conn
            conn.execute(text("ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_change"))


# ---- the database refuses changes ------------------------------------------------------------


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_events SET type = 'assessment_refused' WHERE case_id = :case AND seq = 2",
        "UPDATE audit_events SET occurred_on = occurred_on WHERE case_id = :case",
        "UPDATE audit_events SET hash = prev_hash WHERE case_id = :case AND seq = 1",
        "DELETE FROM audit_events WHERE case_id = :case AND seq = 4",
        "DELETE FROM audit_events WHERE case_id = :case",
    ],
    ids=["update type", "update to the same value", "update hash", "delete last", "delete all"],
)
def test_raw_update_and_delete_are_refused_by_the_database(fresh_svc, statement):
    j = _journey(fresh_svc)
    before = [(r.seq, r.type, r.hash) for r in _records(fresh_svc, j.case_id)]
    with pytest.raises(DBAPIError, match="append-only"), _engine(fresh_svc).begin() as conn:
        conn.execute(text(statement), {"case": j.case_id})
    assert [(r.seq, r.type, r.hash) for r in _records(fresh_svc, j.case_id)] == before
    assert _verify(fresh_svc) == []


def test_orm_update_is_refused_too(fresh_svc):
    j = _journey(fresh_svc)
    with pytest.raises(DBAPIError, match="append-only"), fresh_svc.sessions.begin() as session:
        session.execute(
            update(AuditEvent)
            .where(AuditEvent.case_id == j.case_id, AuditEvent.seq == 2)
            .values(data={"forged": True})
        )
    assert _records(fresh_svc, j.case_id)[1].data == {}


def test_truncate_is_refused_on_postgresql(fresh_svc):
    if _engine(fresh_svc).dialect.name != "postgresql":
        pytest.skip("SQLite has no TRUNCATE")
    j = _journey(fresh_svc)
    with pytest.raises(DBAPIError, match="append-only"), _engine(fresh_svc).begin() as conn:
        conn.execute(text("TRUNCATE audit_events CASCADE"))
    assert len(_records(fresh_svc, j.case_id)) == 4


def test_appending_still_works_after_refusals(fresh_svc):
    j = _journey(fresh_svc)
    with pytest.raises(DBAPIError), _engine(fresh_svc).begin() as conn:
        conn.execute(text("DELETE FROM audit_events"))
    j.do("plan_agreed", date(2026, 3, 10))
    assert [r.seq for r in _records(fresh_svc, j.case_id)] == [1, 2, 3, 4, 5]
    assert _verify(fresh_svc) == []


# ---- verify --------------------------------------------------------------------------------


def test_intact_log_verifies(fresh_svc):
    cases = [_journey(fresh_svc).case_id for _ in range(3)]
    assert _verify(fresh_svc) == []
    assert _verify(fresh_svc, cases[:1]) == []
    records = _records(fresh_svc, cases[0])
    assert records[0].prev_hash == GENESIS
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(records))


def test_verify_names_the_case_and_record_whose_data_was_altered(fresh_svc):
    bystander = _journey(fresh_svc)
    victim = _journey(fresh_svc)
    with _guard_removed(fresh_svc) as conn:
        conn.execute(
            update(AuditEvent)
            .where(AuditEvent.case_id == victim.case_id, AuditEvent.seq == 3)
            .values(data={"advice_type": "health", "contributor": "Someone else"})
        )
    assert _records(fresh_svc, victim.case_id)[2].data["contributor"] == "Someone else"

    problems = _verify(fresh_svc)

    assert [(p.case_id, p.seq) for p in problems] == [(victim.case_id, 3)]
    assert "altered" in problems[0].problem
    assert str(problems[0]).startswith(f"case {victim.case_id} record 3:")
    assert _verify(fresh_svc, [bystander.case_id]) == []


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("occurred_on", date(2026, 2, 1)),
        ("type", "assessment_refused"),
        ("actor", "someone.else@example.gov.uk"),
        ("seq", 20),
    ],
)
def test_verify_detects_any_altered_field(fresh_svc, column, value):
    j = _journey(fresh_svc)
    with _guard_removed(fresh_svc) as conn:
        conn.execute(
            update(AuditEvent)
            .where(AuditEvent.case_id == j.case_id, AuditEvent.seq == 2)
            .values({column: value})
        )
    problems = _verify(fresh_svc)
    assert problems, f"changing {column} went unnoticed"
    assert {p.case_id for p in problems} == {j.case_id}


def test_verify_names_the_next_link_when_a_record_is_rehashed(fresh_svc):
    """Someone who alters a record and recomputes its hash still breaks the chain: the next
    record's prev_hash no longer matches."""
    j = _journey(fresh_svc)
    rec = _records(fresh_svc, j.case_id)[1]
    forged: dict[str, Any] = {"forged": True}
    new_hash = record_hash(
        prev_hash=rec.prev_hash,
        case_id=rec.case_id,
        seq=rec.seq,
        type=rec.type,
        occurred_on=rec.occurred_on,
        recorded_at=rec.recorded_at,
        actor_id=rec.actor_id,
        actor=rec.actor,
        data=forged,
    )
    with _guard_removed(fresh_svc) as conn:
        conn.execute(
            update(AuditEvent).where(AuditEvent.id == rec.id).values(data=forged, hash=new_hash)
        )
    problems = _verify(fresh_svc)
    assert [(p.case_id, p.seq) for p in problems] == [(j.case_id, 3)]
    assert "prev_hash" in problems[0].problem


def test_verify_names_a_removed_record(fresh_svc):
    j = _journey(fresh_svc)
    with _guard_removed(fresh_svc) as conn:
        conn.execute(
            AuditEvent.__table__.delete().where(
                AuditEvent.case_id == j.case_id, AuditEvent.seq == 2
            )
        )
    problems = _verify(fresh_svc)
    assert problems
    assert {(p.case_id, p.seq) for p in problems} == {(j.case_id, 3), (j.case_id, 4)}
    assert any("missing" in p.problem for p in problems)


def test_verify_names_a_removed_newest_record(fresh_svc):
    j = _journey(fresh_svc)
    with _guard_removed(fresh_svc) as conn:
        conn.execute(
            AuditEvent.__table__.delete().where(
                AuditEvent.case_id == j.case_id, AuditEvent.seq == 4
            )
        )
    assert len(_records(fresh_svc, j.case_id)) == 3
    assert j.view()["version"] == 4  # the case moved once per event: four events were recorded
    assert [p.case_id for p in _verify(fresh_svc)] == [j.case_id]
