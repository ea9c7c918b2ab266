"""Messages: my inbox and channels; failed messages for admins; notices and their service."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from api.deps import ActorDep, RowId, ServicesDep
from ehcp_engine.services import messages as service
from ehcp_engine.services.access import check_case
from ehcp_engine.services.policy import require

router = APIRouter(prefix="/api/v1", tags=["messages"])


class ChannelsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    channels: list[str] = Field(min_length=1, max_length=3)


class BounceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=1, max_length=2000)


@router.get("/me/messages")
def my_messages(
    svc: ServicesDep,
    actor: ActorDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> list[dict[str, Any]]:
    """Every message sent to me, on every channel (so none is lost in spam)."""
    return service.inbox(svc, actor, limit=limit, offset=offset)


@router.post("/me/messages/{message_id}/read")
def read_message(message_id: RowId, svc: ServicesDep, actor: ActorDep) -> dict[str, Any]:
    return service.mark_read(svc, actor, message_id)


@router.put("/me/channels")
def my_channels(body: ChannelsIn, svc: ServicesDep, actor: ActorDep) -> dict[str, Any]:
    """Choose email and/or SMS; the in-app inbox is always kept."""
    return {"channels": service.set_channels(svc, actor, body.channels)}


@router.get("/admin/messages")
def admin_messages(
    svc: ServicesDep,
    actor: ActorDep,
    status: Annotated[str, Query(pattern="^(pending|sending|sent|failed)$")] = "failed",
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[dict[str, Any]]:
    """Messages by status; permanently failing ones are kept here, never dropped."""
    require(actor, "messages.admin")
    return service.messages_by_status(svc, status, limit)


@router.post("/admin/messages/{message_id}/retry")
def admin_retry(message_id: RowId, svc: ServicesDep, actor: ActorDep) -> dict[str, Any]:
    require(actor, "messages.admin")
    return service.retry(svc, message_id)


@router.get("/cases/{case_id}/notices")
def case_notices(case_id: RowId, svc: ServicesDep, actor: ActorDep) -> list[dict[str, Any]]:
    """Statutory notices: route, when sent, when served, failures and open re-send tasks."""
    require(actor, "case.read")
    check_case(svc, actor, case_id)
    return service.case_notices(svc, case_id)


@router.post("/notices/{notice_id}/bounced")
def notice_bounced(
    notice_id: RowId, body: BounceIn, svc: ServicesDep, actor: ActorDep
) -> dict[str, Any]:
    """Record a bounce: the notice was not served and the officer gets a task to re-send."""
    require(actor, "notices.manage")
    return service.notice_bounced(svc, actor, notice_id, body.reason)


@router.post("/notices/{notice_id}/resent-by-post")
def notice_resent(notice_id: RowId, svc: ServicesDep, actor: ActorDep) -> dict[str, Any]:
    require(actor, "notices.manage")
    return service.resend_by_post(svc, actor, notice_id)
