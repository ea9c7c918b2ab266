"""Request and response bodies of the JSON API (they are also the OpenAPI schema at /docs)."""

from __future__ import annotations

import math
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from ehcp_engine.domain.events import RequestSource

# Ids and versions are INTEGER columns (32-bit on PostgreSQL): a larger number cannot name a row,
# and binding one fails in the database driver rather than as a clear 4xx.
DB_INT_MAX = 2**31 - 1


def _storable(value: Any, where: str = "") -> Any:
    """What the databases can store: no NUL characters (PostgreSQL text cannot hold them), no
    lone surrogates (not UTF-8), no NaN or infinity (not JSON). Refused here, saying where, rather
    than failing in the database as a 500."""
    prefix = f"{where}: " if where else ""
    if isinstance(value, str):
        if "\x00" in value:
            raise ValueError(f"{prefix}must not contain NUL (\\x00) characters")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError(f"{prefix}is not valid Unicode (a lone surrogate)") from None
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"{prefix}must be a finite number")
    if isinstance(value, dict):
        for key, item in value.items():
            _storable(key, where)
            _storable(item, f"{where}.{key}" if where else str(key))
    if isinstance(value, list):
        for i, item in enumerate(value):
            _storable(item, f"{where}.{i}" if where else str(i))
    return value


Text = Annotated[str, AfterValidator(_storable)]


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


class TransferIn(_In):
    """Reg 15: a plan maintained by another authority, transferred in with the child."""

    transferred_on: date
    from_la: str = Field(min_length=1, max_length=200)
    plan_issued_on: date
    last_review_on: date | None = None


class CaseCreate(_In):
    """A case opens with a request for assessment, or with a plan transferred in (not both)."""

    child: ChildIn
    request: RequestIn | None = None
    transfer_in: TransferIn | None = None
    # The parent's or young person's email for statutory notices (proof of service is kept).
    family_email: str | None = Field(
        default=None, max_length=320, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
    )
    officer_id: int | None = Field(default=None, ge=1, le=DB_INT_MAX)

    @model_validator(mode="after")
    def _one_opening(self) -> CaseCreate:
        if (self.request is None) == (self.transfer_in is None):
            raise ValueError("give either request or transfer_in")
        return self


class EventPost(_In):
    type: Text = Field(min_length=1, max_length=60)
    occurred_on: date
    data: dict[str, Any] = Field(default_factory=dict)
    expected_version: int | None = Field(default=None, ge=0, le=DB_INT_MAX)

    @field_validator("data")
    @classmethod
    def _data_storable(cls, value: dict[str, Any]) -> dict[str, Any]:
        return _storable(value)  # type: ignore[no-any-return]


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
    # Reg 10(4)(a)/(b) exceptions the engine proposes from settings' term dates, with evidence.
    proposed_exceptions: list[dict[str, Any]] = []


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
