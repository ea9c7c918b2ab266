"""A child's EHC plan as versions: draft, edit, check and issue (Reg 12; Act ss.37-38, 44).

A case has at most one version being edited (the current draft). A new version starts as a copy
of the latest issued one, or empty, with Section K filled from the advice received. Issuing
records the stage event through the one write path, in the same transaction that marks the
version issued, so a version is issued exactly when its event is in the audit log. An issued
version never changes: an amendment is a new version based on it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from audit import log as audit_log
from ehcp_engine.domain.calendar import national_curriculum_year
from ehcp_engine.domain.errors import (
    DomainError,
    EventInvalid,
    EventRefused,
    NotFound,
    VersionConflict,
)
from ehcp_engine.domain.plan_checks import Check, checks
from ehcp_engine.domain.plan_content import (
    OutcomeFramework,
    PlanContent,
    ReceivedAdvice,
    load_outcome_framework,
    parse_content,
    with_received_advice,
)
from ehcp_engine.persistence.models import AdviceRequestRow, AuditEvent, Case, PlanVersion
from ehcp_engine.services.context import Actor, Services
from ehcp_engine.services.write_path import (
    EventIn,
    apply_in_transaction,
    claim,
    log_refusal,
    validate_event,
)

EVENT_FOR_KIND = {
    "draft": "draft_plan_served",
    "final": "final_plan_issued",
    "amended": "amended_plan_issued",
}
IN_FORCE_KINDS = ("final", "amended")


@dataclass(frozen=True)
class IssueIn:
    occurred_on: date
    kind: str | None = None
    # Reg 18(1): an amended plan naming the setting a child moves to at a phase transfer.
    names_next_setting: bool = False
    expected_version: int | None = None


def framework(svc: Services) -> OutcomeFramework:
    return load_outcome_framework(svc.settings.config_dir)


def get_case(session: Session, case_id: int) -> Case:
    row = session.get(Case, case_id)
    if row is None:
        raise NotFound(f"no case {case_id}")
    return row


def get_version(
    session: Session, case_id: int, version_id: int, *, lock: bool = False
) -> PlanVersion:
    """The version; `lock` holds its row (PostgreSQL) so an edit and an issue cannot interleave."""
    query = select(PlanVersion).where(PlanVersion.id == version_id, PlanVersion.case_id == case_id)
    row = session.scalar(query.with_for_update() if lock else query)
    if row is None:
        raise NotFound(f"no plan version {version_id} on case {case_id}")
    return row


def case_versions(session: Session, case_id: int) -> list[PlanVersion]:
    query = select(PlanVersion).where(PlanVersion.case_id == case_id).order_by(PlanVersion.number)
    return list(session.scalars(query))


def received_advice(session: Session, case_id: int) -> list[ReceivedAdvice]:
    rows = session.scalars(
        select(AdviceRequestRow)
        .where(AdviceRequestRow.case_id == case_id, AdviceRequestRow.received_on.is_not(None))
        .order_by(AdviceRequestRow.id)
    )
    return [
        ReceivedAdvice(r.id, r.advice_type, r.contributor, r.received_on)
        for r in rows
        if r.received_on is not None
    ]


def year_group(case: Case, on: date) -> int:
    return national_curriculum_year(case.date_of_birth, on) + case.year_group_offset


def issued_dates(session: Session, case_id: int) -> dict[int, date]:
    """The legal date of each issuing event, by audit seq."""
    seqs = select(PlanVersion.issued_seq).where(PlanVersion.case_id == case_id)
    rows = session.execute(
        select(AuditEvent.seq, AuditEvent.occurred_on).where(
            AuditEvent.case_id == case_id, AuditEvent.seq.in_(seqs)
        )
    )
    return {seq: on for seq, on in rows}


def summary(v: PlanVersion, issued_on: date | None) -> dict[str, Any]:
    return {
        "id": v.id,
        "case_id": v.case_id,
        "number": v.number,
        "kind": v.kind,
        "status": v.status,
        "based_on_id": v.based_on_id,
        "issued_seq": v.issued_seq,
        "issued_on": issued_on,
        "created_at": v.created_at,
        "updated_at": v.updated_at,
        "created_by": v.created_by,
    }


def list_versions(svc: Services, case_id: int) -> list[dict[str, Any]]:
    with svc.sessions() as session:
        get_case(session, case_id)
        dates = issued_dates(session, case_id)
        return [summary(v, dates.get(v.issued_seq or 0)) for v in case_versions(session, case_id)]


def _checks_for(
    session: Session, case: Case, v: PlanVersion, on: date, kind: str | None = None
) -> list[Check]:
    return checks(
        PlanContent.model_validate(v.content),
        year_group=year_group(case, on),
        advice_received=received_advice(session, case.id),
        kind=kind or v.kind,
    )


def version_view(svc: Services, case_id: int, version_id: int) -> dict[str, Any]:
    """A version with its content and the checks on it today."""
    with svc.sessions() as session:
        case = get_case(session, case_id)
        v = get_version(session, case_id, version_id)
        dates = issued_dates(session, case_id)
        found = _checks_for(session, case, v, svc.clock.today())
    return {
        **summary(v, dates.get(v.issued_seq or 0)),
        "content": v.content,
        "checks": [asdict(c) for c in found],
    }


def version_checks(svc: Services, case_id: int, version_id: int) -> list[dict[str, Any]]:
    with svc.sessions() as session:
        case = get_case(session, case_id)
        v = get_version(session, case_id, version_id)
        return [asdict(c) for c in _checks_for(session, case, v, svc.clock.today())]


def _next_kind(latest_issued: PlanVersion | None) -> str:
    """No plan yet: the draft (Reg 12-13). After a served draft: the final plan. After a plan in
    force: an amended plan (Reg 22 and 27)."""
    if latest_issued is None:
        return "draft"
    return "final" if latest_issued.kind == "draft" else "amended"


def new_version(svc: Services, case_id: int, actor: Actor) -> dict[str, Any]:
    """Start the next version: a copy of the latest issued one (or empty), Section K filled."""
    now = svc.clock.now()
    try:
        with svc.sessions.begin() as session:
            # Numbering is per case: hold the case while the next number is taken.
            case = session.get(Case, case_id, with_for_update=True)
            if case is None:
                raise NotFound(f"no case {case_id}")
            versions = case_versions(session, case_id)
            editing = [v for v in versions if v.status == "editing"]
            if editing:
                raise EventRefused(
                    f"plan version {editing[0].number} (id {editing[0].id}) is still being "
                    "edited: edit or issue it before starting another"
                )
            issued = [v for v in versions if v.status == "issued"]
            base = issued[-1] if issued else None
            content = PlanContent.model_validate(base.content) if base else PlanContent()
            content = with_received_advice(content, received_advice(session, case_id))
            row = PlanVersion(
                case_id=case_id,
                number=(versions[-1].number if versions else 0) + 1,
                kind=_next_kind(base),
                status="editing",
                content=content.as_json(),
                based_on_id=base.id if base else None,
                created_at=now,
                updated_at=now,
                created_by=actor.label,
            )
            session.add(row)
            session.flush()
            version_id = row.id
    except IntegrityError:
        raise VersionConflict("another version was started at the same moment: reload") from None
    return version_view(svc, case_id, version_id)


def _refuse_issued(v: PlanVersion) -> None:
    if v.status != "editing":
        state = "issued" if v.status == "issued" else "void (its issuing event was voided)"
        raise EventRefused(
            f"plan version {v.number} is {state} ({v.kind}, audit record {v.issued_seq}) and "
            "cannot be changed: start a new version (POST .../plan-versions), which begins as "
            "a copy of the latest issued one"
        )


def update_version(
    svc: Services, case_id: int, version_id: int, raw: dict[str, Any], actor: Actor
) -> dict[str, Any]:
    """Replace the sections of a version being edited (422 naming the field; 409 if issued)."""
    content = parse_content(raw, framework(svc))
    with svc.sessions.begin() as session:
        get_case(session, case_id)
        v = get_version(session, case_id, version_id, lock=True)
        _refuse_issued(v)
        v.content = content.as_json()
        v.updated_at = svc.clock.now()
    return version_view(svc, case_id, version_id)


def event_data(kind: str, content: PlanContent, names_next_setting: bool) -> dict[str, Any]:
    """The issuing event's data (STATUTORY.md §4a): the setting named in Section I."""
    if kind == "draft":
        return {}
    named = content.i.setting_name or content.i.setting_type
    data: dict[str, Any] = {"named_setting": named} if named else {}
    if kind == "amended" and names_next_setting:
        data["names_next_setting"] = True
    return data


def _blocking(found: list[Check]) -> None:
    blocks = [c for c in found if c.blocking]
    if blocks:
        field = (
            "content.i.setting_name" if blocks[0].section == "i" else f"content.{blocks[0].section}"
        )
        raise EventInvalid(
            field, blocks[0].message, [(f"content.{c.section}", c.message) for c in blocks[1:]]
        )


def issue_version(
    svc: Services, case_id: int, version_id: int, issue: IssueIn, actor: Actor
) -> dict[str, Any]:
    """Issue a version: its event goes through the write path in this same transaction."""
    today = svc.clock.today()
    try:
        with svc.sessions.begin() as session:
            case = claim(session, case_id, issue.expected_version)
            v = get_version(session, case_id, version_id, lock=True)
            _refuse_issued(v)
            kind = issue.kind or v.kind
            content = PlanContent.model_validate(v.content)
            _blocking(_checks_for(session, case, v, issue.occurred_on, kind))
            type_ = EVENT_FOR_KIND[kind]
            data = event_data(kind, content, issue.names_next_setting)
            data = validate_event(EventIn(type_, issue.occurred_on, data), today)
            apply_in_transaction(svc, session, case, type_, issue.occurred_on, data, actor)
            session.flush()
            v.kind = kind
            v.status = "issued"
            v.issued_seq = audit_log.last_seq(session, case_id)
            v.updated_at = svc.clock.now()
            case_version = case.version
    except DomainError as refusal:
        log_refusal(svc, actor, case_id, f"issue plan version {version_id}", refusal)
        raise
    return {**version_view(svc, case_id, version_id), "case_version": case_version}
