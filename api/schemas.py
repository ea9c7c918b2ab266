"""Request and response bodies of the JSON API (they are also the OpenAPI schema at /docs)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from ehcp_engine.domain.events import RequestSource

# Ids and versions are INTEGER columns (32-bit on PostgreSQL): a larger number cannot name a row,
# and binding one fails in the database driver rather than as a clear 4xx.
DB_INT_MAX = 2**31 - 1


def _nul_free(value: Any, where: str = "") -> Any:
    """PostgreSQL text cannot hold NUL characters: refuse them here, with where they are."""
    if isinstance(value, str) and "\x00" in value:
        raise ValueError(f"{where + ': ' if where else ''}must not contain NUL (\\x00) characters")
    if isinstance(value, dict):
        for key, item in value.items():
            _nul_free(key, where)
            _nul_free(item, f"{where}.{key}" if where else str(key))
    if isinstance(value, list):
        for i, item in enumerate(value):
            _nul_free(item, f"{where}.{i}" if where else str(i))
    return value


Text = Annotated[str, AfterValidator(_nul_free)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ChildIn(_In):
    given_name: Text = Field(min_length=1, max_length=100)
    family_name: Text = Field(min_length=1, max_length=100)
    date_of_birth: date
    # DfE unique pupil number: a letter, 11 digits, then a digit or (temporary UPN) a letter.
    upn: str | None = Field(default=None, pattern=r"^[A-Z][0-9]{11}[0-9A-Z]$")
    # National curriculum year recorded for a child held back or moved up (-1 nursery … 14).
    year_group: int | None = Field(default=None, ge=-1, le=14)
    school_structure: str | None = Field(default=None, max_length=40)


class RequestIn(_In):
    received_on: date
    source: RequestSource
    received_by: Text | None = Field(default=None, max_length=200)


class CaseCreate(_In):
    child: ChildIn
    request: RequestIn
    officer_id: int | None = Field(default=None, ge=1, le=DB_INT_MAX)


class EventPost(_In):
    type: Text = Field(min_length=1, max_length=60)
    occurred_on: date
    data: dict[str, Any] = Field(default_factory=dict)
    expected_version: int | None = Field(default=None, ge=0, le=DB_INT_MAX)

    @field_validator("data")
    @classmethod
    def _data_nul_free(cls, value: dict[str, Any]) -> dict[str, Any]:
        return _nul_free(value)  # type: ignore[no-any-return]


class ChildOut(BaseModel):
    given_name: str
    family_name: str
    date_of_birth: date
    upn: str | None = None


class StageOut(BaseModel):
    id: int
    key: str
    stage: str
    state: str
    opened_on: date
    changed_on: date
    closed_on: date | None
    allowed_events: list[str]


class DeadlineOut(BaseModel):
    id: int
    key: str
    rule: str
    label: str
    stage_id: int | None
    subject_id: int | None
    subject: str | None
    starts_on: date
    due_on: date
    status: str
    met_on: date | None
    exception: dict[str, Any] | None
    source: str
    guidance: bool
    window: bool


class AdviceRequestOut(BaseModel):
    id: int
    key: str
    advice_type: str
    contributor: str
    requested_on: date
    received_on: date | None
    due_on: date | None
    question: str | None


class CaseOut(BaseModel):
    id: int
    reference: str | None
    version: int
    rule_set: str
    officer_id: int | None
    child: ChildOut
    stages: list[StageOut]
    deadlines: list[DeadlineOut]
    advice_requests: list[AdviceRequestOut]


class CaseSummary(BaseModel):
    id: int
    reference: str | None
    version: int
    child: dict[str, Any]
    officer_id: int | None
    request_on: date | None
    next_due_on: date | None
    overdue: bool


class CaseList(BaseModel):
    total: int
    limit: int
    offset: int
    items: list[CaseSummary]


class AuditRecordOut(BaseModel):
    seq: int
    type: str
    occurred_on: date
    recorded_at: datetime
    actor: str
    actor_id: int | None
    data: dict[str, Any]
    hash: str
    prev_hash: str


class ErrorOut(BaseModel):
    detail: str | list[dict[str, Any]]
