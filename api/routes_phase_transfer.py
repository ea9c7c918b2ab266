"""/api/v1/phase-transfers: the cohort transferring in a September, and each case's transfers.

Reg 18(1): the amended plan naming the next setting is due before 15 February of the transfer's
calendar year (31 March for secondary → post-16). Each row plans backwards from that long-stop
(ehcp_engine.services.phase_transfers).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query
from pydantic import BaseModel

from api.deps import ActorDep, ServicesDep
from api.schemas import DB_INT_MAX, ErrorOut
from ehcp_engine.domain.errors import NotFound
from ehcp_engine.services import phase_transfers as service
from ehcp_engine.services.access import check_case
from ehcp_engine.services.policy import require

router = APIRouter(prefix="/api/v1", tags=["phase transfers"])
ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorOut} for code in (401, 403, 404, 422)
}
# The first Reg 18(1) long-stops fell in February 2015, after the Act came into force.
FIRST_YEAR, LAST_YEAR = 2015, 2100


class TransferRow(BaseModel):
    case_id: int
    reference: str | None
    child_name: str
    date_of_birth: date
    kind: str
    deadline_id: int
    deadline_key: str
    transfer_on: date
    starts_on: date
    due_on: date
    status: str
    met_on: date | None
    latest_invitations_on: date
    latest_review_meeting_on: date
    review_meeting_held_on: date | None
    annual_review_state: str | None
    flag: Literal["overdue", "at_risk", "on_track", "met"]


class Cohort(BaseModel):
    year: int
    kind: str | None
    today: date
    counts: dict[str, int]
    items: list[TransferRow]


@router.get("/phase-transfers", response_model=Cohort, responses=ERRORS)
def cohort(
    svc: ServicesDep,
    actor: ActorDep,
    year: Annotated[int, Query(ge=FIRST_YEAR, le=LAST_YEAR, description="September of")],
    kind: Annotated[str | None, Query(max_length=40)] = None,
) -> dict[str, Any]:
    """Who transfers in September of `year` (optionally one `kind` of transfer), and where each
    one is up to: the long-stop, the latest review meeting that can still meet it, the live
    annual review's state and a flag (overdue, at_risk, on_track, met)."""
    require(actor, "case.list")
    known = service.known_kinds(svc)
    if kind is not None and kind not in known:
        msg = f"unknown transfer kind '{kind}'; known kinds: {', '.join(known)}"
        raise HTTPException(422, [{"loc": ["query", "kind"], "msg": msg, "type": "value_error"}])
    items = service.cohort(svc, transfer_year=year, kind=kind, actor=actor)
    counts = {f: sum(1 for i in items if i["flag"] == f) for f in service.FLAGS}
    return {
        "year": year,
        "kind": kind,
        "today": svc.clock.today(),
        "counts": counts,
        "items": items,
    }


@router.get("/cases/{case_id}/phase-transfers", response_model=list[TransferRow], responses=ERRORS)
def case_transfers(case_id: int, svc: ServicesDep, actor: ActorDep) -> list[dict[str, Any]]:
    """One case's phase transfers, each flagged months ahead of its long-stop."""
    require(actor, "case.read")
    if not 1 <= case_id <= DB_INT_MAX:  # no row can have it: unknown, not a database error
        raise NotFound(f"no case {case_id}")
    check_case(svc, actor, case_id)
    return service.case_transfers(svc, case_id)
