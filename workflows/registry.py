"""Every stage machine, by stage name."""

from __future__ import annotations

from workflows import assessment, draft, plan, request
from workflows.machine import StageSpec

SPECS: dict[str, StageSpec] = {
    spec.name: spec for spec in (request.SPEC, assessment.SPEC, draft.SPEC, plan.SPEC)
}


def spec_for(stage: str) -> StageSpec:
    return SPECS[stage]
