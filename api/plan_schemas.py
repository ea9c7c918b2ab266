"""Request and response bodies of the plan-versions API (sections A–K are the domain's models)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from api.schemas import DB_INT_MAX
from ehcp_engine.domain.plan_content import PlanContent


class PlanVersionPut(BaseModel):
    """The whole content of a version being edited: every section A–K (missing ones empty)."""

    model_config = ConfigDict(extra="forbid")

    content: PlanContent


class IssuePost(BaseModel):
    model_config = ConfigDict(extra="forbid")

    occurred_on: date = Field(description="the legal date: when the plan was served or issued")
    kind: Literal["draft", "final", "amended"] | None = Field(
        default=None, description="what is issued; defaults to the version's kind"
    )
    names_next_setting: bool = Field(
        default=False, description="an amended plan naming the next setting (Reg 18(1))"
    )
    expected_version: int | None = Field(default=None, ge=0, le=DB_INT_MAX)


class CheckOut(BaseModel):
    code: str
    section: str
    message: str
    blocking: bool
    item: str | None


class PlanVersionSummary(BaseModel):
    id: int
    case_id: int
    number: int
    kind: str
    status: str
    based_on_id: int | None
    issued_seq: int | None
    issued_on: date | None
    created_at: datetime
    updated_at: datetime
    created_by: str


class PlanVersionOut(PlanVersionSummary):
    content: dict[str, Any]
    checks: list[CheckOut]
    # Review ratings given while this version was in force, by outcome id.
    progress: dict[str, list[dict[str, Any]]] = {}
    # After issuing: the case's new version (for the next expected_version).
    case_version: int | None = None


class DiffOut(BaseModel):
    from_version: PlanVersionSummary
    to_version: PlanVersionSummary
    sections: list[dict[str, Any]]
    summary: str
