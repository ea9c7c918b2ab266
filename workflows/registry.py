"""Every stage machine, by stage name, and where each event may act."""

from __future__ import annotations

from workflows import annual_review, assessment, draft, mediation, plan, request, tribunal
from workflows.machine import StageSpec

SPECS: dict[str, StageSpec] = {
    spec.name: spec
    for spec in (
        request.SPEC,
        assessment.SPEC,
        draft.SPEC,
        plan.SPEC,
        annual_review.SPEC,
        mediation.SPEC,
        tribunal.SPEC,
    )
}

# Events that fall back to another stage when no live stage of their own accepts them: an amended
# plan outside a review (after reassessment, or to comply with a tribunal order) is the plan's.
FALLBACK: dict[str, tuple[str, ...]] = {
    "amended_plan_issued": ("plan",),
    # Advice that arrives after the decision to issue is still recorded, for the draft.
    "advice_received": ("draft",),
}


def spec_for(stage: str) -> StageSpec:
    return SPECS[stage]
