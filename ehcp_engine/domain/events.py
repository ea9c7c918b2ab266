"""The event vocabulary of STATUTORY.md §4a: every event `type`, its stage and its data.

The API, the audit log, imports and reports all speak these names, so they are fixed here once.
Each type has a pydantic model for its `data`; unknown keys are refused so that a typo in a field
name is a clear 422 rather than a silently ignored value.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

# Ids are INTEGER columns (32-bit on PostgreSQL): a larger number cannot name a row.
ROW_ID_MAX = 2**31 - 1

RequestSource = Literal["parent", "young_person", "school", "health", "social_care", "other"]
AdviceType = Literal[
    "parent",
    "educational",
    "health",
    "psychological",
    "social_care",
    "sensory",
    "preparation_for_adulthood",
    "other",
    "parent_requested",
]
ExceptionGround = Literal[
    "setting_closure",
    "early_years_closure",
    "personal_circumstances",
    "absence_from_area",
    "missed_appointment",
    "representations",
    # SI 2020/471: in force 1 May – 25 Sep 2020 only (rule set 2020-coronavirus).
    "coronavirus",
]
ReviewOutcome = Literal["maintain", "amend", "cease"]


class EventData(BaseModel):
    """Base of every event's data: strict about unknown keys."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class NoData(EventData):
    pass


class RequestReceived(EventData):
    source: RequestSource
    received_by: str | None = Field(default=None, max_length=200)


class Reasons(EventData):
    reasons: str = Field(min_length=1, max_length=5000)


class RequestWithdrawn(EventData):
    reason: str = Field(min_length=1, max_length=5000)


class AdviceRequested(EventData):
    advice_type: AdviceType
    contributor: str = Field(min_length=1, max_length=200)
    # Reg 8: six weeks run from the contributor's receipt of the request; defaults to occurred_on.
    received_by_contributor_on: date | None = None
    question: str | None = Field(default=None, max_length=5000)


class AdviceDocumentRef(EventData):
    """A document submitted with the advice; its SHA-256 puts the file in the hash chain."""

    filename: str = Field(min_length=1, max_length=200)
    sha256: str = Field(pattern="^[0-9a-f]{64}$")
    size: int = Field(ge=1)


class AdviceReceived(EventData):
    advice_request_id: int | None = Field(default=None, ge=1, le=ROW_ID_MAX)
    advice_type: AdviceType | None = None
    # Filled by the write path: the stable key of the advice request the event meets.
    advice_request_key: str | None = None
    # The advice itself (Reg 6(1) advice and information), as the contributor wrote it: the
    # child's needs, the outcomes sought and the provision recommended; any documents with it.
    needs: str | None = Field(default=None, max_length=20000)
    outcomes: str | None = Field(default=None, max_length=20000)
    provision: str | None = Field(default=None, max_length=20000)
    documents: list[AdviceDocumentRef] | None = Field(default=None, max_length=20)

    @model_validator(mode="after")
    def _names_a_request(self) -> AdviceReceived:
        if (
            self.advice_request_id is None
            and self.advice_type is None
            and not self.advice_request_key
        ):
            raise ValueError("name the advice request: give advice_request_id or advice_type")
        return self


class RepresentationsReceived(EventData):
    requested_setting: str | None = Field(default=None, max_length=200)


class SettingEvent(EventData):
    setting: str = Field(min_length=1, max_length=200)


class FinalPlanIssued(EventData):
    named_setting: str | None = Field(default=None, max_length=200)
    names_next_setting: bool = False


class ExceptionRecorded(EventData):
    ground: ExceptionGround
    from_: date = Field(alias="from")
    to: date | None = None
    rule: str | Annotated[int, Field(ge=1, le=ROW_ID_MAX)] = Field(
        description="a timer id (e.g. final_plan) or a deadline id"
    )
    family_informed: bool = False
    evidence: str | None = Field(default=None, max_length=5000)
    # Filled by the write path: the stable key of the deadline the exception applies to.
    deadline_key: str | None = None

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @model_validator(mode="after")
    def _range_in_order(self) -> ExceptionRecorded:
        if self.to is not None and self.to < self.from_:
            raise ValueError("'to' is before 'from'")
        return self


class EventCorrected(EventData):
    """An officer corrects an earlier event; the case is recomputed as if it had been right."""

    seq: int = Field(ge=1, le=ROW_ID_MAX, description="the audit seq of the event corrected")
    occurred_on: date | None = None
    data: dict[str, object] | None = None
    void: bool = False
    reason: str = Field(min_length=1, max_length=5000)

    @model_validator(mode="after")
    def _changes_something(self) -> EventCorrected:
        if self.occurred_on is None and self.data is None and not self.void:
            raise ValueError("a correction must give occurred_on, data, or void: true")
        return self


class CaseReassigned(EventData):
    """A manager moves the case to another officer: no statutory effect (no stage moves, no
    timer changes), but who holds a child's case is part of its record, so it is audited.
    The write path checks the officer and moves Case.officer_id in the same transaction."""

    officer_id: int = Field(ge=1, le=ROW_ID_MAX)
    reason: str = Field(min_length=1, max_length=5000)
    # Filled by the write path: who held the case before (None: the intake queue).
    previous_officer_id: int | None = Field(default=None, ge=1, le=ROW_ID_MAX)


Participant = Literal[
    "child_or_young_person", "parent", "setting", "health", "social_care", "other"
]
ProgressRating = Literal["achieved", "on_track", "partly", "not_yet", "no_longer_relevant"]
CeaseReason = Literal[1, 2, 3, 4, 5, 6, 7, 8, 9]  # SEN2 cease reason codes (reference/sen2)
OrderKind = Literal[
    "assess",
    "make_plan",
    "amend",
    "name_setting",
    "continue",
    "cease",
    "recommendation",
    "dismissed",
]
AppealType = Literal[
    "refusal_to_assess",
    "refusal_to_issue",
    "contents",
    "setting_only",
    "refusal_to_reassess",
    "refusal_to_amend",
    "ceasing",
]


class MeetingScheduled(EventData):
    meeting_on: date


class OutcomeProgress(EventData):
    outcome: str = Field(min_length=1, max_length=500)
    rating: ProgressRating
    note: str | None = Field(default=None, max_length=5000)


class MeetingHeld(EventData):
    """Reg 20(2)-(6): who took part, and progress towards each outcome, for the measures."""

    participants: list[Participant] = Field(default_factory=list)
    outcome_progress: list[OutcomeProgress] = Field(default_factory=list)


class ReviewDecision(EventData):
    outcome: ReviewOutcome
    proposed_amendments: str | None = Field(default=None, max_length=20000)
    reasons: str | None = Field(default=None, max_length=5000)

    @model_validator(mode="after")
    def _amendments_with_decision(self) -> ReviewDecision:
        # R (L, M, P) v Devon CC [2022] EWHC 493: an amend decision must be sent with the
        # proposed amendments (Reg 22(2)), not as a bare decision.
        if self.outcome == "amend" and not self.proposed_amendments:
            raise ValueError("a decision to amend must include the proposed_amendments")
        return self


class AmendedPlanIssued(EventData):
    named_setting: str | None = Field(default=None, max_length=200)
    names_next_setting: bool = False


class CeaseEvent(EventData):
    reason: CeaseReason


class TransferIn(EventData):
    from_la: str = Field(min_length=1, max_length=200)
    plan_issued_on: date
    last_review_on: date | None = None


class TransferNotified(EventData):
    to_la: str = Field(min_length=1, max_length=200)
    moves_on: date | None = None


class TransferredOut(EventData):
    to_la: str = Field(min_length=1, max_length=200)


class TransferNoticeSent(EventData):
    will_reassess: bool = False
    review_by: date | None = None


class Post16Move(EventData):
    moves_on: date
    institution: str | None = Field(default=None, max_length=200)


class Disputes(EventData):
    """Names the decision disputed by the seq of its audit record; default: the latest open."""

    decision_seq: int | None = Field(default=None, ge=1, le=ROW_ID_MAX)


class AdviserContacted(Disputes):
    wants_mediation: bool


class MediationHeld(Disputes):
    agreement: Literal["none", "full", "partial", "non_appealable"] = "none"


class AppealRegistered(Disputes):
    appeal_type: AppealType


class OrderMade(Disputes):
    order: OrderKind


class Concession(Disputes):
    """Reg 45: the LA will not oppose; `order` is what it concedes, complied with as if ordered."""

    order: Literal["assess", "make_plan", "amend", "name_setting", "continue"]


# event type -> (stage, data model). Stage "any" events touch whichever stage they name.
VOCABULARY: dict[str, tuple[str, type[EventData]]] = {
    "request_received": ("request", RequestReceived),
    "assessment_agreed": ("request", NoData),
    "assessment_refused": ("request", Reasons),
    "request_withdrawn": ("request", RequestWithdrawn),
    "advice_requested": ("assessment", AdviceRequested),
    "advice_received": ("assessment", AdviceReceived),
    "plan_refused": ("assessment", Reasons),
    "plan_agreed": ("assessment", NoData),
    "draft_plan_served": ("draft", NoData),
    "representations_received": ("draft", RepresentationsReceived),
    "setting_consulted": ("draft", SettingEvent),
    "setting_responded": ("draft", SettingEvent),
    "final_plan_issued": ("draft", FinalPlanIssued),
    "exception_recorded": ("any", ExceptionRecorded),
    "event_corrected": ("any", EventCorrected),
    "case_reassigned": ("any", CaseReassigned),
    # annual review (Act s.44; Regs 18-22)
    "review_meeting_scheduled": ("annual_review", MeetingScheduled),
    "review_invitations_sent": ("annual_review", NoData),
    "review_advice_circulated": ("annual_review", NoData),
    "review_meeting_held": ("annual_review", MeetingHeld),
    "review_report_received": ("annual_review", NoData),
    "review_decision_notified": ("annual_review", ReviewDecision),
    "amendment_representations_received": ("annual_review", NoData),
    "amended_plan_issued": ("annual_review", AmendedPlanIssued),
    # the plan in force: reassessment, ceasing, transfers (Act ss.44-45, 47; Regs 15, 24-31)
    "reassessment_requested": ("plan", NoData),
    "reassessment_agreed": ("plan", NoData),
    "reassessment_refused": ("plan", Reasons),
    "cease_proposed": ("plan", CeaseEvent),
    "cease_decided": ("plan", CeaseEvent),
    "plan_ceased": ("plan", CeaseEvent),
    "plan_transferred_in": ("plan", TransferIn),
    "transfer_notice_sent": ("plan", TransferNoticeSent),
    "plan_transfer_notified": ("plan", TransferNotified),
    "plan_transferred_out": ("plan", TransferredOut),
    "post16_move_proposed": ("plan", Post16Move),
    # disagreement (Act ss.51-55; Regs 32-45; HESC rules)
    "mediation_adviser_contacted": ("mediation", AdviserContacted),
    "mediation_meeting_held": ("mediation", MediationHeld),
    "mediation_not_possible": ("mediation", Disputes),
    "mediation_certificate_issued": ("mediation", Disputes),
    "mediation_agreement_done": ("mediation", Disputes),
    "appeal_registered": ("tribunal", AppealRegistered),
    "tribunal_response_lodged": ("tribunal", Disputes),
    "tribunal_order_made": ("tribunal", OrderMade),
    "appeal_withdrawn": ("tribunal", Disputes),
    "appeal_conceded": ("tribunal", Concession),
    "order_complied": ("tribunal", Disputes),
    "recommendation_responded": ("tribunal", Disputes),
}

# Case-level events that change who works on the case, not where it is: the fold passes over
# them (no stage, no timer), the write path applies them to the case row.
ADMINISTRATIVE: frozenset[str] = frozenset({"case_reassigned"})

# Events the engine knows by name but does not accept yet (none at present): rules may name them.
LATER_STAGE_EVENTS: dict[str, str] = {}

ALL_EVENT_TYPES: frozenset[str] = frozenset(VOCABULARY) | frozenset(LATER_STAGE_EVENTS)


def data_model(event_type: str) -> type[EventData]:
    """The data model of an event type; KeyError for a type the engine does not handle yet."""
    return VOCABULARY[event_type][1]


def stage_of(event_type: str) -> str:
    if event_type in VOCABULARY:
        return VOCABULARY[event_type][0]
    return LATER_STAGE_EVENTS[event_type]
