"""The event vocabulary of STATUTORY.md §4a: every event `type`, its stage and its data.

The API, the audit log, imports and reports all speak these names, so they are fixed here once.
Each type has a pydantic model for its `data`; unknown keys are refused so that a typo in a field
name is a clear 422 rather than a silently ignored value.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

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


class AdviceReceived(EventData):
    advice_request_id: int | None = None
    advice_type: AdviceType | None = None
    # Filled by the write path: the stable key of the advice request the event meets.
    advice_request_key: str | None = None

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
    rule: str | int = Field(description="a timer id (e.g. final_plan) or a deadline id")
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

    seq: int = Field(ge=1, description="the audit seq of the event being corrected")
    occurred_on: date | None = None
    data: dict[str, object] | None = None
    void: bool = False
    reason: str = Field(min_length=1, max_length=5000)

    @model_validator(mode="after")
    def _changes_something(self) -> EventCorrected:
        if self.occurred_on is None and self.data is None and not self.void:
            raise ValueError("a correction must give occurred_on, data, or void: true")
        return self


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
}

# Events that STATUTORY.md names for stages built later (whole-lifecycle work). They are known
# names, so timer rules may refer to them, but the API refuses them until their stage exists.
LATER_STAGE_EVENTS: dict[str, str] = {
    name: stage
    for stage, names in {
        "annual_review": [
            "review_meeting_scheduled",
            "review_invitations_sent",
            "review_advice_circulated",
            "review_meeting_held",
            "review_report_received",
            "review_decision_notified",
            "amendment_representations_received",
            "amended_plan_issued",
        ],
        "plan": [
            "reassessment_requested",
            "reassessment_agreed",
            "reassessment_refused",
            "cease_proposed",
            "cease_decided",
            "plan_ceased",
            "plan_transferred_in",
            "transfer_notice_sent",
            "plan_transferred_out",
            "plan_transfer_notified",
            "post16_move_proposed",
        ],
        "mediation": [
            "mediation_adviser_contacted",
            "mediation_meeting_held",
            "mediation_certificate_issued",
            "mediation_not_possible",
            "mediation_agreement_done",
        ],
        "tribunal": [
            "appeal_registered",
            "tribunal_response_lodged",
            "tribunal_order_made",
            "appeal_withdrawn",
            "appeal_conceded",
            "order_complied",
            "recommendation_responded",
        ],
    }.items()
    for name in names
}

ALL_EVENT_TYPES: frozenset[str] = frozenset(VOCABULARY) | frozenset(LATER_STAGE_EVENTS)


def data_model(event_type: str) -> type[EventData]:
    """The data model of an event type; KeyError for a type the engine does not handle yet."""
    return VOCABULARY[event_type][1]


def stage_of(event_type: str) -> str:
    if event_type in VOCABULARY:
        return VOCABULARY[event_type][0]
    return LATER_STAGE_EVENTS[event_type]
