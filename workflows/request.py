"""The `request` stage: a request for an EHC needs assessment until the decision whether to assess.

Act s.36; Reg 3–5. The decision must be notified within 6 weeks of receipt (Reg 5(1)); a refusal
carries appeal and mediation rights (Reg 5(3)). A family may withdraw the request at any time
before a plan is issued.
"""

from __future__ import annotations

from workflows.machine import StageSpec, T

SPEC = StageSpec(
    name="request",
    states=("received", "assess", "not_assess", "withdrawn"),
    initial="received",
    # `assess` ends the request: the assessment stage carries the journey on from there.
    final=("assess", "not_assess", "withdrawn"),
    transitions=(
        T("assessment_agreed", ("received",), "assess"),
        T("assessment_refused", ("received",), "not_assess"),
        T("request_withdrawn", ("received",), "withdrawn"),
    ),
)
