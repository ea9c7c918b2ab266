"""/api/v1/advice-requests: the contributor portal over the API."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, status
from pydantic import BaseModel, ConfigDict, Field

from api.deps import ActorDep, ClientDep, RowId, ServicesDep
from ehcp_engine.services import advice as service
from ehcp_engine.services.access import record_read
from ehcp_engine.services.policy import require

router = APIRouter(prefix="/api/v1/advice-requests", tags=["advice"])


class AdviceIn(BaseModel):
    """Structured advice: a summary and the sections Reg 6 asks for (documents come as uploads
    through the web portal)."""

    model_config = ConfigDict(extra="forbid")
    summary: str = Field(min_length=1, max_length=20000, description="summary of needs")
    outcomes: str | None = Field(default=None, max_length=20000, description="outcomes sought")
    provision: str | None = Field(
        default=None, max_length=20000, description="provision recommended"
    )


@router.get("")
def my_requests(svc: ServicesDep, actor: ActorDep) -> list[dict[str, Any]]:
    """Advice requests sent to me, with due dates and status."""
    require(actor, "advice.read")
    return service.my_requests(svc, actor)


@router.get("/{request_id}")
def my_request(
    request_id: RowId, svc: ServicesDep, actor: ActorDep, client: ClientDep
) -> dict[str, Any]:
    require(actor, "advice.read")
    found = service.my_request(svc, actor, request_id)
    record_read(svc, actor, "read advice request", found["case_id"], client, str(request_id))
    return found


@router.post("/{request_id}/advice", status_code=status.HTTP_201_CREATED)
def submit(request_id: RowId, body: AdviceIn, svc: ServicesDep, actor: ActorDep) -> dict[str, Any]:
    """Submit advice: recorded as received today; the case officer sees it at once."""
    require(actor, "advice.submit")
    text = service.AdviceText(body.summary, body.outcomes or "", body.provision or "")
    return service.submit_advice(svc, actor, request_id, text)
