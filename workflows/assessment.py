"""The `assessment` stage: gathering advice, then the decision whether to issue a plan.

Regs 6–10. Advice is sought from each contributor (Reg 6(1)) who has 6 weeks from receiving the
request to give it (Reg 8). A decision not to issue must be notified within 16 weeks of the
request (Reg 10(1)) with appeal rights (Reg 10(3)). A decision to issue opens the draft.
"""

from __future__ import annotations

from workflows.machine import Context, Guard, StageSpec, T


def _all_advice_in_after(ctx: Context) -> bool:
    """True when the advice this event meets is the last one outstanding for the stage."""
    outstanding = [
        a
        for a in ctx.case.advice_requests.values()
        if a.stage_key == ctx.stage.key and a.received_on is None
    ]
    return len(outstanding) <= 1


ALL_ADVICE_IN = Guard(
    name="all_advice_in",
    check=_all_advice_in_after,
    refusal=lambda ctx: "advice is still outstanding",
)
ADVICE_OUTSTANDING = Guard(
    name="advice_outstanding",
    check=lambda ctx: not _all_advice_in_after(ctx),
    refusal=lambda ctx: "no advice is outstanding",
)

SPEC = StageSpec(
    name="assessment",
    states=("gathering_advice", "deciding", "issue", "not_issue", "withdrawn"),
    initial="gathering_advice",
    final=("issue", "not_issue", "withdrawn"),
    transitions=(
        T("advice_requested", ("gathering_advice", "deciding"), "gathering_advice"),
        # The last advice in moves the stage on to the decision; earlier ones leave it gathering.
        T("advice_received", ("gathering_advice",), "gathering_advice", (ADVICE_OUTSTANDING,)),
        T("advice_received", ("gathering_advice",), "deciding", (ALL_ADVICE_IN,)),
        T("plan_agreed", ("gathering_advice", "deciding"), "issue"),
        T("plan_refused", ("gathering_advice", "deciding"), "not_issue"),
        T("request_withdrawn", ("gathering_advice", "deciding"), "withdrawn"),
    ),
)
