"""The contributor portal: advice requests sent to me, and submitting advice.

A contributor (an educational psychologist, a health or social care professional, a school)
sees only what they were asked to advise on, and only the minimum the task needs: the child's
name and date of birth, the question and the due date (UK GDPR data minimisation). Submitting
advice records `advice_received` through the one write path, as the contributor, with the advice
text in the event and any documents (PDF, DOCX) stored in the same transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session

from ehcp_engine.domain.documents import CheckedDocument
from ehcp_engine.domain.errors import NotFound
from ehcp_engine.domain.events import ROW_ID_MAX
from ehcp_engine.persistence.models import (
    AdviceDocument,
    AdviceRequestRow,
    Case,
    DeadlineRow,
    Organisation,
)
from ehcp_engine.services.context import Actor, Services
from ehcp_engine.services.write_path import EventIn, record_event


def _mine(svc: Services, actor: Actor) -> ColumnElement[bool]:
    """Advice requests addressed to the contributor's organisation, or to them by email."""
    names = [actor.label.lower()]
    if actor.organisation_id is not None:
        with svc.sessions() as session:
            org = session.get(Organisation, actor.organisation_id)
        if org is not None:
            names.append(org.name.lower())
    return func.lower(AdviceRequestRow.contributor).in_(names)


def _row(a: AdviceRequestRow, case: Case, due: DeadlineRow | None, today: Any) -> dict[str, Any]:
    status = "received" if a.received_on else ("overdue" if due and due.due_on < today else "open")
    return {
        "id": a.id,
        "case_reference": case.reference,
        "advice_type": a.advice_type,
        "child": {
            "given_name": case.given_name,
            "family_name": case.family_name,
            "date_of_birth": case.date_of_birth,
        },
        "question": a.question,
        "requested_on": a.requested_on,
        "due_on": due.due_on if due else None,
        "received_on": a.received_on,
        "status": status,
    }


def _query(svc: Services, actor: Actor) -> Any:
    due = and_(
        DeadlineRow.case_id == AdviceRequestRow.case_id,
        DeadlineRow.rule == "advice",
        DeadlineRow.subject_key == AdviceRequestRow.key,
    )
    return (
        select(AdviceRequestRow, Case, DeadlineRow)
        .join(Case, Case.id == AdviceRequestRow.case_id)
        .outerjoin(DeadlineRow, due)
        .where(_mine(svc, actor))
        .where(or_(DeadlineRow.status.is_(None), DeadlineRow.status != "cancelled"))
    )


def my_requests(svc: Services, actor: Actor) -> list[dict[str, Any]]:
    today = svc.clock.today()
    with svc.sessions() as session:
        rows = session.execute(_query(svc, actor).order_by(AdviceRequestRow.requested_on)).all()
    return [_row(a, case, due, today) for a, case, due in rows]


def my_request(svc: Services, actor: Actor, request_id: int) -> dict[str, Any]:
    """One request, or 404 when it does not exist or was not sent to this contributor."""
    if not 1 <= request_id <= ROW_ID_MAX:
        raise NotFound(f"no advice request {request_id}")
    with svc.sessions() as session:
        found = session.execute(_query(svc, actor).where(AdviceRequestRow.id == request_id)).first()
    if found is None:
        raise NotFound(f"no advice request {request_id}")
    a, case, due = found
    return {**_row(a, case, due, svc.clock.today()), "case_id": case.id}


@dataclass(frozen=True)
class AdviceText:
    """The advice as structured text (Reg 6(1)): the child's needs, the outcomes sought and the
    provision recommended. Each part is optional; together they must say something."""

    needs: str = ""
    outcomes: str = ""
    provision: str = ""

    def as_data(self) -> dict[str, str]:
        parts = {"needs": self.needs, "outcomes": self.outcomes, "provision": self.provision}
        return {name: text.strip() for name, text in parts.items() if text.strip()}


def submit_advice(
    svc: Services,
    actor: Actor,
    request_id: int,
    advice: AdviceText | None = None,
    documents: Sequence[CheckedDocument] = (),
) -> dict[str, Any]:
    """Record the advice as received today (Reg 8), through the write path: the text goes in the
    event's data, each document's hash too, and the documents themselves are stored in the same
    transaction (all or nothing)."""
    request = my_request(svc, actor, request_id)
    data: dict[str, Any] = {"advice_request_id": request_id, **(advice or AdviceText()).as_data()}
    if documents:
        data["documents"] = [
            {"filename": d.filename, "sha256": d.sha256, "size": d.size} for d in documents
        ]
    now = svc.clock.now()

    def store_documents(session: Session, case: Case, seq: int) -> None:
        session.add_all(
            AdviceDocument(
                case_id=case.id,
                advice_request_id=request_id,
                audit_seq=seq,
                filename=d.filename,
                content_type=d.content_type,
                size=d.size,
                sha256=d.sha256,
                content=d.content,
                uploaded_by=actor.user_id,
                uploaded_at=now,
            )
            for d in documents
        )

    record_event(
        svc,
        case_id=request["case_id"],
        event=EventIn("advice_received", svc.clock.today(), data),
        actor=actor,
        with_event=store_documents,
    )
    return my_request(svc, actor, request_id)


def case_documents(svc: Services, case_id: int) -> list[dict[str, Any]]:
    """The documents contributors sent with advice on a case (no content), oldest first. The
    caller has checked the case is in the reader's scope."""
    with svc.sessions() as session:
        rows = session.execute(
            select(
                AdviceDocument.id,
                AdviceDocument.advice_request_id,
                AdviceDocument.filename,
                AdviceDocument.content_type,
                AdviceDocument.size,
                AdviceDocument.sha256,
                AdviceDocument.uploaded_at,
                AdviceRequestRow.contributor,
                AdviceRequestRow.advice_type,
            )
            .outerjoin(AdviceRequestRow, AdviceRequestRow.id == AdviceDocument.advice_request_id)
            .where(AdviceDocument.case_id == case_id)
            .order_by(AdviceDocument.id)
        ).all()
    return [dict(r._mapping) for r in rows]


def document_for_case(svc: Services, case_id: int, document_id: int) -> AdviceDocument:
    """One document of a case with its content; 404 when it is not this case's."""
    if not 1 <= document_id <= ROW_ID_MAX:
        raise NotFound(f"no document {document_id}")
    with svc.sessions() as session:
        found = session.scalar(
            select(AdviceDocument).where(
                AdviceDocument.id == document_id, AdviceDocument.case_id == case_id
            )
        )
        if found is None:
            raise NotFound(f"no document {document_id}")
        session.expunge(found)
    return found
