"""SQLAlchemy 2 tables. Legal dates are DATE; timestamps are UTC (timestamptz on PostgreSQL).

Stages, deadlines and advice requests are projections of the audit log: the write path rewrites
them from the fold, and `ehcp audit replay` checks they equal a fresh fold. Each keeps the
projection's stable `key` so rows keep their ids across recomputation.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class UtcDateTime(TypeDecorator[datetime]):
    """Timestamps are UTC and always come back timezone-aware: PostgreSQL's timestamptz does
    this itself; SQLite stores naive text, so the zone is stripped on the way in and restored on
    the way out (an API must never show a timestamp without its zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("timestamps must be timezone-aware (UTC)")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UtcDateTime(),
        dict[str, Any]: JSON,
    }


class Team(Base):
    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)


class Organisation(Base):
    """A contributing service (EP service, health, social care, a school) that gives advice."""

    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(30), default="other")
    # A shared inbox, used when no named contributor user belongs to the organisation.
    email: Mapped[str | None] = mapped_column(String(320))
    # Where overdue advice is escalated (the contributor's service manager).
    manager_email: Mapped[str | None] = mapped_column(String(320))


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(20))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime]
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    # Channels this user wants messages on, in order: "email", "sms", "inapp" (always kept).
    channels: Mapped[list[str]] = mapped_column(
        JSON, default=lambda: ["email", "inapp"], server_default='["email", "inapp"]'
    )
    phone: Mapped[str | None] = mapped_column(String(30))
    # Web sign-in (ehcp_engine.services.auth): an Argon2 hash, or none (API tokens or OpenID
    # Connect only); wrong passwords in a row, and until when the account is locked.
    password_hash: Mapped[str | None] = mapped_column(String(200))
    failed_logins: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    locked_until: Mapped[datetime | None]


class ApiToken(Base):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    # SHA-256 of the token: a high-entropy random token needs no slow hash, and lookups are exact.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class Case(Base):
    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str | None] = mapped_column(String(30), unique=True)
    version: Mapped[int] = mapped_column(Integer, default=0)
    rule_set: Mapped[str] = mapped_column(String(40))
    given_name: Mapped[str] = mapped_column(String(100))
    family_name: Mapped[str] = mapped_column(String(100))
    # Where statutory notices go (Reg 4 etc.: notices to the parent or young person).
    family_email: Mapped[str | None] = mapped_column(String(320))
    date_of_birth: Mapped[date] = mapped_column(Date)
    upn: Mapped[str | None] = mapped_column(String(13))
    year_group_offset: Mapped[int] = mapped_column(Integer, default=0)
    school_structure: Mapped[str | None] = mapped_column(String(40))
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    request_on: Mapped[date | None] = mapped_column(Date)
    next_due_on: Mapped[date | None] = mapped_column(Date, index=True)
    last_hash: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class StageRow(Base):
    __tablename__ = "stages"
    __table_args__ = (UniqueConstraint("case_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    key: Mapped[str] = mapped_column(String(60))
    stage: Mapped[str] = mapped_column(String(30), index=True)
    state: Mapped[str] = mapped_column(String(30))
    opened_on: Mapped[date] = mapped_column(Date)
    changed_on: Mapped[date] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)
    parent_key: Mapped[str | None] = mapped_column(String(60))


class DeadlineRow(Base):
    __tablename__ = "deadlines"
    __table_args__ = (
        UniqueConstraint("case_id", "key"),
        # The sweep reads open deadlines by due date: its cost follows the due count.
        Index("ix_deadlines_open_due", "status", "due_on"),
        # ...and the 20-weeks-at-risk alert open final-plan deadlines by start (migration 0007).
        Index("ix_deadlines_rule_open_start", "rule", "status", "starts_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    key: Mapped[str] = mapped_column(String(160))
    rule: Mapped[str] = mapped_column(String(40))
    stage_key: Mapped[str] = mapped_column(String(60))
    subject_key: Mapped[str | None] = mapped_column(String(260))
    starts_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20))
    met_on: Mapped[date | None] = mapped_column(Date)
    exception: Mapped[dict[str, Any] | None]
    source: Mapped[str] = mapped_column(String(200))
    guidance: Mapped[bool] = mapped_column(Boolean, default=False)
    started_by: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    window: Mapped[bool] = mapped_column("family_window", Boolean, default=False)
    # Written by the scheduler, not the fold: never compared in replay.
    reminded_at: Mapped[datetime | None]
    escalated_at: Mapped[datetime | None]


class AdviceRequestRow(Base):
    __tablename__ = "advice_requests"
    __table_args__ = (UniqueConstraint("case_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    key: Mapped[str] = mapped_column(String(60))
    stage_key: Mapped[str] = mapped_column(String(60))
    advice_type: Mapped[str] = mapped_column(String(40))
    contributor: Mapped[str] = mapped_column(String(200), index=True)
    requested_on: Mapped[date] = mapped_column(Date)
    received_on: Mapped[date | None] = mapped_column(Date)
    question: Mapped[str | None] = mapped_column(Text)


class AuditEvent(Base):
    """The append-only log. UPDATE and DELETE are refused by database triggers (migration 0001)."""

    __tablename__ = "audit_events"
    __table_args__ = (UniqueConstraint("case_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    type: Mapped[str] = mapped_column(String(60), index=True)
    occurred_on: Mapped[date] = mapped_column(Date, index=True)
    recorded_at: Mapped[datetime]
    actor_id: Mapped[int | None] = mapped_column(Integer)
    actor: Mapped[str] = mapped_column(String(320))
    data: Mapped[dict[str, Any]]
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class OutboxMessage(Base):
    """Notifications written in the same transaction as the event; sent after commit."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    template: Mapped[str] = mapped_column(String(60))
    audience: Mapped[str] = mapped_column(String(320))
    payload: Mapped[dict[str, Any]]
    status: Mapped[str] = mapped_column(String(20), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    # Who and how: a user (for the in-app inbox and preferences) or a bare address.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    channel: Mapped[str] = mapped_column(String(20), default="email")
    kind: Mapped[str] = mapped_column(String(20), default="info")
    subject: Mapped[str] = mapped_column(String(300), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    # Retries with backoff; a claimed message is leased so a crashed sender's work is retried.
    next_attempt_at: Mapped[datetime | None]
    lease_until: Mapped[datetime | None]
    provider_ref: Mapped[str | None] = mapped_column(String(200))
    read_at: Mapped[datetime | None]


class ReminderStep(Base):
    """One step of a reminder plan done for one deadline and audience: the unique key is the
    claim, so a sweep run twice, or by two schedulers at once, sends each step once."""

    __tablename__ = "reminder_steps"
    __table_args__ = (UniqueConstraint("deadline_id", "step", "audience"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    deadline_id: Mapped[int] = mapped_column(ForeignKey("deadlines.id", ondelete="CASCADE"))
    step: Mapped[str] = mapped_column(String(40))
    audience: Mapped[str] = mapped_column(String(30))
    fire_on: Mapped[date] = mapped_column(Date)
    done_at: Mapped[datetime]
    outcome: Mapped[str] = mapped_column(String(20))  # queued | superseded | no_recipient


class JobRun(Base):
    """Every run of a scheduled job, and every run that was missed while the service was down."""

    __tablename__ = "job_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(60), index=True)
    scheduled_for: Mapped[datetime | None]
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    outcome: Mapped[str] = mapped_column(String(20))  # running | ok | failed | missed
    detail: Mapped[str] = mapped_column(Text, default="")
    host: Mapped[str] = mapped_column(String(200), default="")


class Notice(Base):
    """Proof of service of a statutory notice: how and when it went, when it counts as served,
    and any failure, which opens a task for the officer to re-send by another route."""

    __tablename__ = "notices"
    __table_args__ = (UniqueConstraint("case_id", "seq", "route"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(60))
    route: Mapped[str] = mapped_column(String(20))  # email | post | hand | notify_email
    addressee: Mapped[str] = mapped_column(String(320))
    sent_at: Mapped[datetime | None]
    served_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), index=True)  # pending | sent | failed
    failure: Mapped[str | None] = mapped_column(Text)
    outbox_id: Mapped[int | None] = mapped_column(ForeignKey("outbox.id"))
    task_open: Mapped[bool] = mapped_column(Boolean, default=False, index=True)


class AccessLog(Base):
    """Reads and refusals, kept apart from the change audit (UK GDPR special-category data)."""

    __tablename__ = "access_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime]
    user_id: Mapped[int | None] = mapped_column(Integer, index=True)
    action: Mapped[str] = mapped_column(String(40))
    case_id: Mapped[int | None] = mapped_column(Integer, index=True)
    detail: Mapped[str] = mapped_column(Text, default="")
    client: Mapped[str | None] = mapped_column(String(100))


class PlanVersion(Base):
    """One version of a child's EHC plan: sections A–K (Reg 12) as validated JSON
    (ehcp_engine.domain.plan_content). A version is edited until it is issued; issuing records
    the event (draft_plan_served, final_plan_issued, amended_plan_issued) through the write path
    and keeps its audit seq, after which the version never changes: an amendment is a new one."""

    __tablename__ = "plan_versions"
    __table_args__ = (UniqueConstraint("case_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)  # 1..n within the case
    kind: Mapped[str] = mapped_column(String(20))  # draft | final | amended
    status: Mapped[str] = mapped_column(String(20))  # editing | issued
    content: Mapped[dict[str, Any]]
    based_on_id: Mapped[int | None] = mapped_column(ForeignKey("plan_versions.id"))
    # The audit seq of the event that issued this version.
    issued_seq: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(320))


class WebSession(Base):
    """A signed-in browser. The cookie carries a random token; only its SHA-256 is stored."""

    __tablename__ = "web_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    # Every form posted in this session carries it (CSRF).
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    # Sliding: moved on with every request, ending the session after EHCP_SESSION_IDLE_MINUTES.
    expires_at: Mapped[datetime] = mapped_column(index=True)
    last_seen_at: Mapped[datetime]


class PasswordReset(Base):
    """A one-time password reset link; the token is stored only as its SHA-256."""

    __tablename__ = "password_resets"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class MeasureFact(Base):
    """Projection for the measures dashboards: one row per measure-relevant fact of a case
    (audit.measures.facts), refreshed incrementally from the audit log, never edited by hand."""

    __tablename__ = "measure_facts"
    __table_args__ = (
        UniqueConstraint("case_id", "key"),
        Index("ix_measure_facts_kind_start", "kind", "start_on"),
        Index("ix_measure_facts_kind_due", "kind", "due_on"),
        Index("ix_measure_facts_kind_met", "kind", "met_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    key: Mapped[str] = mapped_column(String(120))
    start_on: Mapped[date | None] = mapped_column(Date)
    due_on: Mapped[date | None] = mapped_column(Date)
    met_on: Mapped[date | None] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)
    exception: Mapped[bool] = mapped_column(Boolean, default=False)
    attrs: Mapped[dict[str, Any]]


class MeasureCase(Base):
    """How far each case's log has been folded into measure_facts (the newest record read)."""

    __tablename__ = "measure_cases"

    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    audit_id: Mapped[int] = mapped_column(Integer)
    last_hash: Mapped[str] = mapped_column(String(64))


class MeasureWatermark(Base):
    """The highest audit record id folded into the projection; its row is also the lock that
    serialises refreshes (the first statement of a refresh updates it)."""

    __tablename__ = "measure_watermarks"

    name: Mapped[str] = mapped_column(String(30), primary_key=True)
    audit_id: Mapped[int] = mapped_column(Integer, default=0)
    refreshed_at: Mapped[datetime | None]


class Sen2Person(Base):
    """SEN2 module 1 items the workflow does not record (sex, ethnicity, postcode, ULN, the
    reason a UPN is unknown) and module 5's types of need, kept per case for the return."""

    __tablename__ = "sen2_persons"

    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    sex: Mapped[str | None] = mapped_column(String(1))
    ethnicity: Mapped[str | None] = mapped_column(String(4))
    postcode: Mapped[str | None] = mapped_column(String(10))
    uln: Mapped[str | None] = mapped_column(String(10))
    upn_unknown: Mapped[str | None] = mapped_column(String(4))
    sen_types: Mapped[list[str]] = mapped_column(JSON, default=list)
    updated_at: Mapped[datetime]


class QaRound(Base):
    """A QA audit round: a reproducible sample of plans issued or amended in a period."""

    __tablename__ = "qa_rounds"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    period_from: Mapped[date] = mapped_column(Date)
    period_to: Mapped[date] = mapped_column(Date)
    seed: Mapped[int] = mapped_column(Integer)
    size: Mapped[int | None] = mapped_column(Integer)
    percent: Mapped[float | None]
    origin: Mapped[str] = mapped_column(String(20))  # on_demand | scheduled
    rubric_version: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20), default="open")
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(320))


class QaSampleItem(Base):
    """One sampled plan issue: the case and the audit seq of its final/amended plan event (the
    plan version issued with that seq is the one marked)."""

    __tablename__ = "qa_sample_items"
    __table_args__ = (UniqueConstraint("round_id", "case_id", "issued_seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("qa_rounds.id"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    issued_seq: Mapped[int] = mapped_column(Integer)
    issued_on: Mapped[date] = mapped_column(Date)
    issue: Mapped[str] = mapped_column(String(20))  # final | amended
    officer_id: Mapped[int | None] = mapped_column(Integer)
    team_id: Mapped[int | None] = mapped_column(Integer)
    plan_version_id: Mapped[int | None] = mapped_column(Integer)


class QaScore(Base):
    """One panel member's marking of a sampled plan against the rubric."""

    __tablename__ = "qa_scores"
    __table_args__ = (UniqueConstraint("item_id", "marker_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("qa_sample_items.id"), index=True)
    marker_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    ratings: Mapped[dict[str, Any]]
    overall: Mapped[str] = mapped_column(String(30))
    comments: Mapped[str] = mapped_column(Text, default="")
    scored_at: Mapped[datetime]


class QaModeration(Base):
    """The moderated (agreed) result for a sampled plan: what the measures and feedback use."""

    __tablename__ = "qa_moderations"

    item_id: Mapped[int] = mapped_column(ForeignKey("qa_sample_items.id"), primary_key=True)
    moderator_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    ratings: Mapped[dict[str, Any]]
    overall: Mapped[str] = mapped_column(String(30))
    feedback: Mapped[str] = mapped_column(Text, default="")
    moderated_at: Mapped[datetime]


class AdviceDocument(Base):
    """A document a contributor uploaded with their advice (PDF or DOCX), kept in the database
    (never in the web root) and written in the same transaction as the `advice_received` event
    it came with. The advice request is named by id without a foreign key: advice requests are
    a projection of the log and may be rebuilt, the document must stay."""

    __tablename__ = "advice_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    advice_request_id: Mapped[int] = mapped_column(Integer, index=True)
    # The audit seq of the advice_received event the document was submitted with.
    audit_seq: Mapped[int] = mapped_column(Integer)
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    uploaded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime]
