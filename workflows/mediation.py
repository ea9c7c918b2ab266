"""The `mediation` stage: one per disagreement, attached to the decision it disputes.

Regs 32-42. The family contacts the mediation adviser (within 2 months of the notice, Reg 33); if
they do not want mediation a certificate follows within 3 working days (Reg 34); if they do, the
LA arranges mediation within 30 days (Reg 37) and the certificate follows within 3 working days of
its end (Reg 39). An agreement on a non-appealable matter is acted on within 2 weeks (Reg 42(3)).
"""

from __future__ import annotations

from workflows.machine import Context, Guard, StageSpec, T


def _agreement_outstanding(ctx: Context) -> bool:
    return any(
        d.rule == "mediation_agreement" and d.status == "open" and d.stage_key == ctx.stage.key
        for d in ctx.case.deadlines.values()
    )


AGREEMENT_OUTSTANDING = Guard(
    "agreement_outstanding", _agreement_outstanding, lambda ctx: "no agreed action is outstanding"
)
NOTHING_OUTSTANDING = Guard(
    "nothing_outstanding",
    lambda ctx: not _agreement_outstanding(ctx),
    lambda ctx: "an agreed action is still outstanding",
)

SPEC = StageSpec(
    name="mediation",
    states=("arranging", "certificate_due", "held", "agreement_pending", "concluded"),
    initial="arranging",
    final=("concluded",),
    transitions=(
        T("mediation_meeting_held", ("arranging",), "held"),
        T("mediation_not_possible", ("arranging",), "certificate_due"),
        T(
            "mediation_certificate_issued",
            ("certificate_due", "held"),
            "agreement_pending",
            (AGREEMENT_OUTSTANDING,),
        ),
        T(
            "mediation_certificate_issued",
            ("certificate_due", "held"),
            "concluded",
            (NOTHING_OUTSTANDING,),
        ),
        T("mediation_agreement_done", ("held",), "held"),
        T("mediation_agreement_done", ("agreement_pending",), "concluded"),
    ),
)
